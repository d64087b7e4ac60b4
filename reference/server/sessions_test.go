package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/session"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// sessionClient talks to a session-enabled test server and keeps the
// session cookie by hand, so tests can also replay an old one.
type sessionClient struct {
	t      *testing.T
	ts     *httptest.Server
	clk    *clock.Virtual
	cookie string // the session key the client holds, "" for none
}

func newSessionServer(t *testing.T) *sessionClient {
	t.Helper()
	clk := &clock.Virtual{}
	store, err := session.Open("memory", clk)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ts := httptest.NewServer(New(Options{Clock: clk, Sessions: store,
		SessionSettings: session.DefaultSettings(), SessionBackend: "memory"}))
	t.Cleanup(ts.Close)
	return &sessionClient{t: t, ts: ts, clk: clk}
}

// answer is one response, read in full.
type answer struct {
	status int
	header http.Header
	body   map[string]json.RawMessage
	raw    string
}

func (a answer) field(name string) string { return string(a.body[name]) }

// sessionCookie returns the session cookie the answer sets: its line, and
// whether there was one.
func (a answer) sessionCookie() (string, setcookie.Received, bool) {
	for _, line := range a.header.Values("Set-Cookie") {
		if sc, ok := setcookie.Parse(line); ok && sc.Name == "sessionid" {
			return line, sc, true
		}
	}
	return "", setcookie.Received{}, false
}

// send sends a request with key as the session cookie ("" for none) and
// does not change what the client holds.
func (c *sessionClient) send(key, method, path, body string) answer {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.ts.URL+path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Cookie", "sessionid="+key)
	}
	resp, err := c.ts.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(data)}
	if err := json.Unmarshal(data, &a.body); err != nil {
		c.t.Fatalf("%s %s answered non-JSON %q", method, path, data)
	}
	return a
}

// do sends a request with the client's cookie and keeps what the answer
// sets, as a browser would.
func (c *sessionClient) do(method, path, body string) answer {
	c.t.Helper()
	a := c.send(c.cookie, method, path, body)
	if _, sc, ok := a.sessionCookie(); ok {
		if sc.Value == "" || sc.HasExpires && !sc.HasMaxAge && sc.Expires.Before(time.Unix(1, 0)) {
			c.cookie = ""
		} else {
			c.cookie = sc.Value
		}
	}
	return a
}

func (c *sessionClient) ok(method, path, body string) answer {
	c.t.Helper()
	a := c.do(method, path, body)
	if a.status != http.StatusOK {
		c.t.Fatalf("%s %s %s: status %d %s", method, path, body, a.status, a.raw)
	}
	return a
}

// TestSessionBadInputGetsA4xxWithAJSONError: the contract never answers
// 5xx to bad input.
func TestSessionBadInputGetsA4xxWithAJSONError(t *testing.T) {
	c := newSessionServer(t)
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		{"POST", "/session/set", "", 400},
		{"POST", "/session/set", "{", 400},
		{"POST", "/session/set", `[1]`, 400},
		{"POST", "/session/set", `{"value": 1}`, 400},                               // no key
		{"POST", "/session/set", `{"key": 5, "value": 1}`, 400},                     // key not a string
		{"POST", "/session/set", `{"key": "", "value": 1}`, 400},                    // empty key
		{"POST", "/session/set", `{"key": "k"}`, 400},                               // no value
		{"POST", "/session/set", `{"key": "_auth_user_id", "value": "admin"}`, 400}, // login's key
		{"POST", "/session/set", `{"key": "_session_expiry", "value": 1}`, 400},     // metadata
		{"POST", "/session/set", `{"key": "k", "value": 1} {}`, 400},                // trailing data
		{"POST", "/session/set", `{"key": "k", "value": 1`, 400},                    // truncated
		{"POST", "/session/set", strings.Repeat(" ", maxBody) + `{"key": "k", "value": 1}`, 413},
		{"GET", "/session/set", "", 405},
		{"GET", "/session/get", "", 400},
		{"GET", "/session/get?key=", "", 400},
		{"GET", "/session/get?key=_auth_user_id", "", 400},
		{"POST", "/session/get?key=k", "", 405},
		{"POST", "/session/delete", `{}`, 400},
		{"POST", "/session/delete", `{"key": ["k"]}`, 400},
		{"POST", "/session/delete", `{"key": "_auth_user_id"}`, 400},
		{"POST", "/session/expiry", `{}`, 400},
		{"POST", "/session/expiry", `{"seconds": "60"}`, 400},
		{"POST", "/session/expiry", `{"seconds": -1}`, 400},
		{"POST", "/session/expiry", `{"seconds": 1.5}`, 400},
		{"POST", "/session/expiry", `{"seconds": 1e400}`, 400},
		{"POST", "/session/expiry", `{"seconds": 99999999999999999999}`, 400},
		{"POST", "/session/expiry", `{"seconds": 34560001}`, 400},
		{"POST", "/session/login", `{}`, 400},
		{"POST", "/session/login", `{"user": ""}`, 400},
		{"POST", "/session/login", `{"user": 7}`, 400},
		{"POST", "/session/login", `{"user": null}`, 400},
		{"GET", "/session/login", "", 405},
		{"POST", "/session/whoami", "", 405},
		{"GET", "/session/logout", "", 405},
		{"DELETE", "/session/all", "", 405},
		{"GET", "/session/nothing", "", 404},
	} {
		a := c.send("", tc.method, tc.path, tc.body)
		if a.status != tc.status {
			t.Errorf("%s %s %.60q: status %d, want %d (%s)", tc.method, tc.path, tc.body, a.status, tc.status, a.raw)
		}
		var msg string
		json.Unmarshal(a.body["error"], &msg)
		if msg == "" {
			t.Errorf("%s %s %.60q: no JSON error message: %s", tc.method, tc.path, tc.body, a.raw)
		}
		if _, _, ok := a.sessionCookie(); ok {
			t.Errorf("%s %s %.60q: a refused request set the session cookie", tc.method, tc.path, tc.body)
		}
	}
}

