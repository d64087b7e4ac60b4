package auth_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reference/cookie"
	"github.com/httpcheck/httpcheck/reference/session"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

// The broken session stores below are faults inside the reference server
// (faulttest.Fault.WrapSessions): each documents its deliberate bug. Some
// act only during a login: markLogin puts a loginMark in the login
// request's context, which reaches the store through the session
// middleware.

type markKey struct{}

// loginMark is what a store remembers during one login request.
type loginMark struct {
	mu  sync.Mutex
	old string // the key the login retired
}

func markOf(ctx context.Context) *loginMark { m, _ := ctx.Value(markKey{}).(*loginMark); return m }

// markLogin marks the context of session/login requests.
func markLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/session/login") {
			r = r.WithContext(context.WithValue(r.Context(), markKey{}, &loginMark{}))
		}
		next.ServeHTTP(w, r)
	})
}

// keepKeyOnLogin does not rotate the key on login: it keeps the retired
// key and saves the logged-in session under it.
type keepKeyOnLogin struct{ session.Store }

func (s keepKeyOnLogin) Delete(ctx context.Context, key string) error {
	if m := markOf(ctx); m != nil {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.old = key
		return nil
	}
	return s.Store.Delete(ctx, key)
}

func (s keepKeyOnLogin) Create(ctx context.Context, data map[string]json.RawMessage, expiry time.Time) (string, error) {
	if m := markOf(ctx); m != nil {
		m.mu.Lock()
		old := m.old
		m.mu.Unlock()
		if old != "" && s.Store.Save(ctx, old, data, expiry) == nil {
			return old, nil
		}
	}
	return s.Store.Create(ctx, data, expiry)
}

// dropDataOnLogin keeps only login's own keys in the session login
// creates.
type dropDataOnLogin struct{ session.Store }

func (s dropDataOnLogin) Create(ctx context.Context, data map[string]json.RawMessage, expiry time.Time) (string, error) {
	if markOf(ctx) != nil {
		kept := map[string]json.RawMessage{}
		for k, v := range data {
			if strings.HasPrefix(k, "_") {
				kept[k] = v
			}
		}
		data = kept
	}
	return s.Store.Create(ctx, data, expiry)
}

// keepOnDelete never deletes: logout and rotation only make the browser
// drop its cookie, and every old key lives on.
type keepOnDelete struct{ session.Store }

func (keepOnDelete) Delete(context.Context, string) error { return nil }

// immortalStore ignores the expiry it is given.
type immortalStore struct{ session.Store }

func farFuture() time.Time { return time.Now().AddDate(50, 0, 0) }

func (s immortalStore) Save(ctx context.Context, key string, data map[string]json.RawMessage, _ time.Time) error {
	return s.Store.Save(ctx, key, data, farFuture())
}

func (s immortalStore) Create(ctx context.Context, data map[string]json.RawMessage, _ time.Time) (string, error) {
	return s.Store.Create(ctx, data, farFuture())
}

// aliasStore hands out keys from next instead of the store's own: weak
// keys in front of a working store.
type aliasStore struct {
	session.Store
	next func() string
	mu   sync.Mutex
	real map[string]string // alias -> the store's key
}

func newAliasStore(next func() string) func(session.Store) session.Store {
	return func(s session.Store) session.Store {
		return &aliasStore{Store: s, next: next, real: map[string]string{}}
	}
}

func (s *aliasStore) lookup(alias string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.real[alias]
	return k, ok
}

func (s *aliasStore) Create(ctx context.Context, data map[string]json.RawMessage, expiry time.Time) (string, error) {
	k, err := s.Store.Create(ctx, data, expiry)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	alias := s.next()
	s.real[alias] = k
	return alias, nil
}

func (s *aliasStore) Load(ctx context.Context, alias string) (map[string]json.RawMessage, time.Time, bool, error) {
	k, ok := s.lookup(alias)
	if !ok {
		return nil, time.Time{}, false, nil
	}
	return s.Store.Load(ctx, k)
}

func (s *aliasStore) Save(ctx context.Context, alias string, data map[string]json.RawMessage, expiry time.Time) error {
	k, ok := s.lookup(alias)
	if !ok {
		return session.ErrNotFound
	}
	return s.Store.Save(ctx, k, data, expiry)
}

