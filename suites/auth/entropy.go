package auth

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// entropySamples is how many fresh session keys the estimate reads
// (rules.EstimateEntropy, which the probe's session checks share).
const entropySamples = 20

// freshKeys logs entropySamples fresh browsers in and returns the session
// keys they were given: the keys an attacker would have to guess.
func freshKeys(e *harness.Env) []string {
	GinkgoHelper()
	var keys []string
	for range entropySamples {
		b := newBrowser(e)
		login(b, unique("entropy"))
		k := b.SessionKey()
		Expect(k != "").To(verify.Hold(), "expected session/login to give a fresh browser a session cookie, observed none")
		keys = append(keys, k)
	}
	return keys
}

func expectBits(e *harness.Env, want float64) {
	GinkgoHelper()
	est := rules.EstimateEntropy(freshKeys(e))
	By("estimated " + est.String())
	Expect(est.AtLeast(want)).To(verify.Pass())
}

// Session key entropy, OWASP ASVS 4.0.3 §3.2.2: a key an attacker could
// guess is no better than no key.
var (
	entropy64  = suite.Should("entropy/64-bits", "session keys carry at least 64 bits of entropy, estimated from 20 fresh keys", "OWASP ASVS 3.2.2")
	entropy128 = suite.Advisory("entropy/128-bits", "session keys carry at least 128 bits of entropy, estimated from 20 fresh keys", "OWASP ASVS 3.2.2")
)

var _ = Describe("auth", Label("suite:auth"), func() {
	Describe("session key entropy", func() {
		entropy64.It(func(e *harness.Env) { expectBits(e, 64) })
		entropy128.It(func(e *harness.Env) { expectBits(e, 128) })
	})
})
