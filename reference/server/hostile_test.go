package server

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/cache"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/session"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// The hostile catalogue: malformed and hostile requests against the
// reference server on a real loopback socket, each written byte for byte
// to its own connection (net/http would refuse to send many of them).
// Every request gets a 4xx with a JSON error, or what the RFC prescribes
// where it prescribes something else (an invalid If-Modified-Since is
// ignored, so 200); never a 5xx, never a panic; and a health request
// still answers within its deadline afterwards. docs/reliability.md lists
// what the catalogue found and how the server was fixed.
//
// The listeners run with short limits (hostileLimits), so that the slow
// cases (a header or a body that trickles or stalls) end within seconds.
// Cases are independent: each runs on a fresh connection, in parallel,
// against a server that is set up once per store configuration with a
// resource "doc" (hostileSetup).

// hostileLimits are the listeners' limits during the catalogue.
var hostileLimits = Limits{
	ReadHeaderTimeout: 500 * time.Millisecond,
	ReadTimeout:       1500 * time.Millisecond,
	WriteTimeout:      3 * time.Second,
	IdleTimeout:       2 * time.Second,
	MaxHeaderBytes:    16 << 10,
}

// hostileRequest is one case of the catalogue.
type hostileRequest struct {
	name string
	// raw is the request exactly as it is written to the connection.
	raw string
	// stallAfter, when positive, writes only the first stallAfter bytes
	// of raw and then nothing more: a header or body that never ends.
	stallAfter int
	// trickle, when positive, writes raw one byte per trickle, forever
	// slower than the server's read timeouts allow; with trickleBody the
	// header section goes at once and only the body trickles.
	trickle     time.Duration
	trickleBody bool
	// hangUp closes the client's side for writing once raw is written,
	// as a client that gives up mid-request.
	hangUp bool
	want   expectation
}

// expectation is what a case must get.
type expectation struct {
	// status is the status wanted; 0 means the server closes the
	// connection without an answer (a request that never arrived whole).
	status int
	// jsonError wants the contract's {"error": "..."} body.
	jsonError bool
	// why says which rule prescribes an answer that is not a JSON 4xx.
	why string
	// check, when set, looks further at the answer.
	check func(resp *http.Response, body []byte) error
}

// jsonError wants status with the contract's JSON error body.
func jsonError(status int) expectation { return expectation{status: status, jsonError: true} }

// prescribed wants status, as the rule why prescribes it.
func prescribed(status int, why string) expectation { return expectation{status: status, why: why} }

// closedWithoutAnswer wants the connection closed without a response.
func closedWithoutAnswer(why string) expectation { return expectation{why: why} }

// and adds a further check to e.
func (e expectation) and(check func(*http.Response, []byte) error) expectation {
	e.check = check
	return e
}

// hostHeader is the Host of every well-formed case.
const hostHeader = "a.example.test"

// rawReq builds a well-formed HTTP/1.1 request: target is the request-target
// exactly as sent (never cleaned), fields are "Name: value" lines, and a
// non-empty body is sent with its Content-Length.
func rawReq(method, target, body string, fields ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method, target, hostHeader)
	for _, f := range fields {
		b.WriteString(f + "\r\n")
	}
	if body != "" || method == http.MethodPost || method == http.MethodPut {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	return b.String()
}

// rawPost is a POST of a JSON body.
func rawPost(path, body string, fields ...string) string {
	return rawReq(http.MethodPost, path, body, append([]string{"Content-Type: application/json"}, fields...)...)
}

// rawGet is a GET with extra fields.
func rawGet(target string, fields ...string) string {
	return rawReq(http.MethodGet, target, "", fields...)
}

// withSession is the Cookie field naming session key.
func withSession(key string) string { return "Cookie: sessionid=" + key }

// nested is a JSON value nested depth arrays deep.
func nested(depth int) string { return strings.Repeat("[", depth) + strings.Repeat("]", depth) }

// manyCookies is a Cookie field of n cookies.
func manyCookies(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("c%d=%d", i, i)
	}
	return "Cookie: " + strings.Join(parts, "; ")
}

// manyKeys is a JSON array of n distinct cache keys.
func manyKeys(n int) string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf(`"k%d"`, i)
	}
	return "[" + strings.Join(keys, ",") + "]"
}

// manyValues is a JSON object of n distinct cache keys.
func manyValues(n int) string {
	members := make([]string, n)
	for i := range members {
		members[i] = fmt.Sprintf(`"bulk%d":%d`, i, i)
	}
	return "{" + strings.Join(members, ",") + "}"
}

// docBody and docType are the content of the resource "doc", put by
// hostileSetup; docETag is its strong ETag.
const (
	docBody = "hello"
	docType = "text/plain"
)

var docETag = func() string {
	sum := sha256.Sum256([]byte(docType + "\x00" + docBody))
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}()

// Checks of answers beyond their status.

// sessionNotFound: the answer names no session: found false, and no
// session cookie with a value (the made-up key is neither adopted nor
// answered with a session of its own).
func sessionNotFound(resp *http.Response, body []byte) error {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return fmt.Errorf("body is not JSON: %v", err)
	}
	if found, ok := m["found"]; ok && found != false {
		return fmt.Errorf("found = %v for a made-up session key", found)
	}
	if u, ok := m["user"]; ok && u != nil {
		return fmt.Errorf("user = %v for a made-up session key", u)
	}
	for _, line := range resp.Header.Values("Set-Cookie") {
		if sc, ok := setcookie.Parse(line); ok && sc.Name == "sessionid" && sc.Value != "" {
			return fmt.Errorf("a made-up key got a session cookie %q", line)
		}
	}
	return nil
}

// newSessionKey: the answer creates a session under a key the server
// minted, never the one the client sent (ASVS 4.0.3 §3.2.1).
func newSessionKey(sent string) func(*http.Response, []byte) error {
	return func(resp *http.Response, body []byte) error {
		for _, line := range resp.Header.Values("Set-Cookie") {
			if sc, ok := setcookie.Parse(line); ok && sc.Name == "sessionid" && sc.Value != "" {
				if sc.Value == sent {
					return fmt.Errorf("the server adopted the key the client made up: %q", line)
				}
				return nil
			}
		}
		return fmt.Errorf("no session cookie in %q", resp.Header.Values("Set-Cookie"))
	}
}

// cookieCount: cookies/all answers exactly n cookies.
func cookieCount(n int) func(*http.Response, []byte) error {
	return func(resp *http.Response, body []byte) error {
		var m struct{ Cookies map[string]string }
		if err := json.Unmarshal(body, &m); err != nil {
			return fmt.Errorf("body is not JSON: %v", err)
		}
		if len(m.Cookies) != n {
			return fmt.Errorf("%d cookies read, want %d", len(m.Cookies), n)
		}
		return nil
	}
}

// noMarkup: the answer does not carry the markup it was given.
func noMarkup(markup string) func(*http.Response, []byte) error {
	return func(resp *http.Response, body []byte) error {
		if bytes.Contains(body, []byte(markup)) {
			return fmt.Errorf("the answer carries %q as markup", markup)
		}
		return nil
	}
}

