package proxy

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// unknownMethod is a method no cache knows: its safety is unknown, so it
// counts as unsafe (RFC 9111 §4.4).
const unknownMethod = "HCFROB"

// unsafeCase is an unsafe request and the non-error status the origin
// answers it with. writeThrough is nil when the case only grades
// invalidation.
type unsafeCase struct {
	method       string
	status       int
	writeThrough *check.Check
	invalidates  *check.Check
}

var unsafeCases = []unsafeCase{
	{http.MethodPost, http.StatusOK, wtPost, invPost},
	{http.MethodPost, http.StatusSeeOther, nil, invPost303},
	{http.MethodPut, http.StatusCreated, wtPut, invPut},
	{http.MethodDelete, http.StatusNoContent, wtDelete, invDelete},
	{http.MethodPatch, http.StatusOK, wtPatch, invPatch},
	{unknownMethod, http.StatusOK, wtUnknown, invUnknown},
}

// unsafeSpecs: unsafe methods are written through (RFC 9111 §4) and
// invalidate what is stored for their target (RFC 9111 §4.4).
func unsafeSpecs() {
	Describe("unsafe methods (RFC 9111 4, 4.4)", func() {
		for _, c := range unsafeCases {
			answer := status(c.status, "", "Location: elsewhere")
			if c.writeThrough != nil {
				c.writeThrough.It(func(e *harness.Env) {
					r := newResource(e, respond("v1", "Cache-Control: max-age=600"), answer)
					r.get("GET, which stores the response")
					r.do(c.method, c.method+" to the same URI")
					hits := r.hits()
					verify.That(len(hits) == 2 && hits[1].Method == c.method, "expected the %s to reach the origin, observed %s requests there (%s)", c.method, times(len(hits)), methods(hits))
				})
			}
			c.invalidates.It(func(e *harness.Env) {
				r := newResource(e, respond("v1", "Cache-Control: max-age=600"), answer, respond("v2", "Cache-Control: max-age=600"))
				r.get("GET, which stores the response")
				r.do(c.method, c.method+" to the same URI, answered "+http.StatusText(c.status))
				expectFromOrigin(r, r.get("GET again"), "v2", "the GET after the "+c.method)
			})
		}
	})
}

// methods lists the methods of requests that reached the origin.
func methods(hits []origin.Hit) string {
	var ms []string
	for _, h := range hits {
		ms = append(ms, h.Method)
	}
	if len(ms) == 0 {
		return "none"
	}
	return strings.Join(ms, ", ")
}
