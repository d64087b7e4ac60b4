package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// Middleware tests run over real HTTP (httptest.NewServer) with a cookie
// jar, against every backend. The clock is a clock.Manual at tNow. The jar
// (net/http/cookiejar) reads the wall clock, not ours; that is harmless
// because it honours Max-Age over Expires, and checks that need the
// server's clock to pass a cookie's expiry replay the old cookie by hand.

// testHandler is a miniature of the contract's session endpoints.
func testHandler() http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	body := func(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }
	mux.HandleFunc("GET /nothing", func(w http.ResponseWriter, r *http.Request) { reply(w, map[string]any{}) })
	mux.HandleFunc("POST /set", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Key   string          `json:"key"`
			Value json.RawMessage `json:"value"`
		}
		if err := body(r, &in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := FromRequest(r).Set(in.Key, in.Value); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			reply(w, map[string]string{"error": err.Error()})
			return
		}
		reply(w, map[string]any{})
	})
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		k := r.URL.Query().Get("key")
		v, ok := FromRequest(r).Get(k)
		if !ok {
			v = json.RawMessage("null")
		}
		reply(w, map[string]any{"key": k, "found": ok, "value": v})
	})
	mux.HandleFunc("POST /delete", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Key string }
		body(r, &in)
		reply(w, map[string]bool{"deleted": FromRequest(r).Delete(in.Key)})
	})
	mux.HandleFunc("GET /all", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"data": FromRequest(r).All()})
	})
	mux.HandleFunc("POST /expiry", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Seconds int }
		body(r, &in)
		FromRequest(r).SetExpiry(in.Seconds)
		reply(w, map[string]any{})
	})
	mux.HandleFunc("GET /expiry", func(w http.ResponseWriter, r *http.Request) {
		s := FromRequest(r)
		reply(w, map[string]any{"seconds_left": s.ExpirySeconds(), "at_browser_close": s.ExpiresAtBrowserClose()})
	})
	mux.HandleFunc("POST /flush", func(w http.ResponseWriter, r *http.Request) {
		FromRequest(r).Flush()
		reply(w, map[string]any{})
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ User string }
		body(r, &in)
		s := FromRequest(r)
		s.CycleKey()
		s.Set("user", json.RawMessage(strconv.Quote(in.User)))
		reply(w, map[string]string{"user": in.User})
	})
	mux.HandleFunc("GET /key", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]string{"key": FromRequest(r).Key()})
	})
	mux.HandleFunc("POST /fail", func(w http.ResponseWriter, r *http.Request) {
		FromRequest(r).Set("lost", json.RawMessage(`true`))
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	mux.HandleFunc("POST /stream", func(w http.ResponseWriter, r *http.Request) {
		FromRequest(r).Set("streamed", json.RawMessage(`true`))
		io.WriteString(w, "part 1\n")
		http.NewResponseController(w).Flush()
		io.WriteString(w, "part 2\n")
	})
	return mux
}

// mwFixture is one server with one store and one client with a jar.
type mwFixture struct {
	t        *testing.T
	store    Store
	settings Settings
	clock    *clock.Manual
	srv      *httptest.Server
	client   *http.Client // with a jar: a well-behaved browser
}

func newMWFixture(t *testing.T, b backendUnderTest, s Settings) *mwFixture {
	t.Helper()
	c := clock.NewManual(tNow)
	f := &mwFixture{t: t, store: b.open(t, c), settings: s, clock: c}
	f.srv = httptest.NewServer(Middleware(f.store, s, c)(testHandler()))
	t.Cleanup(f.srv.Close)
	jar, _ := cookiejar.New(nil)
	f.client = &http.Client{Jar: jar}
	return f
}

// exchange is what a test checks of one response.
type exchange struct {
	status    int
	setCookie []string
	vary      string
	body      string
}

// do sends a request from the jar's client.
func (f *mwFixture) do(method, path, body string) exchange {
	f.t.Helper()
	return f.send(f.client, method, path, body, "")
}

// replay sends a request with exactly the Cookie header given, no jar: an
// attacker, or a client that kept a cookie the server had expired.
func (f *mwFixture) replay(method, path, body, cookieHeader string) exchange {
	f.t.Helper()
	return f.send(http.DefaultClient, method, path, body, cookieHeader)
}

func (f *mwFixture) send(c *http.Client, method, path, body, cookieHeader string) exchange {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if cookieHeader != "" {
		req.Header.Set("Cookie", cookieHeader)
	}
	resp, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return exchange{
		status:    resp.StatusCode,
		setCookie: resp.Header.Values("Set-Cookie"),
		vary:      strings.Join(resp.Header.Values("Vary"), ", "),
		body:      strings.TrimSpace(string(b)),
	}
}

// want fails the test unless got has the status, body and Vary given; body
// "" and vary "-" are not checked.
func (f *mwFixture) want(step string, got exchange, status int, body, vary string) {
	f.t.Helper()
	if got.status != status {
		f.t.Errorf("%s: status %d, want %d (body %s)", step, got.status, status, got.body)
	}
	if body != "" && got.body != body {
		f.t.Errorf("%s: body %s, want %s", step, got.body, body)
	}
	if vary != "-" && got.vary != vary {
		f.t.Errorf("%s: Vary %q, want %q", step, got.vary, vary)
	}
}

// wantNoCookie fails the test if the response set a cookie.
func (f *mwFixture) wantNoCookie(step string, got exchange) {
	f.t.Helper()
	if len(got.setCookie) != 0 {
		f.t.Errorf("%s: Set-Cookie %q, want none", step, got.setCookie)
	}
}

// wantSessionCookie checks the one Set-Cookie line against the settings and
// a lifetime of age seconds (-1: at browser close), written at the
// fixture's current time, and returns the key.
func (f *mwFixture) wantSessionCookie(step string, got exchange, age int) string {
	f.t.Helper()
	if len(got.setCookie) != 1 {
		f.t.Fatalf("%s: Set-Cookie %q, want one session cookie", step, got.setCookie)
	}
	line := got.setCookie[0]
	key, _, _ := strings.Cut(strings.TrimPrefix(line, f.settings.CookieName+"="), ";")
	want := f.settings.CookieName + "=" + key + "; Path=/"
	if age >= 0 {
		want += fmt.Sprintf("; Expires=%s; Max-Age=%d", f.clock.Now().Add(time.Duration(age)*time.Second).Format(http.TimeFormat), age)
	}
	want += "; HttpOnly; SameSite=Lax"
	if line != want {
		f.t.Errorf("%s: Set-Cookie\n  %s\nwant\n  %s", step, line, want)
	}
	if key == "" {
		f.t.Fatalf("%s: empty session key", step)
	}
	return key
}

// deletion is the Set-Cookie line that deletes the default session cookie.
const deletion = "sessionid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax"

func (f *mwFixture) wantDeletion(step string, got exchange) {
	f.t.Helper()
	if len(got.setCookie) != 1 || got.setCookie[0] != deletion {
		f.t.Errorf("%s: Set-Cookie %q, want [%q]", step, got.setCookie, deletion)
	}
}

// wantGone fails the test if the store still serves key.
func (f *mwFixture) wantGone(step, key string) {
	f.t.Helper()
	if isCookieBased(f.store) {
		return // nothing server-side to check; see TestSignedLogoutCannotRevoke
	}
	if ok, err := f.store.Exists(context.Background(), key); ok || err != nil {
		f.t.Errorf("%s: the store still has %s (%v)", step, key, err)
	}
}

const twoWeeks = 1209600

// middlewareScenarios run against every backend with DefaultSettings. Each
// gets a fresh store, server, jar and clock; steps and their synthetic
// times are in the code.
var middlewareScenarios = []struct {
	name string
	run  func(f *mwFixture)
}{
	{"a request that does not touch the session sends no cookie and no Vary", func(f *mwFixture) {
		got := f.do("GET", "/nothing", "")
		f.want("GET /nothing", got, 200, "{}", "")
		f.wantNoCookie("GET /nothing", got)
	}},
	{"reading a new session adds Vary: Cookie and sends no cookie", func(f *mwFixture) {
		got := f.do("GET", "/get?key=a", "")
		f.want("GET /get", got, 200, `{"found":false,"key":"a","value":null}`, "Cookie")
		f.wantNoCookie("GET /get", got)
	}},
	{"a change sends the cookie once; reads do not resend it", func(f *mwFixture) {
		got := f.do("POST", "/set", `{"key":"a","value":{"x": [1, 2]}}`)
		f.want("t0 POST /set", got, 200, "{}", "Cookie")
		f.wantSessionCookie("t0 POST /set", got, twoWeeks)

		f.clock.Advance(time.Hour)
		got = f.do("GET", "/get?key=a", "")
		f.want("t0+1h GET /get", got, 200, `{"found":true,"key":"a","value":{"x":[1,2]}}`, "Cookie")
		f.wantNoCookie("t0+1h GET /get", got)

		got = f.do("GET", "/nothing", "")
		f.want("t0+1h GET /nothing", got, 200, "{}", "")
		f.wantNoCookie("t0+1h GET /nothing", got)

		got = f.do("POST", "/delete", `{"key":"absent"}`)
		f.want("t0+1h delete an absent key", got, 200, `{"deleted":false}`, "Cookie")
		f.wantNoCookie("t0+1h delete an absent key: not a modification", got)
	}},
	{"a change to an existing session keeps its key and restarts its lifetime", func(f *mwFixture) {
		key := f.wantSessionCookie("t0 set a", f.do("POST", "/set", `{"key":"a","value":1}`), twoWeeks)
		f.clock.Advance(time.Hour)
		key2 := f.wantSessionCookie("t0+1h set b", f.do("POST", "/set", `{"key":"b","value":2}`), twoWeeks)
		if key2 != key && !isCookieBased(f.store) {
			f.t.Errorf("the key changed from %s to %s without CycleKey", key, key2)
		}
		f.want("all", f.do("GET", "/all", ""), 200, `{"data":{"a":1,"b":2}}`, "Cookie")
	}},
	{"deleting every key deletes the record and the cookie", func(f *mwFixture) {
		key := f.wantSessionCookie("set a", f.do("POST", "/set", `{"key":"a","value":1}`), twoWeeks)
		got := f.do("POST", "/delete", `{"key":"a"}`)
		f.want("delete a", got, 200, `{"deleted":true}`, "Cookie")
		f.wantDeletion("delete a", got)
		f.wantGone("delete a", key)
		got = f.do("GET", "/all", "")
		f.want("all", got, 200, `{"data":{}}`, "Cookie")
		f.wantNoCookie("all: the jar dropped the cookie", got)
	}},
	{"Flush deletes the data, the key and the cookie", func(f *mwFixture) {
		key := f.wantSessionCookie("set a", f.do("POST", "/set", `{"key":"a","value":1}`), twoWeeks)
		got := f.do("POST", "/flush", "")
		f.want("flush", got, 200, "{}", "Cookie")
		f.wantDeletion("flush", got)
		f.wantGone("flush", key)
		if !isCookieBased(f.store) {
			got = f.replay("GET", "/get?key=a", "", "sessionid="+key)
			f.want("replay after flush", got, 200, `{"found":false,"key":"a","value":null}`, "Cookie")
		}
	}},
	{"Flush on a new session with no cookie sends nothing", func(f *mwFixture) {
		got := f.do("POST", "/flush", "")
		f.want("flush", got, 200, "{}", "Cookie")
		f.wantNoCookie("flush", got)
	}},
	{"after Flush, new data goes into a new session with a new key", func(f *mwFixture) {
		old := f.wantSessionCookie("set a", f.do("POST", "/set", `{"key":"a","value":1}`), twoWeeks)
		f.do("POST", "/flush", "")
		key := f.wantSessionCookie("set b", f.do("POST", "/set", `{"key":"b","value":2}`), twoWeeks)
		if key == old {
			f.t.Error("the flushed key was reused")
		}
		f.want("all", f.do("GET", "/all", ""), 200, `{"data":{"b":2}}`, "Cookie")
	}},
	{"the server refuses a session past its default lifetime", func(f *mwFixture) {
		key := f.wantSessionCookie("t0 set a", f.do("POST", "/set", `{"key":"a","value":1}`), twoWeeks)
		f.clock.Advance(twoWeeks*time.Second - time.Second)
		got := f.replay("GET", "/get?key=a", "", "sessionid="+key)
		f.want("t0+2w-1s", got, 200, `{"found":true,"key":"a","value":1}`, "Cookie")
		f.clock.Advance(time.Second)
		got = f.replay("GET", "/get?key=a", "", "sessionid="+key)
		f.want("t0+2w replay", got, 200, `{"found":false,"key":"a","value":null}`, "Cookie")
		f.wantDeletion("t0+2w replay", got)
	}},
	{"the server enforces SetExpiry, not only the cookie", func(f *mwFixture) {
		f.do("POST", "/set", `{"key":"a","value":1}`)
		key := f.wantSessionCookie("t0 expiry 60", f.do("POST", "/expiry", `{"seconds":60}`), 60)
		f.clock.Advance(10 * time.Second)
		f.want("t0+10s expiry", f.do("GET", "/expiry", ""), 200, `{"at_browser_close":false,"seconds_left":50}`, "Cookie")
		f.clock.Advance(50 * time.Second)
		got := f.replay("GET", "/get?key=a", "", "sessionid="+key)
		f.want("t0+60s replay", got, 200, `{"found":false,"key":"a","value":null}`, "Cookie")
		f.wantDeletion("t0+60s replay", got)
		got = f.replay("POST", "/set", `{"key":"b","value":2}`, "sessionid="+key)
		if k := f.wantSessionCookie("t0+60s set b", got, twoWeeks); k == key {
			f.t.Error("an expired key was adopted again")
		}
	}},
	{"SetExpiry(N) slides: each save restarts N", func(f *mwFixture) {
		f.wantSessionCookie("t0 expiry 60", f.do("POST", "/expiry", `{"seconds":60}`), 60)
		f.clock.Advance(50 * time.Second)
		key := f.wantSessionCookie("t0+50s set a", f.do("POST", "/set", `{"key":"a","value":1}`), 60)
		f.clock.Advance(50 * time.Second)
		f.want("t0+100s get", f.replay("GET", "/get?key=a", "", "sessionid="+key), 200, `{"found":true,"key":"a","value":1}`, "Cookie")
	}},
	{"SetExpiry(0): no Max-Age nor Expires; the server keeps CookieAge", func(f *mwFixture) {
		f.do("POST", "/set", `{"key":"a","value":1}`)
		key := f.wantSessionCookie("t0 expiry 0", f.do("POST", "/expiry", `{"seconds":0}`), -1)
		f.want("t0 get expiry", f.do("GET", "/expiry", ""), 200, `{"at_browser_close":true,"seconds_left":1209600}`, "Cookie")
		f.clock.Advance(twoWeeks * time.Second)
		f.want("t0+2w replay", f.replay("GET", "/get?key=a", "", "sessionid="+key), 200, `{"found":false,"key":"a","value":null}`, "Cookie")
	}},
	{"SetExpiry on an empty session creates it", func(f *mwFixture) {
		f.wantSessionCookie("expiry 0", f.do("POST", "/expiry", `{"seconds":0}`), -1)
		f.want("get expiry", f.do("GET", "/expiry", ""), 200, `{"at_browser_close":true,"seconds_left":1209600}`, "Cookie")
		f.want("all hides the metadata", f.do("GET", "/all", ""), 200, `{"data":{}}`, "Cookie")
	}},
	{"SetExpiry(<0) ends the session now", func(f *mwFixture) {
		key := f.wantSessionCookie("set a", f.do("POST", "/set", `{"key":"a","value":1}`), twoWeeks)
		got := f.do("POST", "/expiry", `{"seconds":-1}`)
		f.wantDeletion("expiry -1", got)
		f.wantGone("expiry -1", key)
	}},
	{"an invented key is never adopted (fixation)", func(f *mwFixture) {
		for _, invented := range []string{NewKey(), "../../etc/passwd", "1.e30.AAAA", strings.Repeat("a", 300)} {
			got := f.replay("POST", "/set", `{"key":"a","value":1}`, "sessionid="+invented)
			if key := f.wantSessionCookie("set with "+invented, got, twoWeeks); key == invented {
				f.t.Errorf("the invented key %q was adopted", invented)
			}
			f.wantGone("set with "+invented, invented)
		}
	}},
	{"reading with an unknown key deletes the stale cookie", func(f *mwFixture) {
		got := f.replay("GET", "/get?key=a", "", "sessionid="+NewKey())
		f.want("get", got, 200, `{"found":false,"key":"a","value":null}`, "Cookie")
		f.wantDeletion("get", got)
		f.wantNoCookie("unused session, unknown key: no lookup, no change", f.replay("GET", "/nothing", "", "sessionid="+NewKey()))
	}},
	{"CycleKey keeps the data, changes the key and deletes the old one", func(f *mwFixture) {
		old := f.wantSessionCookie("set a", f.do("POST", "/set", `{"key":"a","value":1}`), twoWeeks)
		got := f.do("POST", "/login", `{"user":"alice"}`)
		f.want("login", got, 200, `{"user":"alice"}`, "Cookie")
		key := f.wantSessionCookie("login", got, twoWeeks)
		if key == old {
			f.t.Fatal("CycleKey kept the key")
		}
		f.wantGone("login", old)
		f.want("all", f.do("GET", "/all", ""), 200, `{"data":{"a":1,"user":"alice"}}`, "Cookie")
		if !isCookieBased(f.store) {
			f.want("replay the old key", f.replay("GET", "/all", "", "sessionid="+old), 200, `{"data":{}}`, "Cookie")
		}
	}},
	{"Key is empty until a key is issued, then stable", func(f *mwFixture) {
		f.want("new", f.do("GET", "/key", ""), 200, `{"key":""}`, "Cookie")
		key := f.wantSessionCookie("set", f.do("POST", "/set", `{"key":"a","value":1}`), twoWeeks)
		f.want("existing", f.do("GET", "/key", ""), 200, `{"key":"`+key+`"}`, "Cookie")
	}},
	{"a 5xx response saves nothing and sends no cookie", func(f *mwFixture) {
		got := f.do("POST", "/fail", "")
		f.want("fail", got, 500, "boom", "Cookie")
		f.wantNoCookie("fail", got)
		key := f.wantSessionCookie("set", f.do("POST", "/set", `{"key":"a","value":1}`), twoWeeks)
		f.do("POST", "/fail", "")
		f.want("all", f.replay("GET", "/all", "", "sessionid="+key), 200, `{"data":{"a":1}}`, "Cookie")
	}},
	{"a streamed response carries the cookie", func(f *mwFixture) {
		got := f.do("POST", "/stream", "")
		f.want("stream", got, 200, "part 1\npart 2", "-")
		f.wantSessionCookie("stream", got, twoWeeks)
	}},
	{"reserved keys cannot be set and are never shown", func(f *mwFixture) {
		got := f.do("POST", "/set", `{"key":"_session_expiry","value":1}`)
		f.want("set reserved", got, 400, `{"error":"session: keys beginning with \"_session_\" are reserved: \"_session_expiry\""}`, "-")
		f.do("POST", "/expiry", `{"seconds":60}`)
		f.want("get reserved", f.do("GET", "/get?key=_session_expiry", ""), 200, `{"found":false,"key":"_session_expiry","value":null}`, "Cookie")
		f.want("delete reserved", f.do("POST", "/delete", `{"key":"_session_expiry"}`), 200, `{"deleted":false}`, "Cookie")
	}},
	{"invalid JSON is refused", func(f *mwFixture) {
		// The handler decodes its body with encoding/json, so invalid JSON
		// cannot reach Set through it; call Set directly.
		s := newSession(context.Background(), f.store, f.settings, f.clock, "")
		if err := s.Set("a", json.RawMessage(`{nope`)); err == nil {
			f.t.Error("Set accepted invalid JSON")
		}
	}},
}

func TestMiddleware(t *testing.T) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			for _, sc := range middlewareScenarios {
				t.Run(sc.name, func(t *testing.T) {
					sc.run(newMWFixture(t, b, DefaultSettings()))
				})
			}
		})
	}
}

