package proxy_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reference/proxy"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// The broken caches below are the reference proxy, misconfigured
// (Private), fed a rewritten origin (origin: the cache's transport changes
// what it sends or receives, so the cache believes something else), or
// wrapped (client: the handler changes what the client sends or gets).
// Each is a mistake real caches make; the comment on each says which.

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// originSide rewrites the cache's requests to the origin (req) and the
// origin's responses (resp) before the cache sees them.
func originSide(req func(r *http.Request), resp func(r *http.Request, res *http.Response)) func(o *proxy.Options) {
	return func(o *proxy.Options) {
		next := &http.Transport{DisableCompression: true}
		o.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if req != nil {
				r = r.Clone(r.Context())
				req(r)
			}
			res, err := next.RoundTrip(r)
			if err == nil && resp != nil {
				resp(r, res)
			}
			return res, err
		})
	}
}

// onResponses rewrites every origin response's header.
func onResponses(f func(h http.Header)) func(o *proxy.Options) {
	return originSide(nil, func(_ *http.Request, res *http.Response) { f(res.Header) })
}

// editCC rewrites the Cache-Control directives of h; an empty result
// removes the field.
func editCC(h http.Header, f func(ds []string) []string) {
	var ds []string
	for _, line := range h.Values("Cache-Control") {
		for _, d := range strings.Split(line, ",") {
			if d = strings.TrimSpace(d); d != "" {
				ds = append(ds, d)
			}
		}
	}
	ds = f(ds)
	h.Del("Cache-Control")
	if len(ds) > 0 {
		h.Set("Cache-Control", strings.Join(ds, ", "))
	}
}

// without drops the directives whose name is one of names.
func without(ds []string, names ...string) []string {
	var out []string
	for _, d := range ds {
		name, _, _ := strings.Cut(d, "=")
		drop := false
		for _, n := range names {
			if strings.EqualFold(strings.TrimSpace(name), n) {
				drop = true
			}
		}
		if !drop {
			out = append(out, d)
		}
	}
	return out
}

func hasDirective(ds []string, name string) bool { return len(without(ds, name)) < len(ds) }

// client wraps the proxy's handler.
func client(f func(next http.Handler, w http.ResponseWriter, r *http.Request)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f(next, w, r) })
	}
}

