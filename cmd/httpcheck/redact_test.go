package main

// Issue 14: the reports of a run are safe to upload. Each test runs a
// command with known secrets (a bearer token, a recipe password from the
// environment, an origin token) against a target whose every issued
// cookie value is recorded on the server side, then reads every file the
// run wrote, and its stderr, for each secret and each of those values:
// zero occurrences. The verdicts are those of the same run with
// --no-redact, which says so at the top of every report.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reference/embedded"
	"github.com/httpcheck/httpcheck/reports"
	"github.com/httpcheck/httpcheck/reports/redact"
)

// issued records every cookie value a target set or was sent that is long
// enough to be a credential (shorter ones are shown as they are).
type issued struct {
	mu     sync.Mutex
	values map[string]bool
}

func (s *issued) add(v string) {
	v = strings.Trim(v, `"`)
	if len(v) < redact.MinSessionValue {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string]bool{}
	}
	s.values[v] = true
}

func (s *issued) request(r *http.Request) {
	for _, c := range r.Cookies() {
		s.add(c.Value)
	}
}

func (s *issued) response(h http.Header) {
	for _, sc := range h.Values("Set-Cookie") {
		pair, _, _ := strings.Cut(sc, ";")
		if _, v, ok := strings.Cut(pair, "="); ok {
			s.add(strings.TrimSpace(v))
		}
	}
}

func (s *issued) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for v := range s.values {
		out = append(out, v)
	}
	return out
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// recordedReference starts the reference server with every cookie value
// recorded, and two pages of a careless service: /echo repeats the
// Authorization and Cookie it was sent and sets a session of its own, and
// /session/login wants a password besides the user, when one is given.
func recordedReference(t *testing.T, password string) (*issued, string, string, string) {
	t.Helper()
	rec := &issued{}
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec.request(r)
			defer rec.response(w.Header())
			switch r.URL.Path {
			case "/echo":
				http.SetCookie(w, &http.Cookie{Name: "echo_session", Value: randomHex(t, 16), Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
				w.Header().Set("Cache-Control", "no-store")
				fmt.Fprintf(w, "Authorization: %s\nCookie: %s\n", r.Header.Get("Authorization"), r.Header.Get("Cookie"))
				return
			case "/session/login":
				if password == "" {
					break
				}
				var body map[string]any
				data, _ := io.ReadAll(r.Body)
				if json.Unmarshal(data, &body) != nil || body["password"] != password {
					http.Error(w, "wrong password", http.StatusForbidden)
					return
				}
				delete(body, "password")
				data, _ = json.Marshal(body)
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(data)), int64(len(data))
			}
			h.ServeHTTP(w, r)
		})
	}
	inst, err := embedded.Start(embedded.Options{HTTPAddr: "127.0.0.1:0", TLSAddr: "127.0.0.1:0", Hosts: harness.VirtualHosts, Wrap: wrap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, inst.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return rec, inst.HTTPURL, inst.HTTPSURL, ca
}

// expectNoLeak reads every file in dir, and stderr, for each secret.
func expectNoLeak(t *testing.T, dir, stderr string, secrets []string) {
	t.Helper()
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{"stderr": stderr}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		texts[f.Name()] = string(data)
	}
	if len(texts) < 4 {
		t.Fatalf("the run wrote %d files, want results.json, junit.xml and index.html", len(files))
	}
	leaks := 0
	for name, text := range texts {
		for _, s := range secrets {
			if n := strings.Count(text, s); n > 0 {
				leaks++
				if leaks <= 10 {
					t.Errorf("%s holds %q %d times", name, s, n)
				}
			}
		}
	}
	if leaks > 0 {
		t.Errorf("%d secrets leak into the reports (searched %d files for %d values)", leaks, len(texts), len(secrets))
	}
}

// verdicts are a run's states by check and target.
func verdicts(res *reports.Results) map[string]reports.State {
	m := map[string]reports.State{}
	for _, c := range res.Checks {
		m[c.ID+" "+c.Target] = c.State
	}
	return m
}

