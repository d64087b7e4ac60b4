package rules

// How unpredictable session ids are, estimated from a sample of them (OWASP
// ASVS 3.2.2, OWASP WSTG SESS-01).

import (
	"fmt"
	"math"
	"strings"
)

// An alphabet is a set of characters ids are commonly drawn from.
type alphabet struct {
	name  string
	chars string
}

// alphabets, smallest first: an id is taken to be drawn from the first that
// holds all its characters.
var alphabets = []alphabet{
	{"decimal digits", "0123456789"},
	{"lower-case hex", "0123456789abcdef"},
	{"upper-case hex", "0123456789ABCDEF"},
	{"base32 (lower-case)", "abcdefghijklmnopqrstuvwxyz234567"},
	{"base32", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"},
	{"lower-case letters and digits", "abcdefghijklmnopqrstuvwxyz0123456789"},
	{"upper-case letters and digits", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"},
	{"letters and digits", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"},
	{"base64url", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"},
	{"base64", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="},
}

// Entropy is an estimate of how many bits of one id an attacker cannot
// predict, from a sample of ids.
type Entropy struct {
	Samples  int
	Distinct int
	// Alphabet is the smallest common alphabet that holds every character
	// of the sample, and Symbols its size; ids with other characters count
	// as printable ASCII (95 symbols).
	Alphabet string
	Symbols  int
	// Varying is how many character positions differ between samples.
	Varying int
	// Bits is Varying × log2(Symbols): an upper bound, generous on
	// purpose, so that an id under it is certainly too weak. A counter,
	// a timestamp or a short id is caught; a predictable generator that
	// fills every position is not (no sample can show that).
	Bits float64
}

// EstimateEntropy estimates the entropy of ids drawn the same way.
func EstimateEntropy(ids []string) Entropy {
	e := Entropy{Samples: len(ids)}
	distinct := map[string]bool{}
	var all strings.Builder
	longest := 0
	for _, id := range ids {
		distinct[id] = true
		all.WriteString(id)
		longest = max(longest, len(id))
	}
	e.Distinct = len(distinct)
	e.Alphabet, e.Symbols = "printable ASCII", 95
	for _, a := range alphabets {
		if strings.Trim(all.String(), a.chars) == "" {
			e.Alphabet, e.Symbols = a.name, len(a.chars)
			break
		}
	}
	for i := 0; i < longest; i++ {
		seen := map[byte]bool{}
		for _, id := range ids {
			if i < len(id) {
				seen[id[i]] = true
			} else {
				seen[0] = true // shorter ids differ from longer ones here
			}
		}
		if len(seen) > 1 {
			e.Varying++
		}
	}
	e.Bits = float64(e.Varying) * math.Log2(float64(e.Symbols))
	return e
}

func (e Entropy) String() string {
	return fmt.Sprintf("about %.0f bits: %d of the characters vary, from %s (%d symbols), in %d ids", e.Bits, e.Varying, e.Alphabet, e.Symbols, e.Samples)
}

// SessionIDEntropy grades a sample of session ids, each from its own
// login: all different, and at least minBits of estimated entropy.
func SessionIDEntropy(ids []string, minBits float64) string {
	e := EstimateEntropy(ids)
	if e.Distinct < e.Samples {
		return fmt.Sprintf("expected every login to get its own session id, observed %d distinct ids in %d logins", e.Distinct, e.Samples)
	}
	if e.Bits < minBits {
		return fmt.Sprintf("expected session ids with at least %.0f bits of entropy, observed %s", minBits, e)
	}
	return ""
}
