package harness_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/server"
)

// verdicts records how a check ended, panicking like Ginkgo's Fail and
// Skip so that the check stops there.
type verdicts struct{ errMsg, skipMsg string }

type stopped struct{}

func (v *verdicts) Error(msg string) { v.errMsg = msg; panic(stopped{}) }
func (v *verdicts) Skip(msg string)  { v.skipMsg = msg; panic(stopped{}) }

// run runs body as a check would, returning when it ends or stops.
func run(body func()) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(stopped); !ok {
				panic(r)
			}
		}
	}()
	body()
}

func startReference(t *testing.T) (*server.Instance, *harness.Target) {
	t.Helper()
	srv := server.New(server.Options{Clock: &clock.Virtual{}, Hosts: harness.VirtualHosts})
	inst, err := server.Start(srv, server.Listen{HTTPAddr: "127.0.0.1:0", TLSAddr: "127.0.0.1:0", CertNames: harness.VirtualHosts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	target, err := harness.Connect(context.Background(), harness.Config{Target: inst.HTTPURL, RootCAs: inst.CAPool, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(target.Close)
	return inst, target
}

// TestBrowserAgainstTheReference shows how a check uses the harness: open
// a browser, talk to virtual hosts over both schemes, read the evidence.
func TestBrowserAgainstTheReference(t *testing.T) {
	_, target := startReference(t)
	if !target.Clock.Virtual() {
		t.Fatal("the reference declares a virtual clock; the harness did not take it")
	}
	v := &verdicts{}
	e := harness.NewEnv(context.Background(), target, v)

	// A browser on a virtual host: the dialer sends a.example.test to the
	// reference's loopback address, and the Host header names the host.
	b := e.NewBrowser().On("a.example.test")
	r := b.Get("cookies/set", "name", "n", "value", "v", "domain", "example.test")
	if r.Status != 200 || len(r.Decisions) != 1 || !r.Decisions[0].Stored {
		t.Fatalf("set: status %d, decisions %+v", r.Status, r.Decisions)
	}
	// The jar sends the Domain cookie to a sibling, over https too.
	got := b.On("b.example.test").Over("https").Get("cookies/get", "name", "n").Object()
	if got["found"] != true || got["value"] != "v" {
		t.Fatalf("get on the sibling over https: %v", got)
	}
	// The evidence: both exchanges, in order, with the Host sent.
	ex := e.Exchanges()
	if len(ex) != 2 {
		t.Fatalf("recorded %d exchanges, want 2", len(ex))
	}
	if ex[0].RequestHeaders[0] != [2]string{"Host", strings.Split(b.URL("", nil).Host, ":")[0] + ":" + b.URL("", nil).Port()} {
		t.Errorf("first exchange's Host: %v", ex[0].RequestHeaders[0])
	}
	if !strings.Contains(ex[0].Note, `jar stored "n"`) {
		t.Errorf("the evidence does not say what the jar did: %q", ex[0].Note)
	}
	if !strings.HasPrefix(ex[1].URL, "https://b.example.test:") {
		t.Errorf("second exchange went to %s", ex[1].URL)
	}
	if v.errMsg != "" || v.skipMsg != "" {
		t.Errorf("unexpected verdicts: %+v", v)
	}
}

func TestVirtualClockMovesTargetAndHarnessTogether(t *testing.T) {
	_, target := startReference(t)
	before := target.Clock.Now()
	if err := target.Clock.Advance(context.Background(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if d := target.Clock.Now().Sub(before); d < time.Hour-time.Second || d > time.Hour+5*time.Second {
		t.Errorf("the harness clock moved %s, want about an hour", d)
	}
	e := harness.NewEnv(context.Background(), target, &verdicts{})
	var answer struct{ Now time.Time }
	e.NewBrowser().Get("clock").Decode(&answer)
	if d := answer.Now.Sub(target.Clock.Now()); d < -2*time.Second || d > 2*time.Second {
		t.Errorf("target and harness clocks differ by %s after advancing", d)
	}
}

// TestTransportFailuresEndAsErrors: a target that refuses, never answers
// or streams forever ends the check as `error`, within the deadline.
func TestTransportFailuresEndAsErrors(t *testing.T) {
	manifest := `{"contract":"httpcheck/1","features":["cookies"],"hosts":{"any_host":true}}`
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/manifest":
			w.Write([]byte(manifest))
		case "/hang":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/endless":
			w.WriteHeader(200)
			chunk := []byte(strings.Repeat("x", 64<<10))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "/garbage":
			w.Write([]byte("<html>not json"))
		}
	}))
	defer srv.Close()
	target, err := harness.Connect(context.Background(), harness.Config{Target: srv.URL, Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()

	for _, path := range []string{"hang", "endless", "garbage"} {
		t.Run(path, func(t *testing.T) {
			v := &verdicts{}
			e := harness.NewEnv(context.Background(), target, v)
			start := time.Now()
			run(func() { e.NewBrowser().Get(path).Object() })
			if v.errMsg == "" {
				t.Fatalf("GET %s did not end the check as an error", path)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("GET %s took %s, past its deadline", path, took)
			}
			t.Logf("%s: %s", path, v.errMsg)
		})
	}
}

// TestManifestCookieAge: a null or absent cookie_age is no lifetime, never
// zero (express-session's cookie without maxAge says null).
func TestManifestCookieAge(t *testing.T) {
	for body, want := range map[string]string{
		`{"contract":"httpcheck/1","features":["sessions"],"session":{"cookie_name":"sid","cookie_age":null}}`: "none",
		`{"contract":"httpcheck/1","features":["sessions"],"session":{"cookie_name":"sid"}}`:                   "none",
		`{"contract":"httpcheck/1","features":["sessions"],"session":{"cookie_name":"sid","cookie_age":60}}`:   "60",
	} {
		m, err := harness.ParseManifest([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		got := "none"
		if m.Session.CookieAge != nil {
			got = fmt.Sprint(*m.Session.CookieAge)
		}
		if got != want {
			t.Errorf("%s: cookie_age %s, want %s", body, got, want)
		}
	}
}

func TestConnectErrors(t *testing.T) {
	for _, tc := range []struct {
		manifest string
		wantErr  string
	}{
		{`not json`, "not valid JSON"},
		{`{"features":[]}`, `no "contract"`},
		{`{"contract":"httpcheck/2"}`, `"httpcheck/2"`},
		{`{"contract":"httpcheck/1","urls":{"https":"https://x/?a=1"}}`, "no query"},
		{`{"contract":"httpcheck/1","features":["sessions"]}`, `no "session" settings`},
		{`{"contract":"httpcheck/1","urls":{"https":"http://x/"}}`, "not an absolute https URL"},
		{`{"contract":"httpcheck/1","features":["cache"]}`, "no cache aliases"},
		// docs/contract.md: unknown features are refused, so that a
		// misspelt one does not silently skip its checks.
		{`{"contract":"httpcheck/1","features":["cookies","sesions"]}`, `unknown feature "sesions"`},
		{`{"contract":"httpcheck/1","features":["sessions"],"session":{"cookie_name":"sid","cookie_age":0}}`, "cookie_age is 0"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tc.manifest) }))
		_, err := harness.Connect(context.Background(), harness.Config{Target: srv.URL})
		srv.Close()
		var ce *harness.ConfigError
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("manifest %s: error %v, want one saying %q", tc.manifest, err, tc.wantErr)
		} else if !errors.As(err, &ce) {
			t.Errorf("manifest %s: %T is not a ConfigError", tc.manifest, err)
		}
	}
	_, err := harness.Connect(context.Background(), harness.Config{Target: "http://127.0.0.1:1/", Timeout: time.Second})
	var ue *harness.UnreachableError
	if !errors.As(err, &ue) {
		t.Errorf("closed port: %v, want an UnreachableError", err)
	}
}
