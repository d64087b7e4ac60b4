package freshness_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness/check"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// byID returns the freshness checks with these ids (without the suite
// prefix), failing the test for an id that names none.
func byID(t *testing.T, ids ...string) []*check.Check { return ft.Checks(t, "freshness", ids...) }

// onResources rewrites the response header of resource requests.
func onResources(f func(r *http.Request, h http.Header)) func(http.Handler) http.Handler {
	return ft.OnHeaders(func(r *http.Request, h http.Header) {
		if strings.Contains(r.URL.Path, "/resources/") {
			f(r, h)
		}
	})
}

var maxAgeRE = regexp.MustCompile(`max-age=(\d+)`)

// TestFaults runs the freshness suite against broken variants of the
// reference server; each fault must make its checks fail.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	faults := []ft.Fault{
		{
			Name:   "no Date",
			Breaks: byID(t, "date/present", "date/imf-fixdate", "date/accurate"),
			Wrap:   onResources(func(_ *http.Request, h http.Header) { h["Date"] = nil }),
		},
		{
			// Werkzeug's make_conditional sets Date, and a server behind
			// it may add its own.
			Name:   "Date sent twice",
			Breaks: byID(t, "date/single"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				if d := h.Get("Date"); d != "" {
					h["Date"] = []string{d, d}
				}
			}),
		},
		{
			Name:   "Date in the RFC 850 format",
			Breaks: byID(t, "date/imf-fixdate"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				if d, ok := httpdate.Parse(h.Get("Date")); ok {
					h.Set("Date", d.UTC().Format("Monday, 02-Jan-06 15:04:05 GMT"))
				}
			}),
		},
		{
			Name:   "the clock is an hour fast",
			Breaks: byID(t, "date/accurate", "expires/agrees-with-max-age"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				if d, ok := httpdate.Parse(h.Get("Date")); ok {
					h.Set("Date", httpdate.Format(d.Add(time.Hour)))
				}
			}),
		},
		{
			Name:   "Expires in the asctime format",
			Breaks: byID(t, "expires/imf-fixdate"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				if d, ok := httpdate.Parse(h.Get("Expires")); ok {
					h.Set("Expires", d.UTC().Format(time.ANSIC))
				}
			}),
		},
		{
			Name:   "Expires disagrees with max-age",
			Breaks: byID(t, "expires/agrees-with-max-age"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				if d, ok := httpdate.Parse(h.Get("Expires")); ok {
					h.Set("Expires", httpdate.Format(d.Add(-time.Hour)))
				}
			}),
		},
		{
			Name:   "max-age is doubled",
			Breaks: byID(t, "max-age/as-asked"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				h.Set("Cache-Control", maxAgeRE.ReplaceAllStringFunc(h.Get("Cache-Control"), func(m string) string {
					n, _ := strconv.Atoi(strings.TrimPrefix(m, "max-age="))
					return "max-age=" + strconv.Itoa(2*n)
				}))
			}),
		},
		{
			Name:   "Cache-Control repeats and contradicts itself",
			Breaks: byID(t, "cache-control/valid-syntax"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				if cc := h.Get("Cache-Control"); cc != "" {
					h.Set("Cache-Control", cc+", public, private")
				}
			}),
		},
		{
			Name:   "Cache-Control is dropped",
			Breaks: byID(t, "strong-cache/fresh-reused", "directives/no-store-never-reused"),
			Wrap:   onResources(func(_ *http.Request, h http.Header) { h.Del("Cache-Control"); h.Del("Expires") }),
		},
		{
			Name:   "short lifetimes are stretched to ten minutes",
			Breaks: byID(t, "strong-cache/stale-not-reused", "negotiation/stale-revalidated-with-etag", "negotiation/stale-revalidated-with-last-modified", "negotiation/304-refreshes"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				h.Set("Cache-Control", strings.Replace(h.Get("Cache-Control"), "max-age=2", "max-age=600", 1))
			}),
		},
		{
			Name:   "If-None-Match is ignored",
			Breaks: byID(t, "negotiation/stale-revalidated-with-etag"),
			Wrap: ft.OnRequest("/resources/", func(_ http.Handler, _ http.ResponseWriter, r *http.Request) bool {
				r.Header.Del("If-None-Match")
				return false
			}),
		},
		{
			Name:   "If-Modified-Since is ignored",
			Breaks: byID(t, "negotiation/stale-revalidated-with-last-modified"),
			Wrap: ft.OnRequest("/resources/", func(_ http.Handler, _ http.ResponseWriter, r *http.Request) bool {
				r.Header.Del("If-Modified-Since")
				return false
			}),
		},
		{
			Name:   "a 304 says the response is already stale",
			Breaks: byID(t, "negotiation/304-refreshes"),
			Wrap: ft.OnHeaders(func(r *http.Request, h http.Header) {
				if strings.Contains(r.URL.Path, "/resources/") && (r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "") {
					h.Set("Cache-Control", "max-age=0")
				}
			}),
		},
		{
			Name:   "no-cache is dropped",
			Breaks: byID(t, "directives/no-cache-revalidates"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				h.Set("Cache-Control", strings.Replace(h.Get("Cache-Control"), ", no-cache", "", 1))
			}),
		},
		{
			Name:   "no-store becomes max-age",
			Breaks: byID(t, "directives/no-store-never-reused"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				h.Set("Cache-Control", strings.Replace(h.Get("Cache-Control"), "no-store", "max-age=600", 1))
			}),
		},
		{
			Name:   "cookie responses are private to one other field",
			Breaks: byID(t, "directives/cookie-response-not-shared"),
			Wrap: ft.OnHeaders(func(r *http.Request, h http.Header) {
				if strings.HasSuffix(r.URL.Path, "/cookies/set") {
					h.Set("Cache-Control", `private="X-Internal", max-age=60`)
				}
			}),
		},
		{
			Name:   "cookie responses are public",
			Breaks: byID(t, "directives/cookie-response-not-shared"),
			Wrap: ft.OnHeaders(func(r *http.Request, h http.Header) {
				if strings.HasSuffix(r.URL.Path, "/cookies/set") {
					h.Set("Cache-Control", "public, max-age=60")
				}
			}),
		},
	}
	ft.Suite{Name: "freshness", Faults: faults}.EveryCheckBreaks(t)
}

// TestAllowed runs the suite against what real frameworks do and the
// cited texts allow: none of it may fail.
func TestAllowed(t *testing.T) {
	ft.Suite{Name: "freshness", Allowed: []ft.Allowed{{
		// RFC 9110 §15.4.5 lists the fields a 304 must repeat (Date, ETag,
		// Vary, Cache-Control, Expires, Content-Location); Last-Modified is
		// not among them, and Werkzeug's make_conditional leaves it out.
		Name: "a 304 without Last-Modified (Werkzeug)",
		Wrap: ft.OnResponse(func(r *http.Request, status int, h http.Header) {
			if status == http.StatusNotModified && strings.Contains(r.URL.Path, "/resources/") {
				h.Del("Last-Modified")
			}
		}),
		Pass: byID(t, "negotiation/stale-revalidated-with-last-modified", "negotiation/304-refreshes"),
	}}}.NoFalseMust(t)
}
