package proxy

import (
	"bytes"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// directiveSpecs: response directives, RFC 9111 §5.2.2.
func directiveSpecs() {
	Describe("response directives (RFC 9111 5.2.2)", func() {
		noCache.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: no-cache", `ETag: "v1"`), respond("v2", "Cache-Control: max-age=600", `ETag: "v2"`))
			r.get("a no-cache response")
			expectFromOrigin(r, r.get("the same again"), "v2", "the second GET")
		})
		noCacheQualified.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", `Cache-Control: no-cache="HC-Secret", max-age=600`, "HC-Secret: validate-me", "HC-Public: p"))
			r.get(`a response with no-cache="HC-Secret"`)
			second := r.get("the same again")
			if len(r.hits()) > 1 {
				return // validated or fetched again: the fields are the origin's
			}
			verify.That(second.Header.Get("HC-Secret") == "", "expected HC-Secret left out of a response served without validation, observed HC-Secret: %q", second.Header.Get("HC-Secret"))
		})
		noTransform.It(func(e *harness.Env) {
			content := strings.Repeat("no-transform: these bytes must reach the client as the origin sent them.\n", 64)
			r := newResource(e, origin.Response{Body: content, Header: fields("Cache-Control: no-transform, max-age=600", "Content-Type: text/plain")})
			for _, resp := range []*harness.Response{
				r.get("a client that accepts gzip", "Accept-Encoding", "gzip"),
				r.get("the same again", "Accept-Encoding", "gzip"),
			} {
				enc := resp.Header.Get("Content-Encoding")
				verify.That((enc == "" || enc == "identity") && bytes.Equal(resp.Body, []byte(content)),
					"expected the content unchanged (%d bytes, no Content-Encoding), observed Content-Encoding %q and %d bytes", len(content), enc, len(resp.Body))
			}
		})
	})
}
