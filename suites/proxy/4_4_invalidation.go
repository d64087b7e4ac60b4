package proxy

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

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

// The sentences the unsafe-method checks quote: write-through (RFC 9111
// §4) and invalidation (§4.4).
const (
	reqWriteThrough = `"A cache MUST write through requests with methods that are unsafe (Section 9.2.1 of [HTTP]) to the origin server; i.e., a cache is not allowed to generate a reply to such a request before having forwarded the request and having received a corresponding response." (RFC 9111 §4)`
	reqInvalidate   = `"A cache MUST invalidate the target URI (Section 7.1 of [HTTP]) when it receives a non-error status code in response to an unsafe request method (including methods whose safety is unknown)." (RFC 9111 §4.4)`
)

// Unsafe methods: write-through, RFC 9111 §4, and invalidation, §4.4.
var (
	wtPost     = suite.Must("write-through/post", "POST reaches the origin although a response to GET is stored", "RFC9111 4").Quoting(reqWriteThrough)
	wtPut      = suite.Must("write-through/put", "PUT reaches the origin although a response to GET is stored", "RFC9111 4").Quoting(reqWriteThrough)
	wtDelete   = suite.Must("write-through/delete", "DELETE reaches the origin although a response to GET is stored", "RFC9111 4").Quoting(reqWriteThrough)
	wtPatch    = suite.Must("write-through/patch", "PATCH reaches the origin although a response to GET is stored", "RFC9111 4").Quoting(reqWriteThrough)
	wtUnknown  = suite.Must("write-through/unknown-method", "a method the cache does not know reaches the origin", "RFC9111 4", "RFC9111 4.4").Quoting(reqWriteThrough)
	invPost    = suite.Must("invalidation/post-200", "a 200 to POST invalidates the stored response", "RFC9111 4.4").Quoting(reqInvalidate)
	invPost303 = suite.Must("invalidation/post-303", "a 303 to POST (a non-error status) invalidates the stored response", "RFC9111 4.4").Quoting(reqInvalidate)
	invPut     = suite.Must("invalidation/put-201", "a 201 to PUT invalidates the stored response", "RFC9111 4.4").Quoting(reqInvalidate)
	invDelete  = suite.Must("invalidation/delete-204", "a 204 to DELETE invalidates the stored response", "RFC9111 4.4").Quoting(reqInvalidate)
	invPatch   = suite.Must("invalidation/patch-200", "a 200 to PATCH invalidates the stored response", "RFC9111 4.4").Quoting(reqInvalidate)
	invUnknown = suite.Must("invalidation/unknown-method-200", "a 200 to a method of unknown safety invalidates the stored response", "RFC9111 4.4").Quoting(reqInvalidate)
)

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
					Expect(len(hits) == 2 && hits[1].Method == c.method).To(verify.Hold(), "expected the %s to reach the origin, observed %s requests there (%s)", c.method, times(len(hits)), methods(hits))
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
