package proxy

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
)

// staleCase is a response that is stale, at once or after the shared wait:
// the GET that follows must reach the origin, which answers "v2" with
// another entity-tag (so a validating cache gets it in full too).
type staleCase struct {
	check *check.Check
	first []string // the first response's header lines (its ETag is "v1")
	// lifetime says the case grades how the lifetime is computed, not
	// whether stale responses are served: a cache that serves the stale
	// response while revalidating it in the background passes.
	lifetime bool
}

// goneStale go stale within a second: they are checked after the shared wait.
var goneStale = []staleCase{
	{maxAgeStale, []string{"Cache-Control: max-age=1"}, false},
	{expiresStale, []string{"Expires: {date+1}"}, false},
	{sMaxAgeStale, []string{"Cache-Control: s-maxage=1, max-age=600"}, true},
	{expiresMaxAge, []string{"Cache-Control: max-age=1", "Expires: {date+3600}"}, true},
	{expiresSMaxAge, []string{"Cache-Control: s-maxage=1", "Expires: {date+3600}"}, true},
	{heuristicMaxAge, []string{"Cache-Control: max-age=1", lastYear}, true},
	{heuristicExpires, []string{"Expires: {date+1}", lastYear}, true},
}

// staleOnArrival are stale when they arrive.
var staleOnArrival = []staleCase{
	{expiresPast, []string{"Expires: {date-3600}"}, true},
	{expiresZero, []string{"Expires: 0"}, true},
	{expiresInvalid, []string{"Expires: next Tuesday, around noon"}, true},
}

// expect grades the GET of a stale response.
func (c staleCase) expect(r *resource, resp *harness.Response, what string) {
	GinkgoHelper()
	if c.lifetime {
		expectKnownStale(r, resp, what)
		return
	}
	expectFromOrigin(r, resp, "v2", what)
}

// open registers the case's script: the stale response, then "v2".
func (c staleCase) open(e *harness.Env) *resource {
	return newResource(e, respond("v1", append(c.first, `ETag: "v1"`)...), respond("v2", "Cache-Control: max-age=600", `ETag: "v2"`))
}

// reusedCase is a response the cache must reuse as it reuses a plain
// max-age=600 one: what it adds must be ignored.
type reusedCase struct {
	check *check.Check
	cc    []string
	what  string
}

var reusedCases = []reusedCase{
	{expiresPastMaxAge, []string{"Cache-Control: max-age=600", "Expires: {date-3600}"}, "a response with max-age=600 and an Expires in the past"},
	{extensionIgnored, []string{`Cache-Control: max-age=600, hc-extension="on", hc-flag`}, "a response with max-age=600 and two unknown directives"},
	{deltaOverflow, []string{"Cache-Control: max-age=99999999999999999999"}, "a response whose max-age overflows"},
}

// freshnessSpecs: freshness lifetimes, RFC 9111 §4.2, §5.2.3 and §5.3.
func freshnessSpecs() {
	Describe("freshness (RFC 9111 4.2, 5.3)", func() {
		for _, c := range staleOnArrival {
			c.check.It(func(e *harness.Env) {
				r := c.open(e)
				r.get("a response that is stale on arrival")
				c.expect(r, r.get("the same again"), "the second GET")
			})
		}
		for _, c := range reusedCases {
			c.check.It(func(e *harness.Env) {
				requireReuse(e)
				r := newResource(e, respond("v1", c.cc...), respond("v2", "Cache-Control: max-age=600"))
				r.get(c.what)
				expectReusedAsControl(r, r.get("the same again"), "v1", c.what)
			})
		}
	})
}

// freshnessWaiting: responses that go stale during the shared wait.
func freshnessWaiting(w *check.WaitGroup) {
	for _, c := range goneStale {
		w.It(c.check, func(e *harness.Env) func(*harness.Env) {
			r := c.open(e)
			r.get("before the wait")
			return func(e *harness.Env) {
				c.expect(r, r.get("after the wait, when the response is stale"), "the GET after the wait")
			}
		})
	}
}
