package rules

import (
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
)

func generate(n int, f func(i int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

// TestEstimateEntropy: the estimate for generators whose entropy is known.
func TestEstimateEntropy(t *testing.T) {
	for _, tc := range []struct {
		name     string
		keys     []string
		min, max float64
	}{
		{"160-bit base32 (the reference)", generate(20, func(int) string { return strings.ToLower(rand.Text()) + strings.ToLower(rand.Text())[:6] }), 155, 161},
		{"UUIDv4 (122 bits)", generate(20, func(int) string {
			b := make([]byte, 16)
			rand.Read(b)
			b[6] = b[6]&0x0f | 0x40
			b[8] = b[8]&0x3f | 0x80
			return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
		}), 115, 127.9},
		{"128-bit hex", generate(20, func(int) string {
			b := make([]byte, 16)
			rand.Read(b)
			return fmt.Sprintf("%x", b)
		}), 120, 128},
		{"a counter", generate(20, func(i int) string { return fmt.Sprintf("sess%08d", 1000+i) }), 0, 10},
		{"a constant prefix and 12 random base32 characters", generate(20, func(int) string {
			return "app-session-" + strings.ToLower(rand.Text())[:12]
		}), 55, 60.1},
		{"duplicates", generate(20, func(i int) string { return fmt.Sprintf("%x", i%10) + strings.Repeat("a", 31) }), 0, 7.7},
	} {
		est := EstimateEntropy(tc.keys)
		if est.Bits < tc.min || est.Bits > tc.max {
			t.Errorf("%s: %.1f bits, want %.0f to %.0f (%s)", tc.name, est.Bits, tc.min, tc.max, est)
		}
	}
	if est := EstimateEntropy(nil); est.Bits != 0 {
		t.Errorf("no keys: %v bits", est.Bits)
	}
	counter := EstimateEntropy(generate(20, func(i int) string { return fmt.Sprintf("sess%08d", 1000+i) }))
	if v := counter.AtLeast(64); !strings.Contains(v, "at least 64 bits") {
		t.Errorf("a counter: AtLeast(64) = %q", v)
	}
}
