// Package crawltest generates the sites the crawl and the probe's site
// checks are tested on: a static site of pages, hashed and unhashed
// assets and a sitemap, with the faults the site checks must catch, and a
// hostile site that tries to keep a crawler busy forever.
package crawltest

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Fault is a caching policy mistake the fixture site can make.
type Fault string

const (
	Correct                 Fault = ""
	HashedShortLifetime     Fault = "hashed assets get max-age=60"
	UnhashedLongNoValidator Fault = "unhashed assets get a year's max-age and no validator"
	HTMLLongLifetime        Fault = "HTML pages get max-age=86400"
	UnstableValidators      Fault = "ETag and Last-Modified differ from one connection to the next"
	CookieAttributesDiffer  Fault = "the prefs cookie has other attributes on every other page"
	CookieSharedCacheable   Fault = "responses that set a cookie are public, max-age=600"
)

// Site is the fixture: Pages HTML pages linked in a chain and a tree, each
// with a hashed stylesheet and script and an unhashed image, a sitemap
// listing the pages, and a prefs cookie set on every tenth page.
type Site struct {
	Pages int // 0: 70, which with their assets makes 209 URLs
	Fault Fault
}

var modified = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// Handler serves the site.
func (s Site) Handler() http.Handler {
	n := s.Pages
	if n == 0 {
		n = 70
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for i := range n {
			fmt.Fprintf(&b, "<url><loc>http://%s%s</loc></url>", r.Host, pagePath(i))
		}
		b.WriteString("</urlset>")
		s.serve(w, r, "application/xml", "short", b.String())
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		i, kind, ok := parse(r.URL.Path, n)
		if !ok {
			http.NotFound(w, r)
			return
		}
		switch kind {
		case "page":
			s.page(w, r, i, n)
		case "css":
			s.serve(w, r, "text/css", "hashed", fmt.Sprintf("body{background:url(/img/bg-%d.png)}", i))
		case "js":
			s.serve(w, r, "text/javascript", "hashed", fmt.Sprintf("console.log(%d)", i))
		case "img":
			s.serve(w, r, "image/png", "unhashed", fmt.Sprintf("PNG %d", i))
		}
	})
	return mux
}

// Paths: pages /, /p/N.html; assets /assets/app-N.<hash>.css and .js
// (hashed), /img/logo-N.png and /img/bg-N.png (unhashed).
func pagePath(i int) string {
	if i == 0 {
		return "/"
	}
	return fmt.Sprintf("/p/%d.html", i)
}

func assetHash(i int) string { return fmt.Sprintf("%08x", uint32(i)*2654435761) }

func parse(path string, n int) (int, string, bool) {
	var i int
	var hash, ext string
	switch {
	case path == "/":
		return 0, "page", true
	case sscan(path, "/p/%d.html", &i):
		return i, "page", i > 0 && i < n
	case sscan(path, "/img/logo-%d.png", &i), sscan(path, "/img/bg-%d.png", &i):
		return i, "img", i >= 0 && i < n
	case sscan(strings.ReplaceAll(path, ".", " "), "/assets/app-%d %s %s", &i, &hash, &ext):
		return i, ext, hash == assetHash(i) && (ext == "css" || ext == "js") && i < n/3
	}
	return 0, "", false
}

func sscan(s, format string, a ...any) bool {
	_, err := fmt.Sscanf(s, format, a...)
	return err == nil && fmt.Sprintf(format, derefAll(a)...) == s
}

func derefAll(a []any) []any {
	out := make([]any, len(a))
	for i, p := range a {
		switch v := p.(type) {
		case *int:
			out[i] = *v
		case *string:
			out[i] = *v
		}
	}
	return out
}

// page writes page i: links to the next page, to two pages of the tree,
// and the
// pages share n/3 asset bundles.
func (s Site) page(w http.ResponseWriter, r *http.Request, i, n int) {
	a := i % max(n/3, 1)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<!doctype html><html><head><title>Page %d</title>`, i)
	fmt.Fprintf(&b, `<link rel="stylesheet" href="/assets/app-%d.%s.css"><script src="/assets/app-%d.%s.js"></script></head><body>`, a, assetHash(a), a, assetHash(a))
	fmt.Fprintf(&b, `<img src="/img/logo-%d.png" srcset="/img/logo-%d.png 1x, /img/logo-%d.png 2x">`, i, i, i)
	for _, j := range []int{i + 1, 2*i + 1, 2*i + 2} {
		if j < n {
			fmt.Fprintf(&b, `<a href="%s">page %d</a> `, pagePath(j), j)
		}
	}
	b.WriteString(`<a href="mailto:team@example.com">mail</a> <a href="javascript:void(0)">menu</a> <a href="https://elsewhere.example/">elsewhere</a></body></html>`)
	if i%10 == 0 {
		s.setCookie(w, i)
	}
	s.serve(w, r, "text/html; charset=utf-8", "html", b.String())
}

func (s Site) setCookie(w http.ResponseWriter, i int) {
	line := "prefs=compact; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax"
	if s.Fault == CookieAttributesDiffer && i%20 == 10 {
		line = "prefs=compact; Path=/p; Max-Age=60"
	}
	w.Header().Add("Set-Cookie", line)
}

// serve writes body with the caching policy of its kind, the fault
// applied, and answers conditional requests with http.ServeContent.
func (s Site) serve(w http.ResponseWriter, r *http.Request, ctype, kind, body string) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	etag, mod := fmt.Sprintf(`"%08x"`, hashString(body)), modified
	if s.Fault == UnstableValidators {
		// Like instances behind a balancer that derive validators from
		// inode numbers or start times: stable on one connection only.
		c := hashString(r.RemoteAddr) % 1000
		etag, mod = fmt.Sprintf(`"%s-%d"`, strings.Trim(etag, `"`), c), modified.Add(time.Duration(c)*time.Second)
	}
	h.Set("Cache-Control", s.policy(kind, h.Get("Set-Cookie") != ""))
	if !(s.Fault == UnhashedLongNoValidator && kind == "unhashed") {
		h.Set("ETag", etag)
	} else {
		mod = time.Time{}
	}
	http.ServeContent(w, r, "", mod, strings.NewReader(body))
}

func hashString(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// policy is the Cache-Control of a kind of URL: a year and immutable for
// hashed assets, five minutes for unhashed ones, no-cache for HTML and
// sitemaps, private for anything that sets a cookie.
func (s Site) policy(kind string, setsCookie bool) string {
	switch {
	case setsCookie && s.Fault == CookieSharedCacheable:
		return "public, max-age=600"
	case setsCookie:
		return "private, no-cache"
	case kind == "hashed" && s.Fault == HashedShortLifetime:
		return "public, max-age=60"
	case kind == "hashed":
		return "public, max-age=31536000, immutable"
	case kind == "unhashed" && s.Fault == UnhashedLongNoValidator:
		return "public, max-age=31536000"
	case kind == "unhashed":
		return "public, max-age=300"
	case kind == "html" && s.Fault == HTMLLongLifetime:
		return "public, max-age=86400"
	}
	return "no-cache"
}