func TestSaveEveryRequest(t *testing.T) {
	s := DefaultSettings()
	s.SaveEveryRequest = true
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			f := newMWFixture(t, b, s)
			f.wantNoCookie("t0 nothing, no session", f.do("GET", "/nothing", ""))
			f.wantSessionCookie("t0 set", f.do("POST", "/set", `{"key":"a","value":1}`), twoWeeks)
			f.clock.Advance(twoWeeks*time.Second - time.Second)
			key := f.wantSessionCookie("t0+2w-1s nothing: saved anyway", f.do("GET", "/nothing", ""), twoWeeks)
			f.clock.Advance(time.Hour)
			f.want("t0+2w+1h: the lifetime restarted", f.replay("GET", "/get?key=a", "", "sessionid="+key), 200, `{"found":true,"key":"a","value":1}`, "-")
			f.wantDeletion("unknown key", f.replay("GET", "/nothing", "", "sessionid="+NewKey()))
		})
	}
}

func TestExpireAtBrowserCloseSetting(t *testing.T) {
	s := DefaultSettings()
	s.ExpireAtBrowserClose = true
	f := newMWFixture(t, testBackends[0], s)
	f.wantSessionCookie("set", f.do("POST", "/set", `{"key":"a","value":1}`), -1)
	f.want("expiry", f.do("GET", "/expiry", ""), 200, `{"at_browser_close":true,"seconds_left":1209600}`, "Cookie")
	f.wantSessionCookie("SetExpiry(60) overrides the setting", f.do("POST", "/expiry", `{"seconds":60}`), 60)
}

