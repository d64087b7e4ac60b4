// Package crawltest generates the sites the crawl and the probe's site
// checks are tested on: a static site of pages, hashed and unhashed
// assets and a sitemap, with the faults the site checks must catch, and a
// hostile site that tries to keep a crawler busy forever.
package crawltest

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
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
	SessionCookieSoft       Fault = "the sid session cookie lacks Secure, HttpOnly and SameSite"
	CookieVariesUnmarked    Fault = "pages that read the prefs cookie send no Vary: Cookie"
	CompressedSameETag      Fault = "the gzip variant keeps the identity ETag and no Vary: Accept-Encoding"
)

// Faults lists every fault of the fixture site.
var Faults = []Fault{HashedShortLifetime, UnhashedLongNoValidator, HTMLLongLifetime, UnstableValidators,
	CookieAttributesDiffer, CookieSharedCacheable, SessionCookieSoft, CookieVariesUnmarked, CompressedSameETag}

// Known reports whether f is Correct or one of Faults.
func (f Fault) Known() bool { return f == Correct || slices.Contains(Faults, f) }

// Site is the fixture: Pages HTML pages linked in a chain and a tree, each
// with a hashed stylesheet and script and an unhashed image, a sitemap
// listing the pages, a prefs cookie set on every tenth page and read by
// the pages numbered 5, 15, 25..., a session cookie (sid, a random value)
// set by page 1, and stylesheets and scripts that are gzipped for clients
// that accept it.
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
			s.serveCoded(w, r, "text/css", fmt.Sprintf("body{background:url(/img/bg-%d.png)}", i))
		case "js":
			s.serveCoded(w, r, "text/javascript", fmt.Sprintf("console.log(%d)", i))
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
	if readsPrefs(i) {
		// The page reads the prefs cookie, so it varies on Cookie.
		layout := "wide"
		if c, err := r.Cookie("prefs"); err == nil {
			layout = c.Value
		}
		fmt.Fprintf(&b, `<p class="layout">layout: %s</p>`, layout)
		if s.Fault != CookieVariesUnmarked {
			w.Header().Add("Vary", "Cookie")
		}
	}
	b.WriteString(`<a href="mailto:team@example.com">mail</a> <a href="javascript:void(0)">menu</a> <a href="https://elsewhere.example/">elsewhere</a></body></html>`)
	if i%10 == 0 {
		s.setCookie(w, i)
	}
	if i == 1 {
		s.setSession(w)
	}
	s.serve(w, r, "text/html; charset=utf-8", "html", b.String())
}

// readsPrefs reports whether page i shows what the prefs cookie chose.
func readsPrefs(i int) bool { return i%10 == 5 }

// setSession sets the session cookie: a name the Mozilla Observatory does
// not take for a session (it looks for "sess" and "login"), and a value of
// 128 random bits, so that only the site check's broader reading finds it.
func (s Site) setSession(w http.ResponseWriter) {
	var id [16]byte
	rand.Read(id[:])
	line := fmt.Sprintf("sid=%x; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax", id)
	if s.Fault == SessionCookieSoft {
		line = fmt.Sprintf("sid=%x; Path=/; Max-Age=3600", id)
	}
	w.Header().Add("Set-Cookie", line)
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
	switch {
	case h.Get("ETag") != "":
		// serveCoded set it (CompressedSameETag)
	case !(s.Fault == UnhashedLongNoValidator && kind == "unhashed"):
		h.Set("ETag", etag)
	default:
		mod = time.Time{}
	}
	http.ServeContent(w, r, "", mod, strings.NewReader(body))
}

// serveCoded serves a hashed asset, gzipped when the request accepts gzip,
// with an ETag of its own for each coding and Vary: Accept-Encoding on
// both (RFC 9110 §8.8.3, §12.5.5).
func (s Site) serveCoded(w http.ResponseWriter, r *http.Request, ctype, body string) {
	if s.Fault != CompressedSameETag {
		w.Header().Add("Vary", "Accept-Encoding")
	}
	if !acceptsGzip(r) {
		s.serve(w, r, ctype, "hashed", body)
		return
	}
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
	zw.Write([]byte(body))
	zw.Close()
	w.Header().Set("Content-Encoding", "gzip")
	if s.Fault == CompressedSameETag {
		// The identity ETag for the gzipped bytes, as a server that
		// derives it from the file before compressing.
		w.Header().Set("ETag", fmt.Sprintf(`"%08x"`, hashString(body)))
	}
	s.serve(w, r, ctype, "hashed", z.String())
}

// acceptsGzip reports whether the request's Accept-Encoding names gzip
// with a non-zero weight (a rough reading, enough for the fixture).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
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

// Paths lists every URL path of the site: the pages, then for each asset
// bundle its stylesheet, script and background, then the logos, then the
// sitemap.
func (s Site) Paths() []string {
	n := s.Pages
	if n == 0 {
		n = 70
	}
	var out []string
	for i := range n {
		out = append(out, pagePath(i))
	}
	for a := range n / 3 {
		out = append(out, fmt.Sprintf("/assets/app-%d.%s.css", a, assetHash(a)), fmt.Sprintf("/assets/app-%d.%s.js", a, assetHash(a)), fmt.Sprintf("/img/bg-%d.png", a))
	}
	for i := range n {
		out = append(out, fmt.Sprintf("/img/logo-%d.png", i))
	}
	return append(out, "/sitemap.xml")
}

// WriteFiles writes the site as static files under dir, for a web server
// to serve from there as host (host:port, which the sitemap's URLs name):
// each path's body as a GET without cookies or Accept-Encoding gets it,
// "/" as index.html, every file modified at the same fixed time. Headers
// are the server's to choose.
func (s Site) WriteFiles(dir, host string) error {
	h := s.Handler()
	for _, p := range s.Paths() {
		req := httptest.NewRequest(http.MethodGet, "http://"+host+p, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return fmt.Errorf("GET %s: %d", p, rec.Code)
		}
		name := filepath.Join(dir, filepath.FromSlash(p))
		if strings.HasSuffix(p, "/") {
			name = filepath.Join(name, "index.html")
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(name, rec.Body.Bytes(), 0o644); err != nil {
			return err
		}
		if err := os.Chtimes(name, modified, modified); err != nil {
			return err
		}
	}
	return nil
}
