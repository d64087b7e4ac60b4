package sessions

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reference/cookie"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// settings returns the manifest's session settings, skipping the check
// when the target declares no sessions.
func settings(e *harness.Env) *harness.SessionSettings {
	e.Require(harness.FeatureSessions)
	return e.Target.Manifest.Session
}

// newBrowser opens a fresh browser that can hold the target's session
// cookie: over https when the manifest declares it Secure (a user agent
// never stores a Secure cookie set over http, RFC 6265bis §5.7), over the
// base URL's scheme otherwise.
func newBrowser(e *harness.Env) *harness.Browser {
	s := settings(e)
	b := e.NewBrowser()
	if s.CookieSecure {
		e.RequireScheme("https")
		return b.Over("https")
	}
	return b
}

// uniqueKey returns a session key no other check uses.
func uniqueKey(topic string) string {
	b := make([]byte, 4)
	rand.Read(b)
	return "hc_" + topic + "_" + hex.EncodeToString(b)
}

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
	verify.Status(r, "session/set of "+key, http.StatusOK)
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
	verify.Status(r, "session/get of "+key, http.StatusOK)
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

// heldKey returns the value of the session cookie in b's jar, "" when b
// holds none.
func heldKey(e *harness.Env, b *harness.Browser) string {
	name := settings(e).CookieName
	for _, c := range b.Jar().All() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// replayGet reads key with the session cookie set to value by hand, from a
// fresh browser that keeps nothing: what anyone who copied the cookie can
// do, whatever the original browser did with it since.
func replayGet(e *harness.Env, value, key string) getAnswer {
	GinkgoHelper()
	header := settings(e).CookieName + "=" + value
	r := newBrowser(e).Do(harness.Request{Method: http.MethodGet, Path: "session/get", Query: harness.Query("key", key),
		Cookie: &header, NoStore: true, Note: "replaying a session cookie by hand"})
	verify.Status(r, "session/get with a replayed cookie", http.StatusOK)
	return decodeGet(r)
}

// signedNote explains, for a target that keeps sessions in signed
// cookies, why an old cookie still works; "" for other targets.
func signedNote(e *harness.Env) string { return rules.SignedSessionNote(e.Target.Manifest.Session) }

// sessionCookie returns the last Set-Cookie line of r for the session
// cookie, parsed.
func sessionCookie(e *harness.Env, r *harness.Response) (line string, sc cookie.SetCookie, ok bool) {
	lines := r.SetCookie(settings(e).CookieName)
	if len(lines) == 0 {
		return "", sc, false
	}
	line = lines[len(lines)-1]
	sc, _ = cookie.ParseSetCookie(line)
	return line, sc, true
}

// theSessionCookie is sessionCookie for a response that must set it.
func theSessionCookie(e *harness.Env, r *harness.Response, what string) (string, cookie.SetCookie) {
	GinkgoHelper()
	line, sc, ok := sessionCookie(e, r)
	verify.That(ok, "expected %s to set the session cookie %s, observed Set-Cookie %s", what, settings(e).CookieName, describeLines(r.SetCookies))
	return line, sc
}

// newSessionCookie starts a session in a fresh browser and returns the
// Set-Cookie that created it.
func newSessionCookie(e *harness.Env) (string, cookie.SetCookie, *harness.Response) {
	GinkgoHelper()
	b := newBrowser(e)
	r := set(b, uniqueKey("cookie"), `"v"`)
	line, sc := theSessionCookie(e, r, "the first session/set of a new browser")
	return line, sc, r
}

// attribute returns the raw value of the last attribute called name.
func attribute(sc cookie.SetCookie, name string) (string, bool) {
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
func lifetime(r *harness.Response, sc cookie.SetCookie, now time.Time) (secs int, how string, ok bool) {
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

func describeLines(lines []string) string {
	if len(lines) == 0 {
		return "none"
	}
	q := make([]string, len(lines))
	for i, l := range lines {
		q[i] = strconv.Quote(l)
	}
	return strings.Join(q, ", ")
}

// sameJSON reports whether got is the JSON value sent: objects equal
// without regard to member order, arrays element by element, strings
// exactly, numbers by value. A number sent as an integer must come back as
// exactly that integer; a number sent with a fraction or an exponent may
// come back as any text that denotes the same double (0.1 is
// 0.1000000000000000055511151231257827 to a double, and either spelling is
// the same value to every JSON reader that uses doubles).
func sameJSON(sent, got []byte) bool {
	a, errA := decodeJSON(sent)
	b, errB := decodeJSON(got)
	return errA == nil && errB == nil && sameValue(a, b)
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return v, nil
}

func sameValue(sent, got any) bool {
	switch s := sent.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(s) {
			return false
		}
		for k, v := range s {
			gv, ok := g[k]
			if !ok || !sameValue(v, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(s) {
			return false
		}
		for i := range s {
			if !sameValue(s[i], g[i]) {
				return false
			}
		}
		return true
	case json.Number:
		g, ok := got.(json.Number)
		return ok && sameNumber(string(s), string(g))
	default: // string, bool, nil
		return sent == got
	}
}

// maxExactNumber bounds the number literals compared exactly: a target
// answering 1e999999999 must not make the harness compute it.
const maxExactNumber = 400

// sameNumber compares two JSON number literals as described at sameJSON.
func sameNumber(sent, got string) bool {
	if sent == got {
		return true
	}
	if ex, ok := exactValue(sent); ok {
		if gx, ok := exactValue(got); ok && ex.Cmp(gx) == 0 {
			return true
		}
	}
	if isIntegerLiteral(sent) {
		return false
	}
	sf, err1 := strconv.ParseFloat(sent, 64)
	gf, err2 := strconv.ParseFloat(got, 64)
	return err1 == nil && err2 == nil && sf == gf
}

func isIntegerLiteral(s string) bool { return !strings.ContainsAny(s, ".eE") }

// exactValue is the exact rational value of a number literal, when it is
// small enough to compute.
func exactValue(s string) (*big.Rat, bool) {
	if len(s) > maxExactNumber {
		return nil, false
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || exp > maxExactNumber || exp < -maxExactNumber {
			return nil, false
		}
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// canonical is JSON text as a reader sees it (members sorted, numbers as
// written), for messages.
func canonical(b []byte) string {
	v, err := decodeJSON(b)
	if err != nil {
		return fmt.Sprintf("%.200q (not JSON)", b)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	s := strings.TrimSpace(buf.String())
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
