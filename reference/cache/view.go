package cache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// CachePage is Django's cache_page(ttl) as a handler wrapper: the
// FetchFromCacheMiddleware and UpdateCacheMiddleware pair of
// django/middleware/cache.py around one view, storing responses in c for
// ttl (whole seconds; less than one second stores nothing).
//
// Keys. A response is stored under its request's method, full URL (scheme,
// host, path and query exactly as requested, so ?a=1&b=2 and ?b=2&a=1 are
// two entries) and the values of the request headers that the response's
// Vary names. Which headers those are is only known once a response has
// been seen, so, as Django's learn_cache_key does, the header list is
// stored per URL beside the response, and a request first reads the list,
// then the response stored for its values of those headers. All of it is
// hashed into keys like "views.cache_page.GET.<url hash>.<headers hash>".
// A response without Vary is stored in the list's place
// ("views.cache_header.GET.<url hash>"), so that its hits read the cache
// once; the list is kept per method.
//
// Misses. Only GET and HEAD are looked up and stored. A response may be
// stored when it is a 200 that sets no cookie and says neither
// Cache-Control private or no-store nor Vary: *; every other response
// is passed through untouched. One that may be stored gets, as Django's
// patch_response_headers gives it, an Expires of now+ttl unless it has one,
// and Cache-Control max-age=ttl, or the smaller of ttl and the max-age it
// had, keeping its other directives; it is then stored, unless ttl is under
// a second, or the view flushed it while writing (streaming) or wrote more
// than 1 MiB. A HEAD miss is stored for HEAD only.
//
// Hits. A GET is answered from its own entry; a HEAD from the GET entry,
// else from a HEAD entry (as Django's FetchFromCacheMiddleware). The stored
// status, headers and body are served, with Age set to the whole seconds
// since the response was stored (RFC 9111 §5.1), so a downstream cache
// does not count the entry's whole freshness lifetime again; Django 5.2
// derives Age from Expires and max-age instead, which says 0 when the view
// chose a shorter max-age than ttl. Date is not stored: every answer gets
// the server's current Date, which with Age dates the response correctly.
// The view does not run on a hit.
//
// Failures. Cache errors never fail the request: a failed lookup is a miss
// and a failed store leaves the response unstored, and the error is
// dropped (there is nowhere better to send it).
//
// Integrity. Any client of the contract's Cache API can write any key, and
// page keys are predictable, so entries are sealed with an HMAC (seal.go):
// a value written through the Cache API under a page's key is a miss,
// never served. Processes share cached pages only when they share the
// sealing secret ($HTTPCHECK_SECRET_KEY), as the instances of one
// deployment do.
//
// Wrap the view itself, inside middleware that sets per-request headers:
// headers already in the ResponseWriter when the view runs are stored and
// served with the page, as in Django.
func CachePage(c Cache, ttl time.Duration, clk clock.Clock) func(http.Handler) http.Handler {
	if clk == nil {
		clk = clock.Real{}
	}
	seconds := max(int64(ttl/time.Second), 0)
	return func(view http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				view.ServeHTTP(w, r)
				return
			}
			p := pageCache{c: c, seconds: seconds, clk: clk}
			if p.serveHit(w, r) {
				return
			}
			rec := &pageRecorder{ResponseWriter: w, page: &p}
			view.ServeHTTP(rec, r)
			rec.finish()
			if rec.store && seconds > 0 {
				p.store(r, rec)
			}
		})
	}
}

// pageCache is one request's view of the per-view cache.
type pageCache struct {
	c       Cache
	seconds int64
	clk     clock.Clock
}

// maxPageBody is the largest body the per-view cache stores.
const maxPageBody = 1 << 20

// pageURL is the request's full URL as the client asked for it (Django's
// build_absolute_uri). Hosts are case-insensitive, so the host is folded.
func pageURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + strings.ToLower(r.Host) + r.URL.RequestURI()
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// urlKey is where the entry for a method and URL is kept: the response
// itself when it has no Vary, else the Vary header list (Django's
// _generate_cache_header_key, which keeps only the list). So a hit on a
// response without Vary is one cache read.
func urlKey(method, url string) string {
	return "views.cache_header." + method + "." + hashHex(url)
}

