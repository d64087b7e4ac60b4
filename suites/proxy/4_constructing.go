package proxy

import (
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// The sentences the reuse and Age checks quote: when a stored response may
// be reused (RFC 9111 §4), and the Age it then carries.
const (
	reqReuse = `"When presented with a request, a cache MUST NOT reuse a stored response unless: the presented target URI (Section 7.1 of [HTTP]) and that of the stored response match, and the request method associated with the stored response allows it to be used for the presented request, and request header fields nominated by the stored response (if any) match those presented (see Section 4.1), and the stored response does not contain the no-cache directive (Section 5.2.2.4), unless it is successfully validated (Section 4.3), and the stored response is one of the following: fresh (see Section 4.2), or allowed to be served stale (see Section 4.2.4), or successfully validated (see Section 4.3)." (RFC 9111 §4)`
	reqAge   = `"When a stored response is used to satisfy a request without validation, a cache MUST generate an Age header field (Section 5.1), replacing any present in the response with a value equal to the stored response's current_age; see Section 4.2.3." (RFC 9111 §4)`
)

// Constructing responses from caches, RFC 9111 §4.
var (
	queryInKey    = suite.Must("reuse/query-in-key", "a stored response is not reused for a URI with another query", "RFC9111 4", "RFC9111 2").Quoting(reqReuse)
	hostInKey     = suite.Must("reuse/host-in-key", "a stored response is not reused for the same path on another host", "RFC9111 4", "RFC9110 7.1").Quoting(reqReuse)
	headNotForGet = suite.Must("head/not-reused-for-get", "a GET after a HEAD gets the content, not a stored HEAD response", "RFC9111 4", "RFC9110 9.3.2").Quoting(reqReuse)
	headNoContent = suite.Must("head/no-content", "a HEAD answered from a stored GET response has no content", "RFC9110 9.3.2", "RFC9111 4.3.5").
			Quoting(`"The HEAD method is identical to GET except that the server MUST NOT send content in the response." (RFC 9110 §9.3.2)`)
	headSameFields = suite.Should("head/same-fields", "a HEAD answered from a stored GET response carries its header fields", "RFC9110 9.3.2").
			Quoting(`"The server SHOULD send the same header fields in response to a HEAD request as it would have sent if the request method had been GET." (RFC 9110 §9.3.2)`)
)

// Age, RFC 9111 §4, §4.2.3 and §5.1.
var (
	agePresent = suite.Must("age/present", "a response served from storage carries Age", "RFC9111 4", "RFC9111 5.1").Quoting(reqAge)
	ageSyntax  = suite.Must("age/delta-seconds", "Age is one non-negative integer", "RFC9111 5.1").
			Quoting(`"Age = delta-seconds"; "The Age field value is a non-negative integer, representing time in seconds (see Section 1.2.2)." (RFC 9111 §5.1)`)
	ageGrows    = suite.Must("age/resident-time", "Age counts the time the response spent in storage", "RFC9111 4", "RFC9111 4.2.3").Quoting(reqAge)
	ageUpstream = suite.Must("age/replaces-upstream", "Age adds the time in storage to the Age the origin sent, instead of passing it on", "RFC9111 4", "RFC9111 4.2.3").Quoting(reqAge)
	ageCounted  = suite.Must("age/counts-against-lifetime", "a response that arrived older (Age) than its max-age is stale, not reused", "RFC9111 4.2.3", "RFC9111 4").
			Quoting(reqReuse + ` "corrected_age_value = age_value + response_delay"; "current_age = corrected_initial_age + resident_time" (RFC 9111 §4.2.3)`)
	ageOverflow    = suite.Must("age/overflow", "an Age beyond any integer the cache holds counts as 2^31 seconds: the response is stale", "RFC9111 1.2.2", "RFC9111 5.1").Quoting(reqDelta)
	ageFirstMember = suite.Should("age/list-first-member", "of a list-based Age, the first member is used", "RFC9111 5.1").Quoting(reqAgeFirst)
	ageInvalid     = suite.Should("age/invalid-ignored", "an Age that is not an integer is ignored: the response stays fresh", "RFC9111 5.1").Quoting(reqAgeInvalid)
	ageNegative    = suite.Should("age/negative-ignored", "a negative Age is ignored: the response stays fresh", "RFC9111 5.1").Quoting(reqAgeInvalid)
	ageFraction    = suite.Should("age/fraction-ignored", "an Age with a fraction (7200.0) is ignored, not read as 7200: the response stays fresh", "RFC9111 5.1").Quoting(reqAgeInvalid)
	ageLarge       = suite.Must("age/large-value", "an Age of 2147483648 (2^31) makes a response with max-age=3600 stale", "RFC9111 4.2.3", "RFC9111 1.2.2").Quoting(reqAgeArithmetic)
	ageMaxInt32    = suite.Must("age/value-2147483647", "an Age of 2147483647 (2^31 - 1) makes a response with max-age=3600 stale", "RFC9111 4.2.3", "RFC9111 1.2.2").Quoting(reqAgeArithmetic)
	ageOverInt32   = suite.Must("age/value-2147483649", "an Age of 2147483649 (past 2^31) makes a response with max-age=3600 stale", "RFC9111 4.2.3", "RFC9111 1.2.2").Quoting(reqAgeArithmetic + " " + reqDelta)
	ageListStale   = suite.Should("age/list-old-first", "of Age: 7200, 0 the first member counts: the response is stale", "RFC9111 5.1").Quoting(reqAgeFirst)
	ageLinesStale  = suite.Should("age/lines-old-first", "of two Age lines, 7200 then 0, the first counts: the response is stale", "RFC9111 5.1", "RFC9110 5.3").Quoting(reqAgeFirst)
	ageListFresh   = suite.Should("age/list-old-last", "of Age: 1, 7200 the first member counts: the response stays fresh", "RFC9111 5.1").Quoting(reqAgeFirst)
	ageLinesFresh  = suite.Should("age/lines-old-last", "of two Age lines, 1 then 7200, the first counts: the response stays fresh", "RFC9111 5.1", "RFC9110 5.3").Quoting(reqAgeFirst)
)

// The sentences of RFC 9111 §5.1 on Age values a cache has to discard,
// and the reuse rule with §4.2.3's sum that a large Age fails.
const (
	reqAgeArithmetic = reqReuse + ` "current_age = corrected_initial_age + resident_time;" (RFC 9111 §4.2.3)`
	reqAgeFirst      = `"Although it is defined as a singleton header field, a cache encountering a message with a list-based Age field value SHOULD use the first member of the field value, discarding subsequent ones." (RFC 9111 §5.1)`
	reqAgeInvalid    = `"If the field value (after discarding additional members, as per above) is invalid (e.g., it contains something other than a non-negative integer), a cache SHOULD ignore the field." (RFC 9111 §5.1)`
)

// ageCase is a response with max-age=3600 and the Age lines given.
type ageCase struct {
	check *check.Check
	age   []string
}

// staleAgeCases make the response stale on arrival; freshAgeCases leave
// it fresh, to be reused as a plain one is.
var (
	staleAgeCases = []ageCase{
		{ageCounted, []string{"7200"}},
		{ageOverflow, []string{"99999999999999999999"}},
		{ageLarge, []string{"2147483648"}},
		{ageMaxInt32, []string{"2147483647"}},
		{ageOverInt32, []string{"2147483649"}},
		{ageListStale, []string{"7200, 0"}},
		{ageLinesStale, []string{"7200", "0"}},
	}
	freshAgeCases = []ageCase{
		// The first member is 1, not 0: some caches (HAProxy) store no
		// response whose Age starts with 0, which would leave nothing to
		// grade about lists.
		{ageListFresh, []string{"1, 7200"}},
		{ageLinesFresh, []string{"1", "7200"}},
		{ageInvalid, []string{"about a minute"}},
		{ageNegative, []string{"-7200"}},
		{ageFraction, []string{"7200.0"}},
	}
)

// open registers the case's script: max-age=3600 with its Age lines, then
// "v2", and GETs it once.
func (c ageCase) open(e *harness.Env) *resource {
	l := []string{"Cache-Control: max-age=3600"}
	for _, a := range c.age {
		l = append(l, "Age: "+a)
	}
	r := newResource(e, respond("v1", l...), respond("v2", "Cache-Control: max-age=3600"))
	r.get(c.what())
	return r
}

func (c ageCase) what() string { return fmt.Sprintf("a response with max-age=3600 and Age %q", c.age) }

// reuseSpecs: the cache key and the method of a stored response, RFC 9111
// §4, and HEAD, RFC 9110 §9.3.2 and RFC 9111 §4.3.5.
func reuseSpecs() {
	Describe("constructing responses from caches (RFC 9111 4)", func() {
		queryInKey.It(func(e *harness.Env) {
			r := newResource(e, respond("for a=1", "Cache-Control: max-age=600"), respond("for a=2", "Cache-Control: max-age=600"))
			r.withQuery("a", "1").get("GET ?a=1")
			expectFromOrigin(r, r.withQuery("a", "2").get("GET ?a=2"), "for a=2", "GET ?a=2")
		})
		hostInKey.It(func(e *harness.Env) {
			e.RequireVirtualHosts()
			r := newResource(e, respond("for a.example.test", "Cache-Control: max-age=600"), respond("for b.example.test", "Cache-Control: max-age=600"))
			r.on("a.example.test").get("GET on host a.example.test")
			expectFromOrigin(r, r.on("b.example.test").get("the same path on host b.example.test"), "for b.example.test", "the GET on b.example.test")
		})
	})

	Describe("HEAD (RFC 9110 9.3.2, RFC 9111 4.3.5)", func() {
		const content = "the content a GET gets"
		headNotForGet.It(func(e *harness.Env) {
			r := newResource(e, respond(content, "Cache-Control: max-age=600", `ETag: "v1"`))
			r.do(http.MethodHead, "HEAD first")
			g := r.get("then GET")
			Expect(g.Status == http.StatusOK && string(g.Body) == content).To(verify.Hold(), "expected the GET after a HEAD to get the content %q, observed %s", content, served(g))
		})
		headNoContent.It(func(e *harness.Env) {
			r := newResource(e, respond(content, "Cache-Control: max-age=600", `ETag: "v1"`))
			r.get("GET, to store the response")
			raw := r.b.Raw(http.MethodHead, r.s.Path("r"), nil)
			Expect(len(raw.After) == 0).To(verify.Hold(), "expected no content after the header section of the response to HEAD, observed %d bytes: %.80q", len(raw.After), raw.After)
		})
		headSameFields.It(func(e *harness.Env) {
			r := newResource(e, respond(content, "Cache-Control: max-age=600", `ETag: "v1"`, "HC-Field: x"))
			r.get("GET, to store the response")
			h := r.do(http.MethodHead, "HEAD")
			Expect(h.Header.Get("ETag") == `"v1"` && h.Header.Get("HC-Field") == "x").To(verify.Hold(), "expected the HEAD response to carry the GET response's ETag \"v1\" and HC-Field: x, observed ETag %q and HC-Field %q", h.Header.Get("ETag"), h.Header.Get("HC-Field"))
		})
	})

	Describe("Age (RFC 9111 4, 4.2.3, 5.1)", func() {
		agePresent.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600"))
			r.get("a response with max-age=600")
			second := r.get("the same again")
			skipUnlessReused(e, r, 1)
			Expect(len(second.Header.Values("Age")) > 0).To(verify.Hold(), "expected Age on a response served from storage, observed none")
		})
		ageSyntax.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600"))
			r.get("a response with max-age=600")
			second := r.get("the same again")
			skipUnlessReused(e, r, 1)
			if len(second.Header.Values("Age")) == 0 {
				e.Skipf("the response served from storage has no Age (see proxy/age/present)")
			}
			_, ok := ageOf(second)
			Expect(ok).To(verify.Hold(), "expected Age to be one non-negative integer, observed %q", second.Header.Values("Age"))
		})

		for _, c := range freshAgeCases {
			c.check.It(func(e *harness.Env) {
				requireReuse(e)
				r := c.open(e)
				expectReusedAsControl(r, r.get("the same again"), "v1", c.what())
			})
		}

		ageFirstMember.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600", "Age: 100, 5"))
			r.get("a response with Age: 100, 5")
			second := r.get("the same again")
			skipUnlessReused(e, r, 1)
			age, ok := ageOf(second)
			Expect(ok && age >= 100*time.Second).To(verify.Hold(), "expected Age of at least 100 (the first member of \"100, 5\"), observed %q", second.Header.Values("Age"))
		})
	})
}

