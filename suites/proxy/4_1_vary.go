package proxy

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
)

// varyCase is a response that varies, the request that stored it and a
// request it must not be reused for. Fields are name, value pairs.
type varyCase struct {
	check         *check.Check
	vary          []string // the response's Vary field lines
	first, second []string
}

// The sentences the Vary checks quote: reqVary, RFC 9111 §4.1's rule on
// matching the fields Vary nominates, which every one quotes, and
// reqVaryAbsent, which the two checks on an absent field add to it.
const (
	reqVary       = `"When a cache receives a request that can be satisfied by a stored response and that stored response contains a Vary header field (Section 12.5.5 of [HTTP]), the cache MUST NOT use that stored response without revalidation unless all the presented request header fields nominated by that Vary field value match those fields in the original request (i.e., the request that caused the cached response to be stored)." (RFC 9111 §4.1)`
	reqVaryStar   = `"A stored response with a Vary header field value containing a member "*" always fails to match." (RFC 9111 §4.1)`
	reqVaryAbsent = ` "If (after any normalization that might take place) a header field is absent from a request, it can only match another request if it is also absent there." (RFC 9111 §4.1)`
)

// Vary, RFC 9111 §4.1.
var (
	varyValue         = suite.Must("vary/different-value", "a response that varies on a field is not reused for another value of it", "RFC9111 4.1").Quoting(reqVary)
	varyAbsentPresent = suite.Must("vary/absent-then-present", "a response to a request without the varying field is not reused for one with it", "RFC9111 4.1").
				Quoting(reqVary + reqVaryAbsent)
	varyPresentAbsent = suite.Must("vary/present-then-absent", "a response to a request with the varying field is not reused for one without it", "RFC9111 4.1").
				Quoting(reqVary + reqVaryAbsent)
	varyStar       = suite.Must("vary/star", "a response with Vary: * is never reused", "RFC9111 4.1").Quoting(reqVaryStar)
	varyTwoFields  = suite.Must("vary/every-field", "every field Vary names must match, not just the first", "RFC9111 4.1").Quoting(reqVary)
	varyTwoLines   = suite.Must("vary/several-lines", "Vary on two field lines nominates the fields of both", "RFC9111 4.1", "RFC9110 5.3").Quoting(reqVary)
	varyOneOmitted = suite.Must("vary/one-of-two-omitted", "a response varying on two fields is not reused for a request that omits one of them", "RFC9111 4.1").
			Quoting(reqVary + reqVaryAbsent)

	// A "*" among other members, RFC 9111 §4.1: the request that follows
	// is the same as the one that stored the response, and still must not
	// match.
	varyStarFirst    = suite.Must("vary/star-then-field", "Vary: *, HC-Lang is never reused", "RFC9111 4.1").Quoting(reqVaryStar)
	varyStarLast     = suite.Must("vary/field-then-star", "Vary: HC-Lang, * is never reused", "RFC9111 4.1").Quoting(reqVaryStar)
	varyStarStar     = suite.Must("vary/star-star", "Vary: *, * is never reused", "RFC9111 4.1").Quoting(reqVaryStar)
	varyStarLines    = suite.Must("vary/star-star-lines", "Vary: * on two field lines is never reused", "RFC9111 4.1", "RFC9110 5.3").Quoting(reqVaryStar)
	varyEmptyStar    = suite.Must("vary/empty-then-star", "Vary: , * (an empty member, then *) is never reused", "RFC9111 4.1", "RFC9110 5.6.1").Quoting(reqVaryStar)
	varyEmptyStarTwo = suite.Must("vary/empty-line-then-star", "an empty Vary line followed by Vary: * is never reused", "RFC9111 4.1", "RFC9110 5.3").Quoting(reqVaryStar)
)

var varyCases = []varyCase{
	{varyValue, []string{"HC-Lang"}, []string{"HC-Lang", "en"}, []string{"HC-Lang", "fr"}},
	{varyAbsentPresent, []string{"HC-Lang"}, nil, []string{"HC-Lang", "fr"}},
	{varyPresentAbsent, []string{"HC-Lang"}, []string{"HC-Lang", "en"}, nil},
	{varyStar, []string{"*"}, nil, nil},
	{varyTwoFields, []string{"HC-A, HC-B"}, []string{"HC-A", "1", "HC-B", "1"}, []string{"HC-A", "1", "HC-B", "2"}},
	{varyTwoLines, []string{"HC-A", "HC-B"}, []string{"HC-A", "1", "HC-B", "1"}, []string{"HC-A", "1", "HC-B", "2"}},
	{varyOneOmitted, []string{"HC-A, HC-B"}, []string{"HC-A", "1", "HC-B", "1"}, []string{"HC-A", "1"}},
	{varyStarFirst, []string{"*, HC-Lang"}, []string{"HC-Lang", "en"}, []string{"HC-Lang", "en"}},
	{varyStarLast, []string{"HC-Lang, *"}, []string{"HC-Lang", "en"}, []string{"HC-Lang", "en"}},
	{varyStarStar, []string{"*, *"}, nil, nil},
	{varyStarLines, []string{"*", "*"}, nil, nil},
	{varyEmptyStar, []string{", *"}, nil, nil},
	{varyEmptyStarTwo, []string{"", "*"}, nil, nil},
}

// varySpecs: secondary cache keys, RFC 9111 §4.1. The two responses carry
// different entity-tags, so a cache that validates the stored one gets the
// second in full.
func varySpecs() {
	Describe("Vary (RFC 9111 4.1)", func() {
		for _, c := range varyCases {
			c.check.It(func(e *harness.Env) {
				lines := func(body, etag string) []string {
					l := []string{"Cache-Control: max-age=600", `ETag: "` + etag + `"`}
					for _, v := range c.vary {
						l = append(l, "Vary: "+v)
					}
					return l
				}
				r := newResource(e, respond("first variant", lines("first variant", "one")...), respond("second variant", lines("second variant", "two")...))
				r.get("the request that stores the response", c.first...)
				expectFromOrigin(r, r.get("a request the stored response does not match", c.second...), "second variant", "the second request")
			})
		}
	})
}
