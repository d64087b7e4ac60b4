package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/httpcheck/httpcheck/reports"
)

// TestProbe runs `httpcheck probe` against two small servers: one that
// gets what the probe grades right, one without a Date (a MUST), and shows
// the reports, the exit codes, --fail-on and --header.
func TestProbe(t *testing.T) {
	var mu sync.Mutex
	var auth []string
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Cache-Control", "max-age=60")
		w.Write([]byte("fine"))
	}))
	defer good.Close()
	noDate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		w.Write([]byte("no date"))
	}))
	defer noDate.Close()

	out := t.TempDir()
	r := httpcheck(t, "probe", good.URL+"/page?x=1", "--header", "Authorization: Bearer t0ken", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	res := readResults(t, out)
	if len(res.Targets) != 1 || res.Targets[0].URL != good.URL+"/page?x=1" {
		t.Errorf("targets %+v, want the URL as given", res.Targets)
	}
	for _, c := range res.Checks {
		if !strings.HasPrefix(c.ID, "probe/") {
			t.Errorf("a probe ran %s, which is not a probe check", c.ID)
		}
	}
	if len(res.Checks) < 30 {
		t.Errorf("%d checks, want every probe check on the URL", len(res.Checks))
	}
	// Every request carries the --header, except those with which
	// site/credential-variance-declared compares the page without it.
	var comparisons int
	for _, c := range res.Checks {
		if c.ID != "probe/site/credential-variance-declared" {
			continue
		}
		for _, ex := range c.Exchanges {
			if !slices.ContainsFunc(ex.RequestHeaders, func(h [2]string) bool { return h[0] == "Authorization" }) {
				comparisons++
			}
		}
	}
	mu.Lock()
	var without int
	for _, a := range auth {
		switch a {
		case "Bearer t0ken":
		case "":
			without++
		default:
			t.Errorf("a request carried Authorization %q, want the --header", a)
		}
	}
	if without != comparisons || comparisons == 0 {
		t.Errorf("%d requests without Authorization, want the %d site/credential-variance-declared made to compare (and at least one)", without, comparisons)
	}
	mu.Unlock()

	// A MUST failure: exit 1, unless --fail-on says otherwise; with two
	// URLs, every verdict names its URL.
	out = t.TempDir()
	r = httpcheck(t, "probe", good.URL+"/", noDate.URL+"/", "--out", out)
	if r.code != 1 || !strings.Contains(r.stderr, "probe/date/present ("+noDate.URL+"/)") {
		t.Errorf("exit %d, want 1 with date/present failed on %s\n%s", r.code, noDate.URL, r.stderr)
	}
	res = readResults(t, out)
	failed := map[string]bool{}
	for _, c := range res.Checks {
		if c.State == reports.Failed {
			failed[c.ID+" "+c.Target] = true
		}
	}
	if !failed["probe/date/present "+noDate.URL+"/"] || len(res.Targets) != 2 {
		t.Errorf("want date/present failed on %s/ among 2 targets; failed: %v, targets %d", noDate.URL, failed, len(res.Targets))
	}
	if r := httpcheck(t, "probe", noDate.URL+"/", "--fail-on", "none", "--out", t.TempDir()); r.code != 0 {
		t.Errorf("--fail-on none: exit %d, want 0\n%s", r.code, r.stderr)
	}
}

func TestProbeExitCodes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	badRecipe := filepath.Join(t.TempDir(), "recipe.json")
	os.WriteFile(badRecipe, []byte(`{"login": {"url": "/login"}}`), 0o600)
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"no URL", []string{"probe"}, 2, "give a URL"},
		{"a relative URL", []string{"probe", "example.test/x"}, 2, "absolute"},
		{"the same URL twice", []string{"probe", srv.URL + "/", srv.URL + "/"}, 2, "given twice"},
		{"unreachable", []string{"probe", "http://127.0.0.1:1/"}, 3, "unreachable"},
		{"a malformed header", []string{"probe", srv.URL, "--header", "no colon"}, 2, "Name: value"},
		{"a missing recipe", []string{"probe", srv.URL, "--session", "/nonexistent/recipe.json"}, 2, "no such file"},
		{"a bad recipe", []string{"probe", srv.URL, "--session", badRecipe}, 2, "protected.url is missing"},
		{"bad fail-on", []string{"probe", srv.URL, "--fail-on", "sometimes"}, 2, "fail-on"},
		{"run does not run the probe", []string{"run", "--suite", "probe"}, 2, "httpcheck probe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httpcheck(t, append(tc.args, "--out", t.TempDir())...)
			if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.says) {
				t.Errorf("exit %d, want %d saying %q\nstdout: %s\nstderr: %s", r.code, tc.code, tc.says, r.stdout, r.stderr)
			}
		})
	}
	r := httpcheck(t, "list", "--suite", "probe")
	if r.code != 0 || strings.Count(r.stdout, "probe/") < 41 {
		t.Errorf("list --suite probe: exit %d, %d checks\n%s", r.code, strings.Count(r.stdout, "probe/"), r.stderr)
	}
}
