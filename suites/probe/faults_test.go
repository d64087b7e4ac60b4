package probe_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/crawl/crawltest"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reference/embedded"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// onCookie rewrites the Set-Cookie lines of cookies/set.
func onCookie(f func(line string) []string) func(http.Handler) http.Handler {
	return ft.RewriteSetCookie("/cookies/set", func(_ *http.Request, line string) []string { return f(line) })
}

// onResources rewrites the response header of resource requests.
func onResources(f func(r *http.Request, h http.Header)) func(http.Handler) http.Handler {
	return ft.OnHeaders(func(r *http.Request, h http.Header) {
		if strings.Contains(r.URL.Path, "/resources/") {
			f(r, h)
		}
	})
}

func isConditional(r *http.Request) bool {
	return r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != ""
}

// TestFaults runs the probe against broken variants of the reference
// server (the URLs and recipe of TestReference); each fault must make its
// checks fail, and every probe check must be made to fail by one.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the probe in child processes")
	}
	ids := func(ids ...string) []*check.Check { return ft.Checks(t, "probe", ids...) }
	var counter atomic.Int64
	faults := []ft.Fault{
		// The Set-Cookie lines of cookies/set.
		{
			Name:   "cookie values are sent raw",
			Breaks: ids("set-cookie/valid-syntax"),
			Wrap: onCookie(func(line string) []string {
				pair, attrs := ft.Attributes(line)
				name, _, _ := strings.Cut(pair, "=")
				return []string{ft.Join(name+"=a raw value", attrs)}
			}),
		},
		{
			Name:   "attributes are sent twice",
			Breaks: ids("set-cookie/no-duplicate-attributes"),
			Wrap:   onCookie(func(line string) []string { return []string{line + "; HttpOnly; HttpOnly"} }),
		},
		{
			Name:   "each cookie is sent twice",
			Breaks: ids("set-cookie/one-cookie-per-name"),
			Wrap:   onCookie(func(line string) []string { return []string{line, line} }),
		},
		{
			Name:   "an attribute of 1100 bytes",
			Breaks: ids("set-cookie/size-limits"),
			Wrap:   onCookie(func(line string) []string { return []string{line + "; Comment=" + strings.Repeat("x", 1100)} }),
		},
		{
			Name:   "lifetimes of 500 days",
			Breaks: ids("set-cookie/lifetime-400-days"),
			Wrap: onCookie(func(line string) []string {
				return []string{ft.SetAttribute(ft.DropAttributes(line, "Expires"), "Max-Age", "43200000")}
			}),
		},
		{
			Name:   "__Host- cookies get another Path",
			Breaks: ids("set-cookie/prefixes"),
			Wrap:   onCookie(func(line string) []string { return []string{ft.SetAttribute(line, "Path", "/cookies")} }),
		},
		{
			Name:   "SameSite=None without Secure",
			Breaks: ids("set-cookie/samesite-none-secure", "cookie-security/session-samesite"),
			Wrap: onCookie(func(line string) []string {
				return []string{ft.SetAttribute(ft.DropAttributes(line, "Secure"), "SameSite", "None")}
			}),
		},
		{
			Name:   "cookie Expires disagrees with Max-Age",
			Breaks: ids("set-cookie/expires-agrees-with-max-age"),
			Wrap: onCookie(func(line string) []string {
				v, _ := ft.Attribute(line, "Expires")
				at, err := http.ParseTime(v)
				if err != nil {
					return []string{line}
				}
				return []string{ft.SetAttribute(line, "Expires", at.Add(time.Hour).UTC().Format(http.TimeFormat))}
			}),
		},
		{
			Name:   "Secure is dropped",
			Breaks: ids("cookie-security/session-secure", "set-cookie/prefixes"),
			Wrap:   onCookie(func(line string) []string { return []string{ft.DropAttributes(line, "Secure")} }),
		},
		{
			Name:   "HttpOnly is dropped",
			Breaks: ids("cookie-security/session-httponly"),
			Wrap:   onCookie(func(line string) []string { return []string{ft.DropAttributes(line, "HttpOnly")} }),
		},
		{
			Name:   "SameSite is dropped",
			Breaks: ids("cookie-security/session-samesite"),
			Wrap:   onCookie(func(line string) []string { return []string{ft.DropAttributes(line, "SameSite")} }),
		},
		{
			Name:   "cookie responses are public",
			Breaks: ids("cache-control/cookie-response-not-shared"),
			Wrap: ft.OnHeaders(func(r *http.Request, h http.Header) {
				if strings.HasSuffix(r.URL.Path, "/cookies/set") {
					h.Set("Cache-Control", "public, max-age=60")
				}
			}),
		},

		// Date, Cache-Control, Expires, Age and Vary.
		{
			Name:   "no Date",
			Breaks: ids("date/present"),
			Wrap:   ft.OnHeaders(func(_ *http.Request, h http.Header) { h["Date"] = nil }),
		},
		{
			Name:   "Date sent twice",
			Breaks: ids("date/single"),
			Wrap: ft.OnHeaders(func(_ *http.Request, h http.Header) {
				if d := h.Get("Date"); d != "" {
					h["Date"] = []string{d, d}
				}
			}),
		},
		{
			Name:   "Date in the RFC 850 format",
			Breaks: ids("date/imf-fixdate"),
			Wrap: ft.OnHeaders(func(_ *http.Request, h http.Header) {
				if d, ok := httpdate.Parse(h.Get("Date")); ok {
					h.Set("Date", d.UTC().Format("Monday, 02-Jan-06 15:04:05 GMT"))
				}
			}),
		},
		{
			Name:   "the clock is an hour fast",
			Breaks: ids("date/accurate", "expires/agrees-with-max-age", "set-cookie/expires-agrees-with-max-age"),
			Wrap: ft.OnHeaders(func(_ *http.Request, h http.Header) {
				if d, ok := httpdate.Parse(h.Get("Date")); ok {
					h.Set("Date", httpdate.Format(d.Add(time.Hour)))
				}
			}),
		},
		{
			Name:   "Cache-Control contradicts itself",
			Breaks: ids("cache-control/valid-syntax"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				if cc := h.Get("Cache-Control"); cc != "" {
					h.Set("Cache-Control", cc+", public, private")
				}
			}),
		},
		{
			Name:   "Expires in the asctime format",
			Breaks: ids("expires/imf-fixdate"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				if d, ok := httpdate.Parse(h.Get("Expires")); ok {
					h.Set("Expires", d.UTC().Format(time.ANSIC))
				}
			}),
		},
		{
			Name:   "Expires disagrees with max-age",
			Breaks: ids("expires/agrees-with-max-age"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				if d, ok := httpdate.Parse(h.Get("Expires")); ok {
					h.Set("Expires", httpdate.Format(d.Add(-time.Hour)))
				}
			}),
		},
		{
			Name:   "a negative Age",
			Breaks: ids("age/delta-seconds"),
			Wrap:   onResources(func(_ *http.Request, h http.Header) { h.Set("Age", "-1") }),
		},
		{
			Name:   "Vary: *",
			Breaks: ids("vary/no-star"),
			Wrap:   onResources(func(_ *http.Request, h http.Header) { h.Set("Vary", "*") }),
		},
		{
			Name:   "Vary names six fields",
			Breaks: ids("vary/narrow"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				h.Set("Vary", "Accept-Encoding, Accept-Language, Accept, Origin, Cookie, Authorization")
			}),
		},
		{
			Name:   "Vary: User-Agent",
			Breaks: ids("vary/no-user-agent"),
			Wrap:   onResources(func(_ *http.Request, h http.Header) { h.Set("Vary", "Accept-Encoding, User-Agent") }),
		},

		// Conditional requests.
		{
			Name:   "If-None-Match is ignored",
			Breaks: ids("if-none-match/match-gets-304", "if-none-match/star", "precedence/inm-match-beats-old-ims"),
			Wrap:   ft.RewriteRequests("/resources/", func(r *http.Request) { r.Header.Del("If-None-Match") }),
		},
		{
			Name:   "If-None-Match: * is not understood",
			Breaks: ids("if-none-match/star"),
			Wrap: ft.RewriteRequests("/resources/", func(r *http.Request) {
				if r.Header.Get("If-None-Match") == "*" {
					r.Header.Del("If-None-Match")
				}
			}),
		},
		{
			Name:   "If-Modified-Since is ignored",
			Breaks: ids("if-modified-since/equal-gets-304"),
			Wrap:   ft.RewriteRequests("/resources/", func(r *http.Request) { r.Header.Del("If-Modified-Since") }),
		},
		{
			Name:   "If-Modified-Since wins over If-None-Match",
			Breaks: ids("precedence/inm-mismatch-beats-current-ims", "precedence/inm-match-beats-old-ims"),
			Wrap:   ft.IfModifiedSinceWins("/resources/"),
		},
		{
			Name:   "a 304 carries a body",
			Breaks: ids("if-none-match/304-no-body", "if-modified-since/304-no-body"),
			Wrap:   ft.NotModifiedWithBody(isConditional),
		},
		{
			Name:   "a 304 carries no metadata",
			Breaks: ids("if-none-match/304-headers", "if-modified-since/304-headers"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				if h.Get("Content-Type") != "" {
					return // a 200: the reference's 304s carry no Content-Type
				}
				for _, f := range []string{"ETag", "Cache-Control", "Expires", "Vary", "Content-Location"} {
					h.Del(f)
				}
				h["Date"] = nil // suppress the Date net/http would add
			}),
		},

		// Validators.
		{
			Name:   "the ETag changes on every response",
			Breaks: ids("validators/etag-stable", "validators/head-matches-get"),
			Wrap: onResources(func(_ *http.Request, h http.Header) {
				if h.Get("ETag") != "" {
					h.Set("ETag", fmt.Sprintf(`"%d"`, counter.Add(1)))
				}
			}),
		},
		{
			Name:   "the body changes and the ETag stays",
			Breaks: ids("validators/etag-changes-with-content"),
			Wrap: ft.OnRequest("/resources/", func(next http.Handler, w http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodGet || isConditional(r) {
					return false
				}
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				for k, v := range rec.Header() {
					if k != "Content-Length" {
						w.Header()[k] = v
					}
				}
				w.WriteHeader(rec.Code)
				w.Write(rec.Body.Bytes())
				if rec.Code == http.StatusOK {
					fmt.Fprintf(w, "served %d times\n", counter.Add(1))
				}
				return true
			}),
		},
		{
			Name:   "HEAD carries no validators",
			Breaks: ids("validators/head-matches-get"),
			Wrap: ft.OnHeaders(func(r *http.Request, h http.Header) {
				if r.Method == http.MethodHead {
					h.Del("ETag")
					h.Del("Last-Modified")
				}
			}),
		},
		{
			Name:   "Last-Modified is in the future",
			Breaks: ids("validators/last-modified-not-future"),
			Wrap: ft.OnHeaders(func(_ *http.Request, h http.Header) {
				if lm, ok := httpdate.Parse(h.Get("Last-Modified")); ok {
					h.Set("Last-Modified", httpdate.Format(lm.Add(time.Hour)))
				}
			}),
		},

		// The session recipe.
		{
			Name:         "login does not rotate the key",
			Breaks:       ids("session/rotates-on-login", "session/pre-login-cookie-rejected"),
			Wrap:         ft.MarkLogin,
			WrapSessions: ft.KeepKeyOnLogin,
		},
		{
			Name:         "logout only deletes the cookie (the store never deletes)",
			Breaks:       ids("session/logout-invalidates"),
			WrapSessions: ft.KeepOnDelete,
		},
		{
			Name:         "keys count up",
			Breaks:       ids("session/id-entropy"),
			WrapSessions: ft.AliasKeys(ft.CountingKeys()),
		},
		{
			Name:   "the login cookie drops HttpOnly",
			Breaks: ids("session/cookie-attributes"),
			Wrap: ft.RewriteSetCookie("/session/login", func(_ *http.Request, line string) []string {
				if sc, ok := setcookie.Parse(line); ok && sc.Name == "sessionid" {
					return []string{ft.DropAttributes(line, "HttpOnly")}
				}
				return []string{line}
			}),
		},
		{
			Name:   "the logged-in page may be stored",
			Breaks: ids("session/protected-page-not-stored"),
			Wrap: ft.OnHeaders(func(r *http.Request, h http.Header) {
				if strings.HasSuffix(r.URL.Path, "/session/whoami") {
					h.Set("Cache-Control", "public, max-age=60")
				}
			}),
		},
	}
	faults = append(faults, siteFaults(t)...)
	ft.Suite{Name: "probe", Faults: faults, Broken: func(t *testing.T, f ft.Fault) ft.Target {
		if site, ok := siteFault[f.Name]; ok {
			return crawledSite(t, crawltest.Site{Fault: site})
		}
		return startReference(t, embedded.Options{Wrap: f.Wrap, WrapSessions: f.WrapSessions}).target()
	}}.EveryCheckBreaks(t)
}
