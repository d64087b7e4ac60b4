package auth

import (
	"encoding/json"
	"fmt"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/sessionflow"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// settings returns the manifest's session settings, skipping the check
// unless the target declares sessions and login.
func settings(e *harness.Env) *harness.SessionSettings {
	e.Require(harness.FeatureSessions, harness.FeatureAuth)
	return e.Target.Manifest.Session
}

// newBrowser opens a browser that can hold the session cookie, after
// settings has skipped a target without sessions and login.
func newBrowser(e *harness.Env) *harness.Browser { settings(e); return e.SessionBrowser() }

// unique returns a name no other check uses.
var unique = harness.Unique

// store puts a value in the session, expecting the target to agree.
func store(b *harness.Browser, key string) {
	GinkgoHelper()
	r := b.PostJSON("session/set", map[string]string{"key": key, "value": "stored before"})
	Expect(r).To(verify.HaveStatus("session/set of "+key, http.StatusOK))
}

// found reports whether the session b holds has key.
func found(b *harness.Browser, key string) bool {
	GinkgoHelper()
	r := b.Get("session/get", "key", key)
	Expect(r).To(verify.HaveStatus("session/get of "+key, http.StatusOK))
	var a struct {
		Found bool `json:"found"`
	}
	r.Decode(&a)
	return a.Found
}

// login logs b in as user and returns the answer, which must be 200.
func login(b *harness.Browser, user string) *harness.Response {
	GinkgoHelper()
	r := tryLogin(b, user)
	Expect(r).To(verify.HaveStatus("session/login", http.StatusOK))
	return r
}

func tryLogin(b *harness.Browser, user string) *harness.Response {
	return b.PostJSON("session/login", map[string]string{"user": user})
}

func logout(b *harness.Browser) {
	GinkgoHelper()
	r := b.PostJSON("session/logout", map[string]any{})
	Expect(r).To(verify.HaveStatus("session/logout", http.StatusOK))
}

// userOf decodes a whoami answer: the user, or "" for null.
func userOf(r *harness.Response) (user string, null bool) {
	var a struct {
		User json.RawMessage `json:"user"`
	}
	r.Decode(&a)
	if len(a.User) == 0 || string(a.User) == "null" {
		return "", true
	}
	var s string
	if json.Unmarshal(a.User, &s) != nil {
		return string(a.User), false
	}
	return s, false
}

// whoami asks who b is logged in as.
func whoami(b *harness.Browser) (user string, null bool) {
	GinkgoHelper()
	r := b.Get("session/whoami")
	Expect(r).To(verify.HaveStatus("session/whoami", http.StatusOK))
	return userOf(r)
}

// replayWhoami asks who key is logged in as, with the session cookie set
// to key by hand from a fresh browser: what anyone holding a copy of the
// cookie would be.
func replayWhoami(e *harness.Env, key string) (user string, null bool) {
	GinkgoHelper()
	return userOf(sessionflow.Replay(e, settings(e).CookieName, key, "session/whoami"))
}

// replayFound reports whether key, replayed by hand the same way, still
// reads dataKey.
func replayFound(e *harness.Env, key, dataKey string) bool {
	GinkgoHelper()
	r := sessionflow.Replay(e, settings(e).CookieName, key, "session/get", "key", dataKey)
	var a struct {
		Found bool `json:"found"`
	}
	r.Decode(&a)
	return a.Found
}

// sessionCookie returns the last Set-Cookie of r for the session cookie.
func sessionCookie(e *harness.Env, r *harness.Response) (string, setcookie.Received, bool) {
	return sessionflow.SetCookie(r, settings(e).CookieName)
}

// loggedInCookie logs a fresh browser in and returns the session cookie the
// login answer set.
func loggedInCookie(e *harness.Env) (string, setcookie.Received) {
	GinkgoHelper()
	b := newBrowser(e)
	r := login(b, unique("user"))
	line, sc, ok := sessionCookie(e, r)
	Expect(ok).To(verify.Hold(), "expected session/login to set the session cookie %s, observed Set-Cookie %s", settings(e).CookieName, sessionflow.DescribeLines(r.SetCookies))
	return line, sc
}

// signedNote explains, for a target that keeps sessions in signed
// cookies, why an old cookie still works; "" for other targets.
func signedNote(e *harness.Env) string { return rules.SignedSessionNote(e.Target.Manifest.Session) }

func describeUser(user string, null bool) string {
	if null {
		return "null"
	}
	return fmt.Sprintf("%q", user)
}
