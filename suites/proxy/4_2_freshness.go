package proxy

import (
	"strings"

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
	reqMaxAgeStale      = `"The max-age response directive indicates that the response is to be considered stale after its age is greater than the specified number of seconds." (RFC 9111 §5.2.2.1)`
	reqSMaxAge          = `"The s-maxage response directive indicates that, for a shared cache, the maximum age specified by this directive overrides the maximum age specified by either the max-age directive or the Expires header field." (RFC 9111 §5.2.2.10)`
	reqExpiresInvalid   = `"A cache recipient MUST interpret invalid date formats, especially the value "0", as representing a time in the past (i.e., "already expired")." (RFC 9111 §5.3)`
	reqExpiresMaxAge    = `"If a response includes a Cache-Control header field with the max-age directive (Section 5.2.2.1), a recipient MUST ignore the Expires header field." (RFC 9111 §5.3)`
	reqExpiresSMaxAge   = `"Likewise, if a response includes the s-maxage directive (Section 5.2.2.10), a shared cache recipient MUST ignore the Expires header field." (RFC 9111 §5.3)`
	reqHeuristic        = `"A cache MUST NOT use heuristics to determine freshness when an explicit expiration time is present in the stored response." (RFC 9111 §4.2.2)`
	reqExpiresMinusDate = `"If the Expires response header field (Section 5.3) is present, use its value minus the value of the Date response header field (using the time the message was received if it is not present, as per Section 6.6.1 of [HTTP])" (RFC 9111 §4.2.1)`
	reqFirstOccurrence  = `"When there is more than one value present for a given directive (e.g., two Expires header field lines or multiple Cache-Control: max-age directives), either the first occurrence should be used or the response should be considered stale." (RFC 9111 §4.2.1)`
	reqCorrectedAge     = `"corrected_age_value = age_value + response_delay;" "The corrected_age_value MAY be used as the corrected_initial_age." "current_age = corrected_initial_age + resident_time;" (RFC 9111 §4.2.3)`
	reqZoneNotGMT       = `"A cache recipient SHOULD consider a date with a zone abbreviation other than "GMT" to be invalid for calculating expiration." (RFC 9111 §4.2)`
)

