package sessions_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reference/session"
	"github.com/httpcheck/httpcheck/reports"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"

	"github.com/httpcheck/httpcheck/reference/embedded"
	_ "github.com/httpcheck/httpcheck/suites/auth" // the auth suite runs beside this one
)

// expected is a check that does not pass against one configuration, and
// what its message must say.
type expected struct {
	state reports.State
	says  string
}

// TestBackends runs the sessions and auth suites against the reference
// server with each session backend and with the settings that change what
// the checks see. Every check passes, except the ones listed: each is a
// documented property of that configuration (docs/sessions.md), not a bug.
func TestBackends(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites in child processes")
	}
	// The signed backend reads its secret from the environment of the
	// process that opens the store; the child inherits it too.
	t.Setenv(session.SecretKeyEnv, "httpcheck test secret: 32 bytes or more, never used elsewhere")

	secure := embedded.SessionSettings(true)
	atClose := secure
	atClose.ExpireAtBrowserClose = true
	django := session.DefaultSettings() // no Secure, driven over http

	signedCannotRevoke := map[string]expected{
		"auth/logout/server-side":    {reports.Failed, `session.backend "signed"`},
		"auth/login/old-key-no-data": {reports.Failed, `session.backend "signed"`},
		"sessions/data/flush":        {reports.Failed, `session.backend "signed"`},
	}
	for _, tc := range []struct {
		name     string
		sessions string
		settings *session.Settings
		except   map[string]expected
	}{
		{name: "memory", sessions: "memory"},
		{name: "sqlite", sessions: "sqlite:" + filepath.Join(t.TempDir(), "sessions.sqlite3")},
		{name: "file", sessions: "file:" + filepath.Join(t.TempDir(), "sessions")},
		{name: "signed", sessions: "signed", except: signedCannotRevoke},
		{name: "sqlite, expire at browser close", settings: &atClose, except: map[string]expected{
			"sessions/cookie/max-age": {reports.Skipped, "expire_at_browser_close"},
		}},
		{name: "signed, expire at browser close", sessions: "signed", settings: &atClose, except: merge(signedCannotRevoke, map[string]expected{
			"sessions/cookie/max-age": {reports.Skipped, "expire_at_browser_close"},
		})},
		{name: "sqlite, Django's defaults over http", settings: &django, except: map[string]expected{
			"auth/cookie/secure": {reports.Failed, "cookie_secure false"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := ft.RunOn(t, ft.Reference{Sessions: tc.sessions, SessionSettings: tc.settings}, "sessions", "auth")
			ran := map[string]bool{}
			for _, c := range res.Checks {
				ran[c.ID] = true
				want := expected{state: reports.Passed}
				if x, ok := tc.except[c.ID]; ok {
					want = x
				}
				switch {
				case c.State != want.state:
					t.Errorf("%s: %s, want %s: %s", c.ID, c.State, want.state, c.Message)
				case !strings.Contains(c.Message, want.says):
					t.Errorf("%s: %s as expected, but the message does not say %q: %s", c.ID, c.State, want.says, c.Message)
				case c.State != reports.Passed:
					t.Logf("%s: %s as documented: %s", c.ID, c.State, c.Message)
				}
			}
			for _, c := range check.All() {
				if (c.Suite() == "sessions" || c.Suite() == "auth") && !ran[c.ID] {
					t.Errorf("%s did not run", c.ID)
				}
			}
		})
	}
}

func merge(ms ...map[string]expected) map[string]expected {
	out := map[string]expected{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
