// Package httpsyntax holds the few pieces of RFC 9110 grammar, and the
// ASCII case folding of RFC 6265bis, that more than one package needs: the
// parsers under syntax/ and the reference under reference/. Each rule is
// written once. It lives at the top of the module, not under syntax/ or
// reference/, because both of those import it.
package httpsyntax

import "strings"

// IsTchar reports whether c is a tchar (RFC 9110 §5.6.2).
func IsTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// IsToken reports whether s is a token (RFC 9110 §5.6.2): one or more
// tchars.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !IsTchar(s[i]) {
			return false
		}
	}
	return true
}
