package setcookie

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
)

// Size limits of RFC 6265bis §4.1.2, which user agents enforce: name+value
// over MaxNameValueBytes ignores the cookie (§5.6 step 5, §5.7 step 4), an
// attribute value over MaxAttributeValueBytes ignores the attribute (§5.6
// attribute step 6).
const (
	MaxNameValueBytes      = 4096
	MaxAttributeValueBytes = 1024
)

// A Cookie is a cookie as a server writes it in a Set-Cookie header field,
// RFC 6265bis §4.1.
type Cookie struct {
	Name, Value  string
	Path, Domain string
	// Expires is the Expires attribute; the zero time means none. It is
	// written as an IMF-fixdate in GMT (sane-cookie-date, RFC 6265bis §4.1.1).
	Expires time.Time
	// MaxAge is the Max-Age attribute in seconds, written only when HasMaxAge
	// is set. Zero and negative values are written as Max-Age=0, which user
	// agents treat as "expire now" (RFC 6265bis §5.6.2).
	MaxAge    int
	HasMaxAge bool

	Secure, HttpOnly, Partitioned bool
	// SameSite is "", "Strict", "Lax" or "None"; anything else is an error.
	SameSite string
}

// String returns the Set-Cookie header field value for c, with attributes in
// a fixed order (Path, Domain, Expires, Max-Age, Secure, HttpOnly, SameSite,
// Partitioned). It returns an error, and never a broken header, when c cannot
// be written in the grammar of RFC 6265bis §4.1.1 or would be ignored by a
// conforming user agent:
//   - a Name that is not a token (an empty name included);
//   - a Value with a byte outside cookie-octet, other than a DQUOTE pair
//     wrapping the whole value;
//   - a Path or Domain with a byte outside av-octet (CTLs, ';', non-ASCII),
//     a Path that does not begin with '/', a Domain that is not a subdomain;
//   - a Path ending in whitespace (user agents strip it);
//   - an unknown SameSite, SameSite=None without Secure (user agents ignore
//     the cookie, RFC 6265bis §5.7 step 19), or an Expires year outside
//     1601..9999;
//   - name+value over 4096 bytes or an attribute value over 1024 bytes;
//   - a __Secure- or __Host- name without the attributes its prefix requires.
//
// A single leading '.' of Domain is dropped: the grammar does not allow it and
// user agents ignore it (RFC 6265bis §4.1.2.3).
func (c Cookie) String() (string, error) {
	if !isToken(c.Name) {
		return "", fmt.Errorf("cookie: name %q is not a token", c.Name) // RFC 6265bis §4.1.1 cookie-name
	}
	if !isCookieValue(c.Value) {
		return "", fmt.Errorf("cookie: value of %s has a byte outside cookie-octet", c.Name) // RFC 6265bis §4.1.1 cookie-value
	}
	if n := len(c.Name) + len(c.Value); n > MaxNameValueBytes {
		return "", fmt.Errorf("cookie: name+value of %s is %d bytes, over the %d-byte limit", c.Name, n, MaxNameValueBytes) // RFC 6265bis §4.1.2
	}
	var b strings.Builder
	b.Grow(len(c.Name) + len(c.Value) + 128)
	b.WriteString(c.Name)
	b.WriteByte('=')
	b.WriteString(c.Value)

	if c.Path != "" {
		if err := checkAttrValue("Path", c.Path); err != nil {
			return "", err
		}
		if c.Path[0] != '/' {
			return "", fmt.Errorf("cookie: Path %q does not begin with '/'", c.Path) // RFC 6265bis §5.6.4 step 1: ignored otherwise
		}
		if trimWSP(c.Path) != c.Path {
			return "", fmt.Errorf("cookie: Path %q ends with whitespace, which user agents strip", c.Path) // RFC 6265bis §5.6 attribute step 5
		}
		b.WriteString("; Path=")
		b.WriteString(c.Path)
	}
	if c.Domain != "" {
		if err := checkAttrValue("Domain", c.Domain); err != nil {
			return "", err
		}
		d := strings.TrimPrefix(c.Domain, ".") // RFC 6265bis §4.1.2.3: a leading '.' is ignored
		if !isSubdomain(d) {
			return "", fmt.Errorf("cookie: Domain %q is not a subdomain", c.Domain) // RFC 6265bis §4.1.1 domain-value
		}
		b.WriteString("; Domain=")
		b.WriteString(d)
	}
	if !c.Expires.IsZero() {
		t := c.Expires.UTC()
		if y := t.Year(); y < 1601 || y > 9999 {
			return "", fmt.Errorf("cookie: Expires year %d cannot be written as a cookie-date", y) // RFC 6265bis §5.1.1 step 5
		}
		b.WriteString("; Expires=")
		b.WriteString(t.Format(imfFixdate)) // RFC 6265bis §4.1.1 sane-cookie-date
	}
	if c.HasMaxAge {
		b.WriteString("; Max-Age=")
		b.WriteString(strconv.Itoa(max(c.MaxAge, 0)))
	}
	if c.Secure {
		b.WriteString("; Secure")
	}
	if c.HttpOnly {
		b.WriteString("; HttpOnly")
	}
	switch c.SameSite {
	case "":
	case "None":
		if !c.Secure {
			return "", errors.New("cookie: SameSite=None requires Secure") // RFC 6265bis §5.7 step 19
		}
		fallthrough
	case "Strict", "Lax": // RFC 6265bis §4.1.1 samesite-value
		b.WriteString("; SameSite=")
		b.WriteString(c.SameSite)
	default:
		return "", fmt.Errorf("cookie: unknown SameSite value %q", c.SameSite)
	}
	if c.Partitioned {
		b.WriteString("; Partitioned")
	}
	if err := checkPrefix(c.Name, c.Secure, c.Domain != "", c.Path); err != "" {
		return "", errors.New("cookie: " + err)
	}
	return b.String(), nil
}