// headerAbsent: the answer has no field name.
func headerAbsent(name string) func(*http.Response, []byte) error {
	return func(resp *http.Response, body []byte) error {
		if v := resp.Header.Values(name); len(v) > 0 {
			return fmt.Errorf("the answer carries %s: %q", name, v)
		}
		return nil
	}
}

// hostileCatalogue is the table. Names are unique; every case stands
// alone.
var hostileCatalogue = []hostileRequest{
	// Bad JSON and wrong types, endpoint by endpoint.
	{name: "clock/advance: truncated JSON", raw: rawPost("/clock/advance", `{`), want: jsonError(400)},
	{name: "clock/advance: seconds a string", raw: rawPost("/clock/advance", `{"seconds": "ten"}`), want: jsonError(400)},
	{name: "clock/advance: seconds a boolean", raw: rawPost("/clock/advance", `{"seconds": true}`), want: jsonError(400)},
	{name: "clock/advance: an array", raw: rawPost("/clock/advance", `[1]`), want: jsonError(400)},
	{name: "clock/advance: null", raw: rawPost("/clock/advance", `null`), want: jsonError(400)},
	{name: "clock/advance: seconds beyond float64", raw: rawPost("/clock/advance", `{"seconds": 1e400}`), want: jsonError(400)},
	{name: "clock/advance: negative seconds", raw: rawPost("/clock/advance", `{"seconds": -1}`), want: jsonError(400)},
	{name: "clock/advance: two JSON values", raw: rawPost("/clock/advance", `{"seconds": 1} {"seconds": 2}`), want: jsonError(400)},
	{name: "clock/advance: empty body", raw: rawPost("/clock/advance", ``), want: jsonError(400)},
	{name: "session/set: not JSON", raw: rawPost("/session/set", `key=k&value=v`), want: jsonError(400)},
	{name: "session/set: key a number", raw: rawPost("/session/set", `{"key": 5, "value": 1}`), want: jsonError(400)},
	{name: "session/set: key an array", raw: rawPost("/session/set", `{"key": ["a"], "value": 1}`), want: jsonError(400)},
	{name: "session/set: no value", raw: rawPost("/session/set", `{"key": "k"}`), want: jsonError(400)},
	{name: "session/set: empty key", raw: rawPost("/session/set", `{"key": "", "value": 1}`), want: jsonError(400)},
	{name: "session/set: a reserved key", raw: rawPost("/session/set", `{"key": "_auth_user_id", "value": "admin"}`), want: jsonError(400)},
	{name: "session/set: a JSON string body", raw: rawPost("/session/set", `"key"`), want: jsonError(400)},
	{name: "session/set: a value nested 20000 deep", raw: rawPost("/session/set", `{"key": "deep", "value": `+nested(20000)+`}`), want: jsonError(400)},
	{name: "session/set: invalid UTF-8 in the key", raw: rawPost("/session/set", "{\"key\": \"a\xffb\", \"value\": 1}"), want: jsonError(400)},
	{name: "session/set: a lone surrogate in the key", raw: rawPost("/session/set", `{"key": "a\ud800b", "value": 1}`), want: jsonError(400)},
	{name: "session/delete: key null", raw: rawPost("/session/delete", `{"key": null}`), want: jsonError(400)},
	{name: "session/expiry: seconds a string", raw: rawPost("/session/expiry", `{"seconds": "60"}`), want: jsonError(400)},
	{name: "session/expiry: seconds a fraction", raw: rawPost("/session/expiry", `{"seconds": 1.5}`), want: jsonError(400)},
	{name: "session/expiry: negative seconds", raw: rawPost("/session/expiry", `{"seconds": -5}`), want: jsonError(400)},
	{name: "session/expiry: seconds beyond int64", raw: rawPost("/session/expiry", `{"seconds": 99999999999999999999999}`), want: jsonError(400)},
	{name: "session/expiry: seconds beyond 400 days", raw: rawPost("/session/expiry", `{"seconds": 34560001}`), want: jsonError(400)},
	{name: "session/login: user a number", raw: rawPost("/session/login", `{"user": 42}`), want: jsonError(400)},
	{name: "session/login: empty user", raw: rawPost("/session/login", `{"user": ""}`), want: jsonError(400)},
	{name: "session/login: no user", raw: rawPost("/session/login", `{}`), want: jsonError(400)},
	{name: "cache set: key a number", raw: rawPost("/cache/default/set", `{"key": 1, "value": 1}`), want: jsonError(400)},
	{name: "cache set: timeout a string", raw: rawPost("/cache/default/set", `{"key": "k", "value": 1, "timeout": "soon"}`), want: jsonError(400)},
	{name: "cache set: timeout a fraction", raw: rawPost("/cache/default/set", `{"key": "k", "value": 1, "timeout": 1.5}`), want: jsonError(400)},
	{name: "cache set: an unknown member", raw: rawPost("/cache/default/set", `{"key": "k", "value": 1, "ttl": 5}`), want: jsonError(400)},
	{name: "cache set: an array body", raw: rawPost("/cache/default/set", `[1, 2]`), want: jsonError(400)},
	{name: "cache set: data after the object", raw: rawPost("/cache/default/set", `{"key": "k", "value": 1} x`), want: jsonError(400)},
	{name: "cache set: no value", raw: rawPost("/cache/default/set", `{"key": "k"}`), want: jsonError(400)},
	{name: "cache set: a value nested 20000 deep", raw: rawPost("/cache/default/set", `{"key": "deep", "value": `+nested(20000)+`}`), want: jsonError(400)},
	{name: "cache get_many: keys a string", raw: rawPost("/cache/default/get_many", `{"keys": "k"}`), want: jsonError(400)},
	{name: "cache set_many: values an array", raw: rawPost("/cache/default/set_many", `{"values": [1]}`), want: jsonError(400)},
	{name: "cache incr: delta a string", raw: rawPost("/cache/default/incr", `{"key": "k", "delta": "1"}`), want: jsonError(400)},
	{name: "cache incr: delta in exponent form", raw: rawPost("/cache/default/incr", `{"key": "k", "delta": 1e3}`), want: jsonError(400)},
	{name: "cache incr: delta beyond int64", raw: rawPost("/cache/default/incr", `{"key": "k", "delta": 9223372036854775808}`), want: jsonError(400)},
	{name: "cache decr: delta that cannot be negated", raw: rawPost("/cache/default/decr", `{"key": "k", "delta": -9223372036854775808}`), want: jsonError(400)},
	{name: "cache: an unknown alias", raw: rawPost("/cache/nosuch/get", `{"key": "k"}`), want: jsonError(404)},
	{name: "cache: an unknown operation", raw: rawPost("/cache/default/explode", `{}`), want: jsonError(404)},
	{name: "cache: an alias with a NUL", raw: rawPost("/cache/default%00/get", `{"key": "k"}`), want: jsonError(404)},

	// Huge bodies and headers.
	{name: "clock/advance: a body over 1 MiB", raw: rawPost("/clock/advance", strings.Repeat(" ", MaxBodyBytes+1)+`{"seconds": 1}`), want: jsonError(413)},
	{name: "session/set: a body over 1 MiB", raw: rawPost("/session/set", `{"key": "k", "value": "`+strings.Repeat("x", MaxBodyBytes)+`"}`), want: jsonError(413)},
	{name: "cache set: a body over 1 MiB", raw: rawPost("/cache/default/set", `{"key": "k", "value": "`+strings.Repeat("x", MaxBodyBytes)+`"}`), want: jsonError(413)},
	{name: "resources PUT: a body over 1 MiB", raw: rawReq("PUT", "/resources/big", strings.Repeat("x", MaxBodyBytes+1), "Content-Type: text/plain"), want: jsonError(413)},
	{name: "cache set: a chunked body over 1 MiB", raw: "POST /cache/default/set HTTP/1.1\r\nHost: a.example.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
		fmt.Sprintf("%x\r\n", MaxBodyBytes+10) + `{"key": "k", "value": "` + strings.Repeat("x", MaxBodyBytes+10-len(`{"key": "k", "value": "`)) + "\r\n0\r\n\r\n",
		want: jsonError(413)},
	{name: "cache set: Content-Length of 10 GB, 20 bytes sent", raw: strings.Replace(rawPost("/cache/default/set", `{"key": "k", "value"`), "Content-Length: 20", "Content-Length: 10737418240", 1),
		want: jsonError(413)},
	{name: "session/set: Content-Length of 2 MiB, nothing sent", raw: strings.Replace(rawPost("/session/set", ""), "Content-Length: 0", "Content-Length: 2097152", 1),
		want: jsonError(413)},
	{name: "a header value of 20 kB", raw: rawGet("/manifest", "X-Big: "+strings.Repeat("b", 20<<10)),
		want: prescribed(431, "RFC 6585 §5: the header section is too large")},
	{name: "3000 header fields", raw: rawGet("/manifest", strings.Repeat("X-Many: v\r\n", 3000)+"X-Last: v"),
		want: prescribed(431, "RFC 6585 §5: the header section is too large")},
	{name: "a request-target of 20 kB", raw: rawGet("/cookies/all?q=" + strings.Repeat("q", 20<<10)),
		want: prescribed(431, "RFC 6585 §5 (net/http counts the request line with the header section; RFC 9112 §3 would allow 414)")},
	{name: "a query of 2000 parameters", raw: rawGet("/cookies/set?name=n&" + strings.Repeat("a=1&", 2000)), want: prescribed(200, "a valid request: the cookie is set")},

	// Cookies: thousands in one header, control characters, invalid
	// UTF-8, sizes.
	{name: "cookies/all: 1500 cookies in one Cookie field", raw: rawGet("/cookies/all", manyCookies(1500)),
		want: prescribed(200, "RFC 6265bis §5.8.3 sets no count: every cookie is read").and(cookieCount(1500))},
	{name: "session/get: 1500 cookies beside a made-up session", raw: rawGet("/session/get?key=k", manyCookies(1500), withSession("nosuchsession")),
		want: prescribed(200, "contract: a made-up key names no session").and(sessionNotFound)},
	{name: "cookies/all: 40 Cookie fields", raw: rawGet("/cookies/all", strings.Repeat("Cookie: a=1\r\n", 39)+"Cookie: b=2"),
		want: prescribed(200, "RFC 9110 §5.3: repeated fields are one list").and(cookieCount(2))},
	{name: "cookies/all: a control character in a cookie", raw: rawGet("/cookies/all", "Cookie: a=1; b\x01c=2; d=3"),
		want: prescribed(400, "RFC 9110 §5.5: a field value with a control character is invalid")},
	{name: "cookies/all: invalid UTF-8 in a cookie", raw: rawGet("/cookies/all", "Cookie: a=\xff\xfe; b=2"),
		want: prescribed(200, "RFC 6265bis §5.6: cookie octets are opaque; the answer is valid JSON").and(cookieCount(2))},
	{name: "cookies/set: a control character in the name", raw: rawGet("/cookies/set?name=a%01b&value=v"), want: jsonError(400)},
	{name: "cookies/set: DEL in the name", raw: rawGet("/cookies/set?name=a%7Fb&value=v"), want: jsonError(400)},
	{name: "cookies/set: invalid UTF-8 in the name", raw: rawGet("/cookies/set?name=a%FFb&value=v"), want: jsonError(400)},
	{name: "cookies/set: a semicolon in the name", raw: rawGet("/cookies/set?name=a%3Bb&value=v"), want: jsonError(400)},
	{name: "cookies/set: a name of 5000 bytes", raw: rawGet("/cookies/set?name=" + strings.Repeat("n", 5000)), want: jsonError(400)},
	{name: "cookies/set: a value of 5000 bytes", raw: rawGet("/cookies/set?name=n&value=" + strings.Repeat("v", 5000)), want: jsonError(400)},
	{name: "cookies/set: a NUL in the path", raw: rawGet("/cookies/set?name=n&path=/a%00b"), want: jsonError(400)},
	{name: "cookies/set: CR LF in the domain", raw: rawGet("/cookies/set?name=n&domain=example.test%0D%0ASet-Cookie:%20evil=1"), want: jsonError(400)},
	{name: "cookies/set: expires on 31 February", raw: rawGet("/cookies/set?name=n&expires=Tue,%2031%20Feb%202026%2000:00:00%20GMT"), want: jsonError(400)},
	{name: "cookies/set: expires in year 99999", raw: rawGet("/cookies/set?name=n&expires=Fri,%2031%20Dec%2099999%2023:59:59%20GMT"), want: jsonError(400)},
	{name: "cookies/set: max_age beyond int64", raw: rawGet("/cookies/set?name=n&max_age=99999999999999999999"), want: jsonError(400)},
	{name: "cookies/set: samesite in lower case", raw: rawGet("/cookies/set?name=n&samesite=none&secure=1"), want: jsonError(400)},
	{name: "cookies/get: a control character in the name", raw: rawGet("/cookies/get?name=a%01b"), want: jsonError(400)},
	{name: "cookies/get: invalid UTF-8 in the name", raw: rawGet("/cookies/get?name=a%FFb"), want: jsonError(400)},
	{name: "cookies/delete: a control character in the name", raw: rawGet("/cookies/delete?name=a%1Fb"), want: jsonError(400)},

	// Session ids: absurd, SQL-like, path-like, control characters.
	{name: "session/get: a session id of 4000 bytes", raw: rawGet("/session/get?key=k", withSession(strings.Repeat("a", 4000))),
		want: prescribed(200, "contract: a made-up key names no session").and(sessionNotFound)},
	{name: "session/get: a session id of 15 kB", raw: rawGet("/session/get?key=k", withSession(strings.Repeat("z", 15<<10))),
		want: prescribed(200, "contract: a made-up key names no session").and(sessionNotFound)},
	{name: "session/get: an SQL-like session id", raw: rawGet("/session/get?key=k", withSession("'%20OR%20'1'='1")),
		want: prescribed(200, "contract: a made-up key names no session").and(sessionNotFound)},
	{name: "session/get: a session id that drops the table", raw: rawGet("/session/get?key=k", withSession(`x');DROP%20TABLE%20httpcheck_session;--`)),
		want: prescribed(200, "contract: a made-up key names no session").and(sessionNotFound)},
	{name: "session/whoami: an SQL-like session id", raw: rawGet("/session/whoami", withSession("abcdefghijklmnopqrstuvwxyz234567'--")),
		want: prescribed(200, "contract: a made-up key names no session").and(sessionNotFound)},
	{name: "session/get: a path as the session id", raw: rawGet("/session/get?key=k", withSession("../../../../etc/passwd")),
		want: prescribed(200, "contract: a made-up key names no session").and(sessionNotFound)},
	{name: "session/get: a well-formed session id never minted", raw: rawGet("/session/get?key=k", withSession("abcdefghijklmnopqrstuvwxyz234567")),
		want: prescribed(200, "contract: a made-up key names no session").and(sessionNotFound)},
	{name: "session/get: a session id in upper case", raw: rawGet("/session/get?key=k", withSession("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")),
		want: prescribed(200, "contract: a made-up key names no session").and(sessionNotFound)},
	{name: "session/get: a control character in the session id", raw: rawGet("/session/get?key=k", withSession("abc\x01def")),
		want: prescribed(400, "RFC 9110 §5.5: a field value with a control character is invalid")},
	{name: "session/get: invalid UTF-8 in the session id", raw: rawGet("/session/get?key=k", withSession("abc\xff\xfedef")),
		want: prescribed(200, "contract: a made-up key names no session").and(sessionNotFound)},
	{name: "session/get: a forged signed token", raw: rawGet("/session/get?key=k", withSession("1.eyJkIjp7Il9hdXRoX3VzZXJfaWQiOiJcImFkbWluXCIifSwiZSI6OTIyMzM3MjAzNjg1NDc3NTgwN30.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")),
		want: prescribed(200, "contract: a made-up key names no session").and(sessionNotFound)},
	{name: "session/set: a planted session id is not adopted", raw: rawPost("/session/set", `{"key": "k", "value": 1}`, withSession("abcdefghijklmnopqrstuvwxyz234567")),
		want: prescribed(200, "contract: the first write creates a session under a key the server makes").and(newSessionKey("abcdefghijklmnopqrstuvwxyz234567"))},
	{name: "session/get: a key query with a control character", raw: rawGet("/session/get?key=a%00b"),
		want: prescribed(200, "contract: any string is a key; this one is absent").and(sessionNotFound)},
	{name: "session/get: a reserved key", raw: rawGet("/session/get?key=_auth_user_id"), want: jsonError(400)},

	// Cache keys: control characters, sizes, encodings, paths.
	{name: "cache set: a space in the key", raw: rawPost("/cache/default/set", `{"key": "a b", "value": 1}`), want: jsonError(400)},
	{name: "cache set: a newline in the key", raw: rawPost("/cache/default/set", `{"key": "a\nb", "value": 1}`), want: jsonError(400)},
	{name: "cache set: a NUL in the key", raw: rawPost("/cache/default/set", `{"key": "a\u0000b", "value": 1}`), want: jsonError(400)},
	{name: "cache set: DEL in the key", raw: rawPost("/cache/default/set", `{"key": "a\u007fb", "value": 1}`), want: jsonError(400)},
	{name: "cache set: a key of 251 bytes", raw: rawPost("/cache/default/set", `{"key": "`+strings.Repeat("k", 251)+`", "value": 1}`), want: jsonError(400)},
	{name: "cache set: a key of 512 kB", raw: rawPost("/cache/default/set", `{"key": "`+strings.Repeat("k", 512<<10)+`", "value": 1}`), want: jsonError(400)},
	{name: "cache set: invalid UTF-8 in the key", raw: rawPost("/cache/default/set", "{\"key\": \"a\xffb\", \"value\": 1}"), want: jsonError(400)},
	{name: "cache set: a lone surrogate in the key", raw: rawPost("/cache/default/set", `{"key": "a\udc00b", "value": 1}`), want: jsonError(400)},
	{name: "cache get: a control character in the key", raw: rawPost("/cache/default/get", `{"key": "a\tb"}`), want: jsonError(400)},
	{name: "cache get_many: one bad key among good ones", raw: rawPost("/cache/default/get_many", `{"keys": ["a", "b c"]}`), want: jsonError(400)},
	{name: "cache delete_many: a bad key", raw: rawPost("/cache/default/delete_many", `{"keys": ["a\u0001"]}`), want: jsonError(400)},
	{name: "cache set: a relative path as the key", raw: rawPost("/cache/default/set", `{"key": "../../../../tmp/httpcheck-escaped", "value": 1}`),
		want: prescribed(200, "contract: a portable key; its file is named by its hash, inside the cache directory")},
	{name: "cache set: an absolute path as the key", raw: rawPost("/cache/default/set", `{"key": "/tmp/httpcheck-escaped-absolute", "value": 1}`),
		want: prescribed(200, "contract: a portable key; its file is named by its hash, inside the cache directory")},
	{name: "cache set: a Windows path as the key", raw: rawPost("/cache/default/set", `{"key": "..\\..\\..\\httpcheck-escaped", "value": 1}`),
		want: prescribed(200, "contract: a portable key; its file is named by its hash, inside the cache directory")},
	{name: "cache set_many: 20000 keys in one request", raw: rawPost("/cache/small/set_many", `{"values": `+manyValues(20000)+`}`), want: jsonError(400)},
	{name: "cache get_many: 50000 keys in one request", raw: rawPost("/cache/default/get_many", `{"keys": `+manyKeys(50000)+`}`), want: jsonError(400)},
	{name: "cache set_many: 1000 new keys, the most one request may hold", raw: rawPost("/cache/default/set_many", `{"values": `+manyValues(1000)+`}`),
		want: prescribed(200, "contract: a valid request, answered within its deadline on every backend")},
	{name: "cache delete_many: 50000 keys in one request", raw: rawPost("/cache/default/delete_many", `{"keys": `+manyKeys(50000)+`}`), want: jsonError(400)},

	// Conditional requests with invalid dates and entity tags (the
	// resource "doc" exists).
	{name: "If-Modified-Since: not a date", raw: rawGet("/resources/doc", "If-Modified-Since: yesterday"),
		want: prescribed(200, "RFC 9110 §13.1.3: an invalid If-Modified-Since is ignored")},
	{name: "If-Modified-Since: a list of dates", raw: rawGet("/resources/doc", "If-Modified-Since: Sun, 06 Nov 2094 08:49:37 GMT, Sun, 06 Nov 2094 08:49:37 GMT"),
		want: prescribed(200, "RFC 9110 §13.1.3: a list is not a valid HTTP-date and is ignored")},
	{name: "If-Modified-Since: 32 November", raw: rawGet("/resources/doc", "If-Modified-Since: Mon, 32 Nov 2094 08:49:37 GMT"),
		want: prescribed(200, "RFC 9110 §13.1.3: an invalid If-Modified-Since is ignored")},
	{name: "If-Modified-Since: year 99999", raw: rawGet("/resources/doc", "If-Modified-Since: Fri, 31 Dec 99999 23:59:59 GMT"),
		want: prescribed(200, "RFC 9110 §13.1.3: an invalid If-Modified-Since is ignored")},
	{name: "If-Modified-Since: in the future", raw: rawGet("/resources/doc", "If-Modified-Since: Sun, 06 Nov 2094 08:49:37 GMT"),
		want: prescribed(200, "RFC 2616 §14.25: a date later than the server's time is invalid (contract: ignored)")},
	{name: "If-Modified-Since: 10 kB", raw: rawGet("/resources/doc", "If-Modified-Since: "+strings.Repeat("Sun, ", 2000)),
		want: prescribed(200, "RFC 9110 §13.1.3: an invalid If-Modified-Since is ignored")},
	{name: "If-Unmodified-Since: not a date", raw: rawGet("/resources/doc", "If-Unmodified-Since: the dawn of time"),
		want: prescribed(200, "RFC 9110 §13.1.4: an invalid If-Unmodified-Since is ignored")},
	{name: "If-Unmodified-Since: year 0", raw: rawGet("/resources/doc", "If-Unmodified-Since: Sat, 01 Jan 0000 00:00:00 GMT"),
		want: jsonError(412)}, // RFC 9110 §13.1.4: a valid date, before the last modification
	{name: "If-Match: not an entity-tag", raw: rawGet("/resources/doc", "If-Match: nonsense"),
		want: jsonError(412)},
	{name: "If-Match: an unterminated entity-tag", raw: rawGet("/resources/doc", `If-Match: "abc`), want: jsonError(412)},
	{name: "If-Match on PUT: not an entity-tag", raw: rawReq("PUT", "/resources/doc", docBody, "Content-Type: "+docType, "If-Match: W/"), want: jsonError(412)},
	{name: "If-None-Match: not an entity-tag", raw: rawGet("/resources/doc", "If-None-Match: nonsense"),
		want: prescribed(200, "RFC 9110 §13.1.2: a value that is no list of entity-tags leaves the condition true")},
	{name: "If-None-Match: W/ without a tag", raw: rawGet("/resources/doc", "If-None-Match: W/"),
		want: prescribed(200, "RFC 9110 §13.1.2: a value that is no list of entity-tags leaves the condition true")},
	{name: "If-None-Match: 1500 entity-tags", raw: rawGet("/resources/doc", "If-None-Match: "+strings.Repeat(`"x", `, 1500)+docETag),
		want: prescribed(304, "RFC 9110 §13.1.2: one of the tags matches")},
	{name: "If-None-Match: a matching tag beside an invalid If-Modified-Since", raw: rawGet("/resources/doc", "If-None-Match: "+docETag, "If-Modified-Since: garbage"),
		want: prescribed(304, "RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present")},
	{name: "If-None-Match: * on an existing resource", raw: rawGet("/resources/doc", "If-None-Match: *"),
		want: prescribed(304, "RFC 9110 §13.1.2: * matches any current representation")},
	{name: "If-None-Match: a quote inside a tag", raw: rawGet("/resources/doc", `If-None-Match: "a"b"`),
		want: prescribed(200, "RFC 9110 §13.1.2: a value that is no list of entity-tags leaves the condition true")},

	// Unknown and odd methods.
	{name: "an unknown method", raw: rawReq("FROBNICATE", "/manifest", ""), want: jsonError(405)},
	{name: "get in lower case", raw: rawReq("get", "/manifest", ""), want: jsonError(405)},
	{name: "TRACE", raw: rawReq("TRACE", "/manifest", ""), want: jsonError(405)},
	{name: "PROPFIND on a resource", raw: rawReq("PROPFIND", "/resources/doc", ""), want: jsonError(405)},
	{name: "DELETE on the manifest", raw: rawReq("DELETE", "/manifest", ""), want: jsonError(405)},
	{name: "PATCH on a session endpoint", raw: rawReq("PATCH", "/session/set", `{}`), want: jsonError(405)},
	{name: "a method of 2000 letters", raw: rawReq(strings.Repeat("M", 2000), "/manifest", ""), want: jsonError(405)},
	{name: "a method with a control character", raw: rawReq("G\x01T", "/manifest", ""),
		want: prescribed(400, "RFC 9112 §3: a method is a token")},
	{name: "CONNECT to a path", raw: rawReq("CONNECT", "/manifest", ""), want: jsonError(405)},
	{name: "OPTIONS *", raw: "OPTIONS * HTTP/1.1\r\nHost: a.example.test\r\nConnection: close\r\n\r\n",
		want: prescribed(200, "RFC 9110 §9.3.7: OPTIONS * asks about the server itself")},
	{name: "GET *", raw: "GET * HTTP/1.1\r\nHost: a.example.test\r\nConnection: close\r\n\r\n",
		want: prescribed(400, "RFC 9112 §3.2.4: the asterisk form is for OPTIONS only")},

	// Paths: traversal in resource ids, encodings, unclean paths.
	{name: "resources: an encoded traversal in the id", raw: rawGet("/resources/..%2F..%2Fetc%2Fpasswd"), want: jsonError(400)},
	{name: "resources: a traversal in the path", raw: rawGet("/resources/../../etc/passwd"), want: jsonError(400)},
	{name: "resources: PUT through a traversal", raw: rawReq("PUT", "/resources/../manifest", "x", "Content-Type: text/plain"), want: jsonError(400)},
	{name: "resources: .. as the id", raw: rawGet("/resources/.."), want: jsonError(400)},
	{name: "resources: an encoded .. as the id", raw: rawGet("/resources/%2e%2e"), want: jsonError(400)},
	{name: "resources: a NUL in the id", raw: rawGet("/resources/a%00b"), want: jsonError(400)},
	{name: "resources: a backslash traversal in the id", raw: rawGet("/resources/..%5C..%5Cwin.ini"), want: jsonError(400)},
	{name: "resources: invalid UTF-8 in the id", raw: rawGet("/resources/doc%FF"), want: jsonError(400)},
	{name: "resources: an id of 201 characters", raw: rawGet("/resources/" + strings.Repeat("i", 201)), want: jsonError(400)},
	{name: "resources: no id", raw: rawGet("/resources/"), want: jsonError(404)},
	{name: "a doubled slash", raw: rawGet("//manifest"), want: jsonError(400)},
	{name: "a dot segment", raw: rawGet("/./manifest"), want: jsonError(400)},
	{name: "a trailing slash", raw: rawGet("/manifest/"), want: jsonError(404)},
	{name: "an invalid percent-encoding", raw: rawGet("/resources/%zz"),
		want: prescribed(400, "RFC 3986 §2.1: % starts a percent-encoding")},
	{name: "an absolute-form request-target", raw: rawGet("http://evil.test/manifest"),
		want: prescribed(200, "RFC 9112 §3.2.2: a server MUST accept the absolute form")},

	// Framing.
	{name: "HTTP/1.1 without Host", raw: "GET /manifest HTTP/1.1\r\nConnection: close\r\n\r\n",
		want: prescribed(400, "RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host")},
	{name: "two Host fields", raw: "GET /manifest HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\nConnection: close\r\n\r\n",
		want: prescribed(400, "RFC 9112 §3.2: a server MUST answer 400 to more than one Host")},
	{name: "a Host with a space", raw: "GET /manifest HTTP/1.1\r\nHost: a b.test\r\nConnection: close\r\n\r\n",
		want: prescribed(400, "RFC 9112 §3.2: a server MUST answer 400 to an invalid Host")},
	{name: "HTTP/1.0 without Host", raw: "GET /manifest HTTP/1.0\r\n\r\n",
		want: prescribed(200, "RFC 9112 §3.2: Host is required of HTTP/1.1 only")},
	{name: "Content-Length beside Transfer-Encoding", raw: "POST /clock/advance HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
		want: prescribed(400, "RFC 9112 §6.1: a server MAY reject a request with both, as a smuggling attempt")},
	{name: "two different Content-Lengths", raw: "POST /clock/advance HTTP/1.1\r\nHost: a.test\r\nContent-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}",
		want: prescribed(400, "RFC 9112 §6.3: an invalid Content-Length is an unrecoverable error")},
	{name: "a negative Content-Length", raw: "POST /clock/advance HTTP/1.1\r\nHost: a.test\r\nContent-Length: -1\r\nConnection: close\r\n\r\n",
		want: prescribed(400, "RFC 9112 §6.3: an invalid Content-Length is an unrecoverable error")},
	{name: "a Content-Length that is no number", raw: "POST /clock/advance HTTP/1.1\r\nHost: a.test\r\nContent-Length: ten\r\nConnection: close\r\n\r\n",
		want: prescribed(400, "RFC 9112 §6.3: an invalid Content-Length is an unrecoverable error")},
	{name: "an unknown transfer coding", raw: "POST /clock/advance HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n",
		want: prescribed(501, "RFC 9112 §6.1: a server SHOULD answer 501 to a transfer coding it does not understand")},
	{name: "a malformed chunk size", raw: "POST /cache/default/set HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
		want: jsonError(400)},
	{name: "a chunked body cut short", raw: "POST /session/set HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n{\"key\r\n",
		want: jsonError(408)},
	{name: "a chunked body cut short by a hang-up", raw: "POST /session/set HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n{\"key\r\n",
		hangUp: true, want: jsonError(400)},
	{name: "a body shorter than its Content-Length, then a hang-up", raw: strings.Replace(rawPost("/cache/default/set", `{"key": "k", "value": 1}`), "Content-Length: 24", "Content-Length: 99", 1),
		hangUp: true, want: jsonError(400)},
	{name: "HTTP/2.0 in the request line", raw: "GET /manifest HTTP/2.0\r\nHost: a.test\r\n\r\n",
		want: prescribed(505, "RFC 9110 §15.6.6: the major version is not supported")},
	{name: "HTTP/0.9 request", raw: "GET /manifest\r\n\r\n",
		want: prescribed(400, "RFC 9112 §3: a request line has a version")},
	{name: "a header line without a colon", raw: "GET /manifest HTTP/1.1\r\nHost: a.test\r\nno colon here\r\nConnection: close\r\n\r\n",
		want: prescribed(400, "RFC 9112 §5: a field line is name \":\" value")},
	{name: "a space in a field name", raw: "GET /manifest HTTP/1.1\r\nHost: a.test\r\nBad Name: x\r\nConnection: close\r\n\r\n",
		want: prescribed(400, "RFC 9112 §5.1: a field name is a token")},
	{name: "a NUL in a field value", raw: "GET /manifest HTTP/1.1\r\nHost: a.test\r\nX-Nul: a\x00b\r\nConnection: close\r\n\r\n",
		want: prescribed(400, "RFC 9110 §5.5: a field value with NUL is invalid")},
	{name: "an obsolete line folding", raw: "GET /manifest HTTP/1.1\r\nHost: a.test\r\nX-Fold: a\r\n b\r\nConnection: close\r\n\r\n",
		want: prescribed(200, "RFC 9112 §5.2: a server MUST reject obs-fold with 400 or replace it with SP; net/http replaces it")},
	{name: "bare LF line endings", raw: "GET /manifest HTTP/1.1\nHost: a.test\nConnection: close\n\n",
		want: prescribed(200, "RFC 9112 §2.2: a recipient MAY accept a bare LF as a line terminator")},
	{name: "binary garbage", raw: "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n",
		want: prescribed(400, "RFC 9112 §3: not a request line")},
	{name: "an unknown expectation", raw: "POST /clock/advance HTTP/1.1\r\nHost: a.test\r\nExpect: teapot\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
		want: prescribed(417, "RFC 9110 §10.1.1: a server MAY answer 417 to an expectation it does not support")},
	{name: "100-continue with a body over 1 MiB", raw: "POST /cache/default/set HTTP/1.1\r\nHost: a.test\r\nExpect: 100-continue\r\nContent-Length: 2097152\r\nConnection: close\r\n\r\n",
		want: jsonError(413)},

	// Views and resources: parameters out of range, markup, injection.
	{name: "views/cached: a negative ttl", raw: rawGet("/views/cached?ttl=-1"), want: jsonError(400)},
	{name: "views/cached: ttl in exponent form", raw: rawGet("/views/cached?ttl=1e3"), want: jsonError(400)},
	{name: "views/cached: ttl beyond int64", raw: rawGet("/views/cached?ttl=99999999999999999999"), want: jsonError(400)},
	{name: "views/cached: no ttl", raw: rawGet("/views/cached"), want: jsonError(400)},
	{name: "views/fragment: script as the user", raw: rawGet("/views/fragment?user=%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
		want: prescribed(200, "contract: the user comes back as escaped text").and(noMarkup("<script>alert(1)</script>"))},
	{name: "views/fragment: a user of 300 bytes", raw: rawGet("/views/fragment?user=" + strings.Repeat("u", 300)), want: jsonError(400)},
	{name: "views/fragment: invalid UTF-8 in the user", raw: rawGet("/views/fragment?user=%FF%FE"), want: jsonError(400)},
	{name: "views/fragment: ttl 0", raw: rawGet("/views/fragment?user=u&ttl=0"), want: jsonError(400)},
	{name: "resources PUT: unknown validators", raw: rawReq("PUT", "/resources/r1?validators=all", "x", "Content-Type: text/plain"), want: jsonError(400)},
	{name: "resources PUT: a negative max_age", raw: rawReq("PUT", "/resources/r1?max_age=-1", "x", "Content-Type: text/plain"), want: jsonError(400)},
	{name: "resources PUT: CR LF in cache_control", raw: rawReq("PUT", "/resources/r1?cache_control=no-store%0D%0ASet-Cookie:%20evil=1", "x", "Content-Type: text/plain"),
		want: jsonError(400)},
	{name: "resources PUT: a malformed cache_control", raw: rawReq("PUT", "/resources/r1?cache_control=max-age%3D%22x", "x", "Content-Type: text/plain"), want: jsonError(400)},
	{name: "resources PUT: markup in the Content-Type", raw: rawReq("PUT", "/resources/typed", "x", "Content-Type: text/html\"><script>alert(1)</script>"),
		want: prescribed(201, "contract: the Content-Type is kept and served back as sent").and(headerAbsent("Set-Cookie"))},

	// Slow clients, with the short limits of hostileLimits.
	{name: "a header that stalls", raw: rawGet("/manifest"), stallAfter: 20,
		want: prescribed(400, "ReadHeaderTimeout: net/http answers 400 to a header section that did not arrive in time, and closes")},
	{name: "a header that trickles", raw: rawGet("/manifest", "X-Slow: "+strings.Repeat("s", 100)), trickle: 100 * time.Millisecond,
		want: prescribed(400, "ReadHeaderTimeout: net/http answers 400 to a header section that did not arrive in time, and closes")},
	{name: "a connection that sends nothing", raw: rawGet("/manifest"), stallAfter: -1,
		want: closedWithoutAnswer("ReadHeaderTimeout (or IdleTimeout): no request came")},
	{name: "a JSON body that stalls", raw: rawPost("/cache/default/set", `{"key": "slow", "value": 1}`), stallAfter: len(rawPost("/cache/default/set", `{"key": "slow", "value": 1}`)) - 10,
		want: jsonError(408)},
	{name: "a session body that stalls", raw: rawPost("/session/set", `{"key": "slow", "value": 1}`), stallAfter: len(rawPost("/session/set", `{"key": "slow", "value": 1}`)) - 10,
		want: jsonError(408)},
	{name: "a resource body that stalls", raw: rawReq("PUT", "/resources/slow", strings.Repeat("x", 100), "Content-Type: text/plain"), stallAfter: len(rawReq("PUT", "/resources/slow", strings.Repeat("x", 100), "Content-Type: text/plain")) - 50,
		want: jsonError(408)},
	{name: "a chunked body that trickles", raw: "POST /clock/advance HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + strings.Repeat("1\r\n \r\n", 100),
		trickle: 30 * time.Millisecond, trickleBody: true, want: jsonError(408)},
	{name: "a JSON body that trickles", raw: rawPost("/session/login", `{"user": "`+strings.Repeat("u", 200)+`"}`),
		trickle: 20 * time.Millisecond, trickleBody: true, want: jsonError(408)},
}

// hostileServer is one store configuration the catalogue runs against.
type hostileServer struct {
	name     string
	sessions func(dir string) string // the session store URL
	cache    func(dir string) string // the cache URL
}

var hostileServers = []hostileServer{
	{"sqlite sessions, file cache",
		func(dir string) string { return "sqlite:" + filepath.Join(dir, "sessions.sqlite3") },
		func(dir string) string { return "file:" + filepath.Join(dir, "cache") }},
	{"file sessions, sqlite cache",
		func(dir string) string { return "file:" + filepath.Join(dir, "sessions") },
		func(dir string) string { return "sqlite:" + filepath.Join(dir, "cache.sqlite3") }},
	{"signed sessions, memory cache",
		func(string) string { return "signed" },
		func(string) string { return "memory" }},
}

// lockedBuffer is the server's error log.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startHostile starts a reference server for the catalogue: every
// feature, on the stores of hs, with hostileLimits, logging to the
// returned buffer.
func startHostile(t *testing.T, hs hostileServer, dir string) (addr string, errorLog *lockedBuffer) {
	t.Helper()
	t.Setenv(session.SecretKeyEnv, strings.Repeat("s", session.MinSecretLen))
	clk := &clock.Virtual{}
	store, err := session.Open(hs.sessions(dir), clk)
	if err != nil {
		t.Fatal(err)
	}
	caches, err := cache.OpenAliases(hs.cache(dir), DefaultCacheAliases(), clk)
	if err != nil {
		store.Close()
		t.Fatal(err)
	}
	srv := New(Options{Clock: clk, Sessions: store, SessionSettings: session.DefaultSettings(),
		SessionBackend: "test", Caches: caches})
	errorLog = &lockedBuffer{}
	inst, err := Start(srv, Listen{HTTPAddr: "127.0.0.1:0", Limits: hostileLimits, ErrorLog: log.New(errorLog, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		inst.Close()
		caches.Close()
		store.Close()
	})
	return strings.TrimSuffix(strings.TrimPrefix(inst.HTTPURL, "http://"), "/"), errorLog
}

// exchange is what one raw request got.
type exchange struct {
	resp *http.Response // nil when the server closed without an answer
	body []byte
	took time.Duration
	err  error // a transport error other than a clean close
}

// send writes hr to a new connection to addr and reads one answer, or the
// close, within limit.
func send(addr string, hr hostileRequest, limit time.Duration) exchange {
	start := time.Now()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return exchange{err: err}
	}
	defer conn.Close()
	conn.SetDeadline(start.Add(limit))
	raw := []byte(hr.raw)
	stop := make(chan struct{})
	defer close(stop)
	switch {
	case hr.stallAfter < 0:
	case hr.stallAfter > 0:
		if _, err := conn.Write(raw[:hr.stallAfter]); err != nil {
			return exchange{err: err}
		}
	case hr.trickle > 0:
		if hr.trickleBody {
			end := bytes.Index(raw, []byte("\r\n\r\n")) + 4
			if _, err := conn.Write(raw[:end]); err != nil {
				return exchange{err: err}
			}
			raw = raw[end:]
		}
		go func() {
			for _, c := range raw {
				select {
				case <-stop:
					return
				case <-time.After(hr.trickle):
				}
				if _, err := conn.Write([]byte{c}); err != nil {
					return
				}
			}
		}()
	default:
		// A writer of its own: the server may answer (413, 431) before
		// it has read everything, and stop reading.
		go func() {
			conn.Write(raw)
			if hr.hangUp {
				conn.(*net.TCPConn).CloseWrite()
			}
		}()
	}
	method, _, _ := strings.Cut(hr.raw, " ")
	br := bufio.NewReader(conn)
	if _, err := br.Peek(1); err != nil {
		if err == io.EOF || isReset(err) {
			return exchange{took: time.Since(start)}
		}
		return exchange{took: time.Since(start), err: err}
	}
	var resp *http.Response
	for resp == nil || resp.StatusCode >= 100 && resp.StatusCode <= 199 {
		// Interim answers (100 Continue) come before the answer.
		if resp, err = http.ReadResponse(br, &http.Request{Method: method}); err != nil {
			return exchange{took: time.Since(start), err: fmt.Errorf("reading the answer: %v", err)}
		}
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil && !isReset(err) {
		return exchange{resp: resp, body: body, took: time.Since(start), err: fmt.Errorf("reading the body: %v", err)}
	}
	return exchange{resp: resp, body: body, took: time.Since(start)}
}

func isReset(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe"))
}

// judge says what is wrong with ex for hr, or "".
func judge(hr hostileRequest, ex exchange) string {
	want := hr.want
	if ex.err != nil {
		return fmt.Sprintf("transport error after %s: %v", ex.took, ex.err)
	}
	if ex.resp == nil {
		if want.status != 0 {
			return fmt.Sprintf("the server closed the connection without an answer after %s; want %d", ex.took, want.status)
		}
		return ""
	}
	got := ex.resp.StatusCode
	if got >= 500 && got != want.status {
		return fmt.Sprintf("answered %s: %.300q", ex.resp.Status, ex.body)
	}
	if want.status == 0 {
		return fmt.Sprintf("answered %s (%.200q); want the connection closed without an answer", ex.resp.Status, ex.body)
	}
	if got != want.status {
		return fmt.Sprintf("answered %s (%.300q); want %d", ex.resp.Status, ex.body, want.status)
	}
	if want.jsonError {
		var m map[string]any
		if ct := ex.resp.Header.Get("Content-Type"); ct != "application/json" {
			return fmt.Sprintf("answered %d with Content-Type %q, want application/json", got, ct)
		}
		if err := json.Unmarshal(ex.body, &m); err != nil {
			return fmt.Sprintf("answered %d with a body that is not JSON: %.200q", got, ex.body)
		}
		if msg, _ := m["error"].(string); msg == "" {
			return fmt.Sprintf("answered %d without an error message: %.200q", got, ex.body)
		}
	}
	if want.check != nil {
		if err := want.check(ex.resp, ex.body); err != nil {
			return err.Error()
		}
	}
	return ""
}

// hostileDeadline is how long a case may take: the slow ones are ended by
// the server's read timeouts, the rest answer at once.
func hostileDeadline(hr hostileRequest) time.Duration {
	if hr.stallAfter != 0 || hr.trickle > 0 {
		return hostileLimits.ReadTimeout + 3*time.Second
	}
	return 10 * time.Second
}

// TestHostileCatalogue runs the catalogue against each store
// configuration.
func TestHostileCatalogue(t *testing.T) {
	if n := len(hostileCatalogue); n < 100 {
		t.Errorf("the catalogue holds %d requests, want at least 100", n)
	}
	names := map[string]bool{}
	for _, hr := range hostileCatalogue {
		if names[hr.name] {
			t.Errorf("two cases are named %q", hr.name)
		}
		names[hr.name] = true
	}
	for _, hs := range hostileServers {
		t.Run(hs.name, func(t *testing.T) {
			dir := t.TempDir()
			addr, errorLog := startHostile(t, hs, dir)
			hostileSetup(t, addr)
			t.Run("catalogue", func(t *testing.T) {
				for _, hr := range hostileCatalogue {
					t.Run(hr.name, func(t *testing.T) {
						t.Parallel()
						ex := send(addr, hr, hostileDeadline(hr))
						if msg := judge(hr, ex); msg != "" {
							t.Error(msg)
						}
					})
				}
			})
			health(t, addr)
			if log := errorLog.String(); strings.Contains(log, "panic") {
				t.Errorf("the server panicked:\n%s", log)
			}
			assertCacheFilesInside(t, dir)
		})
	}
}

// hostileSetup puts the resource "doc" that the conditional cases ask for.
func hostileSetup(t *testing.T, addr string) {
	t.Helper()
	ex := send(addr, hostileRequest{raw: rawReq("PUT", "/resources/doc", docBody, "Content-Type: "+docType)}, 5*time.Second)
	if ex.err != nil || ex.resp == nil || ex.resp.StatusCode != http.StatusCreated || ex.resp.Header.Get("ETag") != docETag {
		t.Fatalf("putting the resource doc: %+v %v %q", ex.resp, ex.err, ex.body)
	}
}

// health asks for the manifest, which must answer 200 within a second.
func health(t *testing.T, addr string) {
	t.Helper()
	ex := send(addr, hostileRequest{raw: rawGet("/manifest")}, time.Second)
	if ex.err != nil || ex.resp == nil || ex.resp.StatusCode != http.StatusOK {
		t.Fatalf("the health request (GET manifest) failed after the catalogue: %+v %v", ex.resp, ex.err)
	}
	var m map[string]any
	if err := json.Unmarshal(ex.body, &m); err != nil || m["contract"] != "httpcheck/1" {
		t.Fatalf("the manifest after the catalogue: %q", ex.body)
	}
}

// assertCacheFilesInside: whatever keys were sent, every file the file
// cache wrote is an entry (a hashed name) inside its alias's directory,
// and nothing was written next to it.
func assertCacheFilesInside(t *testing.T, dir string) {
	t.Helper()
	root := filepath.Join(dir, "cache")
	if _, err := os.Stat(root); err != nil {
		return // not the file backend
	}
	entries := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if strings.HasPrefix(rel, "sessions") {
			return nil
		}
		parts := strings.Split(rel, string(filepath.Separator))
		if len(parts) != 3 || parts[0] != "cache" || !isEntryFileName(parts[2]) {
			t.Errorf("the file cache wrote %s, which is not an entry inside an alias's directory", rel)
		}
		entries++
		return nil
	})
	if entries == 0 {
		t.Error("the file cache holds no entry; the catalogue's keys were not stored")
	}
	for _, p := range []string{"/tmp/httpcheck-escaped", "/tmp/httpcheck-escaped-absolute"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("a cache key wrote %s, outside the cache directory", p)
		}
	}
}

