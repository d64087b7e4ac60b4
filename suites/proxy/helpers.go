package proxy

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// sharedWait is the one wait of the suite: every response meant to go
// stale lives one second (max-age=1, s-maxage=1, Expires one second after
// Date), and three seconds leave room for Date's one-second resolution and
// a cache's rounding.
const sharedWait = 3 * time.Second

// fields turns "Name: value" lines into a scripted header list; "Name:"
// alone is an empty value (for Date: send none).
func fields(lines ...string) [][2]string {
	out := make([][2]string, 0, len(lines))
	for _, l := range lines {
		name, value, _ := strings.Cut(l, ":")
		out = append(out, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	return out
}

// respond is a scripted 200 with body and header lines.
func respond(body string, lines ...string) origin.Response {
	return origin.Response{Body: body, Header: fields(lines...)}
}

// status is a scripted response with another status code; the origin
// answers it in full whatever the request's preconditions.
func status(code int, body string, lines ...string) origin.Response {
	return origin.Response{Status: code, Body: body, Header: fields(lines...), IgnorePreconditions: true}
}

// reset is an origin that drops the connection: a cache that forwards the
// request is disconnected (RFC 9111 §4.2.4).
var reset = origin.Response{Reset: true}

// resource is a path of one script, requested through the cache by one
// browser.
type resource struct {
	s       *harness.Script
	b       *harness.Browser
	query   url.Values
	virtual bool // the cache shares the origin's virtual clock (the reference proxy in tests)
}

// newResource registers responses as a script and opens a browser for it.
// It does not assert, so a shared setup may use it.
func newResource(e *harness.Env, responses ...origin.Response) *resource {
	return &resource{s: e.Script(responses...), b: e.NewBrowser(), virtual: e.Clock().Virtual()}
}

// waitHits waits up to d for the origin to have seen n requests of r: a
// cache may ask it after it answered (in the background). An in-process
// cache on a virtual clock answers within milliseconds, so it gets a
// fifth of d.
func (r *resource) waitHits(n int, d time.Duration) []origin.Hit {
	if r.virtual {
		d /= 5
	}
	return r.s.WaitHits(n, d)
}

// withQuery is the same resource with a query.
func (r *resource) withQuery(pairs ...string) *resource {
	c := *r
	c.query = harness.Query(pairs...)
	return &c
}

// on is the same resource on a virtual host.
func (r *resource) on(host string) *resource {
	c := *r
	c.b = r.b.On(host)
	return &c
}

// request builds the harness request; header is name, value pairs.
func (r *resource) request(method, note string, header ...string) harness.Request {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Add(header[i], header[i+1])
	}
	return harness.Request{Method: method, Path: r.s.Path("r"), Query: r.query, Header: h, Note: note}
}

// get sends GET through the cache; a transport failure ends the check as
// error.
func (r *resource) get(note string, header ...string) *harness.Response {
	return r.b.Do(r.request(http.MethodGet, note, header...))
}

// do sends another method.
func (r *resource) do(method, note string, header ...string) *harness.Response {
	return r.b.Do(r.request(method, note, header...))
}

// try sends GET and returns a transport failure instead of ending the
// check: for caches whose origin drops connections.
func (r *resource) try(note string, header ...string) (*harness.Response, error) {
	return r.b.Try(r.request(http.MethodGet, note, header...))
}

// hits is what reached the origin so far.
func (r *resource) hits() []origin.Hit { return r.s.Hits() }

// served describes a response for a failure message.
func served(resp *harness.Response) string {
	body := strings.TrimSpace(string(resp.Body))
	if len(body) > 60 {
		body = body[:60] + "..."
	}
	return fmt.Sprintf("%d %q", resp.Status, body)
}

// times is "once", "twice", "N times".
func times(n int) string {
	switch n {
	case 0:
		return "never"
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return strconv.Itoa(n) + " times"
}

// expectFromOrigin fails unless resp carries want, the body only a later
// response of the origin has: the cache went to the origin instead of
// serving what it stored.
func expectFromOrigin(r *resource, resp *harness.Response, want, what string) {
	GinkgoHelper()
	if string(resp.Body) == want {
		return
	}
	Expect(false).To(verify.Hold(), "expected %s to reach the origin and get %q; observed %s served while the origin was asked %s", what, want, served(resp), times(len(r.hits())))
}

// expectKnownStale fails unless the cache treated the stored response as
// stale: it reached the origin for "v2", or it served the stored response
// while revalidating it in the background (the origin was asked within a
// second). Serving a stale response is graded once, by freshness/max-age
// and freshness/expires; the checks that use this one grade how the
// cache computes a lifetime.
func expectKnownStale(r *resource, resp *harness.Response, what string) {
	GinkgoHelper()
	if string(resp.Body) != "v2" {
		r.waitHits(2, time.Second)
	}
	expectAskedAbout(r, resp, what)
}

// expectAskedAbout is expectKnownStale without the wait, for a check that
// graded after the shared one: a background revalidation has reached the
// origin by then.
func expectAskedAbout(r *resource, resp *harness.Response, what string) {
	GinkgoHelper()
	Expect(string(resp.Body) == "v2" || len(r.hits()) >= 2).To(verify.Hold(), "expected %s to treat the stored response as stale and ask the origin; observed %s served from storage, and the origin not asked again", what, served(resp))
}

// skipUnlessReused skips the check when the cache asked the origin more
// than n times: it did not reuse the stored response, which RFC 9111 always
// allows, and what the check grades is in a reused response.
func skipUnlessReused(e *harness.Env, r *resource, n int) {
	if got := len(r.hits()); got > n {
		e.Skipf("the cache did not reuse the stored response (the origin was asked %s), which RFC 9111 allows; nothing to grade", times(got))
	}
}

// reusesFresh reports whether the cache reuses a plain response with
// max-age=600 at all: the baseline of checks that read a directive's effect
// from a response not being reused.
func reusesFresh(e *harness.Env) bool {
	reused, _ := twice(e, "control: a plain response with max-age=600", "Cache-Control: max-age=600")
	return reused
}

// twice requests a new resource of two responses (v1, v2) twice, and says
// whether the second GET was served from storage, and what was seen.
func twice(e *harness.Env, what string, lines ...string) (reused bool, seen string) {
	r := newResource(e, respond("v1", lines...), respond("v2", lines...))
	r.get(what)
	second := r.get("the same again: " + what)
	reused = len(r.hits()) == 1 && string(second.Body) == "v1"
	return reused, fmt.Sprintf("%s: the origin was asked %s and the second GET got %s", what, times(len(r.hits())), served(second))
}

// requireReuse skips the check unless the cache reuses a plain fresh
// response.
func requireReuse(e *harness.Env) {
	if !reusesFresh(e) {
		e.Skipf("the cache does not reuse even a plain response with max-age=600, so not reusing this one says nothing")
	}
}

// expectReusedAsControl fails unless the second GET of r was served from
// storage: the control (requireReuse) was, and the only difference is what
// the check puts in the response.
func expectReusedAsControl(r *resource, second *harness.Response, body, what string) {
	GinkgoHelper()
	n := len(r.hits())
	Expect(n == 1 && string(second.Body) == body).To(verify.Hold(), "expected the cache to reuse %s as it reuses a plain response with max-age=600; observed the origin asked %s (served %s)", what, times(n), served(second))
}

// ageOf parses an Age field value as delta-seconds; ok is false when it is
// missing or not one non-negative integer.
func ageOf(resp *harness.Response) (time.Duration, bool) {
	vs := resp.Header.Values("Age")
	if len(vs) != 1 {
		return 0, false
	}
	v := strings.TrimSpace(vs[0])
	n, err := strconv.ParseUint(v, 10, 63)
	if err != nil || v == "" || v[0] == '+' {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}
