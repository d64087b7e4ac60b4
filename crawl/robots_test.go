package crawl

import (
	"net/url"
	"testing"
)

func TestRobotsRules(t *testing.T) {
	r := parseRobots([]byte("User-agent: other\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\nAllow: /private/open\nDisallow: /*.pdf$\nSitemap: https://x/s.xml\n"), userAgent)
	for path, want := range map[string]bool{"/": true, "/private/x": false, "/private/open/x": true, "/a/b.pdf": false, "/a/b.pdf?x": true} {
		u, _ := url.Parse("http://h" + path)
		if got := r.allows(u); got != want {
			t.Errorf("%s: allowed %v, want %v", path, got, want)
		}
	}
	if len(r.sitemaps) != 1 {
		t.Errorf("sitemaps %v", r.sitemaps)
	}
}