// isEntryFileName reports whether name is a file cache entry's name: the
// SHA-256 of the key in hex, then ".cache".
func isEntryFileName(name string) bool {
	hexPart, ok := strings.CutSuffix(name, ".cache")
	if !ok || len(hexPart) != 64 {
		return false
	}
	_, err := strconv.ParseUint(hexPart[:16], 16, 64)
	return err == nil
}

// TestSlowClientsDoNotHoldTheServer: 200 connections that each send part
// of a header and stall, one that asks for 40 MiB (40 pipelined requests
// for a 1 MiB resource) and never reads, and one kept alive and idle.
// Meanwhile the health request answers within its deadline, and the
// server's limits close every one of them: no slow client keeps a
// connection, or a goroutine, for long.
func TestSlowClientsDoNotHoldTheServer(t *testing.T) {
	addr, errorLog := startHostile(t, hostileServers[2], t.TempDir())
	body := strings.Repeat("r", MaxBodyBytes)
	if ex := send(addr, hostileRequest{raw: rawReq("PUT", "/resources/large", body, "Content-Type: text/plain")}, 5*time.Second); ex.resp == nil || ex.resp.StatusCode != http.StatusCreated {
		t.Fatalf("putting a large resource: %+v %v", ex.resp, ex.err)
	}

	start := time.Now()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		return c
	}
	for range 200 {
		dial().Write([]byte("GET /manifest HTTP/1.1\r\nHost: a.example.test\r\nX-Slow: "))
	}
	// A reader that does not read: 40 MiB of answers, more than the
	// socket buffers on both ends hold, so the server's write blocks.
	const pipelined = 40
	slowReader := dial()
	go slowReader.Write([]byte(strings.Repeat("GET /resources/large HTTP/1.1\r\nHost: a.example.test\r\n\r\n", pipelined)))
	// A kept-alive connection, idle after one answer.
	idle := dial()
	idle.Write([]byte("GET /manifest HTTP/1.1\r\nHost: a.example.test\r\n\r\n"))
	resp, err := http.ReadResponse(bufio.NewReader(idle), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)

	health(t, addr)
	time.Sleep(hostileLimits.WriteTimeout + time.Second)
	health(t, addr)

	// Every connection has been closed by the server once its limit
	// passed: a read sees the end (or a reset) at once.
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := io.Copy(io.Discard, c)
		if err != nil && !isReset(err) {
			t.Fatalf("connection %d was still open %s after it stalled: %v", i, time.Since(start), err)
		}
		if c == slowReader && n >= pipelined*int64(len(body)) {
			t.Errorf("the slow reader got all %d bytes; the write timeout did not cut it off", n)
		} else if c == slowReader {
			t.Logf("the slow reader got %d of %d bytes before the server cut it off", n, pipelined*len(body))
		}
	}
	if log := errorLog.String(); strings.Contains(log, "panic") {
		t.Errorf("the server panicked:\n%s", log)
	}
}
