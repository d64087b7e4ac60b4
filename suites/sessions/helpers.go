package sessions

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reference/cookie"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/sessionflow"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// settings returns the manifest's session settings, skipping the check
// when the target declares no sessions.
func settings(e *harness.Env) *harness.SessionSettings {
	e.Require(harness.FeatureSessions)
	return e.Target.Manifest.Session
}

// uniqueKey returns a session key no other check uses.
var uniqueKey = harness.Unique

// trySet stores value, given as JSON text, under key; it does not assert,
// so shared setups may use it.
func trySet(b *harness.Browser, key string, value string) *harness.Response {
	return b.Do(harness.Request{Method: http.MethodPost, Path: "session/set",
		JSON: map[string]any{"key": key, "value": json.RawMessage(value)}})
}

// set stores value under key and expects the target to agree.
func set(b *harness.Browser, key string, value string) *harness.Response {
	GinkgoHelper()
	r := trySet(b, key, value)
	Expect(r).To(verify.HaveStatus("session/set of "+key, http.StatusOK))
	return r
}

// getAnswer is what session/get answers.
type getAnswer struct {
	Found bool            `json:"found"`
	Value json.RawMessage `json:"value"`
}

// value is the answer's value as JSON text; "null" when the body had none.
func (a getAnswer) value() string {
	if len(a.Value) == 0 {
		return "null"
	}
	return string(a.Value)
}

func decodeGet(r *harness.Response) getAnswer {
	var a getAnswer
	r.Decode(&a)
	return a
}

// get reads key from the session b holds.
func get(b *harness.Browser, key string) getAnswer {
	GinkgoHelper()
	r := b.Get("session/get", "key", key)
	Expect(r).To(verify.HaveStatus("session/get of "+key, http.StatusOK))
	return decodeGet(r)
}

// tryGet is get for shared setups: ok is false unless the target answered
// 200.
func tryGet(b *harness.Browser, key string) (a getAnswer, ok bool) {
	r := b.Get("session/get", "key", key)
	if r.Status != http.StatusOK {
		return a, false
	}
	return decodeGet(r), true
}

// describeHeld says what the jar holds of the session cookie.
func describeHeld(c cookie.Entry, ok bool) string {
	switch {
	case !ok:
		return "none"
	case c.Persistent:
		return fmt.Sprintf("a persistent cookie expiring %s", c.Expiry.UTC().Format(time.RFC1123))
	}
	return "a cookie until the browser closes"
}

// replayGet reads key with the session cookie set to value by hand, from a
// fresh browser that keeps nothing: what anyone who copied the cookie can
// do, whatever the original browser did with it since.
func replayGet(e *harness.Env, value, key string) getAnswer {
	GinkgoHelper()
	return decodeGet(sessionflow.Replay(e, settings(e).CookieName, value, "session/get", "key", key))
}

// signedNote explains, for a target that keeps sessions in signed
// cookies, why an old cookie still works; "" for other targets.
func signedNote(e *harness.Env) string { return rules.SignedSessionNote(e.Target.Manifest.Session) }

// sessionCookie returns the last Set-Cookie line of r for the session
// cookie, parsed.
func sessionCookie(e *harness.Env, r *harness.Response) (line string, sc setcookie.Received, ok bool) {
	return sessionflow.SetCookie(r, settings(e).CookieName)
}

// theSessionCookie is sessionCookie for a response that must set it.
func theSessionCookie(e *harness.Env, r *harness.Response, what string) (string, setcookie.Received) {
	GinkgoHelper()
	line, sc, ok := sessionCookie(e, r)
	Expect(ok).To(verify.Hold(), "expected %s to set the session cookie %s, observed Set-Cookie %s", what, settings(e).CookieName, describeLines(r.SetCookies))
	return line, sc
}

// newSessionCookie starts a session in a fresh browser and returns the
// Set-Cookie that created it.
func newSessionCookie(e *harness.Env) (string, setcookie.Received, *harness.Response) {
	GinkgoHelper()
	b := e.SessionBrowser()
	r := set(b, uniqueKey("cookie"), `"v"`)
	line, sc := theSessionCookie(e, r, "the first session/set of a new browser")
	return line, sc, r
}

// attribute returns the raw value of the last attribute called name.
func attribute(sc setcookie.Received, name string) (string, bool) {
	for i := len(sc.Attributes) - 1; i >= 0; i-- {
		if strings.EqualFold(sc.Attributes[i].Name, name) {
			return sc.Attributes[i].Value, true
		}
	}
	return "", false
}

// lifetime returns how long the Set-Cookie says the cookie lives: its
// Max-Age, or else its Expires less the response's Date. ok is false for a
// cookie without either (it lasts until the browser closes).
func lifetime(r *harness.Response, sc setcookie.Received, now time.Time) (secs int, how string, ok bool) {
	if v, has := attribute(sc, "Max-Age"); has {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Sprintf("Max-Age=%s (not a number)", v), true
		}
		return n, "Max-Age=" + v, true
	}
	if sc.HasExpires {
		date, err := http.ParseTime(r.Header.Get("Date"))
		if err != nil {
			date = now
		}
		d := sc.Expires.Sub(date)
		return int(d.Round(time.Second) / time.Second), fmt.Sprintf("Expires %s (%s after Date)", sc.Expires.UTC().Format(http.TimeFormat), d.Round(time.Second)), true
	}
	return 0, "no Max-Age or Expires", false
}

// sameJSON and canonical are rules.SameJSON and rules.CanonicalJSON;
// describeLines is sessionflow.DescribeLines.
var (
	sameJSON      = rules.SameJSON
	canonical     = rules.CanonicalJSON
	describeLines = sessionflow.DescribeLines
)
