package httpsyntax

import "math"

// Digits parses 1*DIGIT (RFC 5234's DIGIT: ASCII 0-9 only, no sign, no
// space), the grammar of HTTP's counts and positions: a date's fields, a
// byte range's positions (RFC 9110 §14.1.1). ok is false for anything else,
// an empty string, or a value past int64.
func Digits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}
