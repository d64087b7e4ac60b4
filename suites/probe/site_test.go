package probe_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/httpcheck/httpcheck/crawl"
	"github.com/httpcheck/httpcheck/crawl/crawltest"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reports"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

// siteFault maps the names of the site faults to the fixture site's
// faulty variants (crawl/crawltest): TestFaults runs the probe over the
// crawled variant instead of the reference.
var siteFault = map[string]crawltest.Fault{}

// siteFaults are the faults of the site checks, each a variant of the
// 209-URL fixture site.
func siteFaults(t *testing.T) []ft.Fault {
	breaks := map[crawltest.Fault]string{
		crawltest.HashedShortLifetime:     "site/hashed-assets-long-lived",
		crawltest.UnhashedLongNoValidator: "site/unhashed-assets-revalidable",
		crawltest.HTMLLongLifetime:        "site/html-revalidated",
		crawltest.UnstableValidators:      "site/validators-stable",
		crawltest.CookieAttributesDiffer:  "site/cookie-attributes-consistent",
		crawltest.SessionCookieSoft:       "site/session-cookies-hardened",
		crawltest.CookieVariesUnmarked:    "site/credential-variance-declared",
		crawltest.CompressedSameETag:      "site/compressed-variants-distinct",
	}
	var out []ft.Fault
	for fault, id := range breaks {
		name := "site: " + string(fault)
		siteFault[name] = fault
		out = append(out, ft.Fault{Name: name, Breaks: ft.Checks(t, "probe", id)})
	}
	return out
}

// crawledSite serves the fixture site, crawls it, and returns its URLs
// as a probe run.
func crawledSite(t *testing.T, site crawltest.Site) ft.Target {
	t.Helper()
	srv := httptest.NewServer(site.Handler())
	t.Cleanup(srv.Close)
	res, err := crawl.Crawl(context.Background(), srv.URL+"/", crawl.Options{MaxPages: 300})
	if err != nil {
		t.Fatal(err)
	}
	return ft.ProbeRun{URLs: res.Targets()}
}

// TestSite: over the correct fixture site, every site check passes, and
// no check at all fails.
func TestSite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the probe in a child process")
	}
	res := ft.RunOn(t, crawledSite(t, crawltest.Site{}), "probe")
	passed := map[string]bool{}
	for _, c := range res.Checks {
		if c.State == "passed" {
			passed[c.ID] = true
		}
		if c.State == "failed" || c.State == "error" {
			t.Errorf("%s on %s: %s %s", c.ID, c.Target, c.State, c.Message)
		}
	}
	for _, c := range check.All() {
		if c.Suite() == "probe" && len(c.ID) > 11 && c.ID[:11] == "probe/site/" && !passed[c.ID] {
			t.Errorf("%s did not pass on the correct fixture site", c.ID)
		}
	}
}

// TestNginxSite: nginx (Debian's package) serves the fixture site as
// static files with its default caching (testdata/nginx-site.conf), and
// the probe crawls and grades it. The site checks name the gaps nginx's
// defaults leave: no Cache-Control at all, so hashed assets are not
// long-lived and HTML is left to heuristic freshness. nginx's
// not-modified filter lets an old If-Modified-Since win over a matching
// If-None-Match, on every URL. The verdicts are kept in
// testdata/nginx-site.golden (docs/probe.md, "nginx's defaults").
func TestNginxSite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the probe in a child process")
	}
	base := startNginx(t, nginxBinary(t), "nginx-site.conf", func(root, host string) error {
		return crawltest.Site{}.WriteFiles(root, host)
	})
	crawled, err := crawl.Crawl(context.Background(), base, crawl.Options{MaxPages: 300})
	if err != nil {
		t.Fatal(err)
	}
	urls := crawled.Targets()
	if len(urls) != len(crawltest.Site{}.Paths())-1 { // the sitemap is read, not probed
		t.Fatalf("the crawl of nginx found %d URLs, want the fixture's %d (failures: %d)", len(urls), len(crawltest.Site{}.Paths())-1, crawled.Failures())
	}
	res := ft.RunOn(t, ft.ProbeRun{URLs: urls}, "probe")

	site := map[string]reports.State{}
	precedence := map[string]reports.State{}
	for _, c := range res.Checks {
		switch {
		case strings.HasPrefix(c.ID, "probe/site/"):
			site[c.ID] = c.State
			if c.State == reports.Failed {
				t.Logf("%s: %s", c.ID, c.Message)
			}
		case c.ID == "probe/precedence/inm-match-beats-old-ims":
			precedence[c.Target] = c.State
		}
	}
	for id, want := range map[string]reports.State{
		"probe/site/hashed-assets-long-lived":     reports.Failed,  // no Cache-Control: no lifetime, no immutable
		"probe/site/html-revalidated":             reports.Failed,  // no Cache-Control: heuristic freshness
		"probe/site/unhashed-assets-revalidable":  reports.Passed,  // no long lifetime, and validators
		"probe/site/validators-stable":            reports.Passed,  // the ETag is mtime and size
		"probe/site/compressed-variants-distinct": reports.Skipped, // gzip is off by default
		"probe/site/credential-variance-declared": reports.Skipped, // static files set no cookie
		"probe/site/session-cookies-hardened":     reports.Skipped,
		"probe/site/cookie-attributes-consistent": reports.Skipped,
	} {
		if site[id] != want {
			t.Errorf("%s: %s against nginx's defaults, want %s", id, site[id], want)
		}
	}
	for _, u := range urls {
		if precedence[u] != reports.Failed {
			t.Errorf("precedence/inm-match-beats-old-ims on %s: %s, want failed (nginx evaluates If-Modified-Since first)", u, precedence[u])
		}
	}
	golden(t, "nginx-site.golden", siteVerdicts(res))
}

// siteVerdicts renders a crawl's verdicts for a golden file: each site
// check with its state, and each per-URL check with how many URLs ended
// in each state (and why, for skips and errors), since the messages hold
// ports and dates.
func siteVerdicts(res *reports.Results) string {
	counts := map[string]int{}
	for _, c := range res.Checks {
		line := fmt.Sprintf("%-47s %s", c.ID, c.State)
		if c.State == reports.Skipped || c.State == reports.Error {
			line += ": " + c.Message
		}
		if strings.HasPrefix(c.ID, "probe/site/") {
			counts["site      "+line] = 1
		} else {
			counts["each URL  "+line]++
		}
	}
	var lines []string
	for l, n := range counts {
		if strings.HasPrefix(l, "each URL") {
			l = fmt.Sprintf("%s (%d URLs)", l, n)
		}
		lines = append(lines, l)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}
