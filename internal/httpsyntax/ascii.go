package httpsyntax

// LowerASCII lower-cases the ASCII letters of s and leaves every other byte
// alone, invalid UTF-8 included. Cookie domains (RFC 6265bis §5.6.3 step 4)
// and host names (§5.1.2) are lower-cased this way; strings.ToLower would
// also fold non-ASCII letters and rewrite invalid bytes.
func LowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerByte(b[j])
			}
			return string(b)
		}
	}
	return s
}

// lowerByte lower-cases c when it is an ASCII upper-case letter.
func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
