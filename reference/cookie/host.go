package cookie

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"

	"golang.org/x/net/idna"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
)

// canonicalHost returns the canonicalized host name of u (RFC 6265bis
// §5.1.2): the host without port or IPv6 brackets, lower-cased, each
// non-ASCII label converted to an A-label. It fails on an empty host or an
// empty label (so a fully qualified "example.test." fails rather than being
// silently merged with "example.test").
//
// Deviation, recorded as a finding: §5.1.2 step 2 requires every label to be a
// U-label, A-label or NR-LDH label. Like browsers we accept any other ASCII
// label (underscores are common in container host names) and do not apply
// IDNA mapping or validation beyond lower-casing ASCII; U-labels are
// Punycode-encoded as they are.
func canonicalHost(u *url.URL) (string, error) {
	host := u.Hostname()
	if host == "" {
		return "", errors.New("no host")
	}
	if isIP(host) {
		return httpsyntax.LowerASCII(host), nil
	}
	labels := strings.Split(host, ".") // RFC 6265bis §5.1.2 step 1
	for i, label := range labels {
		if label == "" {
			return "", errors.New("empty label") // RFC 6265bis §5.1.2 step 2
		}
		if isASCII(label) {
			labels[i] = httpsyntax.LowerASCII(label)
			continue
		}
		// RFC 6265bis §5.1.2 step 3: the A-label, "xn--" and the
		// label's Punycode (RFC 3492), with no IDNA mapping beyond
		// lower-casing (see above).
		a, err := idna.Punycode.ToASCII(strings.ToLower(label))
		if err != nil {
			return "", err
		}
		labels[i] = a
	}
	return strings.Join(labels, "."), nil // RFC 6265bis §5.1.2 step 5
}

// isIP reports whether host is an IPv4 or IPv6 address.
func isIP(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}

// isASCII reports whether s has only bytes below 0x80.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// domainMatch reports whether the string s domain-matches the domain string
// domain (RFC 6265bis §5.1.3): they are identical, or domain is a suffix of
// s preceded by a '.', and s is a host name, not an IP address. Both are
// canonicalized (lower case) already.
func domainMatch(s, domain string) bool {
	if s == domain {
		return true
	}
	return strings.HasSuffix(s, domain) &&
		len(s) > len(domain) && s[len(s)-len(domain)-1] == '.' &&
		!isIP(s)
}