// TestSignedLogoutCannotRevoke documents the weakness of the signed backend
// (see signed.go): a token copied before logout still works after it.
func TestSignedLogoutCannotRevoke(t *testing.T) {
	f := newMWFixture(t, testBackends[3], DefaultSettings())
	token := f.wantSessionCookie("login", f.do("POST", "/login", `{"user":"alice"}`), twoWeeks)
	f.wantDeletion("flush", f.do("POST", "/flush", ""))
	got := f.replay("GET", "/get?key=user", "", "sessionid="+token)
	f.want("replay after logout", got, 200, `{"found":true,"key":"user","value":"alice"}`, "Cookie")
}

// failingStore fails the operations named in fail.
type failingStore struct {
	Store
	fail string // "load", "save", "create" or "delete"
}

var errStoreDown = errors.New("database is locked (at /secret/path)")

func (s failingStore) Load(ctx context.Context, key string) (map[string]json.RawMessage, time.Time, bool, error) {
	if s.fail == "load" {
		return nil, time.Time{}, false, errStoreDown
	}
	return s.Store.Load(ctx, key)
}

func (s failingStore) Save(ctx context.Context, key string, data map[string]json.RawMessage, expiry time.Time) error {
	if s.fail == "save" {
		return errStoreDown
	}
	return s.Store.Save(ctx, key, data, expiry)
}

