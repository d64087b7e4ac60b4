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

func TestTrimOWS(t *testing.T) {
	for in, want := range map[string]string{
		"": "", " \t": "", " a b\t": "a b", "a": "a", "\ta\r": "a\r", "\u00a0a": "\u00a0a",
	} {
		if got := TrimOWS(in); got != want {
			t.Errorf("TrimOWS(%q) = %q, want %q", in, got, want)
		}
	}
	if got := TrimLeftOWS(" \ta "); got != "a " {
		t.Errorf("TrimLeftOWS = %q", got)
	}
}

func TestLowerASCII(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "example.test": "example.test", "Example.TEST": "example.test",
		"ÉXAMPLE": "Éxample", "A\xffB": "a\xffb",
	} {
		if got := LowerASCII(in); got != want {
			t.Errorf("LowerASCII(%q) = %q, want %q", in, got, want)
		}
	}
}
