package crawl

import (
	"bytes"
	"mime"
	"net/url"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// links returns the absolute URLs an HTML page or a stylesheet refers to;
// other bodies refer to nothing the crawl follows.
func links(base *url.URL, contentType string, body []byte) []string {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "text/html", "application/xhtml+xml":
		return htmlLinks(base, body)
	case "text/css":
		return resolve(base, cssLinks(string(body)))
	}
	return nil
}

// htmlLinks reads the elements that name a resource: anchors, link
// elements (stylesheets, icons, preloads, manifests), scripts, images and
// their srcset, sources, media, and url(...) in style elements and
// attributes. A <base href> changes what they resolve against.
func htmlLinks(base *url.URL, body []byte) []string {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if b, err := base.Parse(strings.TrimSpace(href)); err == nil {
			base = b
		}
	}
	var refs []string
	attr := func(selector, name string) {
		doc.Find(selector).Each(func(_ int, s *goquery.Selection) {
			if v, ok := s.Attr(name); ok {
				refs = append(refs, v)
			}
		})
	}
	attr("a[href]", "href")
	attr("area[href]", "href")
	attr("link[href]", "href")
	attr("script[src]", "src")
	attr("img[src]", "src")
	attr("iframe[src]", "src")
	attr("source[src]", "src")
	attr("track[src]", "src")
	attr("video[src]", "src")
	attr("audio[src]", "src")
	attr("video[poster]", "poster")
	doc.Find("img[srcset], source[srcset]").Each(func(_ int, s *goquery.Selection) {
		refs = append(refs, srcset(s.AttrOr("srcset", ""))...)
	})
	doc.Find("style").Each(func(_ int, s *goquery.Selection) { refs = append(refs, cssLinks(s.Text())...) })
	doc.Find("[style]").Each(func(_ int, s *goquery.Selection) { refs = append(refs, cssLinks(s.AttrOr("style", ""))...) })
	return resolve(base, refs)
}

// srcset returns the URLs of a srcset attribute: comma-separated image
// candidates, each a URL and an optional descriptor (HTML §4.8.4.2).
func srcset(v string) []string {
	var out []string
	for _, cand := range strings.Split(v, ",") {
		if f := strings.Fields(cand); len(f) > 0 {
			out = append(out, f[0])
		}
	}
	return out
}

var cssURL = regexp.MustCompile(`url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')`)

// cssLinks returns the URLs of url(...) and @import "..." in a
// stylesheet.
func cssLinks(css string) []string {
	var out []string
	for _, m := range cssURL.FindAllStringSubmatch(css, -1) {
		for _, g := range m[1:] {
			if g != "" {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// resolve makes refs absolute against base, dropping fragments, data:
// URLs and empty references. javascript:, mailto: and other schemes stay,
// for the crawl to list as skipped.
func resolve(base *url.URL, refs []string) []string {
	var out []string
	for _, r := range refs {
		r = strings.TrimSpace(r)
		if r == "" || strings.HasPrefix(r, "#") || strings.HasPrefix(strings.ToLower(r), "data:") {
			continue
		}
		u, err := base.Parse(r)
		if err != nil {
			out = append(out, r) // the crawl lists it as not a URL
			continue
		}
		u.Fragment = ""
		out = append(out, u.String())
	}
	return out
}
