package faulttest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/httpcheck/httpcheck/reference/session"
)

// Broken session stores, for Fault.WrapSessions: faults inside the
// reference server that no handler wrapper can reach. Each documents its
// deliberate bug. Some act only during a login: MarkLogin (a Fault's Wrap)
// puts a mark in the login request's context, which reaches the store
// through the session middleware. The auth suite and the probe's session
// checks break the reference with them.

type markKey struct{}

// loginMark is what a store remembers during one login request.
type loginMark struct {
	mu  sync.Mutex
	old string // the key the login retired
}

func markOf(ctx context.Context) *loginMark { m, _ := ctx.Value(markKey{}).(*loginMark); return m }

// IsLogin reports whether ctx is that of a session/login request marked
// by MarkLogin.
func IsLogin(ctx context.Context) bool { return markOf(ctx) != nil }

// MarkLogin marks the context of session/login requests.
func MarkLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/session/login") {
			r = r.WithContext(context.WithValue(r.Context(), markKey{}, &loginMark{}))
		}
		next.ServeHTTP(w, r)
	})
}

// KeepKeyOnLogin does not rotate the key on login: it keeps the retired
// key and saves the logged-in session under it. It needs MarkLogin.
func KeepKeyOnLogin(s session.Store) session.Store { return keepKeyOnLogin{s} }

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

// KeepOnDelete never deletes: logout and rotation only make the browser
// drop its cookie, and every old key lives on.
func KeepOnDelete(s session.Store) session.Store { return keepOnDelete{s} }

type keepOnDelete struct{ session.Store }

func (keepOnDelete) Delete(context.Context, string) error { return nil }

// AliasKeys hands out keys from next instead of the store's own: weak keys
// in front of a working store.
func AliasKeys(next func() string) func(session.Store) session.Store {
	return func(s session.Store) session.Store {
		return &aliasStore{Store: s, next: next, real: map[string]string{}}
	}
}

// CountingKeys returns keys that count up: no entropy at all.
func CountingKeys() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("sess%08d", n) }
}

type aliasStore struct {
	session.Store
	next func() string
	mu   sync.Mutex
	real map[string]string // alias -> the store's key
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

// FarFuture is an expiry no check outlives.
func FarFuture() time.Time { return time.Now().AddDate(50, 0, 0) }

// Immortal is a store that ignores the expiry it is given: its sessions
// expire only when deleted, as a server that never enforces a lifetime.
func Immortal(s session.Store) session.Store { return immortalStore{s} }

type immortalStore struct{ session.Store }

func (s immortalStore) Save(ctx context.Context, key string, data map[string]json.RawMessage, _ time.Time) error {
	return s.Store.Save(ctx, key, data, FarFuture())
}

func (s immortalStore) Create(ctx context.Context, data map[string]json.RawMessage, _ time.Time) (string, error) {
	return s.Store.Create(ctx, data, FarFuture())
}
