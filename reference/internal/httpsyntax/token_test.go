package httpsyntax

import "testing"

func TestIsToken(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"max-age", true}, {"sessionid", true}, {"a!#$%&'*+-.^_`|~z09", true},
		{"", false}, {"a b", false}, {"a;b", false}, {"a=b", false}, {`"q"`, false}, {"é", false}, {"a\x7f", false},
	} {
		if got := IsToken(tc.s); got != tc.want {
			t.Errorf("IsToken(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
