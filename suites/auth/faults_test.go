package auth_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reference/session"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// The broken session stores below are faults inside the reference server
// (faulttest.Fault.WrapSessions), beside those in faulttest (sessions.go),
// which the probe's session checks share: each documents its deliberate
// bug. dropDataOnLogin acts only during a login, which faulttest.MarkLogin
// marks in the request's context.

// dropExpiryOnLogin forgets, in the session login creates, the lifetime
// session/expiry set before it: the logged-in session gets cookie_age.
type dropExpiryOnLogin struct{ session.Store }

func (s dropExpiryOnLogin) Create(ctx context.Context, data map[string]json.RawMessage, expiry time.Time) (string, error) {
	if ft.IsLogin(ctx) {
		data = maps.Clone(data)
		delete(data, "_session_expiry")
		expiry = time.Now().Add(14 * 24 * time.Hour)
	}
	return s.Store.Create(ctx, data, expiry)
}

// dropDataOnLogin keeps only login's own keys in the session login
// creates.
type dropDataOnLogin struct{ session.Store }

func (s dropDataOnLogin) Create(ctx context.Context, data map[string]json.RawMessage, expiry time.Time) (string, error) {
	if ft.IsLogin(ctx) {
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

// randomBase32 returns keys of n random base32 characters: 5n bits.
func randomBase32(n int) func() string {
	return func() string { return strings.ToLower(rand.Text() + rand.Text())[:n] }
}

// loginCookie rewrites the session cookie set by session/login.
func loginCookie(f func(line string) string) func(http.Handler) http.Handler {
	return ft.RewriteSetCookie("/session/login", func(_ *http.Request, line string) []string {
		if sc, ok := setcookie.Parse(line); ok && sc.Name == "sessionid" {
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
			Wrap:         ft.MarkLogin,
			WrapSessions: ft.KeepKeyOnLogin,
		},
		{
			Name:         "login drops the data",
			Breaks:       ids("login/keeps-data"),
			Wrap:         ft.MarkLogin,
			WrapSessions: func(s session.Store) session.Store { return dropDataOnLogin{s} },
		},
		{
			Name:         "login drops the expiry set before it",
			Breaks:       ids("login/keeps-expiry"),
			Wrap:         ft.MarkLogin,
			WrapSessions: func(s session.Store) session.Store { return dropExpiryOnLogin{s} },
		},
		{
			Name:         "logout only deletes the cookie (the store never deletes)",
			Breaks:       ids("logout/server-side", "login/old-key-no-data"),
			WrapSessions: ft.KeepOnDelete,
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
			WrapSessions: ft.Immortal,
		},
		{
			Name:         "keys count up",
			Breaks:       ids("entropy/64-bits", "entropy/128-bits"),
			WrapSessions: ft.AliasKeys(ft.CountingKeys()),
		},
		{
			Name:         "keys of 100 random bits",
			Breaks:       ids("entropy/128-bits"),
			WrapSessions: ft.AliasKeys(randomBase32(20)),
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
	ft.Suite{Name: "auth", Faults: faults}.EveryCheckBreaks(t)
}