// farFuture is an Expires decades ahead, written in ways that are not an
// HTTP-date (RFC 9110 §5.6.7: IMF-fixdate in GMT, or the two obsolete
// formats): a cache that parses them leniently finds the response fresh
// for decades, one that follows §5.3 finds it already expired.
const farFuture = "Thu, 01 Jan 2099 09:00:00"

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

	maxAgeZero        = suite.Must("freshness/max-age-zero", "a response with max-age=0 is stale on arrival", "RFC9111 5.2.2.1", "RFC9111 4.2.4").Quoting(reqStale + " " + reqMaxAgeStale)
	maxAgeZeroExpires = suite.Must("freshness/max-age-zero-with-expires", "max-age=0 decides over a future Expires: the response is stale on arrival", "RFC9111 5.3", "RFC9111 5.2.2.1").Quoting(reqExpiresMaxAge)
	// The rule on duplicates is a lower-case "should" (RFC 9111 §4.2.1),
	// not a requirement keyword: advice, as the cache-tests catalogue
	// grades it too.
	maxAgeDuplicate = suite.Advisory("freshness/max-age-duplicate", "of max-age=0, max-age=3600 the first occurrence decides, or the response is stale: it is stale either way", "RFC9111 4.2.1").
			Quoting(reqFirstOccurrence)
	maxAgeQuotedBefore = suite.Must("freshness/max-age-in-quoted-string-before", `a "max-age=3600" inside an unknown directive's quoted argument, before the real max-age=0, is not taken for max-age`, "RFC9111 5.2", "RFC9111 5.2.3").
				Quoting(reqStale + " " + reqMaxAgeStale)
	maxAgeQuotedAfter = suite.Must("freshness/max-age-in-quoted-string-after", `a "max-age=3600" inside an unknown directive's quoted argument, after the real max-age=0, is not taken for max-age`, "RFC9111 5.2", "RFC9111 5.2.3").
				Quoting(reqStale + " " + reqMaxAgeStale)
	sMaxAgeZero         = suite.Must("freshness/s-maxage-zero", "s-maxage=0 beside max-age=3600 makes the response stale on arrival in a shared cache", "RFC9111 5.2.2.10").Quoting(reqSMaxAge)
	sMaxAgeZeroReversed = suite.Must("freshness/s-maxage-zero-after-max-age", "s-maxage=0 after max-age=3600 in the same field line decides as well", "RFC9111 5.2.2.10").Quoting(reqSMaxAge)
	sMaxAgeZeroLines    = suite.Must("freshness/s-maxage-zero-own-line", "s-maxage=0 on a Cache-Control line of its own, beside a line with max-age=3600, decides as well", "RFC9111 5.2.2.10", "RFC9110 5.3").Quoting(reqSMaxAge)

	expiresEqualsDate  = suite.Must("expires/equal-to-date", "an Expires equal to Date is stale on arrival, even within the same second", "RFC9111 5.3", "RFC9111 4.2.1").Quoting(reqStale + " " + reqExpiresMinusDate)
	expiresBeforeDate  = suite.Must("expires/before-date-both-ahead", "an Expires earlier than Date is stale on arrival, though both are ahead of the cache's clock", "RFC9111 4.2.1").Quoting(reqStale + " " + reqExpiresMinusDate)
	expiresAge         = suite.Must("expires/age-counted", "an Age beyond Expires minus Date makes the response stale on arrival", "RFC9111 4.2.3", "RFC9111 5.3").Quoting(reqReuse + " " + reqCorrectedAge)
	expiresAgeDateBack = suite.Must("expires/age-counted-date-behind", "with a Date behind the cache's clock, an Age beyond Expires minus Date makes the response stale", "RFC9111 4.2.1", "RFC9111 4.2.3").
				Quoting(reqReuse + " " + reqExpiresMinusDate + " " + reqCorrectedAge)
	expiresAgeDateAhead = suite.Must("expires/age-counted-date-ahead", "with a Date ahead of the cache's clock, an Age beyond Expires minus Date makes the response stale", "RFC9111 4.2.1", "RFC9111 4.2.3").
				Quoting(reqReuse + " " + reqExpiresMinusDate + " " + reqCorrectedAge)
	expiresDuplicate = suite.Advisory("expires/duplicate-lines", "of two Expires lines, the first (one second ahead) decides, or the response is stale: it goes stale either way", "RFC9111 4.2.1", "RFC9111 5.3").
				Quoting(reqFirstOccurrence) // a lower-case "should", as for max-age-duplicate
	immutableStale   = suite.Must("freshness/immutable-goes-stale", "immutable does not keep a response fresh past its max-age", "RFC8246 2", "RFC9111 4.2.4").Quoting(reqStale + " " + reqMaxAgeStale)
	expiresLowerCase = suite.Should("expires/lower-case", "an Expires written in lower case is read as the date it is: the response is reused as a fresh one", "RFC9111 4.2").
				Quoting(`"Although all date formats are specified to be case-sensitive, a cache recipient SHOULD match the field value case-insensitively." (RFC 9111 §4.2)`)
)

// malformedExpires is an Expires that is not an HTTP-date; each must be
// taken for a time in the past (RFC 9111 §5.3).
type malformedExpires struct {
	check *check.Check
	value string
}