func (s *aliasStore) Delete(ctx context.Context, alias string) error {
	k, ok := s.lookup(alias)
	if !ok {
		return nil
	}
	return s.Store.Delete(ctx, k)
}

func (s *aliasStore) Exists(ctx context.Context, alias string) (bool, error) {
	k, ok := s.lookup(alias)
	if !ok {
		return false, nil
	}
	return s.Store.Exists(ctx, k)
}

// counter returns keys that count up: no entropy at all.
func counter() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("sess%08d", n) }
}

// randomBase32 returns keys of n random base32 characters: 5n bits.
func randomBase32(n int) func() string {
	return func() string { return strings.ToLower(rand.Text() + rand.Text())[:n] }
}

// loginCookie rewrites the session cookie set by session/login.
func loginCookie(f func(line string) string) func(http.Handler) http.Handler {
	return ft.RewriteSetCookie("/session/login", func(_ *http.Request, line string) []string {
		if sc, ok := cookie.ParseSetCookie(line); ok && sc.Name == "sessionid" {
			return []string{f(line)}
		}
		return []string{line}
	})
}

func answerJSON(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}
}

// TestFaults runs the auth suite against broken variants of the reference
// server; each fault must make its checks fail.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	ids := func(ids ...string) []*check.Check { return ft.Checks(t, "auth", ids...) }
	faults := []ft.Fault{
		{
			Name:         "login does not rotate the key",
			Breaks:       ids("login/rotates-key", "login/old-key-unauthenticated", "login/old-key-no-data"),
			Wrap:         markLogin,
			WrapSessions: func(s session.Store) session.Store { return keepKeyOnLogin{s} },
		},
		{
			Name:         "login drops the data",
			Breaks:       ids("login/keeps-data"),
			Wrap:         markLogin,
			WrapSessions: func(s session.Store) session.Store { return dropDataOnLogin{s} },
		},
		{
			Name:         "logout only deletes the cookie (the store never deletes)",
			Breaks:       ids("logout/server-side", "login/old-key-no-data"),
			WrapSessions: func(s session.Store) session.Store { return keepOnDelete{s} },
		},
		{
			Name:   "logout does nothing",
			Breaks: ids("logout/whoami", "logout/server-side", "logout/clears-data"),
			Wrap:   ft.Replace("/session/logout", answerJSON(`{}`)),
		},
		{
			Name:   "whoami always answers a user",
			Breaks: ids("whoami/anonymous"),
			Wrap:   ft.Replace("/session/whoami", answerJSON(`{"user": "mallory"}`)),
		},
		{
			Name:   "whoami never answers a user",
			Breaks: ids("login/whoami"),
			Wrap:   ft.Replace("/session/whoami", answerJSON(`{"user": null}`)),
		},
		{
			Name:         "expiry is enforced only by the cookie",
			Breaks:       ids("expiry/ends-login"),
			WrapSessions: func(s session.Store) session.Store { return immortalStore{s} },
		},
		{
			Name:         "keys count up",
			Breaks:       ids("entropy/64-bits", "entropy/128-bits"),
			WrapSessions: newAliasStore(counter()),
		},
		{
			Name:         "keys of 100 random bits",
			Breaks:       ids("entropy/128-bits"),
			WrapSessions: newAliasStore(randomBase32(20)),
		},
		{
			Name:   "the login cookie drops Secure",
			Breaks: ids("cookie/secure"),
			Wrap:   loginCookie(func(line string) string { return ft.DropAttributes(line, "Secure") }),
		},
		{
			Name:   "the login cookie drops HttpOnly",
			Breaks: ids("cookie/httponly"),
			Wrap:   loginCookie(func(line string) string { return ft.DropAttributes(line, "HttpOnly") }),
		},
		{
			Name:   "the login cookie is SameSite=None",
			Breaks: ids("cookie/samesite"),
			Wrap:   loginCookie(func(line string) string { return ft.SetAttribute(line, "SameSite", "None") }),
		},
	}
	ft.Run(t, "auth", faults)
}
