package proxy

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// expectNotStale fails when the cache answered with the stored "v1" (or
// not at all, when an error response is owed): the response was stale and
// a directive forbade serving it so.
func expectNotStale(r *resource, resp *harness.Response, err error, what string, wantError bool) {
	GinkgoHelper()
	if err != nil {
		Expect(!wantError).To(verify.Hold(), "expected an error response for %s (RFC 9111 §5.2.2.2), observed the connection closed without one: %v", what, err)
		return
	}
	Expect(string(resp.Body) != "v1").To(verify.Hold(), "expected %s not to be the stale stored response, observed it served (%s; the origin was asked %s)", what, served(resp), times(len(r.hits())))
	if wantError {
		Expect(resp.Status >= 400).To(verify.Hold(), "expected an error response for %s, observed %s", what, served(resp))
	}
}

// originFails are the ways the origin fails after the shared wait.
var (
	originDown  = []origin.Response{reset}
	originError = []origin.Response{status(http.StatusInternalServerError, "the origin failed")}
)

// prohibitedCase is a stale response a directive forbids serving stale,
// and how the origin fails when the cache asks it.
type prohibitedCase struct {
	check     *check.Check
	cc        string
	then      []origin.Response
	wantError bool // an error response is owed (must-revalidate)
}

// The sentences the stale checks quote: when a stale response is
// prohibited (RFC 9111 §4.2.4) and the directives that prohibit it
// (§5.2.2.2, §5.2.2.8, §5.2.2.10).
const (
	reqProhibited                 = `"A cache MUST NOT generate a stale response if it is prohibited by an explicit in-protocol directive (e.g., by a no-cache response directive, a must-revalidate response directive, or an applicable s-maxage or proxy-revalidate response directive; see Section 5.2.2)." (RFC 9111 §4.2.4)`
	reqSMaxAgeRevalidate          = `"The s-maxage directive incorporates the semantics of the proxy-revalidate response directive (Section 5.2.2.8) for a shared cache." (RFC 9111 §5.2.2.10)`
	reqMustRevalidate             = `"The must-revalidate response directive indicates that once the response has become stale, a cache MUST NOT reuse that response to satisfy another request until it has been successfully validated by the origin, as defined by Section 4.3." (RFC 9111 §5.2.2.2)`
	reqMustRevalidateDisconnected = `"In all circumstances a cache MUST NOT ignore the must-revalidate directive; in particular, if a cache is disconnected, the cache MUST generate an error response rather than reuse the stale response. The generated status code SHOULD be 504 (Gateway Timeout) unless another error status code is more applicable." (RFC 9111 §5.2.2.2)`
	reqProxyRevalidate            = `"The proxy-revalidate response directive indicates that once the response has become stale, a shared cache MUST NOT reuse that response to satisfy another request until it has been successfully validated by the origin, as defined by Section 4.3. This is analogous to must-revalidate (Section 5.2.2.2), except that proxy-revalidate does not apply to private caches." (RFC 9111 §5.2.2.8)`
)

// reqStale is RFC 9111 §4.2.4's rule on serving stale responses, which the
// freshness checks (4_2_freshness.go) quote too.
const reqStale = `"A cache MUST NOT generate a stale response unless it is disconnected or doing so is explicitly permitted by the client or origin server (e.g., by the max-stale request directive in Section 5.2.1, extension directives such as those defined in [RFC5861], or configuration in accordance with an out-of-band contract)." (RFC 9111 §4.2.4)`

