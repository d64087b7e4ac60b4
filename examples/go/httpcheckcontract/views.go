package httpcheckcontract

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// views/cached, views/uncached, views/fragment (feature "views").
//
// net/http has no page cache and html/template no fragment cache, so this
// file has small ones of its own on the view alias's Cache: CachePage, the
// counterpart of Django's cache_page, and a sidebar kept per user, the
// counterpart of {% cache ttl sidebar user %}.

// CachePage wraps next in a whole-response cache kept in c for ttl, keyed
// by the method and the full URL as requested (scheme, Host in lower case,
// path and query as sent). Like Django's cache_page it stores only 200
// answers that set no cookie, are not private or no-store and do not vary
// on everything, and it gives them Cache-Control: max-age and an Expires of
// Date plus ttl. A hit answers the stored status, header and body.
func CachePage(c Cache, ttl time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		key := pageKey(r)
		if v, found := c.Get(key); found {
			if p, ok := pageFrom(v); ok {
				p.write(w, r)
				return
			}
		}
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		p := page{status: rec.status, header: rec.header, body: rec.body.Bytes()}
		if p.storable() {
			now := time.Now()
			p.header.Set("Cache-Control", "max-age="+strconv.FormatInt(int64(ttl/time.Second), 10))
			p.header.Set("Expires", now.Add(ttl).UTC().Format(http.TimeFormat))
			c.Set(key, p.value(), ttl)
			w.Header().Set("Date", now.UTC().Format(http.TimeFormat)) // the Date that Expires counts from
		}
		p.write(w, r)
	})
}

// pageKey is the cache key of a page: a hash of the method and the URL,
// so that it suits any cache's key rules.
func pageKey(r *http.Request) string {
	sum := sha256.Sum256([]byte(r.Method + " " + requestURL(r)))
	return "httpcheckcontract.page." + hex.EncodeToString(sum[:])
}

// page is a stored response.
type page struct {
	status int
	header http.Header
	body   []byte
}

func (p page) storable() bool {
	cc := strings.ToLower(strings.Join(p.header.Values("Cache-Control"), ","))
	return p.status == http.StatusOK && len(p.header.Values("Set-Cookie")) == 0 &&
		!strings.Contains(cc, "private") && !strings.Contains(cc, "no-store") &&
		!strings.Contains(strings.Join(p.header.Values("Vary"), ","), "*")
}

// value is the page as a JSON value, which any Cache can keep.
func (p page) value() any {
	header := map[string]any{}
	for name, values := range p.header {
		list := make([]any, len(values))
		for i, v := range values {
			list[i] = v
		}
		header[name] = list
	}
	return map[string]any{"status": int64(p.status), "header": header, "body": string(p.body)}
}

func pageFrom(v any) (page, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return page{}, false
	}
	status, ok1 := m["status"].(int64)
	header, ok2 := m["header"].(map[string]any)
	body, ok3 := m["body"].(string)
	if !ok1 || !ok2 || !ok3 {
		return page{}, false
	}
	p := page{status: int(status), header: http.Header{}, body: []byte(body)}
	for name, values := range header {
		list, _ := values.([]any)
		for _, x := range list {
			if s, ok := x.(string); ok {
				p.header.Add(name, s)
			}
		}
	}
	return p, true
}

func (p page) write(w http.ResponseWriter, r *http.Request) {
	for name, values := range p.header {
		w.Header()[name] = values
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(p.body)))
	w.WriteHeader(p.status)
	if r.Method != http.MethodHead {
		w.Write(p.body)
	}
}

// recorder keeps what a view writes.
type recorder struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(status int) {
	if !rec.wroteHeader {
		rec.status, rec.wroteHeader = status, true
	}
}

func (rec *recorder) Write(b []byte) (int, error) {
	rec.WriteHeader(http.StatusOK)
	return rec.body.Write(b)
}

// requestURL is the full URL as requested: scheme, Host in lower case, and
// path and query as sent. A page is cached under it (pageKey) and its
// renders are counted under it (render), so that the two agree on what
// "the same page" is.
func requestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	return scheme + "://" + strings.ToLower(r.Host) + uri
}

// render is the view itself: it counts its real executions for its URL.
func (h *handler) render(w http.ResponseWriter, r *http.Request) {
	n := h.counters.incr("render " + requestURL(r))
	writeJSON(w, http.StatusOK, map[string]any{"renders": n, "rendered_at": time.Now().UTC().Format(time.RFC3339Nano)})
}

func (h *handler) viewCache() (Cache, error) {
	c, ok := h.opts.Caches[h.opts.ViewCache]
	if !ok {
		return nil, notFound("no cache alias %q for the views (Options.ViewCache)", h.opts.ViewCache)
	}
	return c, nil
}

func (h *handler) viewCached(w http.ResponseWriter, r *http.Request, _ []string) error {
	ttl, ok, err := queryInt(r, "ttl", 1, MaxSeconds)
	if err != nil {
		return err
	}
	if !ok {
		return badInput(`missing query parameter "ttl" (whole seconds from 1 to %d)`, MaxSeconds)
	}
	c, err := h.viewCache()
	if err != nil {
		return err
	}
	CachePage(c, time.Duration(ttl)*time.Second, http.HandlerFunc(h.render)).ServeHTTP(w, r)
	return nil
}

func (h *handler) viewUncached(w http.ResponseWriter, r *http.Request, _ []string) error {
	h.render(w, r)
	return nil
}

// The fragment page: html/template escapes the user name everywhere.
var (
	sidebarTemplate = template.Must(template.New("sidebar").Parse(
		`<section id="sidebar" data-user="{{.User}}" data-renders="{{.Renders}}"><h2>Sidebar</h2><p>Hello, {{.User}}.</p></section>`))
	fragmentTemplate = template.Must(template.New("fragment").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>httpcheck fragment</title></head>
<body>
{{.Sidebar}}
<main id="content" data-renders="{{.ContentRenders}}"><p>Rendered for {{.User}} on every request.</p></main>
</body>
</html>
`))
)

func (h *handler) viewFragment(w http.ResponseWriter, r *http.Request, _ []string) error {
	q := r.URL.Query()
	user := q.Get("user")
	if user == "" {
		return badInput(`missing query parameter "user"`)
	}
	if len(user) > 256 {
		return badInput(`"user" is longer than 256 bytes`)
	}
	ttl, ok, err := queryInt(r, "ttl", 1, MaxSeconds)
	if err != nil {
		return err
	}
	if !ok {
		ttl = 500
	}
	c, err := h.viewCache()
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(user))
	key := "httpcheckcontract.sidebar." + hex.EncodeToString(sum[:])
	sidebar, found := c.Get(key)
	html, isString := sidebar.(string)
	if !found || !isString {
		var b strings.Builder
		data := map[string]any{"User": user, "Renders": h.counters.incr("sidebar " + user)}
		if err := sidebarTemplate.Execute(&b, data); err != nil {
			return err
		}
		html = b.String()
		if err := c.Set(key, html, time.Duration(ttl)*time.Second); err != nil {
			h.opts.ErrorLog.Printf("httpcheckcontract: storing the sidebar: %v", err)
		}
	}
	var out bytes.Buffer
	err = fragmentTemplate.Execute(&out, map[string]any{
		"User":           user,
		"Sidebar":        template.HTML(html), // rendered and escaped above
		"ContentRenders": h.counters.incr("content " + user),
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(out.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(out.Bytes())
	}
	return nil
}
