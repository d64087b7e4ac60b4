package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpcheck/httpcheck/reports"
)

// TestBaselineAndDiff runs the probe against a server with one MUST
// failure (no Date), takes a baseline of that run, and shows that the same
// failure no longer fails the build while a new one (an ETag that breaks
// its own If-None-Match) does, named in summary.md; that a known failure
// that passes is reported as fixed and, with --fail-on-fixed, fails the
// build; that an expired entry stops counting; and that report --diff
// between the runs lists exactly the checks that broke.
func TestBaselineAndDiff(t *testing.T) {
	worse := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Cache-Control", "max-age=60")
		if worse && r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusPreconditionFailed) // not 304: a MUST failure the first run did not have
			return
		}
		if inm := r.Header.Get("If-None-Match"); inm == `"v1"` || inm == "*" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write([]byte("page"))
	}))
	defer srv.Close()
	url := srv.URL + "/"

	first := t.TempDir()
	if r := httpcheck(t, "probe", url, "--out", first); r.code != 1 {
		t.Fatalf("first run: exit %d, want 1 (no Date)\n%s", r.code, r.stderr)
	}
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	if r := httpcheck(t, "baseline", "--in", first, "--out", baseline, "--reason", "the CDN strips Date; ticket 42"); r.code != 0 {
		t.Fatalf("baseline: exit %d\n%s", r.code, r.stderr)
	}
	var b reports.Baseline
	data, _ := os.ReadFile(baseline)
	if err := json.Unmarshal(data, &b); err != nil || len(b.Known) == 0 || b.Known[0].Reason != "the CDN strips Date; ticket 42" {
		t.Fatalf("baseline file %s: %v", data, err)
	}

	// The same run with the baseline: every failure is known.
	out := t.TempDir()
	if r := httpcheck(t, "probe", url, "--baseline", baseline, "--out", out); r.code != 0 {
		t.Fatalf("with the baseline: exit %d, want 0\n%s", r.code, r.stderr)
	}
	res := readResults(t, out)
	if res.Baseline == nil || res.Baseline.New != 0 || res.Baseline.Known != len(b.Known) {
		t.Errorf("baseline report %+v, want %d known and none new", res.Baseline, len(b.Known))
	}
	// A results.json serves as a baseline too.
	if r := httpcheck(t, "probe", url, "--baseline", filepath.Join(first, "results.json"), "--out", t.TempDir()); r.code != 0 {
		t.Errorf("with results.json as the baseline: exit %d, want 0\n%s", r.code, r.stderr)
	}

	// One new failure: exit 1, named in the summary as new.
	worse = true
	second := t.TempDir()
	r := httpcheck(t, "probe", url, "--baseline", baseline, "--out", second)
	if r.code != 1 {
		t.Fatalf("with a new failure: exit %d, want 1\n%s", r.code, r.stderr)
	}
	summary, _ := os.ReadFile(filepath.Join(second, "summary.md"))
	if !strings.Contains(string(summary), "## New failures and errors") || !strings.Contains(string(summary), "`probe/if-none-match/match-gets-304`") {
		t.Errorf("summary.md does not name the new failure:\n%s", summary)
	}
	page, _ := os.ReadFile(filepath.Join(second, "index.html"))
	banner := string(page)
	if i := strings.Index(banner, `class="verdict`); i >= 0 {
		banner, _, _ = strings.Cut(banner[i:], "</p>")
	}
	if !strings.Contains(banner, "failed at MUST") || !strings.Contains(banner, "probe/if-none-match/match-gets-304") {
		t.Errorf("the HTML banner does not name the new failure: %s", banner)
	}
	newOnes := map[string]bool{}
	for _, c := range readResults(t, second).Checks {
		if c.Baseline == reports.BaselineNew {
			newOnes[c.ID] = true
		}
	}

	// report --diff lists exactly the checks that broke.
	d := httpcheck(t, "report", "--diff", first, second, "--format", "json")
	if d.code != 0 {
		t.Fatalf("report --diff: exit %d\n%s", d.code, d.stderr)
	}
	var diff reports.Diff
	if err := json.Unmarshal([]byte(d.stdout), &diff); err != nil {
		t.Fatalf("report --diff --format json: %v\n%s", err, d.stdout)
	}
	if len(diff.NewFailures) != len(newOnes) || len(diff.NewFailures) == 0 {
		t.Errorf("diff lists %d new failures %+v, want the %d the baseline calls new: %v", len(diff.NewFailures), diff.NewFailures, len(newOnes), newOnes)
	}
	for _, c := range diff.NewFailures {
		if !newOnes[c.ID] {
			t.Errorf("diff lists %s, which did not break", c.ID)
		}
	}
	if md := httpcheck(t, "report", "--diff", first, second, "--format", "markdown"); md.code != 0 || !strings.Contains(md.stdout, "## New failures") {
		t.Errorf("report --diff --format markdown: exit %d\n%s", md.code, md.stdout)
	}
	if bad := httpcheck(t, "report", "--diff", first); bad.code != 2 {
		t.Errorf("report --diff with one run: exit %d, want 2", bad.code)
	}

	// A known failure that passes is fixed; --fail-on-fixed fails on it.
	fixedList := filepath.Join(t.TempDir(), "fixed.json")
	os.WriteFile(fixedList, []byte(`{"schema": "httpcheck-baseline/1", "known": [
		{"id": "probe/date/present", "reason": "the CDN strips Date"},
		{"id": "probe/cache-control/valid-syntax", "reason": "it was broken once"}]}`), 0o600)
	worse = false
	if r := httpcheck(t, "probe", url, "--baseline", fixedList, "--out", t.TempDir()); r.code != 0 || !strings.Contains(r.stderr, "1 fixed") {
		t.Errorf("a fixed entry: exit %d, want 0 saying 1 fixed\n%s", r.code, r.stderr)
	}
	if r := httpcheck(t, "probe", url, "--baseline", fixedList, "--fail-on-fixed", "--out", t.TempDir()); r.code != 1 {
		t.Errorf("--fail-on-fixed: exit %d, want 1\n%s", r.code, r.stderr)
	}

	// An expired entry counts no more.
	expired := filepath.Join(t.TempDir(), "expired.json")
	os.WriteFile(expired, []byte(`{"schema": "httpcheck-baseline/1", "known": [
		{"id": "probe/date/present", "reason": "until the CDN is fixed", "expires": "2020-01-31"}]}`), 0o600)
	if r := httpcheck(t, "probe", url, "--baseline", expired, "--out", t.TempDir()); r.code != 1 || !strings.Contains(r.stderr, "1 expired") {
		t.Errorf("an expired entry: exit %d, want 1 saying 1 expired\n%s", r.code, r.stderr)
	}

	// A malformed baseline is a usage error that names the problem.
	broken := filepath.Join(t.TempDir(), "broken.json")
	os.WriteFile(broken, []byte(`{"schema": "httpcheck-baseline/1", "known": [{"id": "probe/date/present"}]}`), 0o600)
	if r := httpcheck(t, "probe", url, "--baseline", broken, "--out", t.TempDir()); r.code != 2 || !strings.Contains(r.stderr, "give a reason") {
		t.Errorf("a baseline entry without a reason: exit %d, want 2\n%s", r.code, r.stderr)
	}
}
