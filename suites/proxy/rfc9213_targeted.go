package proxy

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// otherTargetedField is a targeted cache-control field (RFC 9213 §2) that
// no cache has on its target list: the convention's suffix, a name of
// this harness's own.
const otherTargetedField = "HC-Example-Cache-Control"

// Targeted cache-control fields, RFC 9213.
var (
	targetedUnlisted = suite.Must("targeted/unlisted-field-passed-through", "a targeted field not on the cache's target list (no-store in it) changes nothing and reaches the client", "RFC9213 2.1").
		Quoting(`"Targeted fields that are not on a cache's target list MUST NOT change that cache's behavior and MUST be passed through." (RFC 9213 §2.1)`)
)

// targetedSpecs: targeted cache-control fields, RFC 9213.
func targetedSpecs() {
	Describe("targeted cache-control fields (RFC 9213)", func() {
		targetedUnlisted.It(func(e *harness.Env) {
			requireReuse(e)
			what := "a response with max-age=600 and " + otherTargetedField + ": no-store"
			r := newResource(e, respond("v1", "Cache-Control: max-age=600", otherTargetedField+": no-store"), respond("v2", "Cache-Control: max-age=600"))
			first := r.get(what)
			second := r.get("the same again")
			expectReusedAsControl(r, second, "v1", what)
			for _, resp := range []*harness.Response{first, second} {
				Expect(resp.Header.Get(otherTargetedField) == "no-store").To(verify.Hold(), "expected %s: no-store passed through to the client, observed %q", otherTargetedField, resp.Header.Get(otherTargetedField))
			}
		})
	})
}