// pageKey is where the response for a request is kept (Django's
// _generate_cache_key). Each listed header contributes its name, whether
// the request had it, and its values, with separators, so that no two
// different requests hash alike (Django concatenates the bare values).
func pageKey(method, url string, r *http.Request, headers []string) string {
	var b strings.Builder
	for _, name := range headers {
		b.WriteString(name)
		if vs, ok := r.Header[name]; ok {
			b.WriteString("=" + strconv.Quote(strings.Join(vs, ", ")))
		}
		b.WriteByte('\n')
	}
	return "views.cache_page." + method + "." + hashHex(url) + "." + hashHex(b.String())
}

// varyHeaders returns the canonical, sorted, distinct header names listed
// in h's Vary; ok is false for Vary: *, which no request matches (RFC 9110
// §12.5.5), so such a response is never stored. Django would store it.
func varyHeaders(h http.Header) (names []string, ok bool) {
	for _, v := range h.Values("Vary") {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			switch name {
			case "":
				continue
			case "*":
				return nil, false
			}
			names = append(names, http.CanonicalHeaderKey(name))
		}
	}
	slices.Sort(names)
	return slices.Compact(names), true
}

// lookup returns the page stored for method at url with r's headers,
// reading the URL's entry and, when it lists Vary headers, the page stored
// for r's values of them.
func (p *pageCache) lookup(ctx context.Context, r *http.Request, url, method string) (page, bool) {
	key := urlKey(method, url)
	payload, ok := p.read(ctx, key)
	if !ok {
		return page{}, false
	}
	if payload[0] == varyKind {
		headers, err := decodeVary(payload)
		if err != nil {
			return page{}, false
		}
		key = pageKey(method, url, r, headers)
		if payload, ok = p.read(ctx, key); !ok {
			return page{}, false
		}
	}
	pg, err := decodePage(payload)
	return pg, err == nil
}

// read returns the payload sealed under key; a failed read is a miss.
func (p *pageCache) read(ctx context.Context, key string) ([]byte, bool) {
	raw, found, err := readSealed(ctx, p.c, key)
	if err != nil || !found {
		return nil, false
	}
	payload, ok := unseal(key, raw)
	return payload, ok && len(payload) > 0
}

// serveHit answers r from the cache and reports whether it could.
func (p *pageCache) serveHit(w http.ResponseWriter, r *http.Request) bool {
	url := pageURL(r)
	pg, ok := p.lookup(r.Context(), r, url, http.MethodGet)
	if !ok && r.Method == http.MethodHead {
		pg, ok = p.lookup(r.Context(), r, url, http.MethodHead)
	}
	if !ok {
		return false
	}
	h := w.Header()
	pg.setHeaders(h)
	age := max(p.clk.Now().UnixNano()-pg.storedAt, 0) / int64(time.Second)
	h["Age"] = []string{strconv.FormatInt(age, 10)}
	w.WriteHeader(pg.status)
	if r.Method != http.MethodHead {
		w.Write(pg.body)
	}
	return true
}

// store keeps the response rec recorded for r: under the URL's key when
// it has no Vary, else its Vary list there and the response under the key
// for r's values of those headers.
func (p *pageCache) store(r *http.Request, rec *pageRecorder) {
	// The client may be gone; the response is still worth keeping.
	ctx := context.WithoutCancel(r.Context())
	url := pageURL(r)
	headers, _ := varyHeaders(rec.header)
	t := Seconds(p.seconds)
	key := urlKey(r.Method, url)
	if len(headers) > 0 {
		if p.write(ctx, key, appendVary(sealStart(64), headers), t) != nil {
			return
		}
		key = pageKey(r.Method, url, r, headers)
	}
	p.write(ctx, key, appendPage(sealStart(rec.body.Len()+512), rec.status, rec.header, rec.body.Bytes(), rec.storedAt), t)
}

// write seals the entry b (sealStart and a payload) and stores it.
func (p *pageCache) write(ctx context.Context, key string, b []byte, t Timeout) error {
	return writeSealed(ctx, p.c, key, seal(key, b), t)
}

// isStorable reports whether a response with status and header h may be
// stored (Django's UpdateCacheMiddleware.process_response, stricter).
func isStorable(status int, h http.Header) bool {
	if status != http.StatusOK || len(h.Values("Set-Cookie")) > 0 {
		return false
	}
	if _, ok := varyHeaders(h); !ok {
		return false
	}
	for _, d := range cacheControlDirectives(h) {
		if name, _ := directive(d); name == "private" || name == "no-store" {
			return false
		}
	}
	return true
}

