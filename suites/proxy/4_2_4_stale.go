package proxy

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"

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
		verify.That(!wantError, "expected an error response for %s (RFC 9111 §5.2.2.2), observed the connection closed without one: %v", what, err)
		return
	}
	verify.That(string(resp.Body) != "v1", "expected %s not to be the stale stored response, observed it served (%s; the origin was asked %s)", what, served(resp), times(len(r.hits())))
	if wantError {
		verify.That(resp.Status >= 400, "expected an error response for %s, observed %s", what, served(resp))
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
			verify.That(resp.Status == http.StatusGatewayTimeout || resp.Status == http.StatusBadGateway,
				"expected 504 (Gateway Timeout), or 502 for an origin that dropped the connection, observed %s", served(resp))
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
			verify.That(len(hits) >= 2, "expected the stale response to be revalidated in the background, observed no request at the origin within 3 s of serving it")
		}
	})
}
