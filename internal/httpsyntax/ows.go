package httpsyntax

// OWS = *( SP / HTAB ), RFC 9110 §5.6.3.
func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// TrimLeftOWS removes the optional whitespace (RFC 9110 §5.6.3) at the start
// of s.
func TrimLeftOWS(s string) string {
	for s != "" && isOWS(s[0]) {
		s = s[1:]
	}
	return s
}

// TrimOWS removes the optional whitespace (RFC 9110 §5.6.3) around s.
func TrimOWS(s string) string {
	s = TrimLeftOWS(s)
	for s != "" && isOWS(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