func (s failingStore) Create(ctx context.Context, data map[string]json.RawMessage, expiry time.Time) (string, error) {
	if s.fail == "create" {
		return "", errStoreDown
	}
	return s.Store.Create(ctx, data, expiry)
}

func (s failingStore) Delete(ctx context.Context, key string) error {
	if s.fail == "delete" {
		return errStoreDown
	}
	return s.Store.Delete(ctx, key)
}

func TestStoreFailureAnswers503(t *testing.T) {
	const want503 = `{"error":"session store unavailable"}`
	for _, tc := range []struct {
		fail, method, path, body string
	}{
		{"create", "POST", "/set", `{"key":"a","value":1}`},
		{"save", "POST", "/set", `{"key":"b","value":2}`},
		{"load", "GET", "/get?key=a", ""},
		{"delete", "POST", "/flush", ""},
		{"delete", "POST", "/delete", `{"key":"a"}`},
	} {
		t.Run(tc.fail+" "+tc.path, func(t *testing.T) {
			c := clock.NewManual(tNow)
			mem := newMemory(c)
			key, _ := mem.Create(context.Background(), parseData(t, `{"a":1}`), tNow.Add(time.Hour))
			f := &mwFixture{t: t, store: mem, settings: DefaultSettings(), clock: c}
			f.srv = httptest.NewServer(Middleware(failingStore{mem, tc.fail}, DefaultSettings(), c)(testHandler()))
			defer f.srv.Close()
			cookie := "sessionid=" + key
			if tc.fail == "create" {
				cookie = ""
			}
			got := f.replay(tc.method, tc.path, tc.body, cookie)
			f.want(tc.fail, got, 503, want503, "")
			f.wantNoCookie(tc.fail, got)
		})
	}
}