var malformedExpiresCases = []malformedExpires{
	{suite.Should("expires/zone-utc", "an Expires in UTC rather than GMT is invalid: the response is stale", "RFC9111 4.2", "RFC9111 5.3").Quoting(reqZoneNotGMT), farFuture + " UTC"},
	{suite.Should("expires/zone-aest", "an Expires in another time zone (AEST) is invalid: the response is stale", "RFC9111 4.2", "RFC9111 5.3").Quoting(reqZoneNotGMT), farFuture + " AEST"},
	{suite.Must("expires/two-digit-year", "an Expires in IMF-fixdate form with a two-digit year is invalid: the response is stale", "RFC9111 5.3", "RFC9110 5.6.7").Quoting(reqExpiresInvalid), "Thu, 01 Jan 37 09:00:00 GMT"},
	{suite.Must("expires/no-comma", "an Expires without the comma after the day name is invalid: the response is stale", "RFC9111 5.3", "RFC9110 5.6.7").Quoting(reqExpiresInvalid), "Thu 01 Jan 2099 09:00:00 GMT"},
	{suite.Must("expires/extra-spaces", "an Expires with doubled spaces is invalid: the response is stale", "RFC9111 5.3", "RFC9110 5.6.7").Quoting(reqExpiresInvalid), "Thu,  01 Jan 2099  09:00:00 GMT"},
	{suite.Must("expires/date-dashes", "an IMF-fixdate Expires with dashes in the date is invalid: the response is stale", "RFC9111 5.3", "RFC9110 5.6.7").Quoting(reqExpiresInvalid), "Thu, 01-Jan-2099 09:00:00 GMT"},
	{suite.Must("expires/time-periods", "an Expires with periods in the time of day is invalid: the response is stale", "RFC9111 5.3", "RFC9110 5.6.7").Quoting(reqExpiresInvalid), "Thu, 01 Jan 2099 09.00.00 GMT"},
	{suite.Must("expires/one-digit-hour", "an Expires with a one-digit hour is invalid: the response is stale", "RFC9111 5.3", "RFC9110 5.6.7").Quoting(reqExpiresInvalid), "Thu, 01 Jan 2099 9:00:00 GMT"},
}

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
	{expiresDuplicate, []string{"Expires: {date+1}", "Expires: {date+3600}"}, true},
	{immutableStale, []string{"Cache-Control: max-age=1, immutable"}, false},
	{mustRevalidateStale, []string{"Cache-Control: max-age=1, must-revalidate"}, false},
}

// staleOnArrival are stale when they arrive.
var staleOnArrival = append([]staleCase{
	{expiresPast, []string{"Expires: {date-3600}"}, true},
	{expiresZero, []string{"Expires: 0"}, true},
	{expiresInvalid, []string{"Expires: next Tuesday, around noon"}, true},
	{maxAgeZero, []string{"Cache-Control: max-age=0"}, false},
	{maxAgeZeroExpires, []string{"Cache-Control: max-age=0", "Expires: {date+3600}"}, true},
	{maxAgeDuplicate, []string{"Cache-Control: max-age=0, max-age=3600"}, true},
	{maxAgeQuotedBefore, []string{`Cache-Control: hc-note="max-age=3600", max-age=0`}, true},
	{maxAgeQuotedAfter, []string{`Cache-Control: max-age=0, hc-note="max-age=3600"`}, true},
	{sMaxAgeZero, []string{"Cache-Control: s-maxage=0, max-age=3600"}, true},
	{sMaxAgeZeroReversed, []string{"Cache-Control: max-age=3600, s-maxage=0"}, true},
	{sMaxAgeZeroLines, []string{"Cache-Control: max-age=3600", "Cache-Control: s-maxage=0"}, true},
	{expiresEqualsDate, []string{"Date: {date}", "Expires: {date}"}, true},
	{expiresBeforeDate, []string{"Date: {date+7200}", "Expires: {date+3600}"}, true},
	{expiresAge, []string{"Expires: {date+3600}", "Age: 7200"}, true},
	{expiresAgeDateBack, []string{"Date: {date-600}", "Expires: {date+600}", "Age: 1500"}, true},
	{expiresAgeDateAhead, []string{"Date: {date+600}", "Expires: {date+1200}", "Age: 900"}, true},
}, malformedStale()...)

// malformedStale turns the malformed Expires values into stale cases.
func malformedStale() []staleCase {
	out := make([]staleCase, 0, len(malformedExpiresCases))
	for _, c := range malformedExpiresCases {
		out = append(out, staleCase{c.check, []string{"Expires: " + c.value}, true})
	}
	return out
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
	{expiresLowerCase, []string{"Expires: " + strings.ToLower(farFuture+" GMT")}, "a response whose Expires, decades ahead, is in lower case"},
}

// freshnessSpecs: freshness lifetimes, RFC 9111 §4.2, §5.2.3 and §5.3.
func freshnessSpecs() {
	Describe("freshness (RFC 9111 4.2, 5.3)", func() {
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
	// Stale on arrival: both GETs before the wait, graded after it, so
	// that a cache revalidating in the background has asked the origin
	// by then without a wait of each check's own.
	for _, c := range staleOnArrival {
		w.It(c.check, func(e *harness.Env) func(*harness.Env) {
			r := c.open(e)
			r.get("a response that is stale on arrival")
			second := r.get("the same again")
			return func(e *harness.Env) {
				if c.lifetime {
					expectAskedAbout(r, second, "the second GET")
					return
				}
				expectFromOrigin(r, second, "v2", "the second GET")
			}
		})
	}
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