// TestSessionData: set, get, delete and all, with values that only
// round-trip when kept as the JSON text the client sent.
func TestSessionData(t *testing.T) {
	c := newSessionServer(t)
	if a := c.ok("GET", "/session/get?key=a", ""); a.field("found") != "false" || a.field("value") != "null" {
		t.Errorf("get before any set: %s", a.raw)
	}
	if c.cookie != "" {
		t.Errorf("reading an empty session set a cookie")
	}
	values := map[string]string{
		"int":   `9007199254740993`,
		"float": `0.1`,
		"exp":   `1e300`,
		"null":  `null`,
		"nest":  `{"a":[1,{"b":null}],"c":"ü😀\u0000"}`,
	}
	for k, v := range values {
		c.ok("POST", "/session/set", `{"key": "`+k+`", "value": `+v+`}`)
	}
	for k, v := range values {
		a := c.ok("GET", "/session/get?key="+k, "")
		if a.field("found") != "true" || a.field("value") != v {
			t.Errorf("get %s: %s, want value %s", k, a.raw, v)
		}
	}
	var all struct{ Data map[string]json.RawMessage }
	json.Unmarshal([]byte(c.ok("GET", "/session/all", "").raw), &all)
	if len(all.Data) != len(values) || string(all.Data["int"]) != values["int"] {
		t.Errorf("all: %v", all.Data)
	}
	if a := c.ok("POST", "/session/delete", `{"key": "int"}`); a.field("deleted") != "true" {
		t.Errorf("delete: %s", a.raw)
	}
	if a := c.ok("POST", "/session/delete", `{"key": "int"}`); a.field("deleted") != "false" {
		t.Errorf("delete again: %s", a.raw)
	}
	if a := c.ok("GET", "/session/get?key=int", ""); a.field("found") != "false" {
		t.Errorf("get after delete: %s", a.raw)
	}
}

// TestSessionAnswersAreNotStorable: every session answer is no-store, the
// ones that read the session vary on Cookie, and the cookies and resources
// endpoints never touch the session.
func TestSessionAnswersAreNotStorable(t *testing.T) {
	c := newSessionServer(t)
	a := c.ok("POST", "/session/set", `{"key": "k", "value": 1}`)
	if _, _, ok := a.sessionCookie(); !ok {
		t.Fatalf("set sent no session cookie: %v", a.header)
	}
	if got := a.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q on an answer that sets the session cookie", got)
	}
	for _, path := range []string{"/session/get?key=k", "/session/all", "/session/expiry", "/session/whoami"} {
		a := c.ok("GET", path, "")
		if got := a.header.Get("Vary"); !strings.Contains(got, "Cookie") {
			t.Errorf("%s: Vary %q, want Cookie", path, got)
		}
		if got := a.header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q", path, got)
		}
		if _, _, ok := a.sessionCookie(); ok {
			t.Errorf("%s: reading the session re-sent its cookie", path)
		}
	}
	// A stale session cookie on a non-session endpoint is left alone: no
	// deletion, no Vary.
	a = c.send("no-such-session", "GET", "/cookies/get?name=x", "")
	if _, _, ok := a.sessionCookie(); ok || strings.Contains(a.header.Get("Vary"), "Cookie") {
		t.Errorf("cookies/get touched the session: %v", a.header)
	}
	// The same cookie on a session endpoint is deleted, without Max-Age=0
	// (RFC 6265bis §4.1.1).
	a = c.send("no-such-session", "GET", "/session/get?key=k", "")
	line, sc, ok := a.sessionCookie()
	if !ok || sc.Value != "" || sc.HasMaxAge || !sc.HasExpires {
		t.Errorf("an unknown session cookie was not deleted with an Expires in the past: %q", line)
	}
	if ps := setcookie.Problems(line); len(ps) > 0 {
		t.Errorf("deletion %q: %v", line, ps)
	}
}