// Serving stale responses, RFC 9111 §4.2.4 and §5.2.2, and RFC 5861.
var (
	mustRevalidateDown  = suite.Must("stale/must-revalidate-origin-down", "with must-revalidate, a stale response is not served when the origin cannot be reached", "RFC9111 5.2.2.2", "RFC9111 4.2.4").Quoting(reqMustRevalidateDisconnected)
	mustRevalidate504   = suite.Should("stale/must-revalidate-504", "with must-revalidate and the origin unreachable, the error is 504 (Gateway Timeout), or 502", "RFC9111 5.2.2.2").Quoting(reqMustRevalidateDisconnected)
	mustRevalidateStale = suite.Must("directives/must-revalidate-goes-stale", "a must-revalidate response is validated with the origin once stale", "RFC9111 5.2.2.2").Quoting(reqMustRevalidate)
	mustRevalidateError = suite.Must("stale/must-revalidate-origin-error", "with must-revalidate, a stale response is not served when the origin answers 500", "RFC9111 5.2.2.2").Quoting(reqMustRevalidate)
	proxyRevalidateDown = suite.Must("stale/proxy-revalidate-origin-down", "with proxy-revalidate, a stale response is not served when the origin cannot be reached", "RFC9111 5.2.2.8", "RFC9111 4.2.4").
				Quoting(reqProhibited + " " + reqProxyRevalidate)
	sMaxAgeDown = suite.Must("stale/s-maxage-origin-down", "with s-maxage, a stale response is not served when the origin cannot be reached", "RFC9111 5.2.2.10", "RFC9111 4.2.4").
			Quoting(reqProhibited + " " + reqSMaxAgeRevalidate)
	noCacheDown             = suite.Must("stale/no-cache-origin-down", "a no-cache response is not served when the origin cannot be reached to validate it", "RFC9111 5.2.2.4", "RFC9111 4.2.4").Quoting(reqNoCache)
	maxStaleMustRevalidate  = suite.Must("stale/max-stale-vs-must-revalidate", "a request's max-stale does not get a stale must-revalidate response", "RFC9111 5.2.2.2", "RFC9111 5.2.1.2").Quoting(reqMustRevalidate)
	maxStaleProxyRevalidate = suite.Must("stale/max-stale-vs-proxy-revalidate", "a request's max-stale does not get a stale proxy-revalidate response", "RFC9111 5.2.2.8", "RFC9111 5.2.1.2").Quoting(reqProxyRevalidate)
	maxStaleSMaxAge         = suite.Must("stale/max-stale-vs-s-maxage", "a request's max-stale does not get a stale s-maxage response", "RFC9111 5.2.2.10", "RFC9111 5.2.1.2").
				Quoting(reqProhibited + " " + reqSMaxAgeRevalidate)
	swrBeyond     = suite.Must("rfc5861/stale-while-revalidate-window", "past the stale-while-revalidate window, the stale response is not served", "RFC5861 3", "RFC9111 4.2.4").Quoting(reqStale)
	swrBackground = suite.Should("rfc5861/stale-while-revalidate-revalidates", "a response served stale under stale-while-revalidate is revalidated in the background", "RFC5861 3").
			Quoting(`"If a cached response is served stale due to the presence of this extension, the cache SHOULD attempt to revalidate it while still serving stale responses (i.e., without blocking)." (RFC 5861 §3)`)
	sieBeyond = suite.Should("rfc5861/stale-if-error-window", "past the stale-if-error window, a stale response is not served for an origin's 500", "RFC5861 4").
			Quoting(`"Its value indicates the upper limit to staleness; when the cached response is more stale than the indicated amount, the cached response SHOULD NOT be used to satisfy the request, absent other information." (RFC 5861 §4)`)
)

var prohibitedCases = []prohibitedCase{
	{mustRevalidateDown, "max-age=1, must-revalidate", originDown, true},
	{mustRevalidateError, "max-age=1, must-revalidate", originError, false},
	{proxyRevalidateDown, "max-age=1, proxy-revalidate", originDown, false},
	{sMaxAgeDown, "s-maxage=1", originDown, false},
	{sieBeyond, "max-age=1, stale-if-error=1", originError, false},
}

// maxStaleCase is a stale response a request's max-stale must not get.
type maxStaleCase struct {
	check *check.Check
	cc    string
}

var maxStaleCases = []maxStaleCase{
	{maxStaleMustRevalidate, "max-age=1, must-revalidate"},
	{maxStaleProxyRevalidate, "max-age=1, proxy-revalidate"},
	{maxStaleSMaxAge, "s-maxage=1"},
}

