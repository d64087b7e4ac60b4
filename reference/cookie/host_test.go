package cookie

import (
	"net/url"
	"testing"
)

func TestCanonicalHostPunycode(t *testing.T) {
	// Vectors from RFC 3492 §7.1 (lower-cased) and common names: each
	// non-ASCII label becomes its A-label (RFC 6265bis §5.1.2 step 3).
	for in, want := range map[string]string{
		"bücher.example":        "xn--bcher-kva.example",
		"MÜNCHEN.example":       "xn--mnchen-3ya.example",
		"ü.test":                "xn--tda.test",
		"他们为什么不说中文.example":     "xn--ihqwcrb4cv8a8dqg056pqjye.example",
		"правительство.example": "xn--80aealotwbjpid2k.example",
	} {
		u := &url.URL{Scheme: "https", Host: in}
		if got, err := canonicalHost(u); err != nil || got != want {
			t.Errorf("canonicalHost(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
}
