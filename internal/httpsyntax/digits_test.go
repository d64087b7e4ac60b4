package httpsyntax

import "testing"

func TestDigits(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int64
		want bool
	}{
		{"0", 0, true}, {"007", 7, true}, {"9223372036854775807", 9223372036854775807, true},
		{"9223372036854775808", 0, false}, {"", 0, false}, {"+1", 0, false}, {"1 ", 0, false},
		{"-1", 0, false}, {"١", 0, false},
	} {
		if n, ok := Digits(tc.s); ok != tc.want || n != tc.n {
			t.Errorf("Digits(%q) = %d, %v; want %d, %v", tc.s, n, ok, tc.n, tc.want)
		}
	}
}