// TestConcurrentLogout: request A loads the session, request B logs out,
// then A changes the session. A must not bring the session back.
func TestConcurrentLogout(t *testing.T) {
	c := clock.NewManual(tNow)
	store := newMemory(c)
	key, _ := store.Create(context.Background(), parseData(t, `{"user":"alice"}`), tNow.Add(time.Hour))
	loaded, proceed := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slow", func(w http.ResponseWriter, r *http.Request) {
		s := FromRequest(r)
		s.Get("user")
		close(loaded)
		<-proceed
		s.Set("cart", json.RawMessage(`["book"]`))
	})
	mux.Handle("/", testHandler())
	f := &mwFixture{t: t, store: store, settings: DefaultSettings(), clock: c}
	f.srv = httptest.NewServer(Middleware(store, DefaultSettings(), c)(mux))
	defer f.srv.Close()

	done := make(chan exchange)
	go func() { done <- f.replay("POST", "/slow", "", "sessionid="+key) }()
	<-loaded
	f.wantDeletion("B logs out", f.replay("POST", "/flush", "", "sessionid="+key))
	close(proceed)
	got := <-done
	f.want("A saves", got, 400, "", "")
	if !strings.Contains(got.body, "ended while this request used it") {
		t.Errorf("A saves: body %s", got.body)
	}
	f.wantGone("A saves", key)
}

