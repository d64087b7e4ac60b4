// Package httpsyntax holds the few pieces of RFC 9110 grammar that more
// than one reference package needs, so each rule is written once.
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
