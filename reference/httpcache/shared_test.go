package httpcache

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// The shared cache of a proxy (Options.Shared). Every scenario starts with
// an empty cache; steps within a scenario share it.

// swr60 is a response that is fresh for one second and may then be served
// stale for a minute while it is revalidated; sie60 may be served stale for
// a minute when the origin fails.
var (
	swr60 = reply{header: []string{"Cache-Control: max-age=1, stale-while-revalidate=60", `ETag: "v1"`}, body: "v1"}
	sie60 = reply{header: []string{"Cache-Control: max-age=1, stale-if-error=60", `ETag: "v1"`}, body: "v1"}
)

// staleTests: serving stale responses, RFC 9111 §4.2.4 and RFC 5861.
var staleTests = []scenario{
	{name: "RFC5861 3 stale-while-revalidate: served stale, revalidated in the background", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{swr60}, want: "network 200 v1"},
		{at: 3 * s, req: "GET /r", origin: []reply{{status: 304, header: []string{"Cache-Control: max-age=1, stale-while-revalidate=60", `ETag: "v1"`, "X-Revalidated: yes"}}},
			sent: []string{`If-None-Match: "v1"`}, want: "stale 200 v1 Age=3 X-Revalidated=", show: []string{"Age", "X-Revalidated"}},
		{at: 3 * s, req: "GET /r", want: "cache 200 v1 Age=0 X-Revalidated=yes", show: []string{"Age", "X-Revalidated"}},
	}},
	{name: "RFC5861 3 stale-while-revalidate: the background answer replaces a changed response", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{swr60}, want: "network 200 v1"},
		{at: 3 * s, req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", `ETag: "v2"`}, body: "v2"}}, want: "stale 200 v1"},
		{at: 4 * s, req: "GET /r", want: "cache 200 v2"},
	}},
	{name: "RFC5861 3 stale-while-revalidate: a response without validators is fetched in the background", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=1, stale-while-revalidate=60"}, body: "v1"}}, want: "network 200 v1"},
		{at: 3 * s, req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60"}, body: "v2"}}, sent: []string{"If-None-Match:"}, want: "stale 200 v1"},
		{at: 4 * s, req: "GET /r", want: "cache 200 v2"},
	}},
	{name: "RFC5861 3 stale-while-revalidate: beyond the window the response is validated first", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{swr60}, want: "network 200 v1"},
		{at: 62 * s, req: "GET /r", origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 4.2.4 must-revalidate forbids stale-while-revalidate", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=1, stale-while-revalidate=60, must-revalidate", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 3 * s, req: "GET /r", origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 4.2.4 s-maxage forbids stale-while-revalidate in a shared cache", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: s-maxage=1, stale-while-revalidate=60", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 3 * s, req: "GET /r", origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 4.2.4 no-cache forbids stale-while-revalidate", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: no-cache, stale-while-revalidate=60", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 3 * s, req: "GET /r", origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 5.2.1.4 a no-cache request is validated, not served stale", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{swr60}, want: "network 200 v1"},
		{at: 3 * s, req: "GET /r", header: []string{"Cache-Control: no-cache"}, origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC5861 3 a private cache does not serve stale", steps: []step{
		{req: "GET /r", origin: []reply{swr60}, want: "network 200 v1"},
		{at: 3 * s, req: "GET /r", origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC5861 4 stale-if-error: served stale when the origin is unreachable", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{sie60}, want: "network 200 v1"},
		{at: 3 * s, req: "GET /r", origin: []reply{{fail: true}}, want: "stale 200 v1 Age=3", show: []string{"Age"}},
	}},
	{name: "RFC5861 4 stale-if-error: served stale when the origin answers 500", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{sie60}, want: "network 200 v1"},
		{at: 3 * s, req: "GET /r", origin: []reply{{status: 500, body: "oops"}}, want: "stale 200 v1"},
		{at: 4 * s, req: "GET /r", origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC5861 4 stale-if-error: a response without validators", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=1, stale-if-error=60"}, body: "v1"}}, want: "network 200 v1"},
		{at: 3 * s, req: "GET /r", origin: []reply{{status: 503, body: "busy"}}, want: "stale 200 v1"},
	}},
	{name: "RFC5861 4 stale-if-error: beyond the window the error is passed on", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{sie60}, want: "network 200 v1"},
		{at: 62 * s, req: "GET /r", origin: []reply{{status: 500, body: "oops"}}, want: "network 500 oops"},
		{at: 62 * s, req: "GET /r", origin: []reply{{fail: true}}, want: "error"},
	}},
	{name: "RFC5861 4 stale-if-error in the request", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 70 * s, req: "GET /r", header: []string{"Cache-Control: stale-if-error=5"}, origin: []reply{{status: 502}}, want: "network 502 "},
		{at: 70 * s, req: "GET /r", header: []string{"Cache-Control: stale-if-error=60"}, origin: []reply{{status: 502}}, want: "stale 200 v1"},
	}},
	{name: "RFC9111 5.2.2.2 must-revalidate forbids stale-if-error", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=1, stale-if-error=60, must-revalidate", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 3 * s, req: "GET /r", origin: []reply{{fail: true}}, want: "generated 504 httpcache: must-revalidate: the stored response could not be validated: origin unreachable (scripted)\n"},
	}},
	{name: "RFC9111 5.2.2.8 proxy-revalidate forbids stale-if-error in a shared cache", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=1, stale-if-error=60, proxy-revalidate", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 3 * s, req: "GET /r", origin: []reply{{status: 500, body: "oops"}}, want: "network 500 oops"},
	}},
	{name: "RFC5861 4 a private cache does not serve stale on error", steps: []step{
		{req: "GET /r", origin: []reply{sie60}, want: "network 200 v1"},
		{at: 3 * s, req: "GET /r", origin: []reply{{status: 500, body: "oops"}}, want: "network 500 oops"},
	}},
}

