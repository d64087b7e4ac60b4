package proxy

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// toOriginCase is a request directive that asks for the origin although a
// fresh response is stored.
type toOriginCase struct {
	check     *check.Check
	directive string
}

// The sentences the request-directive checks quote. reqAdvisory ends every
// one of their requirements: it says why they are graded SHOULD whatever
// keyword the directive's own text uses.
const (
	reqAdvisory      = ` Request directives "are advisory; caches MAY implement them, but are not required to" (RFC 9111 §5.2.1), so this is graded as a recommendation.`
	reqMaxAgeRequest = `"The max-age request directive indicates that the client prefers a response whose age is less than or equal to the specified number of seconds." (RFC 9111 §5.2.1.1)`
	reqOnlyIfCached  = `"Caches that honor this request directive SHOULD, upon receiving it, respond with either a stored response consistent with the other constraints of the request or a 504 (Gateway Timeout) status code." (RFC 9111 §5.2.1.7)`
)

// Request directives, RFC 9111 §5.2.1: advisory.
var (
	reqNoCacheDir = suite.Should("request/no-cache", "a request with no-cache is not answered from storage without the origin", "RFC9111 5.2.1.4").
			Quoting(`"The no-cache request directive indicates that the client prefers a stored response not be used to satisfy the request without successful validation on the origin server." (RFC 9111 §5.2.1.4)` + reqAdvisory)
	reqMaxAgeZero = suite.Should("request/max-age-zero", "a request with max-age=0 is not answered from storage without the origin", "RFC9111 5.2.1.1").
			Quoting(reqMaxAgeRequest + reqAdvisory)
	reqMaxAgeOld = suite.Should("request/max-age-exceeded", "a request with max-age=1 does not get a stored response three seconds old", "RFC9111 5.2.1.1").
			Quoting(reqMaxAgeRequest + reqAdvisory)
	reqMinFresh = suite.Should("request/min-fresh", "a request with min-fresh beyond the remaining lifetime is not answered from storage", "RFC9111 5.2.1.3").
			Quoting(`"The min-fresh request directive indicates that the client prefers a response whose freshness lifetime is no less than its current age plus the specified time in seconds." (RFC 9111 §5.2.1.3)` + reqAdvisory)
	reqNoStoreDir = suite.Should("request/no-store", "the response to a request with no-store is not stored", "RFC9111 5.2.1.5").
			Quoting(`"The no-store request directive indicates that a cache MUST NOT store any part of either this request or any response to it." (RFC 9111 §5.2.1.5)` + reqAdvisory)
	reqOnlyIfCachedMiss = suite.Should("request/only-if-cached-miss", "only-if-cached with nothing stored gets a 504 without the origin", "RFC9111 5.2.1.7").
				Quoting(reqOnlyIfCached + reqAdvisory)
	reqOnlyIfCachedHit = suite.Should("request/only-if-cached-hit", "only-if-cached with a fresh stored response gets it without the origin", "RFC9111 5.2.1.7").
				Quoting(reqOnlyIfCached + reqAdvisory)
)

var toOriginCases = []toOriginCase{
	{reqNoCacheDir, "no-cache"},
	{reqMaxAgeZero, "max-age=0"},
	{reqMinFresh, "min-fresh=3600"},
}

// expectOriginAsked fails unless the origin saw n requests.
func expectOriginAsked(r *resource, n int, what string, resp *harness.Response) {
	GinkgoHelper()
	Expect(len(r.hits()) == n).To(verify.Hold(), "expected %s to reach the origin, observed %s served with the origin asked %s", what, served(resp), times(len(r.hits())))
}

// requestSpecs: request directives, RFC 9111 §5.2.1. They are advisory:
// these checks are SHOULD.
func requestSpecs() {
	Describe("request directives (RFC 9111 5.2.1)", func() {
		for _, c := range toOriginCases {
			c.check.It(func(e *harness.Env) {
				r := newResource(e, respond("v1", "Cache-Control: max-age=600", `ETag: "v1"`))
				r.get("a fresh response")
				resp := r.get("Cache-Control: "+c.directive, "Cache-Control", c.directive)
				expectOriginAsked(r, 2, "the request with Cache-Control: "+c.directive, resp)
			})
		}
		reqNoStoreDir.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600"), respond("v2", "Cache-Control: max-age=600"))
			r.get("GET with Cache-Control: no-store", "Cache-Control", "no-store")
			expectFromOrigin(r, r.get("GET without it"), "v2", "the GET after a no-store request")
		})
		reqOnlyIfCachedMiss.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600"))
			resp := r.get("only-if-cached with nothing stored", "Cache-Control", "only-if-cached")
			Expect(len(r.hits()) == 0 && resp.Status == http.StatusGatewayTimeout).To(verify.Hold(), "expected 504 without the origin, observed %s with the origin asked %s", served(resp), times(len(r.hits())))
		})
		reqOnlyIfCachedHit.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600"))
			r.get("a fresh response")
			resp := r.get("only-if-cached", "Cache-Control", "only-if-cached")
			Expect(len(r.hits()) == 1 && resp.Status == http.StatusOK && string(resp.Body) == "v1").To(verify.Hold(), "expected the stored 200 \"v1\" without the origin, observed %s with the origin asked %s", served(resp), times(len(r.hits())))
		})
	})
}

// requestWaiting: a request's max-age against a response that aged through
// the shared wait.
func requestWaiting(w *check.WaitGroup) {
	w.It(reqMaxAgeOld, func(e *harness.Env) func(*harness.Env) {
		r := newResource(e, respond("v1", "Cache-Control: max-age=600", `ETag: "v1"`))
		r.get("before the wait: a response fresh for ten minutes")
		return func(e *harness.Env) {
			resp := r.get("after the wait: Cache-Control: max-age=1", "Cache-Control", "max-age=1")
			expectOriginAsked(r, 2, "the request with max-age=1", resp)
		}
	})
}