func TestVary(t *testing.T) {
	for _, tc := range []struct{ before, want string }{
		{"", "Cookie"},
		{"Accept-Encoding", "Accept-Encoding, Cookie"},
		{"accept-encoding, cookie", "accept-encoding, cookie"},
		{"*", "*"},
	} {
		h := http.Header{}
		if tc.before != "" {
			h.Set("Vary", tc.before)
		}
		addVary(h, "Cookie")
		if got := strings.Join(h.Values("Vary"), ", "); got != tc.want {
			t.Errorf("Vary %q + Cookie = %q, want %q", tc.before, got, tc.want)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatalf("DefaultSettings: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Settings)
		want   string
	}{
		{"zero age", func(s *Settings) { s.CookieAge = 0 }, "CookieAge"},
		{"no path", func(s *Settings) { s.Path = "" }, "Path"},
		{"relative path", func(s *Settings) { s.Path = "app" }, "Path"},
		{"bad name", func(s *Settings) { s.CookieName = "session id" }, "not a token"},
		{"SameSite=None without Secure", func(s *Settings) { s.SameSite = "None" }, "requires Secure"},
		{"unknown SameSite", func(s *Settings) { s.SameSite = "lax" }, "SameSite"},
		{"__Host- without Secure", func(s *Settings) { s.CookieName = "__Host-sid" }, "__Host-"},
		{"__Host- with Domain", func(s *Settings) {
			s.CookieName, s.Secure, s.Domain = "__Host-sid", true, "example.test"
		}, "__Host-"},
		{"bad domain", func(s *Settings) { s.Domain = "exa mple.test" }, "Domain"},
	} {
		s := DefaultSettings()
		tc.change(&s)
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate = %v, want an error about %s", tc.name, err, tc.want)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Middleware accepted invalid settings")
			}
		}()
		Middleware(newMemory(clock.Real{}), Settings{}, nil)
	}()
}

