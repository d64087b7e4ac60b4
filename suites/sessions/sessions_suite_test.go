package sessions_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/httpcheck/httpcheck/harness/check"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

func TestMain(m *testing.M) { ft.Main(m) }

// TestSessions runs the suite against the reference server with the
// default SQLite store: every check must pass there.
func TestSessions(t *testing.T) { ft.PassesAgainstReference(t, "sessions") }

// TestAllowed runs the suite against what real frameworks do and the
// contract allows: none of it may fail at MUST.
func TestAllowed(t *testing.T) {
	ids := func(ids ...string) []*check.Check { return ft.Checks(t, "sessions", ids...) }
	ft.RunAllowed(t, "sessions", []ft.Allowed{
		{
			// express-session's req.session.destroy() removes the session
			// from the store and sends no Set-Cookie.
			Name: "flush forgets the session but sends no Set-Cookie (express-session)",
			Wrap: dropFlushSetCookie,
			Pass: ids("data/flush"),
			Fail: ids("data/flush-drops-cookie"),
		},
		{
			// express-session's default cookie has no maxAge: the
			// manifest says "cookie_age": null.
			Name: "cookie_age is null (express-session without maxAge)",
			Wrap: ft.WithManifest(func(m map[string]any) { m["session"].(map[string]any)["cookie_age"] = nil }),
			Pass: ids("data/set-get", "expiry/set-expiry-server"),
			Skip: ids("cookie/max-age", "expiry/cookie-age-server"),
		},
		{
			// express-session's default cookie has no maxAge: every
			// session cookie lasts until the browser closes, and
			// session/expiry 0 (cookie.maxAge = null) changes nothing the
			// browser holds, so express-session sends no Set-Cookie; the
			// MemoryStore keeps such a session without limit.
			Name: "session cookies without a lifetime; session/expiry 0 sends no Set-Cookie (express-session)",
			Wrap: ft.Chain(
				ft.WithManifest(func(m map[string]any) { m["session"].(map[string]any)["expire_at_browser_close"] = true }),
				// No limit on the server for such a session: seconds_left null.
				rewriteAnswer("/session/expiry", func(status int, body map[string]json.RawMessage) (int, map[string]json.RawMessage) {
					if r := body["at_browser_close"]; r != nil && string(r) == "true" {
						body["seconds_left"] = json.RawMessage("null")
					}
					return status, body
				}),
				ft.RewriteSetCookie("", func(r *http.Request, line string) []string {
					if _, deletion := ft.Attribute(line, "Max-Age"); deletion && strings.Contains(line, "Max-Age=0") {
						return []string{line}
					}
					if strings.HasSuffix(r.URL.Path, "/session/expiry") {
						if _, lifetime := ft.Attribute(line, "Max-Age"); !lifetime {
							return nil
						}
						return []string{line}
					}
					return []string{ft.DropAttributes(line, "Max-Age", "Expires")}
				}),
			),
			Pass: ids("expiry/zero-at-browser-close", "cookie/expire-at-browser-close"),
			Skip: ids("cookie/max-age"),
		},
	})
}
