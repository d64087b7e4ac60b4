package crawl_test

import (
	"bytes"
	"context"
	"io/fs"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/crawl"
	"github.com/httpcheck/httpcheck/crawl/crawltest"
)

// TestFixtureSite crawls the 209-URL fixture: every page and asset is
// found, through links, srcset, url(...) in stylesheets and the sitemap,
// and the links elsewhere are listed as skipped.
func TestFixtureSite(t *testing.T) {
	srv := httptest.NewServer(crawltest.Site{}.Handler())
	defer srv.Close()
	var progress bytes.Buffer
	start := time.Now()
	res, err := crawl.Crawl(context.Background(), srv.URL+"/", crawl.Options{MaxPages: 500, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d URLs in %v", len(res.Pages), time.Since(start))
	if got := len(res.Targets()); got != 209 {
		t.Errorf("%d URLs answered 2xx, want 209 (failures: %d)", got, res.Failures())
	}
	for _, want := range []string{"/p/69.html", "/img/bg-0.png", "/assets/app-1."} {
		if !strings.Contains(strings.Join(res.Targets(), " "), want) {
			t.Errorf("no URL holds %s", want)
		}
	}
	reasons := skipReasons(res)
	for _, want := range []string{"another origin", "scheme mailto: not fetched", "scheme javascript: not fetched"} {
		if reasons[want] == 0 {
			t.Errorf("no URL skipped for %q: %v", want, reasons)
		}
	}
	if !strings.Contains(progress.String(), "crawled") || !strings.Contains(progress.String(), "209 pages done") {
		t.Errorf("progress: %q", progress.String())
	}
}

// TestBounds: --max-pages, --max-depth, --include and --exclude each stop
// the crawl, and what they stop is listed with its reason.
func TestBounds(t *testing.T) {
	srv := httptest.NewServer(crawltest.Site{}.Handler())
	defer srv.Close()
	cases := map[string]struct {
		opt    crawl.Options
		most   int
		reason string
	}{
		"default max-pages": {crawl.Options{}, 200, "over --max-pages 200"},
		"max-pages":         {crawl.Options{MaxPages: 10}, 10, "over --max-pages 10"},
		"max-depth":         {crawl.Options{MaxDepth: 1, IgnoreRobots: true}, 1000, "deeper than --max-depth 1"},
		"include":           {crawl.Options{Include: []*regexp.Regexp{regexp.MustCompile(`/$|\.html$`)}}, 70, "matches no --include"},
		"exclude":           {crawl.Options{Exclude: []*regexp.Regexp{regexp.MustCompile(`/img/`)}}, 1000, "matches --exclude"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := crawl.Crawl(context.Background(), srv.URL+"/", tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Pages) > tc.most {
				t.Errorf("%d pages fetched, at most %d wanted", len(res.Pages), tc.most)
			}
			if skipReasons(res)[tc.reason] == 0 {
				t.Errorf("nothing skipped for %q: %v", tc.reason, skipReasons(res))
			}
		})
	}
}

// TestHostile: loops, an infinite calendar, a huge page, an endless
// redirect chain, a redirect loop, a slow page and links elsewhere all
// end in bounded time, with what was skipped listed.
func TestHostile(t *testing.T) {
	srv := httptest.NewServer(crawltest.Hostile{}.Handler())
	defer srv.Close()
	start := time.Now()
	res, err := crawl.Crawl(context.Background(), srv.URL+"/", crawl.Options{MaxPages: 60, Timeout: 500 * time.Millisecond, MaxBytes: 256 << 10, MaxRedirects: 5})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the crawl took %v", d)
	}
	page := func(path string) crawl.Page {
		for _, p := range res.Pages {
			if strings.HasSuffix(p.URL, path) {
				return p
			}
		}
		t.Fatalf("%s was not fetched", path)
		return crawl.Page{}
	}
	if p := page("/slow"); p.Error != "timed out" {
		t.Errorf("/slow: %+v", p)
	}
	if p := page("/huge"); !p.Truncated {
		t.Errorf("/huge not truncated: %+v", p)
	}
	if p := page("/redirect-loop"); !p.Redirect() {
		t.Errorf("/redirect-loop: %+v", p)
	}
	reasons := skipReasons(res)
	for _, want := range []string{"redirect chain longer than 5 hops", "over --max-pages 60", "another origin",
		"scheme javascript: not fetched", "scheme mailto: not fetched", "scheme ftp: not fetched"} {
		if reasons[want] == 0 {
			t.Errorf("nothing skipped for %q: %v", want, reasons)
		}
	}
}

// TestRobots: a disallowed path is skipped unless told to ignore robots.txt.
func TestRobots(t *testing.T) {
	srv := httptest.NewServer(crawltest.Hostile{}.Handler())
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/private/x")
	for _, ignore := range []bool{false, true} {
		res, err := crawl.Crawl(context.Background(), u.String(), crawl.Options{IgnoreRobots: ignore})
		if err != nil {
			t.Fatal(err)
		}
		skipped := skipReasons(res)["disallowed by robots.txt"] > 0
		if skipped == ignore {
			t.Errorf("IgnoreRobots %v: skipped %v (%v)", ignore, skipped, res.Skipped)
		}
	}
}

// TestRate: a rate of 20 per second spaces 10 requests over about half a
// second.
func TestRate(t *testing.T) {
	srv := httptest.NewServer(crawltest.Site{}.Handler())
	defer srv.Close()
	start := time.Now()
	if _, err := crawl.Crawl(context.Background(), srv.URL+"/", crawl.Options{MaxPages: 10, Rate: 20}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("10 requests at 20/s took %v", d)
	}
}

func skipReasons(res *crawl.Result) map[string]int {
	m := map[string]int{}
	for _, s := range res.Skipped {
		m[s.Reason]++
	}
	return m
}

// TestFixtureFiles: the fixture's Paths are what a crawl finds (and the
// sitemap it reads), and WriteFiles writes each of them, so that a web
// server serving the files serves the same site.
func TestFixtureFiles(t *testing.T) {
	site := crawltest.Site{}
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	res, err := crawl.Crawl(context.Background(), srv.URL+"/", crawl.Options{MaxPages: 500})
	if err != nil {
		t.Fatal(err)
	}
	crawled := map[string]bool{"/sitemap.xml": true}
	for _, u := range res.Targets() {
		crawled[strings.TrimPrefix(u, srv.URL)] = true
	}
	paths := site.Paths()
	for _, p := range paths {
		if !crawled[p] {
			t.Errorf("%s is in Paths but the crawl did not find it", p)
		}
		delete(crawled, p)
	}
	for p := range crawled {
		t.Errorf("the crawl found %s, which Paths leaves out", p)
	}
	dir := t.TempDir()
	if err := site.WriteFiles(dir, "127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	var files int
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files++
		}
		return err
	})
	if files != len(paths) {
		t.Errorf("WriteFiles wrote %d files for %d paths", files, len(paths))
	}
}
