package proxy

import (
	"bytes"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// reqNoCache is RFC 9111 §5.2.2.4's no-cache, which
// stale/no-cache-origin-down (4_2_4_stale.go) quotes too.
const reqNoCache = `"The no-cache response directive, in its unqualified form (without an argument), indicates that the response MUST NOT be used to satisfy any other request without forwarding it for validation and receiving a successful response; see Section 4.3." (RFC 9111 §5.2.2.4)`

// Response directives, RFC 9111 §5.2.2.
var (
	noCache          = suite.Must("directives/no-cache", "a no-cache response is validated before every reuse", "RFC9111 5.2.2.4").Quoting(reqNoCache)
	noCacheCase      = suite.Must("directives/no-cache-case-insensitive", "No-CaChE with max-age=600 is no-cache: the response is validated before reuse", "RFC9111 5.2", "RFC9111 5.2.2.4").Quoting(reqNoCache + reqCaseInsensitive)
	noCacheMaxAge    = suite.Must("directives/no-cache-with-max-age", "no-cache beside max-age=600 and a future Expires still requires validation before reuse", "RFC9111 5.2.2.4").Quoting(reqNoCache)
	noCacheQualified = suite.Must("directives/no-cache-qualified", `no-cache="Field": the field is not served from storage without validation`, "RFC9111 5.2.2.4").
				Quoting(`"If the no-cache response directive specifies one or more field names, then a cache MAY use the response to satisfy a subsequent request, subject to any other restrictions on caching. However, any header fields in the response that have the field name(s) listed MUST NOT be sent in the response to a subsequent request without successful revalidation with the origin server." (RFC 9111 §5.2.2.4)`)
	noTransform = suite.Must("directives/no-transform", "a no-transform response reaches a gzip-accepting client with its content unchanged", "RFC9111 5.2.2.6", "RFC9110 7.7").
			Quoting(`"The no-transform response directive indicates that an intermediary (regardless of whether it implements a cache) MUST NOT transform the content (Section 7.7 of [HTTP])." (RFC 9111 §5.2.2.6)`)
)

// directiveSpecs: response directives, RFC 9111 §5.2.2.
func directiveSpecs() {
	Describe("response directives (RFC 9111 5.2.2)", func() {
		for _, c := range []struct {
			check *check.Check
			lines []string
		}{
			{noCache, []string{"Cache-Control: no-cache"}},
			{noCacheCase, []string{"Cache-Control: No-CaChE, max-age=600"}},
			{noCacheMaxAge, []string{"Cache-Control: no-cache, max-age=600", "Expires: {date+3600}"}},
		} {
			c.check.It(func(e *harness.Env) {
				r := newResource(e, respond("v1", append(c.lines, `ETag: "v1"`)...), respond("v2", "Cache-Control: max-age=600", `ETag: "v2"`))
				r.get("a response with " + strings.Join(c.lines, ", "))
				expectFromOrigin(r, r.get("the same again"), "v2", "the second GET")
			})
		}
		noCacheQualified.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", `Cache-Control: no-cache="HC-Secret", max-age=600`, "HC-Secret: validate-me", "HC-Public: p"))
			r.get(`a response with no-cache="HC-Secret"`)
			second := r.get("the same again")
			if len(r.hits()) > 1 {
				return // validated or fetched again: the fields are the origin's
			}
			Expect(second.Header.Get("HC-Secret") == "").To(verify.Hold(), "expected HC-Secret left out of a response served without validation, observed HC-Secret: %q", second.Header.Get("HC-Secret"))
		})
		noTransform.It(func(e *harness.Env) {
			content := strings.Repeat("no-transform: these bytes must reach the client as the origin sent them.\n", 64)
			r := newResource(e, origin.Response{Body: content, Header: fields("Cache-Control: no-transform, max-age=600", "Content-Type: text/plain")})
			for _, resp := range []*harness.Response{
				r.get("a client that accepts gzip", "Accept-Encoding", "gzip"),
				r.get("the same again", "Accept-Encoding", "gzip"),
			} {
				enc := resp.Header.Get("Content-Encoding")
				Expect((enc == "" || enc == "identity") && bytes.Equal(resp.Body, []byte(content))).To(verify.Hold(), "expected the content unchanged (%d bytes, no Content-Encoding), observed Content-Encoding %q and %d bytes", len(content), enc, len(resp.Body))
			}
		})
	})
}