// TestLoginRotatesAndLogoutInvalidates follows Django's login and logout.
func TestLoginRotatesAndLogoutInvalidates(t *testing.T) {
	c := newSessionServer(t)
	if a := c.ok("GET", "/session/whoami", ""); a.field("user") != "null" {
		t.Errorf("whoami before login: %s", a.raw)
	}
	c.ok("POST", "/session/set", `{"key": "cart", "value": [1, 2]}`)
	before := c.cookie
	if a := c.ok("POST", "/session/login", `{"user": "alice"}`); a.field("user") != `"alice"` {
		t.Errorf("login: %s", a.raw)
	}
	if c.cookie == "" || c.cookie == before {
		t.Fatalf("login did not rotate the key: %q before, %q after", before, c.cookie)
	}
	if a := c.ok("GET", "/session/get?key=cart", ""); a.field("value") != "[1,2]" {
		t.Errorf("login lost the data: %s", a.raw)
	}
	if a := c.ok("GET", "/session/whoami", ""); a.field("user") != `"alice"` {
		t.Errorf("whoami after login: %s", a.raw)
	}
	if a := c.send(before, "GET", "/session/whoami", ""); a.field("user") != "null" {
		t.Errorf("the pre-login key still authenticates: %s", a.raw)
	}
	if a := c.send(before, "GET", "/session/get?key=cart", ""); a.field("found") != "false" {
		t.Errorf("the pre-login key still reads the data: %s", a.raw)
	}
	var all struct{ Data map[string]any }
	json.Unmarshal([]byte(c.ok("GET", "/session/all", "").raw), &all)
	if _, ok := all.Data[authUserKey]; ok || len(all.Data) != 1 {
		t.Errorf("session/all shows login's keys: %v", all.Data)
	}

	// Logging in as someone else starts from an empty session.
	c.ok("POST", "/session/login", `{"user": "bob"}`)
	if a := c.ok("GET", "/session/get?key=cart", ""); a.field("found") != "false" {
		t.Errorf("alice's data carried over to bob: %s", a.raw)
	}

	loggedIn := c.cookie
	c.ok("POST", "/session/logout", "")
	if c.cookie != "" {
		t.Errorf("logout kept the session cookie %q", c.cookie)
	}
	if a := c.send(loggedIn, "GET", "/session/whoami", ""); a.field("user") != "null" {
		t.Errorf("the pre-logout key still authenticates: %s", a.raw)
	}
}

// TestSessionExpiry: set_expiry is honoured by the cookie and by the
// server, on the server's clock.
func TestSessionExpiry(t *testing.T) {
	c := newSessionServer(t)
	c.ok("POST", "/session/set", `{"key": "k", "value": 1}`)
	a := c.ok("POST", "/session/expiry", `{"seconds": 60}`)
	if a.field("seconds_left") != "60" || a.field("at_browser_close") != "false" {
		t.Errorf("expiry answer: %s", a.raw)
	}
	if _, sc, ok := a.sessionCookie(); !ok || sc.MaxAge != 60 {
		t.Errorf("cookie after set_expiry(60): %v", a.header.Values("Set-Cookie"))
	}
	key := c.cookie
	c.clk.Advance(30 * time.Second)
	if a := c.ok("GET", "/session/expiry", ""); a.field("seconds_left") != "30" && a.field("seconds_left") != "31" {
		t.Errorf("seconds_left after 30 s: %s", a.raw)
	}
	c.clk.Advance(31 * time.Second)
	if a := c.send(key, "GET", "/session/get?key=k", ""); a.field("found") != "false" {
		t.Errorf("the session outlived its expiry: %s", a.raw)
	}

	c.cookie = ""
	c.ok("POST", "/session/set", `{"key": "k", "value": 1}`)
	a = c.ok("POST", "/session/expiry", `{"seconds": 0}`)
	if _, sc, ok := a.sessionCookie(); !ok || sc.HasMaxAge || sc.HasExpires || a.field("at_browser_close") != "true" {
		t.Errorf("set_expiry(0): %s %v", a.raw, a.header.Values("Set-Cookie"))
	}
}