func TestRFC5861Stale(t *testing.T) { run(t, staleTests) }

// validationRequestTests: a shared cache answers its clients' conditional
// requests, RFC 9111 §4.3.2. fresh60 has ETag "v1" and a Date of tNow.
var validationRequestTests = []scenario{
	{name: "RFC9111 4.3.2 If-None-Match with the stored tag: 304 from storage", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{`If-None-Match: "v1"`}, want: `cache 304  ETag="v1" Cache-Control=max-age=60 Age=1`, show: []string{"ETag", "Cache-Control", "Age"}},
		{at: 1 * s, req: "HEAD /r", header: []string{`If-None-Match: "x", "v1"`}, want: "cache 304 "},
	}},
	{name: "RFC9110 13.1.2 If-None-Match compares weakly", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{`If-None-Match: W/"v1"`}, want: "cache 304 "},
	}},
	{name: "RFC9111 4.3.2 If-None-Match with another tag: the stored 200", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{`If-None-Match: "v0"`}, want: "cache 200 v1"},
	}},
	{name: "RFC9111 4.3.2 If-Modified-Since against Last-Modified", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", lmHour}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{"If-Modified-Since: " + at(-10*time.Hour)}, want: "cache 304 "},
		{at: 1 * s, req: "GET /r", header: []string{"If-Modified-Since: " + at(-11*time.Hour)}, want: "cache 200 v1"},
	}},
	{name: "RFC9111 4.3.2 If-Modified-Since without Last-Modified uses Date", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{fresh600}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{"If-Modified-Since: " + at(0)}, want: "cache 304 "},
		{at: 1 * s, req: "GET /r", header: []string{"If-Modified-Since: " + at(-time.Hour)}, want: "cache 200 v1"},
	}},
	{name: "RFC9110 13.1.3 If-None-Match takes precedence over If-Modified-Since", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{`If-None-Match: "v0"`, "If-Modified-Since: " + at(0)}, want: "cache 200 v1"},
	}},
	{name: "RFC9111 4.3.2 nothing stored: the conditional request is forwarded", shared: true, steps: []step{
		{req: "GET /r", header: []string{`If-None-Match: "v1"`}, origin: []reply{notMod}, sent: []string{`If-None-Match: "v1"`}, want: "network 304 "},
		{at: 1 * s, req: "GET /r", header: []string{`If-None-Match: "v1"`}, origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 2 * s, req: "GET /r", header: []string{`If-None-Match: "v1"`}, want: "cache 304 "},
	}},
	{name: "RFC9111 4.3.2 a stale response is validated with the cache's own validators", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", header: []string{`If-None-Match: "v1"`}, origin: []reply{notMod}, sent: []string{`If-None-Match: "v1"`}, want: "revalidated 304 "},
		{at: 121 * s, req: "GET /r", header: []string{`If-None-Match: "v0"`}, origin: []reply{notMod}, sent: []string{`If-None-Match: "v1"`}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 4.3.2 If-Match and If-Unmodified-Since are for the origin", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{`If-Match: "v0"`}, origin: []reply{{status: 412}}, sent: []string{`If-Match: "v0"`}, want: "network 412 "},
		{at: 1 * s, req: "GET /r", header: []string{"If-Unmodified-Since: " + at(-time.Hour)}, origin: []reply{{status: 412}}, want: "network 412 "},
		{at: 1 * s, req: "GET /r", header: []string{`If-None-Match: "v1"`, "Range: bytes=0-0"}, origin: []reply{{status: 304}}, want: "network 304 "},
	}},
}

func TestRFC9111ValidationRequests(t *testing.T) { run(t, validationRequestTests) }

// TestEviction: with MaxStorage, the least recently used responses go first.
func TestEviction(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		w.Header().Set("Date", httpdate.Format(tNow))
		io.WriteString(w, strings.Repeat("x", 1000))
	}))
	defer srv.Close()
	c := New(Options{Transport: srv.Client().Transport, Clock: clock.NewManual(tNow), Shared: true, MaxStorage: 2500})
	get := func(path string) Source {
		t.Helper()
		resp, src, err := c.Do(mustRequest(t, "GET", srv.URL+path))
		if err != nil {
			t.Fatal(err)
		}
		discard(resp)
		return src
	}
	for _, path := range []string{"/a", "/b", "/a", "/c"} { // /c evicts /b, used least recently
		get(path)
	}
	got := ""
	for _, path := range []string{"/a", "/c", "/b"} {
		got += path + "=" + string(get(path)) + " "
	}
	if want := "/a=cache /c=cache /b=network "; got != want {
		t.Errorf("after storing /a /b /a /c in room for two:\n got  %s\n want %s", got, want)
	}
	if c.store.used > 2500 {
		t.Errorf("storage uses %d bytes, over its cap of 2500", c.store.used)
	}
}
