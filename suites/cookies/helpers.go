package cookies

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reference/cookie"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// uniqueName returns a cookie name no other check uses.
var uniqueName = harness.Unique

// set asks the target to set a cookie and expects it to agree (200).
func set(b *harness.Browser, name string, params ...string) *harness.Response {
	ginkgo.GinkgoHelper()
	r := b.Get("cookies/set", append([]string{"name", name}, params...)...)
	Expect(r).To(verify.HaveStatus("cookies/set for "+name, http.StatusOK))
	return r
}

// trySet asks the target to set a cookie it may refuse: for cookies that a
// conforming server may decline to emit (prefix violations, public
// suffixes, oversized cookies).
func trySet(b *harness.Browser, name string, params ...string) *harness.Response {
	return b.Get("cookies/set", append([]string{"name", name}, params...)...)
}

// refusedOrSent reports whether r is a refusal (4xx) or a success (200);
// anything else is a contract failure.
func refusedOrSent(r *harness.Response, what string) {
	ginkgo.GinkgoHelper()
	Expect(r.Status == http.StatusOK || (r.Status >= 400 && r.Status < 500)).To(verify.Hold(), "expected %s to answer 200 or refuse with a 4xx, observed %d", what, r.Status)
}

// lookup asks the target which value it received for name.
func lookup(b *harness.Browser, name string) (found bool, value string) {
	ginkgo.GinkgoHelper()
	r := b.Get("cookies/get", "name", name)
	Expect(r).To(verify.HaveStatus("cookies/get", http.StatusOK))
	var answer struct {
		Found bool `json:"found"`
		Value any  `json:"value"`
	}
	r.Decode(&answer)
	if s, ok := answer.Value.(string); ok {
		value = s
	}
	return answer.Found, value
}

// expectSent fails unless the target reads name with value through b.
func expectSent(b *harness.Browser, name, value, where string) {
	ginkgo.GinkgoHelper()
	found, got := lookup(b, name)
	Expect(found).To(verify.Hold(), "expected the browser to send %s %s, but the target did not receive it", name, where)
	Expect(got == value).To(verify.Hold(), "expected the target to read %s = %q %s, observed %q", name, value, where, got)
}

// expectNotSent fails if the target reads name through b.
func expectNotSent(b *harness.Browser, name, where string) {
	ginkgo.GinkgoHelper()
	found, got := lookup(b, name)
	Expect(!found).To(verify.Hold(), "expected %s not to be sent %s, but the target received it (value %q)", name, where, got)
}

// stored returns the jar's entries named name.
func stored(b *harness.Browser, name string) []cookie.Entry {
	var out []cookie.Entry
	for _, e := range b.Jar().All() {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// theSetCookie returns the one Set-Cookie line r carries for name, parsed.
func theSetCookie(r *harness.Response, name string) (string, setcookie.Received) {
	ginkgo.GinkgoHelper()
	lines := r.SetCookie(name)
	Expect(len(lines) > 0).To(verify.Hold(), "expected a Set-Cookie for %s in the answer to %s, observed none", name, r.URL.Path)
	sc, _ := setcookie.Parse(lines[len(lines)-1])
	return lines[len(lines)-1], sc
}

// hasAttribute reports whether a parsed Set-Cookie names attribute attr.
func hasAttribute(sc setcookie.Received, attr string) bool {
	for _, a := range sc.Attributes {
		if strings.EqualFold(a.Name, attr) {
			return true
		}
	}
	return false
}

// contractPath is the absolute path of a contract path on the target, for
// Path attributes ("/cookies" on the reference, "/httpcheck/cookies" on a
// target mounted under /httpcheck/).
func contractPath(b *harness.Browser, p string) string {
	return b.URL(p, nil).Path
}

func describeLine(line string) string { return fmt.Sprintf("%q", line) }
