package views_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reference/cache"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

// onView rewrites requests to views/NAME before the server sees them: f
// may change the path and query, or answer itself (returning true).
func onView(name string, f func(next http.Handler, w http.ResponseWriter, r *http.Request) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/views/"+name && f(next, w, r) {
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// setQuery changes query parameter name of r (delete when value is "").
func setQuery(r *http.Request, name, value string) {
	q := r.URL.Query()
	if value == "" {
		q.Del(name)
	} else {
		q.Set(name, value)
	}
	r.URL.RawQuery = q.Encode()
}

// onBody lets f rewrite the body of views/NAME's answers.
func onBody(name string, f func(r *http.Request, body []byte) []byte) func(http.Handler) http.Handler {
	return onView(name, func(next http.Handler, w http.ResponseWriter, r *http.Request) bool {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		w.Write(f(r, rec.Body.Bytes()))
		return true
	})
}

var (
	sidebarElement = regexp.MustCompile(`(?s)<section id="sidebar".*?</section>`)
	dataUser       = regexp.MustCompile(`data-user="[^"]*"`)
)

// TestFaults runs the views suite against broken variants of the
// reference server; each fault must make its checks fail.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	ids := func(names ...string) []*check.Check { return ft.Checks(t, "views", names...) }
	var (
		firstSidebar sync.Map // "" -> the first sidebar served
		pages        sync.Map // URL -> a whole page, stored forever
	)
	faults := []ft.Fault{
		{
			Name:   "the per-view cache is off",
			Breaks: ids("cached/renders-once", "cached/lives-until-ttl", "cached/max-age-is-ttl", "cached/expires-is-date-plus-ttl"),
			Wrap: onView("cached", func(_ http.Handler, _ http.ResponseWriter, r *http.Request) bool {
				r.URL.Path = "/views/uncached"
				return false
			}),
		},
		{
			Name:   "the per-view cache is keyed by User-Agent",
			Breaks: ids("cached/shared-across-clients"),
			Wrap: onView("cached", func(_ http.Handler, _ http.ResponseWriter, r *http.Request) bool {
				setQuery(r, "user-agent", r.UserAgent())
				return false
			}),
		},
		{
			Name:   "cached pages never expire",
			Breaks: ids("cached/renders-after-ttl"),
			Wrap: onView("cached", func(_ http.Handler, _ http.ResponseWriter, r *http.Request) bool {
				if r.URL.Query().Get("ttl") == "2" {
					setQuery(r, "ttl", "100000")
				}
				return false
			}),
		},
		{
			Name:   "cached pages live one second",
			Breaks: ids("cached/lives-until-ttl", "cached/query-string-is-key"),
			Wrap: onView("cached", func(_ http.Handler, _ http.ResponseWriter, r *http.Request) bool {
				if n, err := strconv.Atoi(r.URL.Query().Get("ttl")); err == nil && n > 0 {
					setQuery(r, "ttl", "1")
				}
				return false
			}),
		},
		{
			Name:   "the query string is not part of the key",
			Breaks: ids("cached/query-string-is-key"),
			Wrap: onView("cached", func(_ http.Handler, _ http.ResponseWriter, r *http.Request) bool {
				setQuery(r, "variant", "")
				return false
			}),
		},
		{
			Name:   "max-age is twice the ttl",
			Breaks: ids("cached/max-age-is-ttl"),
			Wrap: ft.OnHeaders(func(r *http.Request, h http.Header) {
				if n, err := strconv.Atoi(r.URL.Query().Get("ttl")); err == nil && r.URL.Path == "/views/cached" {
					h.Set("Cache-Control", "max-age="+strconv.Itoa(2*n))
				}
			}),
		},
		{
			Name:   "Expires is a minute late",
			Breaks: ids("cached/expires-is-date-plus-ttl"),
			Wrap: ft.OnHeaders(func(r *http.Request, h http.Header) {
				if at, err := http.ParseTime(h.Get("Expires")); err == nil && r.URL.Path == "/views/cached" {
					h.Set("Expires", at.Add(time.Minute).UTC().Format(http.TimeFormat))
				}
			}),
		},
		{
			Name:   "a bad ttl is a 500",
			Breaks: ids("cached/bad-ttl-is-400"),
			Wrap: onView("cached", func(_ http.Handler, w http.ResponseWriter, r *http.Request) bool {
				if n, err := strconv.Atoi(r.URL.Query().Get("ttl")); err != nil || n < 1 {
					http.Error(w, "internal server error", http.StatusInternalServerError)
					return true
				}
				return false
			}),
		},
		{
			Name:   "the uncached view is cached",
			Breaks: ids("uncached/renders-every-time"),
			Wrap: onView("uncached", func(_ http.Handler, _ http.ResponseWriter, r *http.Request) bool {
				r.URL.Path = "/views/cached"
				setQuery(r, "ttl", "300")
				return false
			}),
		},
		{
			Name:   "the fragment page is served as text/plain",
			Breaks: ids("fragment/page-structure"),
			Wrap: ft.OnHeaders(func(r *http.Request, h http.Header) {
				if r.URL.Path == "/views/fragment" {
					h.Set("Content-Type", "text/plain; charset=utf-8")
				}
			}),
		},
		{
			Name:   "the fragment cache is off",
			Breaks: ids("fragment/sidebar-cached", "fragment/lives-until-ttl", "fragment/default-ttl"),
			Wrap: onView("fragment", func(next http.Handler, _ http.ResponseWriter, r *http.Request) bool {
				body, _ := json.Marshal(map[string]string{"key": cache.FragmentKey("sidebar", r.URL.Query().Get("user"))})
				next.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/cache/default/delete", bytes.NewReader(body)))
				return false
			}),
		},
		{
			Name:   "the whole fragment page is cached",
			Breaks: ids("fragment/content-renders-every-time"),
			Wrap: onBody("fragment", func(r *http.Request, body []byte) []byte {
				stored, _ := pages.LoadOrStore(r.URL.String(), body)
				return stored.([]byte)
			}),
		},
		{
			Name:   "the sidebar is not varied by user",
			Breaks: ids("fragment/per-user"),
			Wrap: onBody("fragment", func(_ *http.Request, body []byte) []byte {
				own := sidebarElement.Find(body)
				if own == nil {
					return body
				}
				first, _ := firstSidebar.LoadOrStore("", own)
				return bytes.Replace(body, own, first.([]byte), 1)
			}),
		},
		{
			Name:   "the fragment ttl is ignored",
			Breaks: ids("fragment/renders-after-ttl"),
			Wrap: onView("fragment", func(_ http.Handler, _ http.ResponseWriter, r *http.Request) bool {
				if r.URL.Query().Has("ttl") {
					setQuery(r, "ttl", "100000")
				}
				return false
			}),
		},
		{
			Name:   "the fragment ttl is cut to one second",
			Breaks: ids("fragment/lives-until-ttl"),
			Wrap: onView("fragment", func(_ http.Handler, _ http.ResponseWriter, r *http.Request) bool {
				if r.URL.Query().Has("ttl") {
					setQuery(r, "ttl", "1")
				}
				return false
			}),
		},
		{
			Name:   "the default fragment ttl is 60 s",
			Breaks: ids("fragment/default-ttl"),
			Wrap: onView("fragment", func(_ http.Handler, _ http.ResponseWriter, r *http.Request) bool {
				if !r.URL.Query().Has("ttl") {
					setQuery(r, "ttl", "60")
				}
				return false
			}),
		},
		{
			Name:   "user names are inserted raw",
			Breaks: ids("fragment/user-escaped"),
			Wrap: onBody("fragment", func(r *http.Request, body []byte) []byte {
				user := r.URL.Query().Get("user")
				return dataUser.ReplaceAllLiteral(body, []byte(`data-user="`+user+`"`))
			}),
		},
		{
			Name:   "a missing user is a 500",
			Breaks: ids("fragment/missing-user-is-400"),
			Wrap: onView("fragment", func(_ http.Handler, w http.ResponseWriter, r *http.Request) bool {
				if strings.TrimSpace(r.URL.Query().Get("user")) == "" {
					http.Error(w, "internal server error", http.StatusInternalServerError)
					return true
				}
				return false
			}),
		},
	}
	ft.Suite{Name: "views", Faults: faults}.EveryCheckBreaks(t)
}