// expectSameVerdicts compares a redacted run with an unredacted one, and
// checks what each says about redaction.
func expectSameVerdicts(t *testing.T, redacted, plain string, plainStderr string) {
	t.Helper()
	a, b := readResults(t, redacted), readResults(t, plain)
	if a.Redaction != reports.RedactionOn || b.Redaction != reports.RedactionOff {
		t.Errorf("results.json redaction %q and %q, want on and off", a.Redaction, b.Redaction)
	}
	va, vb := verdicts(a), verdicts(b)
	if len(va) == 0 || len(va) != len(vb) {
		t.Errorf("%d verdicts redacted, %d with --no-redact", len(va), len(vb))
	}
	for k, s := range va {
		if vb[k] != s {
			t.Errorf("%s: %s redacted, %s with --no-redact", k, s, vb[k])
		}
	}
	for name, want := range map[string]string{"index.html": reports.Unredacted, "junit.xml": `name="redaction"`} {
		data, _ := os.ReadFile(filepath.Join(plain, name))
		if !strings.Contains(string(data), want) {
			t.Errorf("--no-redact: %s does not say it is unredacted", name)
		}
		data, _ = os.ReadFile(filepath.Join(redacted, name))
		if strings.Contains(string(data), want) {
			t.Errorf("a redacted %s says it is unredacted", name)
		}
	}
	if !strings.Contains(plainStderr, reports.Unredacted) {
		t.Errorf("--no-redact: stderr does not say so:\n%s", plainStderr)
	}
}

