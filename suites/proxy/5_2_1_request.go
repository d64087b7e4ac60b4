package proxy

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"

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

var toOriginCases = []toOriginCase{
	{reqNoCacheDir, "no-cache"},
	{reqMaxAgeZero, "max-age=0"},
	{reqMinFresh, "min-fresh=3600"},
}

// expectOriginAsked fails unless the origin saw n requests.
func expectOriginAsked(r *resource, n int, what string, resp *harness.Response) {
	GinkgoHelper()
	verify.That(len(r.hits()) == n, "expected %s to reach the origin, observed %s served with the origin asked %s", what, served(resp), times(len(r.hits())))
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
			verify.That(len(r.hits()) == 0 && resp.Status == http.StatusGatewayTimeout, "expected 504 without the origin, observed %s with the origin asked %s", served(resp), times(len(r.hits())))
		})
		reqOnlyIfCachedHit.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600"))
			r.get("a fresh response")
			resp := r.get("only-if-cached", "Cache-Control", "only-if-cached")
			verify.That(len(r.hits()) == 1 && resp.Status == http.StatusOK && string(resp.Body) == "v1", "expected the stored 200 \"v1\" without the origin, observed %s with the origin asked %s", served(resp), times(len(r.hits())))
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
