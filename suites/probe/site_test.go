package probe_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/httpcheck/httpcheck/crawl"
	"github.com/httpcheck/httpcheck/crawl/crawltest"
	"github.com/httpcheck/httpcheck/harness/check"
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
