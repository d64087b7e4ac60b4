package conditional_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness/check"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// byID returns the conditional checks with these ids (without the suite
// prefix), failing the test for an id that names none.
func byID(t *testing.T, ids ...string) []*check.Check { return ft.Checks(t, "conditional", ids...) }

// answer304 answers a request with a 304 carrying the current metadata,
// whatever its preconditions say.
func answer304(next http.Handler, w http.ResponseWriter, r *http.Request) {
	for k, v := range ft.Probe(next, r) {
		if k != "Content-Length" && k != "Content-Type" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(http.StatusNotModified)
}

// TestFaults runs the conditional suite against broken variants of the
// reference server; each fault must make its checks fail.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	notModified := byID(t, "not-modified/etag", "not-modified/cache-control", "not-modified/expires",
		"not-modified/vary", "not-modified/date", "not-modified/content-location", "not-modified/no-body")
	faults := []ft.Fault{
		{
			Name: "If-None-Match is ignored",
			Breaks: append(byID(t, "if-none-match/match-gets-304", "if-none-match/weak-comparison", "if-none-match/star",
				"if-none-match/list", "if-none-match/put-star-is-create-only", "if-none-match/head-gets-304",
				"precedence/inm-match-beats-old-ims"), notModified...),
			Wrap: ft.RewriteRequests("/resources/", func(r *http.Request) { r.Header.Del("If-None-Match") }),
		},
		{
			Name:   "If-None-Match compares strongly",
			Breaks: byID(t, "if-none-match/weak-comparison"),
			Wrap: ft.RewriteRequests("/resources/", func(r *http.Request) {
				if strings.Contains(r.Header.Get("If-None-Match"), "W/") {
					r.Header.Set("If-None-Match", `"weak-tags-never-match"`)
				}
			}),
		},
		{
			Name:   "If-None-Match lists are read as their first tag",
			Breaks: byID(t, "if-none-match/list"),
			Wrap: ft.RewriteRequests("/resources/", func(r *http.Request) {
				if first, _, ok := strings.Cut(r.Header.Get("If-None-Match"), ","); ok {
					r.Header.Set("If-None-Match", first)
				}
			}),
		},
		{
			Name:   "any If-None-Match gets 304",
			Breaks: byID(t, "if-none-match/no-match-gets-200", "precedence/inm-mismatch-beats-current-ims", "validators/etag-sees-same-second-changes"),
			Wrap: ft.OnRequest("/resources/", func(next http.Handler, w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodGet && r.Header.Get("If-None-Match") != "" {
					answer304(next, w, r)
					return true
				}
				return false
			}),
		},
		{
			Name:   "If-None-Match: * is not understood",
			Breaks: byID(t, "if-none-match/star", "if-none-match/put-star-is-create-only"),
			Wrap: ft.RewriteRequests("/resources/", func(r *http.Request) {
				if r.Header.Get("If-None-Match") == "*" {
					r.Header.Del("If-None-Match")
				}
			}),
		},
		{
			Name:   "If-Modified-Since is ignored",
			Breaks: byID(t, "if-modified-since/equal-gets-304", "if-modified-since/later-gets-304", "if-modified-since/obsolete-date-formats"),
			Wrap:   ft.RewriteRequests("/resources/", func(r *http.Request) { r.Header.Del("If-Modified-Since") }),
		},
		{
			Name:   "If-Modified-Since must equal Last-Modified exactly",
			Breaks: byID(t, "if-modified-since/later-gets-304"),
			Wrap: ft.OnRequest("/resources/", func(next http.Handler, w http.ResponseWriter, r *http.Request) bool {
				if ims := r.Header.Get("If-Modified-Since"); ims != "" && ims != ft.Probe(next, r).Get("Last-Modified") {
					r.Header.Del("If-Modified-Since")
				}
				return false
			}),
		},
		{
			Name:   "any If-Modified-Since gets 304",
			Breaks: byID(t, "if-modified-since/earlier-gets-200", "if-modified-since/invalid-ignored", "if-modified-since/future-ignored"),
			Wrap: ft.OnRequest("/resources/", func(next http.Handler, w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodGet && r.Header.Get("If-Modified-Since") != "" && r.Header.Get("If-None-Match") == "" {
					answer304(next, w, r)
					return true
				}
				return false
			}),
		},
		{
			Name:   "If-Modified-Since is honoured on PUT",
			Breaks: byID(t, "if-modified-since/ignored-on-put"),
			Wrap: ft.OnRequest("/resources/", func(_ http.Handler, w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodPut && r.Header.Get("If-Modified-Since") != "" {
					w.WriteHeader(http.StatusPreconditionFailed)
					return true
				}
				return false
			}),
		},
		{
			Name:   "only IMF-fixdate is understood",
			Breaks: byID(t, "if-modified-since/obsolete-date-formats"),
			Wrap: ft.RewriteRequests("/resources/", func(r *http.Request) {
				if v := r.Header.Get("If-Modified-Since"); v != "" {
					if _, err := time.Parse(http.TimeFormat, v); err != nil {
						r.Header.Del("If-Modified-Since")
					}
				}
			}),
		},
		{
			Name:   "If-Modified-Since wins over If-None-Match",
			Breaks: byID(t, "precedence/inm-mismatch-beats-current-ims", "precedence/inm-match-beats-old-ims"),
			Wrap:   ft.IfModifiedSinceWins("/resources/"),
		},
		{
			Name:   "If-Unmodified-Since wins over If-Match",
			Breaks: byID(t, "precedence/if-match-beats-ius"),
			Wrap: ft.RewriteRequests("/resources/", func(r *http.Request) {
				if r.Header.Get("If-Unmodified-Since") != "" {
					r.Header.Del("If-Match")
				}
			}),
		},
		{
			Name:   "a 304 carries no metadata",
			Breaks: byID(t, "not-modified/etag", "not-modified/cache-control", "not-modified/expires", "not-modified/vary", "not-modified/date", "not-modified/content-location"),
			Wrap: ft.OnHeaders(func(_ *http.Request, h http.Header) {
				if h.Get("ETag") == "" && h.Get("Content-Type") != "" {
					return
				}
				// Only 304s: a 200 has a Content-Length.
				if h.Get("Content-Length") == "" && h.Get("Content-Type") == "" {
					for _, f := range []string{"ETag", "Cache-Control", "Expires", "Vary", "Content-Location"} {
						h.Del(f)
					}
					h["Date"] = nil // suppress the Date net/http would add
				}
			}),
		},
		{
			Name:   "a 304 carries a body",
			Breaks: byID(t, "not-modified/no-body"),
			Wrap:   ft.NotModifiedWithBody(func(r *http.Request) bool { return r.Header.Get("If-None-Match") != "" }),
		},
		{
			Name:   "If-Match is ignored",
			Breaks: byID(t, "if-match/stale-put-gets-412", "if-match/strong-comparison", "if-match/star-on-absent-gets-412", "if-match/stale-delete-gets-412"),
			Wrap:   ft.RewriteRequests("/resources/", func(r *http.Request) { r.Header.Del("If-Match") }),
		},
		{
			Name:   "If-Match compares weakly",
			Breaks: byID(t, "if-match/strong-comparison"),
			Wrap: ft.RewriteRequests("/resources/", func(r *http.Request) {
				if strings.HasPrefix(r.Header.Get("If-Match"), "W/") {
					r.Header.Set("If-Match", "*")
				}
			}),
		},
		{
			Name:   "If-Match always fails",
			Breaks: byID(t, "if-match/current-put-succeeds", "precedence/if-match-beats-ius"),
			Wrap: ft.RewriteRequests("/resources/", func(r *http.Request) {
				if r.Header.Get("If-Match") != "" {
					r.Header.Set("If-Match", `"never-matches"`)
				}
			}),
		},
		{
			Name:   "If-Unmodified-Since is ignored",
			Breaks: byID(t, "if-unmodified-since/stale-put-gets-412"),
			Wrap:   ft.RewriteRequests("/resources/", func(r *http.Request) { r.Header.Del("If-Unmodified-Since") }),
		},
		{
			Name:   "the ETag never changes",
			Breaks: byID(t, "validators/etag-changes-with-content", "validators/etag-sees-same-second-changes"),
			Wrap: ft.OnHeaders(func(r *http.Request, h http.Header) {
				if strings.Contains(r.URL.Path, "/resources/") && h.Get("ETag") != "" {
					h.Set("ETag", `"same-forever"`)
				}
			}),
		},
		{
			Name:   "the ETag changes on every response",
			Breaks: byID(t, "validators/etag-stable", "validators/head-matches-get"),
			Wrap: ft.OnHeaders(func(r *http.Request, h http.Header) {
				if strings.Contains(r.URL.Path, "/resources/") && h.Get("ETag") != "" {
					h.Set("ETag", `"`+time.Now().Format("150405.000000000")+`"`)
				}
			}),
		},
		{
			Name:   "HEAD carries no validators",
			Breaks: byID(t, "validators/head-matches-get"),
			Wrap: ft.OnHeaders(func(r *http.Request, h http.Header) {
				if r.Method == http.MethodHead {
					h.Del("ETag")
					h.Del("Last-Modified")
				}
			}),
		},
		{
			Name:   "Last-Modified is in the future",
			Breaks: byID(t, "validators/last-modified-not-future"),
			Wrap: ft.OnHeaders(func(r *http.Request, h http.Header) {
				if lm, ok := httpdate.Parse(h.Get("Last-Modified")); ok {
					h.Set("Last-Modified", httpdate.Format(lm.Add(time.Hour)))
				}
			}),
		},
	}
	ft.Suite{Name: "conditional", Faults: faults}.EveryCheckBreaks(t)
}