// cacheControlDirectives splits h's Cache-Control into directives, keeping
// commas inside quoted strings (RFC 9111 §5.2: #cache-directive with
// quoted-string arguments).
func cacheControlDirectives(h http.Header) []string {
	var out []string
	for _, v := range h.Values("Cache-Control") {
		start, quoted := 0, false
		for i := 0; i <= len(v); i++ {
			switch {
			case i == len(v) || (v[i] == ',' && !quoted):
				if d := strings.TrimSpace(v[start:i]); d != "" {
					out = append(out, d)
				}
				start = i + 1
			case v[i] == '"':
				quoted = !quoted
			case v[i] == '\\' && quoted:
				i++
			}
		}
	}
	return out
}

// directive splits a Cache-Control directive into its lower-cased name and
// its argument.
func directive(d string) (name, arg string) {
	name, arg, _ = strings.Cut(d, "=")
	return strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(arg)
}

// patchResponseHeaders is Django's patch_response_headers(response,
// seconds): Expires now+seconds unless the response has one, and
// Cache-Control max-age: seconds, or the smaller of seconds and the
// response's own max-age (patch_cache_control keeps the minimum).
func patchResponseHeaders(h http.Header, seconds int64, now time.Time) {
	if h.Get("Expires") == "" {
		h.Set("Expires", now.Add(time.Duration(seconds)*time.Second).UTC().Format(http.TimeFormat))
	}
	maxAge := seconds
	var kept []string
	for _, d := range cacheControlDirectives(h) {
		name, arg := directive(d)
		if name != "max-age" {
			kept = append(kept, d)
			continue
		}
		if n, err := strconv.ParseInt(strings.Trim(arg, `"`), 10, 64); err == nil && n < maxAge {
			maxAge = max(n, 0)
		}
	}
	h.Set("Cache-Control", strings.Join(append(kept, "max-age="+strconv.FormatInt(maxAge, 10)), ", "))
}

// pageRecorder passes a view's response through to the client and keeps
// a copy of what may be stored.
type pageRecorder struct {
	http.ResponseWriter
	page *pageCache

	wroteHeader bool
	status      int
	store       bool        // still worth storing
	header      http.Header // as sent, without Date and hop-by-hop fields
	body        bytes.Buffer
	storedAt    int64
}

// unstoredHeaders are not stored with a page: Date is the server's for
// each answer, the rest describe one connection (RFC 9110 §7.6.1).
var unstoredHeaders = []string{"Date", "Age", "Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func (p *pageRecorder) WriteHeader(status int) {
	if p.wroteHeader || (status >= 100 && status < 200) {
		p.ResponseWriter.WriteHeader(status)
		return
	}
	p.wroteHeader, p.status = true, status
	h := p.Header()
	if isStorable(status, h) {
		now := p.page.clk.Now()
		patchResponseHeaders(h, p.page.seconds, now)
		p.store, p.storedAt = true, now.UnixNano()
		p.header = h.Clone()
		for _, name := range unstoredHeaders {
			delete(p.header, name)
		}
	}
	p.ResponseWriter.WriteHeader(status)
}

func (p *pageRecorder) Write(b []byte) (int, error) {
	if !p.wroteHeader {
		p.WriteHeader(http.StatusOK)
	}
	if p.store {
		if p.body.Len()+len(b) > maxPageBody {
			p.store = false
			p.body = bytes.Buffer{}
		} else {
			p.body.Write(b)
		}
	}
	n, err := p.ResponseWriter.Write(b)
	if err != nil {
		p.store = false
	}
	return n, err
}

// Flush streams the response, which is then not stored (Django does not
// cache streaming responses).
func (p *pageRecorder) Flush() {
	if !p.wroteHeader {
		p.WriteHeader(http.StatusOK)
	}
	p.store = false
	http.NewResponseController(p.ResponseWriter).Flush()
}

// Unwrap gives http.ResponseController the underlying writer.
func (p *pageRecorder) Unwrap() http.ResponseWriter { return p.ResponseWriter }

// finish completes a response the view left without writing anything: an
// empty 200.
func (p *pageRecorder) finish() {
	if !p.wroteHeader {
		p.WriteHeader(http.StatusOK)
	}
}