// imfFixdate is the IMF-fixdate layout of RFC 9110 §5.6.7, the
// sane-cookie-date of RFC 6265bis §4.1.1.
const imfFixdate = "Mon, 02 Jan 2006 15:04:05 GMT"

// checkAttrValue reports an error when an attribute value has a byte outside
// av-octet or is longer than 1024 bytes.
func checkAttrValue(attr, v string) error {
	for i := 0; i < len(v); i++ {
		if !isAVOctet(v[i]) {
			return fmt.Errorf("cookie: %s contains %q which is not an av-octet", attr, v[i]) // RFC 6265bis §4.1.1 av-octet
		}
	}
	if len(v) > MaxAttributeValueBytes {
		return fmt.Errorf("cookie: %s is %d bytes, over the %d-byte limit", attr, len(v), MaxAttributeValueBytes) // RFC 6265bis §4.1.2
	}
	return nil
}

// checkPrefix returns why a cookie named name breaks the requirements of its
// name prefix, or "" when it has no prefix or meets them.
func checkPrefix(name string, secure, hasDomain bool, path string) string {
	switch {
	case HasSecurePrefix(name):
		if !secure {
			return "__Secure- prefix requires Secure" // RFC 6265bis §4.1.3.1
		}
	case HasHostPrefix(name):
		switch {
		case !secure:
			return "__Host- prefix requires Secure" // RFC 6265bis §4.1.3.2
		case hasDomain:
			return "__Host- prefix forbids a Domain attribute" // RFC 6265bis §4.1.3.2
		case path != "/":
			return "__Host- prefix requires Path=/" // RFC 6265bis §4.1.3.2
		}
	}
	return ""
}

// HasSecurePrefix reports whether s begins with the __Secure- cookie name
// prefix (RFC 6265bis §4.1.3.1). Prefixes match case-insensitively
// (§4.1.3), as the storage model checks them (§5.7 steps 20 and 22).
func HasSecurePrefix(s string) bool { return hasPrefixFold(s, "__Secure-") }

// HasHostPrefix reports whether s begins with the __Host- cookie name
// prefix (RFC 6265bis §4.1.3.2), in any case (§4.1.3, §5.7 steps 21-22).
func HasHostPrefix(s string) bool { return hasPrefixFold(s, "__Host-") }

// hasPrefixFold reports whether s begins with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// EncodeValue returns s encoded so that it is a valid cookie-value: every byte
// outside cookie-octet, and '%' itself, is written as '%' followed by two
// upper-case hex digits; every other byte is kept. The choice is
// percent-encoding rather than Base64 (which RFC 6265bis §4.1.1 suggests) so
// that ordinary values stay readable in a report, and because it is what most
// server frameworks already do. DecodeValue reverses it.
func EncodeValue(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !isCookieOctet(s[i]) || s[i] == '%' {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isCookieOctet(c) || c == '%' {
			b = append(b, '%', hex[c>>4], hex[c&0xf])
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// DecodeValue reverses EncodeValue. Hex digits may be in either case; a '%'
// not followed by two hex digits is an error. Bytes that EncodeValue would
// have escaped but that appear unescaped are kept as they are.
func DecodeValue(s string) (string, error) {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("cookie: truncated escape at byte %d", i)
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", fmt.Errorf("cookie: bad escape %q at byte %d", s[i:i+3], i)
		}
		b = append(b, hi<<4|lo)
		i += 2
	}
	return string(b), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// isCookieOctet reports whether c is a cookie-octet (RFC 6265bis §4.1.1):
// US-ASCII excluding CTLs, whitespace, DQUOTE, comma, semicolon and backslash.
func isCookieOctet(c byte) bool {
	return c == 0x21 || (0x23 <= c && c <= 0x2B) || (0x2D <= c && c <= 0x3A) ||
		(0x3C <= c && c <= 0x5B) || (0x5D <= c && c <= 0x7E)
}

// isCookieValue reports whether v matches cookie-value (RFC 6265bis §4.1.1):
// *cookie-octet, or the same wrapped in one pair of DQUOTEs.
func isCookieValue(v string) bool {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	for i := 0; i < len(v); i++ {
		if !isCookieOctet(v[i]) {
			return false
		}
	}
	return true
}

// isAVOctet reports whether c is an av-octet (RFC 6265bis §4.1.1): any CHAR
// except CTLs or ';'.
func isAVOctet(c byte) bool {
	return 0x20 <= c && c <= 0x7E && c != ';'
}

// isTchar and isToken are RFC 9110 §5.6.2's tchar and token.
var (
	isTchar = httpsyntax.IsTchar
	isToken = httpsyntax.IsToken
)

// isSubdomain reports whether d is a <subdomain> of RFC 1034 §3.5 as relaxed
// by RFC 1123 §2.1 (labels may begin with a digit): dot-separated labels of
// letters, digits and hyphens, 1 to 63 bytes each, neither beginning nor
// ending with a hyphen. The domain-value of RFC 6265bis §4.1.1.
func isSubdomain(d string) bool {
	if d == "" || len(d) > 255 {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