// TestRedactRun: `run` against the bundled reference server. Every
// session id and cookie value it issued is absent from the reports, which
// show each as a fingerprint.
func TestRedactRun(t *testing.T) {
	rec, httpURL, _, ca := recordedReference(t, "")
	out := t.TempDir()
	r := httpcheck(t, "run", "--target", httpURL, "--ca", ca, "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	values := rec.list()
	if len(values) < 100 {
		t.Fatalf("the reference issued %d cookie values of redact.MinSessionValue characters or more; want the sessions of a whole run", len(values))
	}
	expectNoLeak(t, out, r.stderr, values)
	data, _ := os.ReadFile(filepath.Join(out, "results.json"))
	if !strings.Contains(string(data), "sessionid=") || !strings.Contains(string(data), "…(32 chars, #") {
		t.Error("results.json shows no session id fingerprint")
	}

	plain := t.TempDir()
	p := httpcheck(t, "run", "--target", httpURL, "--ca", ca, "--out", plain, "--no-redact")
	expectSameVerdicts(t, out, plain, p.stderr)
	// The unredacted run shows what the redacted one hid.
	data, _ = os.ReadFile(filepath.Join(plain, "results.json"))
	if !strings.Contains(string(data), rec.list()[0]) && !strings.Contains(string(data), "sessionid=") {
		t.Error("--no-redact hid the session values")
	}
}

// TestRedactProbeSession: `probe --session` with a bearer token from the
// environment in --header, a recipe whose login password comes from the
// environment, and a page that echoes the credentials it was sent.
func TestRedactProbeSession(t *testing.T) {
	token, password := "TOKEN-SECRET-"+randomHex(t, 8), "pw-"+randomHex(t, 8)
	t.Setenv("HC_TEST_TOKEN", token)
	t.Setenv("HC_TEST_PASSWORD", password)
	rec, _, httpsURL, ca := recordedReference(t, password)
	recipe := filepath.Join(t.TempDir(), "recipe.json")
	os.WriteFile(recipe, []byte(`{
  "base": "`+httpsURL+`",
  "session_cookie": "sessionid",
  "before": [{"method": "POST", "url": "session/set", "json": {"key": "cart", "value": "3 items"}}],
  "login": {"method": "POST", "url": "session/login", "json": {"user": "alice", "password": {"env": "HC_TEST_PASSWORD"}}},
  "protected": {"url": "session/whoami", "logged_in": {"status": 200, "body": "\"user\":\\s*\"alice\""}},
  "logout": {"method": "POST", "url": "session/logout"}
}`), 0o600)
	args := []string{"probe", httpsURL + "echo", "--header", "Authorization: Bearer ${HC_TEST_TOKEN}", "--session", recipe, "--ca", ca, "--fail-on", "none"}
	out := t.TempDir()
	r := httpcheck(t, append(args, "--out", out)...)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	res := readResults(t, out)
	for _, c := range res.Checks {
		if strings.HasPrefix(c.ID, "probe/session/") && c.State != reports.Passed {
			t.Errorf("%s: %s: %s (the recipe's password from the environment must log in)", c.ID, c.State, c.Message)
		}
	}
	values := rec.list()
	if len(values) < 20 {
		t.Fatalf("the target issued %d cookie values; want the 20 logins' at least", len(values))
	}
	expectNoLeak(t, out, r.stderr, append(values, token, password))

	plain := t.TempDir()
	p := httpcheck(t, append(args, "--out", plain, "--no-redact")...)
	expectSameVerdicts(t, out, plain, p.stderr)
	data, _ := os.ReadFile(filepath.Join(plain, "results.json"))
	if !strings.Contains(string(data), token) || !strings.Contains(string(data), password) {
		t.Error("--no-redact: the token or the password is missing, so the redacted run proved nothing")
	}

	// A variable that is not set is a usage error naming it.
	for _, tc := range []struct{ args []string }{
		{[]string{"probe", httpsURL, "--header", "Authorization: Bearer $HC_TEST_UNSET"}},
		{[]string{"probe", httpsURL, "--session", writeRecipe(t, `{"login": {"url": "/l", "json": {"password": {"env": "HC_TEST_UNSET"}}}, "protected": {"url": "/p", "logged_in": {"status": 200}}}`)}},
	} {
		r := httpcheck(t, append(tc.args, "--out", t.TempDir(), "--ca", ca)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "HC_TEST_UNSET") {
			t.Errorf("%v: exit %d, want 2 naming HC_TEST_UNSET\n%s", tc.args, r.code, r.stderr)
		}
	}
}

func writeRecipe(t *testing.T, recipe string) string {
	path := filepath.Join(t.TempDir(), "recipe.json")
	if err := os.WriteFile(path, []byte(recipe), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRedactRunCache: `run --cache` against the reference proxy, with an
// origin token, and every cookie the harness origin set through the cache
// recorded between the cache and the origin.
func TestRedactRunCache(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for real")
	}
	token := "origin-" + randomHex(t, 12)
	originURL := background(t, "httpcheck origin: ", "origin", "--addr", "127.0.0.1:0", "--token", token)
	target, err := url.Parse(originURL)
	if err != nil {
		t.Fatal(err)
	}
	rec := &issued{}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error { rec.response(resp.Header); return nil }
	between := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { rec.request(r); rp.ServeHTTP(w, r) }))
	defer between.Close()
	cacheURL := background(t, "httpcheck proxy: ", "proxy", "--listen", "127.0.0.1:0", "--origin", between.URL+"/")
	args := []string{"run", "--proxy", cacheURL, "--origin", originURL, "--origin-token", token}
	out := t.TempDir()
	r := httpcheck(t, append(args, "--out", out)...)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	values := rec.list()
	t.Logf("the origin set %d cookie values of redact.MinSessionValue characters or more through the cache", len(values))
	expectNoLeak(t, out, r.stderr, append(values, token))
	plain := t.TempDir()
	p := httpcheck(t, append(args, "--out", plain, "--no-redact")...)
	expectSameVerdicts(t, out, plain, p.stderr)
}

// TestUnwritableOut: a report directory that cannot be written is a usage
// error before anything runs.
func TestUnwritableOut(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	for _, args := range [][]string{
		{"run", "--out", filepath.Join(file, "reports")},
		{"probe", "http://127.0.0.1:1/", "--out", file},
	} {
		r := httpcheck(t, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "--out") || strings.Contains(r.stderr, "[1/") {
			t.Errorf("%v: exit %d, want 2 about --out before any check\n%s", args, r.code, r.stderr)
		}
	}
}