// TestCookieAttributes checks the settings reach both the cookie and its
// deletion, which must match it in Path and Domain to replace it.
func TestCookieAttributes(t *testing.T) {
	s := Settings{CookieName: "__Secure-sid", CookieAge: 60, Secure: true, HttpOnly: true, SameSite: "Strict", Path: "/app/", Domain: "example.test"}
	c := clock.NewManual(tNow)
	store := newMemory(c)
	h := Middleware(store, s, c)(testHandler())
	do := func(method, path, body, cookie string) *http.Response {
		r := httptest.NewRequest(method, "http://example.test"+path, strings.NewReader(body))
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Result()
	}
	resp := do("POST", "/set", `{"key":"a","value":1}`, "")
	line := resp.Header.Get("Set-Cookie")
	key, _, _ := strings.Cut(strings.TrimPrefix(line, "__Secure-sid="), ";")
	want := "__Secure-sid=" + key + "; Path=/app/; Domain=example.test; Expires=Fri, 02 Jan 2026 03:05:05 GMT; Max-Age=60; Secure; HttpOnly; SameSite=Strict"
	if line != want {
		t.Errorf("Set-Cookie\n  %s\nwant\n  %s", line, want)
	}
	resp = do("POST", "/flush", "", "__Secure-sid="+key)
	want = "__Secure-sid=; Path=/app/; Domain=example.test; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Strict"
	if got := resp.Header.Get("Set-Cookie"); got != want {
		t.Errorf("deletion\n  %s\nwant\n  %s", got, want)
	}
}

// TestResponseReplacedAfterHeadersSet checks that a 503 drops what the
// handler had put in the header, and that the handler learns its writes go
// nowhere.
func TestResponseReplacedAfterHeadersSet(t *testing.T) {
	c := clock.NewManual(tNow)
	var writeErr error
	h := Middleware(failingStore{newMemory(c), "create"}, DefaultSettings(), c)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		FromRequest(r).Set("a", json.RawMessage(`1`))
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Length", "5")
		_, writeErr = io.WriteString(w, "hello")
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 503 || w.Header().Get("ETag") != "" || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("got %d %v", w.Code, w.Header())
	}
	if !errors.Is(writeErr, errResponseReplaced) {
		t.Errorf("handler's Write returned %v", writeErr)
	}
}

func TestFromRequestWithoutMiddleware(t *testing.T) {
	if s := FromRequest(httptest.NewRequest("GET", "/", nil)); s != nil {
		t.Errorf("FromRequest = %v, want nil", s)
	}
}