// staleSpecs: serving stale responses without a wait, RFC 9111 §4.2.4.
func staleSpecs() {
	Describe("serving stale responses (RFC 9111 4.2.4)", func() {
		noCacheDown.It(func(e *harness.Env) {
			r := newResource(e, append([]origin.Response{respond("v1", "Cache-Control: no-cache", `ETag: "v1"`)}, originDown...)...)
			r.get("a no-cache response")
			resp, err := r.try("the same again, with the origin down")
			expectNotStale(r, resp, err, "the GET while the origin is down", false)
		})
	})
}

// staleWaiting: responses that went stale during the shared wait and a
// directive forbids serving stale, or RFC 5861 allows to.
func staleWaiting(w *check.WaitGroup) {
	for _, c := range prohibitedCases {
		w.It(c.check, func(e *harness.Env) func(*harness.Env) {
			r := newResource(e, append([]origin.Response{respond("v1", "Cache-Control: "+c.cc, `ETag: "v1"`)}, c.then...)...)
			r.get("before the wait: Cache-Control: " + c.cc)
			return func(e *harness.Env) {
				resp, err := r.try("after the wait, with the origin failing")
				expectNotStale(r, resp, err, "the GET after the wait", c.wantError)
			}
		})
	}
	w.It(mustRevalidate504, func(e *harness.Env) func(*harness.Env) {
		r := newResource(e, append([]origin.Response{respond("v1", "Cache-Control: max-age=1, must-revalidate", `ETag: "v1"`)}, originDown...)...)
		r.get("before the wait: Cache-Control: max-age=1, must-revalidate")
		return func(e *harness.Env) {
			resp, err := r.try("after the wait, with the origin down")
			expectNotStale(r, resp, err, "the GET after the wait", true)
			Expect(resp.Status == http.StatusGatewayTimeout || resp.Status == http.StatusBadGateway).To(verify.Hold(), "expected 504 (Gateway Timeout), or 502 for an origin that dropped the connection, observed %s", served(resp))
		}
	})
	for _, c := range maxStaleCases {
		w.It(c.check, func(e *harness.Env) func(*harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: "+c.cc, `ETag: "v1"`), respond("v2", "Cache-Control: max-age=600", `ETag: "v2"`))
			r.get("before the wait: Cache-Control: " + c.cc)
			return func(e *harness.Env) {
				expectFromOrigin(r, r.get("after the wait, with max-stale", "Cache-Control", "max-stale"), "v2", "the GET with max-stale")
			}
		})
	}
	w.It(swrBeyond, func(e *harness.Env) func(*harness.Env) {
		r := newResource(e, respond("v1", "Cache-Control: max-age=1, stale-while-revalidate=1", `ETag: "v1"`), respond("v2", "Cache-Control: max-age=600", `ETag: "v2"`))
		r.get("before the wait: max-age=1, stale-while-revalidate=1")
		return func(e *harness.Env) {
			expectFromOrigin(r, r.get("after the wait, past the window"), "v2", "the GET after the wait")
		}
	})
	w.It(swrBackground, func(e *harness.Env) func(*harness.Env) {
		r := newResource(e, respond("v1", "Cache-Control: max-age=1, stale-while-revalidate=600", `ETag: "v1"`), respond("v2", "Cache-Control: max-age=600", `ETag: "v2"`))
		r.get("before the wait: max-age=1, stale-while-revalidate=600")
		return func(e *harness.Env) {
			resp := r.get("after the wait, within the window")
			if string(resp.Body) != "v1" {
				e.Skipf("the cache asked the origin before answering (%s) instead of serving the stale response, which RFC 5861 allows", served(resp))
			}
			hits := r.waitHits(2, 3*time.Second)
			Expect(len(hits) >= 2).To(verify.Hold(), "expected the stale response to be revalidated in the background, observed no request at the origin within 3 s of serving it")
		}
	})
}
