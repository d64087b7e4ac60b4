package crawl

import (
	"encoding/xml"
	"net/url"
	"strings"
)

// maxSitemaps bounds the sitemap files read, against an index that names
// itself or thousands of others.
const maxSitemaps = 20

// sitemapDoc is a sitemap or a sitemap index (sitemaps.org protocol 0.9).
type sitemapDoc struct {
	XMLName  xml.Name
	URLs     []string `xml:"url>loc"`
	Sitemaps []string `xml:"sitemap>loc"`
}

// readSitemaps returns the page URLs of /sitemap.xml and of the sitemaps
// robots.txt names, following sitemap indexes, within maxSitemaps files
// and the byte cap, on the origin only.
func (c *crawler) readSitemaps() []string {
	todo := []string{c.origin.ResolveReference(&url.URL{Path: "/sitemap.xml"}).String()}
	if c.robots != nil {
		todo = append(todo, c.robots.sitemaps...)
	}
	done := map[string]bool{}
	var pages []string
	for len(todo) > 0 && len(done) < maxSitemaps {
		u := strings.TrimSpace(todo[0])
		todo = todo[1:]
		if done[u] || !c.sameOrigin(u) {
			continue
		}
		done[u] = true
		page, body := c.fetch(u)
		var doc sitemapDoc
		if !page.OK() || xml.Unmarshal(body, &doc) != nil {
			continue
		}
		pages = append(pages, trimAll(doc.URLs)...)
		todo = append(todo, doc.Sitemaps...)
	}
	return pages
}

func (c *crawler) sameOrigin(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == c.origin.Scheme && strings.EqualFold(u.Host, c.origin.Host)
}

func trimAll(s []string) []string {
	for i := range s {
		s[i] = strings.TrimSpace(s[i])
	}
	return s
}
