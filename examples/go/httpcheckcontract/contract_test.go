package httpcheckcontract_test

// The package's own tests: the switch, the manifest, and bad input answered
// 4xx with a JSON error, never 5xx and never a panic. What the endpoints do
// with good input is graded by httpcheck itself (examples/go/go_test.go
// runs every suite against the demo).

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"github.com/httpcheck/httpcheck/examples/go/httpcheckcontract"
	"github.com/httpcheck/httpcheck/examples/go/httpcheckcontract/gocache"
	"github.com/httpcheck/httpcheck/examples/go/httpcheckcontract/gorillasessions"
)

// newContract is the contract as the demo mounts it, on a FilesystemStore
// in a temporary directory.
func newContract(t testing.TB, mod func(*httpcheckcontract.Options)) http.Handler {
	t.Helper()
	store := sessions.NewFilesystemStore(t.TempDir(), securecookie.GenerateRandomKey(32))
	o := httpcheckcontract.Options{
		Enabled:      true,
		URLs:         map[string]string{"http": "http://127.0.0.1:8080/httpcheck/"},
		AnyHost:      true,
		Sessions:     gorillasessions.New(store, "session"),
		Caches:       map[string]httpcheckcontract.Cache{"default": gocache.New(300*time.Second, time.Minute), "secondary": gocache.New(time.Minute, time.Minute)},
		MaxBodyBytes: 1000,
	}
	if mod != nil {
		mod(&o)
	}
	mux := http.NewServeMux()
	mux.Handle("/httpcheck/", http.StripPrefix("/httpcheck", httpcheckcontract.New(o)))
	return mux
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func do(t testing.TB, h http.Handler, method, target, body string, headers ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, "/httpcheck/"+target, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return answer{w.Code, w.Header(), w.Body.Bytes()}
}

// expectError checks a JSON error answer with status.
func expectError(t *testing.T, a answer, status int, what string) {
	t.Helper()
	if a.status != status {
		t.Errorf("%s: status %d, want %d (%s)", what, a.status, status, a.body)
		return
	}
	var e struct {
		Error string `json:"error"`
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
	if err := json.Unmarshal(a.body, &e); err != nil || e.Error == "" {
		t.Errorf("%s: want {\"error\": ...}, got %s", what, a.body)
	}
}

func TestSwitchOffAnswers404(t *testing.T) {
	h := newContract(t, func(o *httpcheckcontract.Options) { o.Enabled = false })
	for _, p := range []string{"manifest", "cookies/set?name=a", "session/whoami", "resources/r1"} {
		expectError(t, do(t, h, "GET", p, ""), 404, p)
	}
	expectError(t, do(t, h, "POST", "session/login", `{"user": "admin"}`), 404, "login")
}

func TestManifest(t *testing.T) {
	a := do(t, newContract(t, nil), "GET", "manifest", "")
	if a.status != 200 {
		t.Fatalf("manifest: %d %s", a.status, a.body)
	}
	var m struct {
		Contract string
		Features []string
		Hosts    struct {
			AnyHost bool `json:"any_host"`
		}
		Session map[string]any
		Cache   struct {
			Aliases map[string]map[string]any
		}
	}
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Contract != "httpcheck/1" || !m.Hosts.AnyHost {
		t.Errorf("manifest %s", a.body)
	}
	if got := strings.Join(m.Features, ","); got != "cookies,sessions,auth,cache,views,resources" {
		t.Errorf("features %s", got)
	}
	if m.Session["cookie_name"] != "session" || m.Session["backend"] != "FilesystemStore" || m.Session["cookie_age"] != float64(86400*30) ||
		m.Session["cookie_httponly"] != false || m.Session["cookie_domain"] != nil {
		t.Errorf("session %v: want the FilesystemStore's defaults", m.Session)
	}
	if d := m.Cache.Aliases["default"]; d["timeout"] != float64(300) || d["max_entries"] != float64(0) {
		t.Errorf("alias default %v", d)
	}
	if a.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", a.header.Get("Cache-Control"))
	}
}

func TestUnknownEndpointAndMethod(t *testing.T) {
	h := newContract(t, nil)
	for _, p := range []string{"", "nothing", "cookies/frobnicate", "cache/default", "cache/default/set/extra", "resources", "resources/a/b", "session"} {
		expectError(t, do(t, h, "GET", p, ""), 404, "GET "+p)
	}
	a := do(t, h, "DELETE", "cookies/set", "")
	expectError(t, a, 405, "DELETE cookies/set")
	if !strings.Contains(a.header.Get("Allow"), "GET") {
		t.Errorf("Allow %q", a.header.Get("Allow"))
	}
	expectError(t, do(t, h, "GET", "session/set", ""), 405, "GET session/set")
	expectError(t, do(t, h, "POST", "cache/nosuch/get", `{"key": "k"}`), 404, "unknown alias")
	expectError(t, do(t, h, "POST", "cache/default/frobnicate", `{}`), 404, "unknown op")
}

func TestBadInput(t *testing.T) {
	h := newContract(t, nil)
	long := strings.Repeat("x", 251)
	cases := []struct {
		method, target, body string
		status               int
	}{
		// cookies
		{"GET", "cookies/set", "", 400},
		{"GET", "cookies/set?name=a&max_age=soon", "", 400},
		{"GET", "cookies/set?name=a&max_age=1.5", "", 400},
		{"GET", "cookies/set?name=a&expires=tomorrow", "", 400},
		{"GET", "cookies/set?name=a&samesite=Sometimes", "", 400},
		{"GET", "cookies/set?name=a&samesite=lax", "", 400},
		{"GET", "cookies/set?name=a%20b", "", 400},      // Cookie.Valid: not a token
		{"GET", "cookies/set?name=a%3Bb", "", 400},      // nor this
		{"GET", "cookies/set?name=a&path=%3B", "", 400}, // Cookie.Valid: a Path byte
		{"GET", "cookies/set?name=a&domain=exa%20mple.test", "", 400},
		{"GET", "cookies/get", "", 400},
		{"GET", "cookies/delete", "", 400},
		{"GET", "cookies/delete?name=a%20b", "", 400},
		// sessions
		{"POST", "session/set", "{", 400},
		{"POST", "session/set", "[]", 400},
		{"POST", "session/set", `"text"`, 400},
		{"POST", "session/set", `{"value": 1}`, 400},
		{"POST", "session/set", `{"key": 7, "value": 1}`, 400},
		{"POST", "session/set", `{"key": "k"}`, 400},
		{"POST", "session/set", `{"key": "", "value": 1}`, 400},
		{"POST", "session/set", `{"key": "_auth_user", "value": "admin"}`, 400},
		{"POST", "session/set", `{"key": "_session_max_age", "value": 1}`, 400},
		{"POST", "session/set", `{"key": "k", "value": 1, "extra": 2}`, 400},
		{"POST", "session/set", `{"key": "k", "value": 1} {}`, 400},
		{"POST", "session/set", "{\"key\": \"k\xff\", \"value\": 1}", 400},
		{"POST", "session/set", `{"key": "k", "value": NaN}`, 400},
		{"POST", "session/set", `{"key": "k", "value": "` + strings.Repeat("x", 1000) + `"}`, 413},
		{"GET", "session/get", "", 400},
		{"GET", "session/get?key=_auth_user", "", 400},
		{"POST", "session/delete", `{}`, 400},
		{"POST", "session/delete", `{"key": null}`, 400},
		{"POST", "session/expiry", `{}`, 400},
		{"POST", "session/expiry", `{"seconds": "60"}`, 400},
		{"POST", "session/expiry", `{"seconds": -1}`, 400},
		{"POST", "session/expiry", `{"seconds": 1.5}`, 400},
		{"POST", "session/expiry", `{"seconds": 1e12}`, 400},
		{"POST", "session/expiry", `{"seconds": 1e400}`, 400},
		{"POST", "session/expiry", `{"seconds": null}`, 400},
		{"POST", "session/expiry", `{"seconds": true}`, 400},
		{"POST", "session/login", `{}`, 400},
		{"POST", "session/login", `{"user": ""}`, 400},
		{"POST", "session/login", `{"user": 5}`, 400},
		{"POST", "session/login", `{"user": "` + strings.Repeat("u", 257) + `"}`, 400},
		{"POST", "session/flush", `[1]`, 400},
		// cache
		{"POST", "cache/default/set", `{"key": "k", "value": 1`, 400},
		{"POST", "cache/default/set", `[1]`, 400},
		{"POST", "cache/default/set", `{"key": 7, "value": 1}`, 400},
		{"POST", "cache/default/set", `{"value": 1}`, 400},
		{"POST", "cache/default/set", `{"key": "k"}`, 400},
		{"POST", "cache/default/set", `{"key": "k", "value": 1, "ttl": 5}`, 400},
		{"POST", "cache/default/set", `{"key": "k", "value": 1, "timeout": 1.5}`, 400},
		{"POST", "cache/default/set", `{"key": "k", "value": 1, "timeout": "5"}`, 400},
		{"POST", "cache/default/set", `{"key": "k", "value": 1, "timeout": 1e300}`, 400},
		{"POST", "cache/default/set", `{"key": "has space", "value": 1}`, 400},
		{"POST", "cache/default/set", `{"key": "tab\there", "value": 1}`, 400},
		{"POST", "cache/default/set", `{"key": "", "value": 1}`, 400},
		{"POST", "cache/default/set", `{"key": "` + long + `", "value": 1}`, 400},
		{"POST", "cache/default/get", `{"key": "` + long + `"}`, 400},
		{"POST", "cache/default/get_many", `{"keys": "k"}`, 400},
		{"POST", "cache/default/get_many", `{"keys": ["ok", 5]}`, 400},
		{"POST", "cache/default/delete_many", `{"keys": ["ok", "not ok"]}`, 400},
		{"POST", "cache/default/set_many", `{"values": [1]}`, 400},
		{"POST", "cache/default/set_many", `{"values": {"bad key": 1}}`, 400},
		{"POST", "cache/default/incr", `{"key": "never-set"}`, 404},
		{"POST", "cache/default/decr", `{"key": "never-set"}`, 404},
		{"POST", "cache/default/incr", `{"key": "k", "delta": "one"}`, 400},
		{"POST", "cache/default/incr", `{"key": "k", "delta": 0.5}`, 400},
		{"POST", "cache/default/touch", `{"key": "k", "timeout": []}`, 400},
		{"POST", "cache/default/clear", `{"everything": true}`, 400},
		// views
		{"GET", "views/cached", "", 400},
		{"GET", "views/cached?ttl=0", "", 400},
		{"GET", "views/cached?ttl=-1", "", 400},
		{"GET", "views/cached?ttl=%2B5", "", 400},
		{"GET", "views/cached?ttl=1.5", "", 400},
		{"GET", "views/cached?ttl=abc", "", 400},
		{"GET", "views/cached?ttl=34560001", "", 400},
		{"GET", "views/cached?ttl=99999999999999999999", "", 400},
		{"GET", "views/fragment", "", 400},
		{"GET", "views/fragment?user=u&ttl=0", "", 400},
		{"GET", "views/fragment?user=" + strings.Repeat("u", 257), "", 400},
		// resources
		{"PUT", "resources/bad%20id", "x", 400},
		{"PUT", "resources/" + strings.Repeat("a", 201), "x", 400},
		{"PUT", "resources/r1?validators=some", "x", 400},
		{"PUT", "resources/r1?max_age=-1", "x", 400},
		{"PUT", "resources/r1?max_age=soon", "x", 400},
		{"PUT", "resources/r1?expires=2", "x", 400},
		{"PUT", "resources/r1?weak=yes", "x", 400},
		{"PUT", "resources/r1?cache_control=no%20store", "x", 400},
		{"PUT", "resources/r1?cache_control=max-age=5", "x", 400},
		{"PUT", "resources/big", strings.Repeat("x", 1001), 413},
		{"GET", "resources/never-put", "", 404},
		{"DELETE", "resources/never-put", "", 404},
		{"PUT", "resources/r2", "x", 201},
		{"PUT", "resources/r2", "y", 200},
		{"PUT", "resources/r2", "z", 412},
	}
	for _, c := range cases {
		what := c.method + " " + c.target + " " + c.body
		if len(what) > 120 {
			what = what[:120] + "..."
		}
		var a answer
		if c.target == "resources/r2" && c.status == 412 {
			a = do(t, h, c.method, c.target, c.body, "If-None-Match", "*")
		} else {
			a = do(t, h, c.method, c.target, c.body)
		}
		if c.status < 300 {
			if a.status != c.status {
				t.Errorf("%s: status %d, want %d (%s)", what, a.status, c.status, a.body)
			}
			continue
		}
		expectError(t, a, c.status, what)
	}
}

// TestNoPanicNo5xx sends every endpoint bodies and queries of every wrong
// shape: each answer is below 500.
func TestNoPanicNo5xx(t *testing.T) {
	for _, plain := range []bool{false, true} {
		h := newContract(t, func(o *httpcheckcontract.Options) { o.Plain = plain })
		bodies := []string{"", "{", "}", "null", "0", `""`, "[]", "{}", `{"key": null, "value": null}`, `{"key": {}, "value": []}`,
			`{"keys": null}`, `{"keys": [null]}`, `{"values": null}`, `{"values": {"k": null}}`, `{"user": null}`, `{"seconds": -0.0}`,
			`{"key": "k", "value": 1, "timeout": null}`, `{"key": "k", "delta": 9223372036854775807}`, `{"key": "k", "timeout": -5}`,
			"\x00\x01", `{"key": "\ud800", "value": 1}`, `{"key": "k", "value": 1e999}`}
		targets := []string{"session/set", "session/delete", "session/expiry", "session/flush", "session/login", "session/logout"}
		for _, op := range []string{"set", "get", "add", "get_or_set", "get_many", "set_many", "delete", "delete_many", "incr", "decr", "touch", "clear"} {
			targets = append(targets, "cache/default/"+op)
		}
		for _, target := range targets {
			for _, body := range bodies {
				if a := do(t, h, "POST", target, body); a.status >= 500 {
					t.Errorf("plain %v: POST %s %q: %d %s", plain, target, body, a.status, a.body)
				}
			}
		}
		for _, target := range []string{"cookies/set?name=", "cookies/set?name=%00", "cookies/set?name=a&value=%00%FF", "cookies/set?name=a&max_age=-99999999999999999999",
			"cookies/get?name=%FF", "cookies/all", "cookies/delete?name=__Host-a", "session/get?key=%FF", "session/all", "session/whoami", "session/expiry",
			"views/uncached", "views/fragment?user=%3Cscript%3E", "views/cached?ttl=5&x=%FF", "resources/%FF", "resources/."} {
			if a := do(t, h, "GET", target, "", "Cookie", "session=garbage; a=\"b"); a.status >= 500 {
				t.Errorf("plain %v: GET %s: %d %s", plain, target, a.status, a.body)
			}
		}
	}
}

// Without a mux in front, the handler itself refuses unclean ids.
func TestUncleanResourceIDs(t *testing.T) {
	h := httpcheckcontract.New(httpcheckcontract.Options{Enabled: true})
	for _, p := range []string{"/resources/..", "/resources/.", "/resources/"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("PUT", p, strings.NewReader("x")))
		if w.Code != 400 {
			t.Errorf("PUT %s: %d, want 400", p, w.Code)
		}
	}
}
