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

// The sentences the freshness checks quote: the lifetime directives
// (RFC 9111 §5.2.2.1, §5.2.2.10), Expires (§5.3) and heuristics (§4.2.2).
const (
	reqMaxAgeStale    = `"The max-age response directive indicates that the response is to be considered stale after its age is greater than the specified number of seconds." (RFC 9111 §5.2.2.1)`
	reqSMaxAge        = `"The s-maxage response directive indicates that, for a shared cache, the maximum age specified by this directive overrides the maximum age specified by either the max-age directive or the Expires header field." (RFC 9111 §5.2.2.10)`
	reqExpiresInvalid = `"A cache recipient MUST interpret invalid date formats, especially the value "0", as representing a time in the past (i.e., "already expired")." (RFC 9111 §5.3)`
	reqExpiresMaxAge  = `"If a response includes a Cache-Control header field with the max-age directive (Section 5.2.2.1), a recipient MUST ignore the Expires header field." (RFC 9111 §5.3)`
	reqExpiresSMaxAge = `"Likewise, if a response includes the s-maxage directive (Section 5.2.2.10), a shared cache recipient MUST ignore the Expires header field." (RFC 9111 §5.3)`
	reqHeuristic      = `"A cache MUST NOT use heuristics to determine freshness when an explicit expiration time is present in the stored response." (RFC 9111 §4.2.2)`
)

// reqDelta is RFC 9111 §1.2.2's rule on delta-seconds overflow, which
// age/overflow (4_constructing.go) quotes too.
const reqDelta = `"If a cache receives a delta-seconds value greater than the greatest integer it can represent, or if any of its subsequent calculations overflows, the cache MUST consider the value to be 2147483648 (2^31) or the greatest positive integer it can conveniently represent." (RFC 9111 §1.2.2)`

// Freshness, RFC 9111 §4.2, §4.2.2 and §5.3.
var (
	maxAgeStale = suite.Must("freshness/max-age", "once max-age has passed, the response is not served without contacting the origin", "RFC9111 4.2.4", "RFC9111 5.2.2.1").
			Quoting(reqStale + " " + reqMaxAgeStale)
	sMaxAgeStale = suite.Must("freshness/s-maxage-over-max-age", "s-maxage, not a longer max-age, sets the shared cache's lifetime", "RFC9111 4.2.1", "RFC9111 5.2.2.10").
			Quoting(reqStale + " " + reqSMaxAge)
	expiresStale = suite.Must("freshness/expires", "once Expires has passed, the response is not served without contacting the origin", "RFC9111 4.2.1", "RFC9111 5.3").
			Quoting(reqStale + ` "The Expires header field gives the date/time after which the response is considered stale." (RFC 9111 §5.3)`)
	deltaOverflow     = suite.Must("freshness/delta-seconds-overflow", "a max-age beyond any integer the cache holds counts as 2^31 seconds: the response is fresh", "RFC9111 1.2.2").Quoting(reqDelta)
	expiresMaxAge     = suite.Must("expires/ignored-with-max-age", "a max-age shorter than Expires decides: the response goes stale", "RFC9111 5.3").Quoting(reqExpiresMaxAge)
	expiresSMaxAge    = suite.Must("expires/ignored-with-s-maxage", "an s-maxage shorter than Expires decides: the response goes stale", "RFC9111 5.3").Quoting(reqExpiresSMaxAge)
	expiresPast       = suite.Must("expires/in-the-past", "a response whose Expires is in the past is stale on arrival", "RFC9111 5.3", "RFC9111 4.2.1").Quoting(reqStale)
	expiresZero       = suite.Must("expires/zero", "Expires: 0 means already expired", "RFC9111 5.3").Quoting(reqExpiresInvalid)
	expiresInvalid    = suite.Must("expires/invalid", "an Expires that is not a date means already expired", "RFC9111 5.3").Quoting(reqExpiresInvalid)
	expiresPastMaxAge = suite.Must("expires/past-ignored-with-max-age", "a past Expires does not shorten max-age: the response is reused as one without Expires is", "RFC9111 5.3").Quoting(reqExpiresMaxAge)
	heuristicMaxAge   = suite.Must("heuristic/not-with-max-age", "a response with max-age goes stale on time, however old its Last-Modified", "RFC9111 4.2.2").Quoting(reqHeuristic)
	heuristicExpires  = suite.Must("heuristic/not-with-expires", "a response with Expires goes stale on time, however old its Last-Modified", "RFC9111 4.2.2").Quoting(reqHeuristic)
)

// Response directives, RFC 9111 §5.2.3: an unknown one is ignored, so the
// response is reused as a plain max-age one (a reusedCase below).
var (
	extensionIgnored = suite.Must("directives/extension-ignored", "an unknown directive beside max-age changes nothing: the response is reused as without it", "RFC9111 5.2.3").
		Quoting(`"A cache MUST ignore unrecognized cache directives." (RFC 9111 §5.2.3)`)
)

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
