package rules

// How unpredictable session keys are, estimated from a sample of them
// (OWASP ASVS 3.2.2, OWASP WSTG SESS-01). The auth suite and the probe's
// session checks both grade by it.

import (
	"fmt"
	"math"
	"strings"
)

// Entropy is what a black box can say about how unpredictable session keys
// are, from a handful of them.
type Entropy struct {
	Samples        int
	MinLen, MaxLen int
	Varying        int // positions (below MinLen) where the keys differ
	Alphabet       int // distinct characters seen at those positions
	Bits           float64
	PerPosition    float64 // sum of the per-position empirical entropies
	Duplicates     int     // keys seen more than once
}

// EstimateEntropy estimates the entropy of keys. A position where every
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
func EstimateEntropy(keys []string) Entropy {
	est := Entropy{Samples: len(keys), MinLen: math.MaxInt}
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			est.Duplicates++
		}
		seen[k] = true
		est.MinLen = min(est.MinLen, len(k))
		est.MaxLen = max(est.MaxLen, len(k))
	}
	if len(keys) == 0 || est.MinLen == 0 {
		est.MinLen = 0
		return est
	}
	chars := map[byte]bool{}
	for i := 0; i < est.MinLen; i++ {
		counts := map[byte]int{}
		for _, k := range keys {
			counts[k[i]]++
		}
		if len(counts) < 2 {
			continue
		}
		est.Varying++
		for c, n := range counts {
			chars[c] = true
			p := float64(n) / float64(len(keys))
			est.PerPosition -= p * math.Log2(p)
		}
	}
	est.Alphabet = len(chars)
	if est.Alphabet > 1 {
		est.Bits = float64(est.Varying) * math.Log2(float64(est.Alphabet))
	}
	if est.Duplicates > 0 {
		est.Bits = min(est.Bits, 2*math.Log2(float64(len(keys)))-1)
	}
	return est
}

func (est Entropy) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "about %.0f bits from %d fresh session keys: %d of %d positions vary, over an alphabet of %d characters (%d × log2 %d)",
		est.Bits, est.Samples, est.Varying, est.MinLen, est.Alphabet, est.Varying, est.Alphabet)
	if est.MaxLen != est.MinLen {
		fmt.Fprintf(&b, ", keys %d to %d characters long, the first %d compared", est.MinLen, est.MaxLen, est.MinLen)
	}
	fmt.Fprintf(&b, "; per-position empirical entropy %.0f bits (at most %.1f a position from %d samples)",
		est.PerPosition, math.Log2(float64(est.Samples)), est.Samples)
	if est.Duplicates > 0 {
		fmt.Fprintf(&b, "; %d keys repeated, which puts the key space near the birthday bound", est.Duplicates)
	}
	b.WriteString("; a black-box estimate is an upper bound: it cannot see a predictable generator behind random-looking keys")
	return b.String()
}

// AtLeast grades the estimate: at least bits of entropy.
func (est Entropy) AtLeast(bits float64) string {
	if est.Bits < bits {
		return fmt.Sprintf("expected session keys with at least %.0f bits of entropy, observed %s", bits, est)
	}
	return ""
}
