package auth

import (
	"fmt"
	"math"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// entropySamples is how many fresh session keys the estimate reads.
const entropySamples = 20

// entropyEstimate is what a black box can say about how unpredictable
// session keys are, from a handful of them.
type entropyEstimate struct {
	samples        int
	minLen, maxLen int
	varying        int // positions (below minLen) where the keys differ
	alphabet       int // distinct characters seen at those positions
	bits           float64
	perPosition    float64 // sum of the per-position empirical entropies
	duplicates     int     // keys seen more than once
}

// estimateEntropy estimates the entropy of keys. A position where every
// key has the same character carries nothing; every other position is
// counted at log2 of the alphabet seen across the varying positions. That
// is an upper bound on what the keys can carry, and the right one for a
// generator that draws each character uniformly (160-bit base32 keys give
// 32 × 5 = 160; a UUIDv4 gives 31 × 4 = 124, near its true 122).
//
// Two methods are reported beside it: the per-position empirical entropy,
// which 20 samples cap at log2(20) ≈ 4.3 bits a position and so
// understates any good generator; and duplicates, since two equal keys
// among 20 put the key space near the birthday bound, 20²/2 ≈ 2^7.6.
func estimateEntropy(keys []string) entropyEstimate {
	est := entropyEstimate{samples: len(keys), minLen: math.MaxInt}
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			est.duplicates++
		}
		seen[k] = true
		est.minLen = min(est.minLen, len(k))
		est.maxLen = max(est.maxLen, len(k))
	}
	if len(keys) == 0 || est.minLen == 0 {
		est.minLen = 0
		return est
	}
	chars := map[byte]bool{}
	for i := 0; i < est.minLen; i++ {
		counts := map[byte]int{}
		for _, k := range keys {
			counts[k[i]]++
		}
		if len(counts) < 2 {
			continue
		}
		est.varying++
		for c, n := range counts {
			chars[c] = true
			p := float64(n) / float64(len(keys))
			est.perPosition -= p * math.Log2(p)
		}
	}
	est.alphabet = len(chars)
	if est.alphabet > 1 {
		est.bits = float64(est.varying) * math.Log2(float64(est.alphabet))
	}
	if est.duplicates > 0 {
		est.bits = min(est.bits, 2*math.Log2(float64(len(keys)))-1)
	}
	return est
}

func (est entropyEstimate) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "about %.0f bits from %d fresh session keys: %d of %d positions vary, over an alphabet of %d characters (%d × log2 %d)",
		est.bits, est.samples, est.varying, est.minLen, est.alphabet, est.varying, est.alphabet)
	if est.maxLen != est.minLen {
		fmt.Fprintf(&b, ", keys %d to %d characters long, the first %d compared", est.minLen, est.maxLen, est.minLen)
	}
	fmt.Fprintf(&b, "; per-position empirical entropy %.0f bits (at most %.1f a position from %d samples)",
		est.perPosition, math.Log2(float64(est.samples)), est.samples)
	if est.duplicates > 0 {
		fmt.Fprintf(&b, "; %d keys repeated, which puts the key space near the birthday bound", est.duplicates)
	}
	b.WriteString("; a black-box estimate is an upper bound: it cannot see a predictable generator behind random-looking keys")
	return b.String()
}

// freshKeys logs entropySamples fresh browsers in and returns the session
// keys they were given: the keys an attacker would have to guess.
func freshKeys(e *harness.Env) []string {
	GinkgoHelper()
	var keys []string
	for range entropySamples {
		b := newBrowser(e)
		login(b, unique("entropy"))
		k := heldKey(e, b)
		verify.That(k != "", "expected session/login to give a fresh browser a session cookie, observed none")
		keys = append(keys, k)
	}
	return keys
}

func expectBits(e *harness.Env, want float64) {
	GinkgoHelper()
	est := estimateEntropy(freshKeys(e))
	By("estimated " + est.String())
	verify.That(est.bits >= want, "expected session keys with at least %.0f bits of entropy, observed %s", want, est)
}

var _ = Describe("auth", Label("suite:auth"), func() {
	Describe("session key entropy", func() {
		entropy64.It(func(e *harness.Env) { expectBits(e, 64) })
		entropy128.It(func(e *harness.Env) { expectBits(e, 128) })
	})
})