// headStore stores responses to HEAD and serves them to GET, as a cache
// keyed without the method would.
func headStore() func(http.Handler) http.Handler {
	var mu sync.Mutex
	stored := map[string]http.Header{}
	return client(func(next http.Handler, w http.ResponseWriter, r *http.Request) {
		key := r.Host + r.URL.RequestURI()
		switch r.Method {
		case http.MethodHead:
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			mu.Lock()
			stored[key] = rec.Header().Clone()
			mu.Unlock()
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			return
		case http.MethodGet:
			mu.Lock()
			h, ok := stored[key]
			mu.Unlock()
			if ok {
				for k, v := range h {
					w.Header()[k] = v
				}
				w.Header().Set("Content-Length", "0")
				w.WriteHeader(http.StatusOK)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// partialStore keeps every 206 the proxy answers and serves it to the
// later GETs of the same target, whatever range they ask for.
func partialStore() func(http.Handler) http.Handler {
	var mu sync.Mutex
	stored := map[string]*httptest.ResponseRecorder{}
	return client(func(next http.Handler, w http.ResponseWriter, r *http.Request) {
		key := r.Host + r.URL.RequestURI()
		mu.Lock()
		rec, ok := stored[key]
		mu.Unlock()
		if !ok {
			rec = httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if rec.Code == http.StatusPartialContent {
				mu.Lock()
				stored[key] = rec
				mu.Unlock()
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}

// gzipping compresses every response for a client that accepts gzip.
func gzipping(next http.Handler, w http.ResponseWriter, r *http.Request) {
	if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write(rec.Body.Bytes())
	z.Close()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Content-Length", fmt.Sprint(b.Len()))
	w.WriteHeader(rec.Code)
	w.Write(b.Bytes())
}

func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	c := func(ids ...string) []*check.Check { return ft.Checks(t, "proxy", ids...) }
	faults := []ft.Fault{
		{
			// A cache deployed as a proxy but configured as a browser's.
			Name: "a private cache in the middle",
			Breaks: c("storing/private", "storing/private-with-s-maxage", "storing/private-qualified",
				"authorization/not-reused-for-others", "authorization/not-reused-for-same",
				"freshness/s-maxage-over-max-age", "expires/ignored-with-s-maxage",
				"stale/max-stale-vs-proxy-revalidate", "stale/max-stale-vs-s-maxage",
				"conditional/if-none-match-304", "conditional/if-modified-since-304", "conditional/if-modified-since-date",
				"freshness/s-maxage-zero", "freshness/s-maxage-zero-after-max-age", "freshness/s-maxage-zero-own-line"),
			Configure: func(o *proxy.Options) { o.Private = true },
		},
		{
			Name:      "no-store is ignored",
			Breaks:    c("storing/no-store"),
			Configure: onResponses(func(h http.Header) { editCC(h, func(ds []string) []string { return without(ds, "no-store") }) }),
		},
		{
			// Status codes the cache does not know, taken for 200.
			Name:   "every status code is understood",
			Breaks: c("storing/must-understand-unknown-status", "storing/must-understand-no-store-599"),
			Configure: originSide(nil, func(_ *http.Request, res *http.Response) {
				if res.StatusCode == 299 || res.StatusCode == 599 {
					res.StatusCode, res.Status = 200, "200 OK"
				}
			}),
		},
		{
			// Varnish's default_ttl: 120 s for anything without freshness.
			Name:   "a default lifetime for every status",
			Breaks: c("storing/not-heuristic-302", "storing/not-heuristic-307", "storing/not-heuristic-403"),
			Configure: onResponses(func(h http.Header) {
				if h.Get("Cache-Control") == "" && h.Get("Expires") == "" {
					h.Set("Cache-Control", "max-age=600")
				}
			}),
		},
		{
			Name:   "incomplete responses are stored as complete",
			Breaks: c("storing/incomplete"),
			Configure: originSide(nil, func(_ *http.Request, res *http.Response) {
				body, err := io.ReadAll(res.Body)
				res.Body.Close()
				if err != nil {
					res.ContentLength = int64(len(body))
					res.Header.Set("Content-Length", fmt.Sprint(len(body)))
				}
				res.Body = io.NopCloser(bytes.NewReader(body))
			}),
		},
		{
			Name:   "fields the cache does not know are not stored",
			Breaks: c("storing/unrecognized-fields"),
			Wrap: ft.OnHeaders(func(_ *http.Request, h http.Header) {
				if h.Get("Age") != "" {
					for k := range h {
						if strings.HasPrefix(k, "Hc-") {
							delete(h, k)
						}
					}
				}
			}),
		},
		{
			Name:   "a response's Connection is not read",
			Breaks: c("forwarding/connection-response"),
			Configure: onResponses(func(h http.Header) {
				if v := h.Values("Connection"); len(v) > 0 {
					h["X-Was-Connection"] = v
					h.Del("Connection")
				}
			}),
		},
		{
			Name:   "a request's Connection is not read",
			Breaks: c("forwarding/connection-request"),
			Wrap: ft.RewriteRequests("", func(r *http.Request) {
				if v := r.Header.Values("Connection"); len(v) > 0 {
					r.Header["X-Was-Connection"] = v
					r.Header.Del("Connection")
				}
			}),
		},
		{
			Name:   "no Date is added",
			Breaks: c("forwarding/date-added"),
			Wrap:   ft.OnHeaders(func(_ *http.Request, h http.Header) { h["Date"] = nil }),
		},
		{
			// nginx's default.
			Name:      "no Via on requests",
			Breaks:    c("forwarding/via-request"),
			Configure: originSide(func(r *http.Request) { r.Header.Del("Via") }, nil),
		},
		{
			Name:   "a cache key without the query",
			Breaks: c("reuse/query-in-key"),
			Wrap:   ft.RewriteRequests("", func(r *http.Request) { r.URL.RawQuery = "" }),
		},
		{
			// nginx's default proxy_cache_key, $scheme$proxy_host$request_uri.
			Name:   "a cache key without the host",
			Breaks: c("reuse/host-in-key"),
			Wrap:   ft.RewriteRequests("", func(r *http.Request) { r.Host = "origin.test" }),
		},
		{
			Name:   "responses to HEAD are reused for GET",
			Breaks: c("head/not-reused-for-get"),
			Wrap:   headStore(),
		},
		{
			Name:   "HEAD gets content and none of GET's fields",
			Breaks: c("head/no-content", "head/same-fields"),
			Wrap: client(func(next http.Handler, w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodHead {
					next.ServeHTTP(w, r)
					return
				}
				conn, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					panic(err)
				}
				buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\nhello, HEAD!")
				buf.Flush()
				conn.Close()
			}),
		},
		{
			// nginx: no Age at all.
			Name:   "no Age",
			Breaks: c("age/present", "age/resident-time", "age/replaces-upstream", "age/list-first-member"),
			Wrap:   ft.OnHeaders(func(_ *http.Request, h http.Header) { h.Del("Age") }),
		},
		{
			Name:   "Age with a fraction",
			Breaks: c("age/delta-seconds"),
			Wrap: ft.OnHeaders(func(_ *http.Request, h http.Header) {
				if a := h.Get("Age"); a != "" {
					h.Set("Age", a+".5")
				}
			}),
		},
		{
			Name: "the origin's Age is not counted",
			Breaks: c("age/counts-against-lifetime", "age/overflow", "age/large-value", "age/list-old-first", "age/lines-old-first",
				"age/value-2147483647", "age/value-2147483649"),
			Configure: onResponses(func(h http.Header) { h.Del("Age") }),
		},
		{
			Name:   "an invalid Age is taken for a day",
			Breaks: c("age/invalid-ignored"),
			Configure: onResponses(func(h http.Header) {
				if a := h.Get("Age"); a != "" && strings.Trim(a, "0123456789") != "" && !strings.Contains(a, ",") {
					h.Set("Age", "86400")
				}
			}),
		},
		{
			Name: "Vary is ignored",
			Breaks: c("vary/different-value", "vary/absent-then-present", "vary/present-then-absent", "vary/star", "vary/every-field", "vary/several-lines",
				"vary/one-of-two-omitted"),
			Configure: onResponses(func(h http.Header) { h.Del("Vary") }),
		},
		{
			// Varnish's default grace.
			Name:   "stale responses are served for a minute",
			Breaks: c("freshness/max-age", "freshness/expires", "rfc5861/stale-while-revalidate-window"),
			Configure: onResponses(func(h http.Header) {
				editCC(h, func(ds []string) []string {
					return append(without(ds, "stale-while-revalidate"), "stale-while-revalidate=60")
				})
			}),
		},
		{
			// nginx's proxy_cache_use_stale error for every response.
			Name: "stale responses are served when the origin fails, whatever the directives",
			Breaks: c("stale/must-revalidate-origin-down", "stale/must-revalidate-504", "stale/must-revalidate-origin-error",
				"stale/proxy-revalidate-origin-down", "stale/s-maxage-origin-down", "stale/no-cache-origin-down",
				"stale/max-stale-vs-must-revalidate", "stale/max-stale-vs-proxy-revalidate", "stale/max-stale-vs-s-maxage",
				"rfc5861/stale-if-error-window"),
			Configure: onResponses(func(h http.Header) {
				editCC(h, func(ds []string) []string {
					var out []string
					for _, d := range without(ds, "must-revalidate", "proxy-revalidate", "stale-if-error") {
						switch {
						case d == "no-cache":
						case strings.HasPrefix(d, "s-maxage="):
							out = append(out, "max-age="+strings.TrimPrefix(d, "s-maxage="))
						default:
							out = append(out, d)
						}
					}
					return append(out, "stale-if-error=600")
				})
			}),
		},
		{
			Name:   "stale-while-revalidate without the revalidation",
			Breaks: c("rfc5861/stale-while-revalidate-revalidates"),
			Configure: func(o *proxy.Options) {
				next := &http.Transport{DisableCompression: true}
				o.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
					if r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
						return nil, fmt.Errorf("this cache never revalidates")
					}
					return next.RoundTrip(r)
				})
			},
		},
		{
			Name:      "validation without If-None-Match",
			Breaks:    c("validation/if-none-match-sent"),
			Configure: originSide(func(r *http.Request) { r.Header.Del("If-None-Match") }, nil),
		},
		{
			Name:      "validation without If-Modified-Since",
			Breaks:    c("validation/if-modified-since-sent"),
			Configure: originSide(func(r *http.Request) { r.Header.Del("If-Modified-Since") }, nil),
		},
		{
			// nginx: a 304 refreshes the lifetime, nothing else.
			Name:   "a 304 updates no field",
			Breaks: c("validation/304-updates-stored", "validation/304-updates-cache-control", "validation/304-updates-content-named-field"),
			Configure: originSide(nil, func(_ *http.Request, res *http.Response) {
				if res.StatusCode == http.StatusNotModified {
					for k := range res.Header {
						if k != "Etag" && k != "Date" {
							delete(res.Header, k)
						}
					}
				}
			}),
		},
		{
			Name:   "any 304 validates",
			Breaks: c("validation/304-other-etag-not-used"),
			Configure: originSide(nil, func(r *http.Request, res *http.Response) {
				if inm := r.Header.Get("If-None-Match"); res.StatusCode == http.StatusNotModified && inm != "" {
					first, _, _ := strings.Cut(inm, ",")
					res.Header.Set("ETag", strings.TrimSpace(first))
				}
			}),
		},
		{
			Name:   "a 200 to a validation request keeps the stored response",
			Breaks: c("validation/full-response-used"),
			Configure: originSide(nil, func(r *http.Request, res *http.Response) {
				if inm := r.Header.Get("If-None-Match"); inm != "" && res.StatusCode == http.StatusOK {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					first, _, _ := strings.Cut(inm, ",")
					res.StatusCode, res.Status = http.StatusNotModified, "304 Not Modified"
					res.Header = http.Header{"Etag": {strings.TrimSpace(first)}, "Date": res.Header.Values("Date")}
					res.Body, res.ContentLength = http.NoBody, 0
				}
			}),
		},
		{
			Name: "every If-None-Match is answered 304 by the cache",
			Breaks: c("conditional/unstored-forwarded", "conditional/if-none-match-other-200", "conditional/if-none-match-precedence",
				"conditional/304-fields", "validation/other-client-tag-gets-200"),
			Wrap: client(func(next http.Handler, w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("If-None-Match") != "" {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				next.ServeHTTP(w, r)
			}),
		},
		{
			Name:   "If-None-Match compared strongly",
			Breaks: c("conditional/if-none-match-weak"),
			Wrap: ft.RewriteRequests("", func(r *http.Request) {
				if strings.Contains(r.Header.Get("If-None-Match"), "W/") {
					r.Header.Set("If-None-Match", `"weak-tags-never-match"`)
				}
			}),
		},
		{
			// nginx evaluates If-Match and If-Unmodified-Since on stored responses.
			Name:   "If-Match and If-Unmodified-Since evaluated by the cache",
			Breaks: c("conditional/if-match-for-origin", "conditional/if-unmodified-since-for-origin"),
			Wrap: client(func(next http.Handler, w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("If-Match") != "" || r.Header.Get("If-Unmodified-Since") != "" {
					w.WriteHeader(http.StatusPreconditionFailed)
					return
				}
				next.ServeHTTP(w, r)
			}),
		},
		{
			Name: "unsafe methods answered by the cache",
			Breaks: c("write-through/post", "write-through/put", "write-through/delete", "write-through/patch", "write-through/unknown-method",
				"invalidation/post-200", "invalidation/post-303", "invalidation/put-201", "invalidation/delete-204", "invalidation/patch-200", "invalidation/unknown-method-200"),
			Wrap: client(func(next http.Handler, w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodGet && r.Method != http.MethodHead {
					w.WriteHeader(http.StatusOK)
					return
				}
				next.ServeHTTP(w, r)
			}),
		},
		{
			// nginx and Varnish by default.
			Name:   "request Cache-Control is ignored",
			Breaks: c("request/no-cache", "request/max-age-zero", "request/min-fresh", "request/max-age-exceeded", "request/no-store", "request/only-if-cached-miss"),
			Wrap:   ft.RewriteRequests("", func(r *http.Request) { r.Header.Del("Cache-Control") }),
		},
		{
			Name:   "only-if-cached always gets 504",
			Breaks: c("request/only-if-cached-hit"),
			Wrap: client(func(next http.Handler, w http.ResponseWriter, r *http.Request) {
				if strings.Contains(r.Header.Get("Cache-Control"), "only-if-cached") {
					w.WriteHeader(http.StatusGatewayTimeout)
					return
				}
				next.ServeHTTP(w, r)
			}),
		},
		{
			Name:   "no-cache read as max-age",
			Breaks: c("directives/no-cache", "stale/no-cache-origin-down", "directives/no-cache-with-max-age"),
			Configure: onResponses(func(h http.Header) {
				editCC(h, func(ds []string) []string {
					if hasDirective(ds, "no-cache") && !strings.Contains(strings.Join(ds, ","), "no-cache=") {
						return append(without(ds, "no-cache"), "max-age=600")
					}
					return ds
				})
			}),
		},
		{
			Name:   "qualified no-cache ignored",
			Breaks: c("directives/no-cache-qualified"),
			Configure: onResponses(func(h http.Header) {
				editCC(h, func(ds []string) []string {
					var out []string
					for _, d := range ds {
						if !strings.HasPrefix(d, "no-cache=") {
							out = append(out, d)
						}
					}
					return out
				})
			}),
		},
		{
			Name:   "content gzipped for clients that accept it",
			Breaks: c("directives/no-transform"),
			Wrap:   client(gzipping),
		},
		{
			Name:   "an unknown directive makes a response uncacheable",
			Breaks: c("directives/extension-ignored"),
			Configure: onResponses(func(h http.Header) {
				if strings.Contains(h.Get("Cache-Control"), "hc-") {
					h.Set("Cache-Control", "no-store")
				}
			}),
		},
		{
			Name:   "overflowing delta-seconds read as zero",
			Breaks: c("freshness/delta-seconds-overflow", "age/overflow"),
			Configure: onResponses(func(h http.Header) {
				if a := h.Get("Age"); len(a) > 10 {
					h.Set("Age", "0")
				}
				editCC(h, func(ds []string) []string {
					for i, d := range ds {
						if v, ok := strings.CutPrefix(d, "max-age="); ok && len(v) > 10 {
							ds[i] = "max-age=0"
						}
					}
					return ds
				})
			}),
		},
		{
			Name:   "a heuristic lifetime from Last-Modified beats the explicit one",
			Breaks: c("heuristic/not-with-max-age", "heuristic/not-with-expires"),
			Configure: onResponses(func(h http.Header) {
				if h.Get("Last-Modified") != "" {
					h.Del("Expires")
					h.Set("Cache-Control", "max-age=3600")
				}
			}),
		},
		{
			// Varnish: an Expires it cannot use is no Expires, and then its
			// default_ttl applies.
			Name:   "an Expires in the past or invalid is ignored for a default lifetime",
			Breaks: c("expires/in-the-past", "expires/zero", "expires/invalid"),
			Configure: onResponses(func(h http.Header) {
				v := h.Get("Expires")
				if v == "" {
					return
				}
				exp, ok := httpdate.Parse(v)
				date, _ := httpdate.Parse(h.Get("Date"))
				if !ok || exp.Before(date) {
					h.Del("Expires")
					if h.Get("Cache-Control") == "" {
						h.Set("Cache-Control", "max-age=600")
					}
				}
			}),
		},
		{
			Name:   "Expires wins over max-age",
			Breaks: c("expires/past-ignored-with-max-age", "expires/ignored-with-max-age"),
			Configure: onResponses(func(h http.Header) {
				if h.Get("Expires") != "" {
					editCC(h, func(ds []string) []string { return without(ds, "max-age") })
				}
			}),
		},
		{
			Name:      "max-age=0 taken for no max-age, and a default lifetime applied",
			Breaks:    c("freshness/max-age-zero", "freshness/max-age-zero-with-expires"),
			Configure: onResponses(dropZeroMaxAge),
		},
		{
			// A parser that searches the field text for max-age=, quoted
			// strings and all, and keeps the longest lifetime it finds.
			Name:      "the longest max-age found anywhere in the field wins",
			Breaks:    c("freshness/max-age-duplicate", "freshness/max-age-in-quoted-string-before", "freshness/max-age-in-quoted-string-after"),
			Configure: onResponses(longestMaxAge),
		},
		{
			// nginx: an Expires not before the cache's clock is still valid.
			Name:   "an Expires equal to Date is fresh for that second",
			Breaks: c("expires/equal-to-date"),
			Configure: onResponses(func(h http.Header) {
				if exp, date := h.Get("Expires"), h.Get("Date"); exp != "" && exp == date {
					d, _ := httpdate.Parse(date)
					h.Set("Expires", httpdate.Format(d.Add(time.Second)))
				}
			}),
		},
		{
			Name:   "Expires compared with the cache's clock instead of Date",
			Breaks: c("expires/before-date-both-ahead", "expires/age-counted-date-ahead"),
			Configure: onResponses(func(h http.Header) {
				if h.Get("Expires") != "" {
					h["Date"] = nil
				}
			}),
		},
		{
			Name:   "Age ignored when the lifetime comes from Expires",
			Breaks: c("expires/age-counted", "expires/age-counted-date-behind", "expires/age-counted-date-ahead"),
			Configure: onResponses(func(h http.Header) {
				if h.Get("Expires") != "" && !strings.Contains(h.Get("Cache-Control"), "max-age") {
					h.Del("Age")
				}
			}),
		},
		{
			Name: "a lenient date parser for Expires",
			Breaks: c("expires/zone-utc", "expires/zone-aest", "expires/two-digit-year", "expires/no-comma", "expires/extra-spaces",
				"expires/date-dashes", "expires/time-periods", "expires/one-digit-hour"),
			Configure: onResponses(func(h http.Header) {
				if t, ok := lenientDate(h.Get("Expires")); ok {
					h.Set("Expires", httpdate.Format(t))
				}
			}),
		},
		{
			Name:   "the last of several Expires lines wins",
			Breaks: c("expires/duplicate-lines"),
			Configure: onResponses(func(h http.Header) {
				if vs := h.Values("Expires"); len(vs) > 1 {
					h.Set("Expires", vs[len(vs)-1])
				}
			}),
		},
		{
			Name:   "immutable keeps a response fresh",
			Breaks: c("freshness/immutable-goes-stale"),
			Configure: onResponses(func(h http.Header) {
				editCC(h, func(ds []string) []string {
					if hasDirective(ds, "immutable") {
						return append(without(ds, "max-age"), "max-age=600")
					}
					return ds
				})
			}),
		},
		{
			// A cache that looks for "*" only as the whole field value,
			// then keys on the names it knows.
			Name:   "a * among other Vary members ignored",
			Breaks: c("vary/star-then-field", "vary/field-then-star", "vary/star-star", "vary/star-star-lines", "vary/empty-then-star", "vary/empty-line-then-star"),
			Configure: onResponses(func(h http.Header) {
				vs := h.Values("Vary")
				if len(vs) == 1 && strings.TrimSpace(vs[0]) == "*" {
					return
				}
				var names []string
				for _, v := range vs {
					for _, n := range strings.Split(v, ",") {
						if n = strings.TrimSpace(n); n != "" && n != "*" {
							names = append(names, n)
						}
					}
				}
				h.Del("Vary")
				if len(names) > 0 {
					h.Set("Vary", strings.Join(names, ", "))
				}
			}),
		},
		{
			Name:   "Vary matched on its first field only",
			Breaks: c("vary/one-of-two-omitted", "vary/every-field"),
			Configure: onResponses(func(h http.Header) {
				if v := h.Get("Vary"); v != "" {
					first, _, _ := strings.Cut(v, ",")
					h.Set("Vary", strings.TrimSpace(first))
				}
			}),
		},
		{
			Name:   "the last member of a list-based Age used",
			Breaks: c("age/list-old-first", "age/lines-old-first", "age/list-old-last", "age/lines-old-last"),
			Configure: onResponses(func(h http.Header) {
				members := strings.Split(strings.Join(h.Values("Age"), ","), ",")
				if len(members) > 1 {
					h.Set("Age", strings.TrimSpace(members[len(members)-1]))
				}
			}),
		},
		{
			// A parser that reads a number wherever it finds one.
			Name:   "Age read as the magnitude of any number",
			Breaks: c("age/negative-ignored", "age/fraction-ignored"),
			Configure: onResponses(func(h http.Header) {
				if f, err := strconv.ParseFloat(h.Get("Age"), 64); err == nil {
					h.Set("Age", strconv.Itoa(int(math.Abs(f))))
				}
			}),
		},
		{
			Name:   "If-Modified-Since decides when both conditionals are present",
			Breaks: c("conditional/if-none-match-over-if-modified-since", "conditional/if-none-match-precedence"),
			Wrap:   ft.IfModifiedSinceWins(""),
		},
		{
			Name:   "every If-Modified-Since is answered 304 by the cache",
			Breaks: c("conditional/if-modified-since-earlier-200", "conditional/if-modified-since-invalid-ignored"),
			Wrap: client(func(next http.Handler, w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("If-Modified-Since") != "" && r.Header.Get("If-None-Match") == "" {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				next.ServeHTTP(w, r)
			}),
		},
		{
			Name:   "only the first entity-tag of If-None-Match compared, and * not understood",
			Breaks: c("conditional/if-none-match-list-304", "conditional/if-none-match-star-304"),
			Wrap: ft.RewriteRequests("", func(r *http.Request) {
				first, _, _ := strings.Cut(r.Header.Get("If-None-Match"), ",")
				switch first = strings.TrimSpace(first); first {
				case "":
				case "*":
					r.Header.Del("If-None-Match")
				default:
					r.Header.Set("If-None-Match", first)
				}
			}),
		},
		{
			Name:   "a stored weak entity-tag compared strongly",
			Breaks: c("conditional/if-none-match-stored-weak"),
			Wrap:   client(strongAgainstStoredWeak),
		},
		{
			// A cache that knows directives by their lower-case names only.
			Name:   "directive names compared case-sensitively",
			Breaks: c("storing/no-store-case-insensitive", "storing/private-case-insensitive", "directives/no-cache-case-insensitive"),
			Configure: onResponses(func(h http.Header) {
				editCC(h, func(ds []string) []string {
					var out []string
					for _, d := range ds {
						name, _, _ := strings.Cut(d, "=")
						if name == strings.ToLower(name) {
							out = append(out, d)
						}
					}
					return out
				})
			}),
		},
		{
			Name:   "only the first Cache-Control line read",
			Breaks: c("storing/no-store-own-line", "freshness/s-maxage-zero-own-line"),
			Configure: onResponses(func(h http.Header) {
				if vs := h.Values("Cache-Control"); len(vs) > 1 {
					h.Set("Cache-Control", vs[0])
				}
			}),
		},
		{
			// nginx's proxy_cache_valid for any status: ten minutes.
			Name: "a lifetime of ten minutes for every status other than 200",
			Breaks: c("status/203-goes-stale", "status/204-goes-stale", "status/301-goes-stale", "status/302-goes-stale", "status/303-goes-stale",
				"status/307-goes-stale", "status/308-goes-stale", "status/400-goes-stale", "status/404-goes-stale", "status/410-goes-stale",
				"status/500-goes-stale", "status/501-goes-stale", "status/502-goes-stale", "status/503-goes-stale", "status/504-goes-stale"),
			Configure: originSide(nil, func(_ *http.Request, res *http.Response) {
				if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNotModified {
					res.Header.Set("Cache-Control", "max-age=600")
				}
			}),
		},
		{
			// A cache that takes a status it does not know for its class's
			// x00 and stores it for as long as it likes.
			Name:   "unknown status codes stored as 200 for ten minutes",
			Breaks: c("status/299-goes-stale", "status/499-goes-stale", "status/599-goes-stale"),
			Configure: originSide(nil, func(_ *http.Request, res *http.Response) {
				if http.StatusText(res.StatusCode) == "" {
					res.StatusCode, res.Status = http.StatusOK, "200 OK"
					res.Header.Set("Cache-Control", "max-age=600")
				}
			}),
		},
		{
			// Varnish's grace, applied whatever must-revalidate says.
			Name:   "must-revalidate ignored by a cache with a grace period",
			Breaks: c("directives/must-revalidate-goes-stale"),
			Configure: onResponses(func(h http.Header) {
				editCC(h, func(ds []string) []string {
					if hasDirective(ds, "must-revalidate") {
						return append(without(ds, "must-revalidate"), "stale-while-revalidate=60")
					}
					return ds
				})
			}),
		},
		{
			Name:   "POST taken for GET",
			Breaks: c("reuse/post-not-for-get"),
			Wrap: ft.RewriteRequests("", func(r *http.Request) {
				if r.Method == http.MethodPost {
					r.Method = http.MethodGet
				}
			}),
		},
		{
			// A cache that replaces the stored header section with the
			// 304's, here shown by the 304 blanking the field it omits.
			Name:   "a 304 blanks the stored fields it omits",
			Breaks: c("validation/304-keeps-stored-fields"),
			Configure: originSide(nil, func(_ *http.Request, res *http.Response) {
				if res.StatusCode == http.StatusNotModified && res.Header.Get("HC-Kept") == "" {
					res.Header.Set("HC-Kept", "")
				}
			}),
		},
		{
			// Caches that strip cookies and per-response security fields
			// from what they serve from storage.
			Name: "cookie, security and location fields dropped from stored responses",
			Breaks: c("storing/keeps-content-location", "storing/keeps-set-cookie", "storing/keeps-content-security-policy",
				"storing/keeps-x-frame-options", "storing/keeps-clear-site-data"),
			Wrap: ft.OnHeaders(func(_ *http.Request, h http.Header) {
				if h.Get("Age") != "" {
					for _, name := range []string{"Content-Location", "Set-Cookie", "Content-Security-Policy", "X-Frame-Options", "Clear-Site-Data"} {
						h.Del(name)
					}
				}
			}),
		},
		{
			// A cache keyed without Range, serving the part it stored.
			Name:   "a stored 206 served to any later GET",
			Breaks: c("storing/partial-not-for-full"),
			Wrap:   partialStore(),
		},
		{
			Name:   "Expires matched case-sensitively",
			Breaks: c("expires/lower-case"),
			Configure: onResponses(func(h http.Header) {
				if v := h.Get("Expires"); v != "" && strings.HasSuffix(v, "gmt") {
					h.Set("Expires", "0")
				}
			}),
		},
		{
			// Age kept in a signed 32-bit integer, wrapping to a negative
			// value, which then counts as none.
			Name:   "Age wraps around at 2^31",
			Breaks: c("age/large-value", "age/value-2147483649"),
			Configure: onResponses(func(h http.Header) {
				if n, err := strconv.ParseInt(h.Get("Age"), 10, 64); err == nil && int32(n) < 0 {
					h.Set("Age", "0")
				}
			}),
		},
		{
			// A cache that takes any field named *-Cache-Control for its own.
			Name:   "every targeted field obeyed",
			Breaks: c("targeted/unlisted-field-passed-through"),
			Configure: onResponses(func(h http.Header) {
				for name, vs := range h {
					if strings.HasSuffix(name, "-Cache-Control") {
						h["Cache-Control"] = vs
						delete(h, name)
					}
				}
			}),
		},
		{
			// nginx, Varnish and most caches: no target list at all.
			Name:      "no targeted field obeyed",
			Breaks:    c("targeted/acted-on"),
			Configure: func(o *proxy.Options) { o.TargetList = []string{} },
		},
		{
			// A cache that reads the targeted field for freshness only.
			Name:   "a targeted no-store ignored",
			Breaks: c("targeted/no-store"),
			Configure: onResponses(func(h http.Header) {
				if strings.TrimSpace(h.Get(proxy.DefaultTargetList[0])) == "no-store" {
					h.Del(proxy.DefaultTargetList[0])
				}
			}),
		},
		{
			// A cache that lets Cache-Control's no-store win over the
			// targeted field.
			Name:   "Cache-Control obeyed over the targeted field",
			Breaks: c("targeted/overrides-cache-control"),
			Configure: onResponses(func(h http.Header) {
				if strings.Contains(h.Get("Cache-Control"), "no-store") {
					h.Del(proxy.DefaultTargetList[0])
				}
			}),
		},
		{
			// A cache that parses the targeted field as it parses
			// Cache-Control, skipping empty members.
			Name:   "a lenient targeted field parser",
			Breaks: c("targeted/invalid-ignored"),
			Configure: onResponses(func(h http.Header) {
				if v := h.Get(proxy.DefaultTargetList[0]); strings.Contains(v, ",,") {
					h.Set(proxy.DefaultTargetList[0], strings.ReplaceAll(v, ",,", ","))
				}
			}),
		},
		{
			// nginx before 1.29 drops the origin's 1xx responses.
			Name:   "1xx responses dropped",
			Breaks: c("forwarding/interim-forwarded"),
			Wrap: client(func(next http.Handler, w http.ResponseWriter, r *http.Request) {
				next.ServeHTTP(&dropInterim{ResponseWriter: w}, r)
			}),
		},
		{
			// A proxy that forwards 1xx whatever the client's version.
			Name:   "1xx sent to HTTP/1.0 clients",
			Breaks: c("forwarding/interim-not-to-http10"),
			Wrap: ft.RewriteRequests("", func(r *http.Request) {
				r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
			}),
		},
		{
			// Varnish: a 1xx from the backend fails the fetch (503).
			Name:   "a 1xx from the origin fails the request",
			Breaks: c("forwarding/interim-parsed"),
			Configure: func(o *proxy.Options) {
				next := &http.Transport{DisableCompression: true}
				o.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
					// A composed trace keeps the proxy's hook's answer, so
					// the 1xx is noted here and the fetch failed after it.
					var saw atomic.Bool
					ctx := httptrace.WithClientTrace(r.Context(), &httptrace.ClientTrace{
						Got1xxResponse: func(int, textproto.MIMEHeader) error { saw.Store(true); return nil },
					})
					res, err := next.RoundTrip(r.WithContext(ctx))
					if err == nil && saw.Load() {
						res.Body.Close()
						return nil, errors.New("a 1xx before the response")
					}
					return res, err
				})
			},
		},
		{
			// A 206 that does not say which bytes it carries.
			Name:   "a 206 without Content-Range",
			Breaks: c("ranges/206-content-range"),
			Wrap:   ft.OnResponse(func(_ *http.Request, status int, h http.Header) { h.Del("Content-Range") }),
		},
		{
			// A range cut one byte off from the one Content-Range names.
			Name:   "a 206 whose bytes are not the ones Content-Range names",
			Breaks: c("ranges/206-content-range"),
			Wrap:   wrongRange(),
		},
	}
	ft.Suite{Name: "proxy", Against: ft.AgainstProxy, Faults: faults}.EveryCheckBreaks(t)
}

// dropZeroMaxAge removes max-age=0 and, when no lifetime is left, sets a
// default one, as a cache that reads 0 as "not set" does.
func dropZeroMaxAge(h http.Header) {
	editCC(h, func(ds []string) []string {
		var out []string
		for _, d := range ds {
			if d != "max-age=0" {
				out = append(out, d)
			}
		}
		if len(out) == len(ds) {
			return ds
		}
		if h.Get("Expires") == "" {
			out = append(out, "max-age=600")
		}
		return out
	})
}

// anyMaxAge finds max-age=N anywhere in a field value, quoted or not.
var anyMaxAge = regexp.MustCompile(`max-age=(\d+)`)

// longestMaxAge replaces Cache-Control with the longest max-age its text
// holds.
func longestMaxAge(h http.Header) {
	longest := -1
	for _, m := range anyMaxAge.FindAllStringSubmatch(strings.Join(h.Values("Cache-Control"), ","), -1) {
		if n, err := strconv.Atoi(m[1]); err == nil && n > longest {
			longest = n
		}
	}
	if longest >= 0 {
		h.Set("Cache-Control", "max-age="+strconv.Itoa(longest))
	}
}

// lenientDate reads a date that is not an HTTP-date the way forgiving
// parsers do: any zone taken for GMT, dashes and periods taken for spaces
// and colons, spaces collapsed, a missing comma, a one-digit hour and a
// two-digit year accepted.
func lenientDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	if _, ok := httpdate.Parse(v); ok {
		return time.Time{}, false
	}
	f := strings.Fields(strings.NewReplacer("-", " ", ".", ":", ",", " ").Replace(v))
	if len(f) != 6 {
		return time.Time{}, false
	}
	day, mon, year, clock := f[1], f[2], f[3], f[4]
	if len(year) == 2 {
		year = "20" + year
	}
	if len(clock) == 7 {
		clock = "0" + clock
	}
	t, err := time.Parse("02 Jan 2006 15:04:05", day+" "+mon+" "+year+" "+clock)
	return t, err == nil
}

// strongAgainstStoredWeak answers a strong If-None-Match in full when the
// only tag it could match is weak: a cache comparing strongly.
func strongAgainstStoredWeak(next http.Handler, w http.ResponseWriter, r *http.Request) {
	inm := r.Header.Get("If-None-Match")
	if inm == "" || strings.Contains(inm, "W/") {
		next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	if rec.Code == http.StatusNotModified && strings.HasPrefix(rec.Header().Get("ETag"), "W/") {
		r.Header.Del("If-None-Match")
		rec = httptest.NewRecorder()
		next.ServeHTTP(rec, r)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// dropInterim is a ResponseWriter that swallows 1xx responses.
type dropInterim struct{ http.ResponseWriter }

func (w *dropInterim) WriteHeader(code int) {
	if code >= 100 && code <= 199 {
		for k := range w.Header() {
			w.Header().Del(k) // the 1xx's fields are not the final response's
		}
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *dropInterim) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wrongRange answers "Range: bytes=A-B" itself with a 206 whose
// Content-Range names A-B and whose content starts one byte later.
func wrongRange() func(http.Handler) http.Handler {
	return client(func(next http.Handler, w http.ResponseWriter, r *http.Request) {
		var first, last int
		if _, err := fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-%d", &first, &last); err != nil || r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		r.Header.Del("Range")
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if rec.Code != http.StatusOK || last+1 >= len(body) {
			for k, vs := range rec.Header() {
				w.Header()[k] = vs
			}
			w.WriteHeader(rec.Code)
			w.Write(body)
			return
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, len(body)))
		w.Header().Set("Content-Length", strconv.Itoa(last-first+1))
		w.WriteHeader(http.StatusPartialContent)
		w.Write(body[first+1 : last+2])
	})
}
