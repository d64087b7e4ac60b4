package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/httpcheck/httpcheck/reference/cache"
)

// The contract's cached views (docs/contract.md, Cached views): one view
// under the per-view cache (cache.CachePage, Django's cache_page), the
// same view without it, and an HTML page with a template fragment cached
// per user (cache.Fragments, Django's {% cache %}).
//
// Which cache. Both use the "default" alias, as Django's cache_page does
// (CACHE_MIDDLEWARE_ALIAS) and as its {% cache %} tag does when no
// "template_fragments" alias is configured. Sharing the alias with the
// public Cache API is safe: reference/cache seals what the page and
// fragment caches store with an HMAC (reference/cache/seal.go), so a value that a client
// writes through POST cache/default/set under a page's or fragment's key
// is a miss, never served. What a client can do through the API is what a
// Django application's own code can do to its cache: clear it, or delete
// entries, and so force the views to render again. Entries of the views
// count towards the alias's max_entries and are culled like any other.
//
// Render counters. "renders" counts real executions of a view, in memory,
// per full URL (scheme, host, path and query, the per-view cache's key)
// for views/cached and views/uncached, and per user for the sidebar and
// the main part of views/fragment. They are keyed by a SHA-256 so that a
// client sending long URLs cannot make them large; and when more than
// maxCounters of them exist they all start again from zero, which bounds
// their memory at the price of a renders count that restarts.

// viewAlias is the cache alias behind the cached views and fragments.
const viewAlias = cache.DefaultAlias

// defaultFragmentTTL is views/fragment's timeout when the request names
// none, in seconds (the contract's "default 500").
const defaultFragmentTTL = 500

// maxUser bounds the user name of views/fragment, in bytes.
const maxUser = 256

// views is the state of the cached views of one Server.
type views struct {
	s        *Server
	cache    cache.Cache
	counters renderCounters
	page     *template.Template
}

func (s *Server) viewRoutes() {
	c, ok := s.opts.Caches.Get(viewAlias)
	if !ok {
		// cache.OpenAliases never returns aliases without "default".
		panic("server: the cache aliases have no " + viewAlias + " alias")
	}
	v := &views{s: s, cache: c, counters: renderCounters{counts: map[[sha256.Size]byte]int{}}}
	v.page = parseFragmentPage(c, v.counters.next)
	s.mux.HandleFunc("GET /views/cached", v.cached)
	s.mux.HandleFunc("GET /views/uncached", v.uncached)
	s.mux.HandleFunc("GET /views/fragment", v.fragment)
}

// renderCounters count renders by name.
type renderCounters struct {
	mu     sync.Mutex
	counts map[[sha256.Size]byte]int
}

// maxCounters bounds how many counters exist at once.
const maxCounters = 100_000

// next counts one more render of name and returns the count.
func (rc *renderCounters) next(name string) int {
	k := sha256.Sum256([]byte(name))
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if _, ok := rc.counts[k]; !ok && len(rc.counts) >= maxCounters {
		clear(rc.counts)
	}
	rc.counts[k]++
	return rc.counts[k]
}

// fullURL is the request's URL as the per-view cache keys it: scheme, host
// (folded: host names are case-insensitive) and the request target.
func fullURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + strings.ToLower(r.Host) + r.URL.RequestURI()
}

// cached serves GET views/cached?ttl=T: the view under cache_page(T).
func (v *views) cached(w http.ResponseWriter, r *http.Request) {
	ttl, ok := seconds(w, r, "ttl", -1)
	if !ok {
		return
	}
	page := cache.CachePage(v.cache, time.Duration(ttl)*time.Second, v.s.opts.Clock)
	page(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v.render(w, r, "cached")
	})).ServeHTTP(w, r)
}

// uncached serves GET views/uncached: the same view, rendered every time.
func (v *views) uncached(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	v.render(w, r, "uncached")
}

// render is the view itself: it counts this execution for the request's
// URL and says when it ran. It sets no Cache-Control, as a Django view
// under cache_page sets none: the per-view cache adds max-age and Expires.
func (v *views) render(w http.ResponseWriter, r *http.Request, view string) {
	n := v.counters.next(view + "\x00" + fullURL(r))
	body, _ := json.Marshal(map[string]any{
		"renders":     n,
		"rendered_at": v.s.now().UTC().Format(time.RFC3339Nano),
	})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(append(body, '\n'))
}

// seconds reads a query parameter holding whole seconds, from 1 to 400
// days (the contract: "T is a positive integer"); def < 0 makes it
// required. It answers 400 and returns false when the parameter is
// missing or malformed.
func seconds(w http.ResponseWriter, r *http.Request, name string, def int64) (int64, bool) {
	q := r.URL.Query()
	if !q.Has(name) {
		if def < 0 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("missing query parameter %q (seconds)", name))
			return 0, false
		}
		return def, true
	}
	s := q.Get(name)
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' || n > maxLifetimeSeconds {
			n = -1
			break
		}
		n = n*10 + int64(s[i]-'0')
	}
	if n < 1 || n > maxLifetimeSeconds {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%s %.40q: want whole seconds from 1 to %d", name, s, maxLifetimeSeconds))
		return 0, false
	}
	return n, true
}

// fragmentPage is views/fragment: the sidebar is the template fragment
// cached per user (Django: {% cache ttl sidebar user %}), the main part is
// rendered on every request. The section element itself is inside the
// fragment, so that its data-renders is the count of the render that was
// stored.
const fragmentPage = `{{define "sidebar"}}<section id="sidebar" data-user="{{.User}}" data-renders="{{sidebarRenders .User}}">
<h2>{{.User}}</h2>
<p>Rendered at <time>{{.Now}}</time>.</p>
</section>{{end}}<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>httpcheck: views/fragment</title></head>
<body>
{{cachefragment "sidebar" .TTL . .User}}
<main id="content" data-renders="{{.ContentRenders}}">
<p>Rendered for {{.User}} at <time>{{.Now}}</time>.</p>
</main>
</body>
</html>
`

// fragmentData is what fragmentPage is executed with.
type fragmentData struct {
	User           string
	TTL            int64
	Now            string
	ContentRenders int
}

func parseFragmentPage(c cache.Cache, next func(string) int) *template.Template {
	page := template.New("fragment")
	f := cache.NewFragments(c, page)
	sidebarRenders := func(user string) int { return next("sidebar\x00" + user) }
	return template.Must(page.Funcs(f.FuncMap()).Funcs(template.FuncMap{"sidebarRenders": sidebarRenders}).Parse(fragmentPage))
}

// fragment serves GET views/fragment?user=U[&ttl=T].
func (v *views) fragment(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	user := q.Get("user")
	switch {
	case user == "":
		writeError(w, http.StatusBadRequest, `missing query parameter "user"`)
		return
	case len(user) > maxUser:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("user is %d bytes long, more than %d", len(user), maxUser))
		return
	case !utf8.ValidString(user):
		writeError(w, http.StatusBadRequest, "user is not valid UTF-8")
		return
	}
	ttl, ok := seconds(w, r, "ttl", defaultFragmentTTL)
	if !ok {
		return
	}
	data := fragmentData{
		User:           user,
		TTL:            ttl,
		Now:            v.s.now().UTC().Format(time.RFC3339Nano),
		ContentRenders: v.counters.next("content\x00" + user),
	}
	var b bytes.Buffer
	if err := v.page.Execute(&b, data); err != nil {
		writeError(w, http.StatusInternalServerError, "rendering the page: "+err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The page is per user and its main part is new on every request.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}