// ageWaiting: the Age of a response that stayed in storage through the
// shared wait.
func ageWaiting(w *check.WaitGroup) {
	// Stale on arrival by its Age: both GETs before the wait, graded
	// after it (see freshnessWaiting).
	for _, c := range staleAgeCases {
		w.It(c.check, func(e *harness.Env) func(*harness.Env) {
			r := c.open(e)
			second := r.get("the same again")
			return func(*harness.Env) { expectAskedAbout(r, second, "the second GET") }
		})
	}
	// stored GETs a response and notes when; the verification GETs it
	// again and reads Age against the time that passed.
	stored := func(e *harness.Env, lines ...string) (r *resource, at time.Time) {
		r = newResource(e, respond("v1", lines...))
		at = e.Clock().Now()
		r.get("before the wait")
		return r, at
	}
	within := func(e *harness.Env, r *resource, at time.Time, base time.Duration) {
		GinkgoHelper()
		second := r.get("after the wait")
		skipUnlessReused(e, r, 1)
		age, ok := ageOf(second)
		elapsed := e.Clock().Now().Sub(at)
		lo, hi := base+elapsed-1500*time.Millisecond, base+elapsed+2500*time.Millisecond
		Expect(ok && age >= lo && age <= hi).To(verify.Hold(), "expected Age between %d and %d (%s Age from the origin, %s in storage), observed %q", int(lo.Seconds()), int(hi.Seconds()), base, elapsed.Round(100*time.Millisecond), second.Header.Values("Age"))
	}
	w.It(ageGrows, func(e *harness.Env) func(*harness.Env) {
		r, at := stored(e, "Cache-Control: max-age=600")
		return func(e *harness.Env) { within(e, r, at, 0) }
	})
	w.It(ageUpstream, func(e *harness.Env) func(*harness.Env) {
		r, at := stored(e, "Cache-Control: max-age=600", "Age: 100")
		return func(e *harness.Env) { within(e, r, at, 100*time.Second) }
	})
}
