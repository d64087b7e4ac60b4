package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/internal/resultschema"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/embedded"
	"github.com/httpcheck/httpcheck/reports"
)

// The test binary doubles as the httpcheck binary: with HTTPCHECK_AS_MAIN
// set it runs Main on its arguments. Ginkgo runs one spec tree per
// process, so every `run` that reaches the checks runs in a child.
func TestMain(m *testing.M) {
	if os.Getenv("HTTPCHECK_AS_MAIN") != "" {
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// httpcheck runs `httpcheck args...` in a child process (startChild) and
// waits for it to exit.
func httpcheck(t *testing.T, args ...string) result {
	t.Helper()
	start := time.Now()
	r := startChild(t, nil, nil, args...).wait()
	r.took = time.Since(start)
	return r
}

// readResults reads the results.json of a run, after checking it against
// the published schema (docs/results.schema.json).
func readResults(t *testing.T, dir string) *reports.Results {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := resultschema.Validate(data); err != nil {
		t.Fatalf("%s/results.json breaks docs/results.schema.json: %v", dir, err)
	}
	res, err := reports.ReadJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRunAgainstTheBundledReference(t *testing.T) {
	out := t.TempDir()
	r := httpcheck(t, "run", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	for _, f := range []string{"index.html", "results.json", "junit.xml"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("report file missing: %v", err)
		}
	}
	res := readResults(t, out)
	ids := map[string]bool{}
	for _, c := range res.Checks {
		if c.Suite == "cookies" {
			ids[c.ID] = true
		}
		if c.State != reports.Passed {
			t.Errorf("%s: %s: %s", c.ID, c.State, c.Message)
		}
	}
	if len(ids) < 30 {
		t.Errorf("results.json lists %d distinct cookies checks, want at least 30", len(ids))
	}
	if !strings.Contains(r.stderr, "PASS") {
		t.Errorf("no progress on stderr:\n%s", r.stderr)
	}
}

// TestRealClock runs against a reference on the wall clock: the expiry
// checks share one real wait instead of a virtual step.
func TestRealClock(t *testing.T) {
	inst, err := embedded.Start(embedded.Options{Clock: clock.Real{}, HTTPAddr: "127.0.0.1:0", TLSAddr: "127.0.0.1:0", Hosts: harness.VirtualHosts})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, inst.CAPEM, 0o600)
	out := t.TempDir()
	r := httpcheck(t, "run", "--target", inst.HTTPURL, "--ca", ca, "--real-clock", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "real clock") {
		t.Errorf("stderr does not say the run used a real clock:\n%s", r.stderr)
	}
	t.Logf("real-clock run took %s", r.took)

	// With --max-wait below the shared wait, the checks that need it are
	// skipped, each with the reason.
	out = t.TempDir()
	r = httpcheck(t, "run", "--target", inst.HTTPURL, "--ca", ca, "--max-wait", "1s", "--suite", "cookies", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	skipped := 0
	for _, c := range readResults(t, out).Checks {
		if c.State == reports.Skipped {
			skipped++
			if !strings.Contains(c.Message, "longer than --max-wait 1s") {
				t.Errorf("%s skipped with %q, want the --max-wait reason", c.ID, c.Message)
			}
		}
	}
	if skipped == 0 {
		t.Error("no check was skipped for --max-wait 1s")
	}
}

func TestExitCodes(t *testing.T) {
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"contract": "httpcheck/1", "features": "cookies"`))
	}))
	defer garbage.Close()
	wrongContract := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"contract": "other/9", "features": []}`))
	}))
	defer wrongContract.Close()

	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"unreachable target", []string{"run", "--target", "http://127.0.0.1:1"}, 3, "unreachable"},
		{"malformed manifest", []string{"run", "--target", garbage.URL}, 2, "manifest"},
		{"other contract", []string{"run", "--target", wrongContract.URL}, 2, "other/9"},
		{"unknown flag", []string{"run", "--frobnicate"}, 2, "frobnicate"},
		{"unknown suite", []string{"run", "--suite", "nope"}, 2, `unknown suite "nope"`},
		{"bad label filter", []string{"run", "--label-filter", "a &&"}, 2, "label-filter"},
		{"bad fail-on", []string{"run", "--fail-on", "sometimes"}, 2, "fail-on"},
		{"relative target", []string{"run", "--target", "localhost:8080"}, 2, "absolute"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"no command", nil, 2, "Usage"},
		{"list unknown suite", []string{"list", "--suite", "nope"}, 2, "unknown suite"},
		{"report without input", []string{"report"}, 2, "--in"},
		{"report of a missing file", []string{"report", "--in", "/nonexistent/results.json"}, 2, "no such file"},
		{"serve with a bad clock", []string{"serve", "--clock", "sundial"}, 2, "sundial"},
		{"version", []string{"version"}, 0, "httpcheck"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httpcheck(t, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout+r.stderr, tc.says) {
				t.Errorf("output does not say %q:\nstdout: %s\nstderr: %s", tc.says, r.stdout, r.stderr)
			}
			if strings.Contains(r.stderr, "panic") {
				t.Errorf("panicked:\n%s", r.stderr)
			}
		})
	}
}

func TestList(t *testing.T) {
	r := httpcheck(t, "list", "--format", "json", "--suite", "cookies", "--label-filter", "level:MUST")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rows []struct{ ID, Level string }
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("no MUST checks listed")
	}
	for _, row := range rows {
		if row.Level != "MUST" || !strings.HasPrefix(row.ID, "cookies/") {
			t.Errorf("listed %s (%s), outside the filter", row.ID, row.Level)
		}
	}
}

func TestReportRerendersAndCompares(t *testing.T) {
	res := &reports.Results{Schema: reports.Schema, Tool: "test", Targets: []reports.Target{{Name: "a", URL: "http://a.test/"}},
		Checks: []reports.Check{{ID: "cookies/basics/set-get", Suite: "cookies", Title: "t", Level: reports.Must, Refs: []string{"contract cookies"}, State: reports.Passed}}}
	dir := t.TempDir()
	if err := reports.WriteAll(dir, res); err != nil {
		t.Fatal(err)
	}
	other := *res
	other.Targets = []reports.Target{{Name: "b", URL: "http://b.test/"}}
	other.Checks = []reports.Check{res.Checks[0]}
	other.Checks[0].State = reports.Failed
	dir2 := t.TempDir()
	if err := reports.WriteAll(dir2, &other); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	r := httpcheck(t, "report", "--in", filepath.Join(dir, "results.json"), "--in", filepath.Join(dir2, "results.json"), "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	html, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(html, []byte("cookies/basics/set-get")) {
		t.Error("the matrix does not show the check")
	}
}
