package setcookie

import (
	"strconv"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
)

// An Attribute is one cookie-av of a Set-Cookie line as the user agent splits
// it (RFC 6265bis §5.6): name and value with surrounding WSP removed, the value
// empty when there was no '='.
type Attribute struct{ Name, Value string }

// Received is a Set-Cookie line as a user agent receives it: parsed by the
// algorithm of RFC 6265bis §5.6, before the storage model (§5.7) decides
// whether to store it.
type Received struct {
	Name, Value string
	// Attributes lists every cookie-av in order as split by §5.6 steps 1-5,
	// recognised or not, duplicates and over-long values included.
	Attributes []Attribute

	// The fields below are the cookie-attribute-list of §5.6.1-§5.6.7,
	// resolved: the last valid occurrence of each attribute wins, invalid
	// ones and those with a value over 1024 bytes are ignored.

	// Expires is the last Expires that parses as a cookie-date (§5.6.1). It
	// is not capped here: the 400-day limit counts from the time of storage,
	// which only a cookie store knows.
	Expires    time.Time
	HasExpires bool
	// MaxAge is the last valid Max-Age in seconds (§5.6.2), capped at 400
	// days; zero or negative means "expire now".
	MaxAge    int
	HasMaxAge bool
	// Domain is the last Domain, leading '.' removed and lower-cased (§5.6.3).
	// It may be empty ("Domain=" or "Domain=."), which the storage model
	// treats like no Domain at all.
	Domain    string
	HasDomain bool
	// Path is the last Path, when that one begins with '/' (§5.6.4). A last
	// Path that is empty or does not begin with '/' stands for the default
	// path, and leaves HasPath false.
	Path    string
	HasPath bool

	Secure, HttpOnly bool
	// Partitioned is set by a Partitioned attribute (CHIPS); RFC 6265bis
	// does not define it and the reference jar ignores it.
	Partitioned bool
	// SameSite is the enforcement of the last SameSite attribute (§5.6.7):
	// "Strict", "Lax", "None", or "" for absent or unrecognised ("Default").
	SameSite string
}

// AgeLimit is the cookie-age-limit of RFC 6265bis §5.5: 400 days. Parse
// caps Max-Age at it; a cookie store caps Expires at it from the time of
// storage (§5.6.1 step 4).
const AgeLimit = 400 * 24 * time.Hour

// Parse parses one Set-Cookie header field value with the algorithm of
// RFC 6265bis §5.6. ok is false when that algorithm ignores the line
// entirely: a control character other than HTAB (HasCTL), or a name and
// value longer than MaxNameValueBytes together. A parsed cookie can still be
// rejected by the storage model (§5.7), which needs the request URL: see
// the reference jar, reference/cookie.
func Parse(line string) (sc Received, ok bool) {
	if HasCTL(line) {
		return Received{}, false // RFC 6265bis §5.6 step 1
	}
	nameValue, unparsed, more := strings.Cut(line, ";") // RFC 6265bis §5.6 step 2
	name, value, found := strings.Cut(nameValue, "=")
	if !found {
		name, value = "", nameValue // RFC 6265bis §5.6 step 3
	}
	name, value = trimWSP(name), trimWSP(value) // RFC 6265bis §5.6 step 4
	if len(name)+len(value) > MaxNameValueBytes {
		return Received{}, false // RFC 6265bis §5.6 step 5
	}
	sc.Name, sc.Value = name, value // RFC 6265bis §5.6 step 6

	// RFC 6265bis §5.6, the unparsed-attributes loop (steps 1-8 of its
	// second list). Cut consumes the ';' that steps 2 and 3 discard; a
	// trailing ';' yields one empty cookie-av, as in the algorithm.
	for more { // RFC 6265bis §5.6 attribute step 1
		var av string
		av, unparsed, more = strings.Cut(unparsed, ";") // RFC 6265bis §5.6 attribute steps 2-3
		an, aval, _ := strings.Cut(av, "=")             // RFC 6265bis §5.6 attribute step 4
		an, aval = trimWSP(an), trimWSP(aval)           // RFC 6265bis §5.6 attribute step 5
		sc.Attributes = append(sc.Attributes, Attribute{an, aval})
		if len(aval) > MaxAttributeValueBytes {
			continue // RFC 6265bis §5.6 attribute step 6
		}
		sc.apply(an, aval) // RFC 6265bis §5.6 attribute step 7
	}
	return sc, true
}

// apply processes one attribute per RFC 6265bis §5.6.1-§5.6.7; unknown
// attribute names are ignored.
func (sc *Received) apply(name, value string) {
	switch {
	case strings.EqualFold(name, "Expires"):
		if t, ok := ParseDate(value); ok { // RFC 6265bis §5.6.1 steps 1-2
			sc.Expires, sc.HasExpires = t, true
		}
	case strings.EqualFold(name, "Max-Age"):
		if n, ok := parseMaxAge(value); ok {
			sc.MaxAge, sc.HasMaxAge = n, true
		}
	case strings.EqualFold(name, "Domain"):
		d := strings.TrimPrefix(value, ".")                      // RFC 6265bis §5.6.3 step 2
		sc.Domain, sc.HasDomain = httpsyntax.LowerASCII(d), true // RFC 6265bis §5.6.3 steps 3-4
	case strings.EqualFold(name, "Path"):
		if value == "" || value[0] != '/' {
			sc.Path, sc.HasPath = "", false // RFC 6265bis §5.6.4 step 1: the default-path
		} else {
			sc.Path, sc.HasPath = value, true // RFC 6265bis §5.6.4 steps 1-2
		}
	case strings.EqualFold(name, "Secure"):
		sc.Secure = true // RFC 6265bis §5.6.5
	case strings.EqualFold(name, "HttpOnly"):
		sc.HttpOnly = true // RFC 6265bis §5.6.6
	case strings.EqualFold(name, "SameSite"):
		sc.SameSite = "" // RFC 6265bis §5.6.7 step 1: "Default"
		switch {
		case strings.EqualFold(value, "None"):
			sc.SameSite = "None" // RFC 6265bis §5.6.7 step 2
		case strings.EqualFold(value, "Strict"):
			sc.SameSite = "Strict" // RFC 6265bis §5.6.7 step 3
		case strings.EqualFold(value, "Lax"):
			sc.SameSite = "Lax" // RFC 6265bis §5.6.7 step 4
		}
	case strings.EqualFold(name, "Partitioned"):
		sc.Partitioned = true
	}
}

// parseMaxAge reads a Max-Age attribute value per RFC 6265bis §5.6.2 steps
// 1-6: an optional '-' then digits only, capped at the 400-day
// cookie-age-limit. Values beyond the range of int saturate.
func parseMaxAge(v string) (int, bool) {
	digits := strings.TrimPrefix(v, "-")
	if digits == "" {
		return 0, false // RFC 6265bis §5.6.2 steps 1-2
	}
	for i := 0; i < len(digits); i++ {
		if !isDigit(digits[i]) {
			return 0, false // RFC 6265bis §5.6.2 steps 2-3
		}
	}
	limit := int(AgeLimit / time.Second)
	n, err := strconv.Atoi(v) // RFC 6265bis §5.6.2 step 4
	if err != nil {           // only a range error is possible here
		if v[0] == '-' {
			return -1, true
		}
		return limit, true
	}
	return min(n, limit), true // RFC 6265bis §5.6.2 steps 5-6
}

// A Pair is one cookie-pair of a Cookie request header field.
type Pair struct{ Name, Value string }

// ParseCookieHeader splits a Cookie request header field value into its
// name/value pairs, in order and with duplicates kept: what a server sees.
// The grammar of RFC 6265bis §4.2.1 is cookie-pair *( ";" SP cookie-pair );
// this is lenient in the same way as §5.6: pairs are split at ';', names and
// values have surrounding WSP removed, empty pairs are skipped, and a pair
// without '=' is a nameless cookie (the user agent serialises a cookie with an
// empty name as its bare value, RFC 6265bis §5.8.3 step 6). Values are kept
// as they are, DQUOTEs included.
func ParseCookieHeader(h string) []Pair {
	var pairs []Pair
	for len(h) > 0 {
		var part string
		part, h, _ = strings.Cut(h, ";")
		part = trimWSP(part)
		if part == "" {
			continue
		}
		name, value, found := strings.Cut(part, "=")
		if !found {
			pairs = append(pairs, Pair{Value: part})
			continue
		}
		pairs = append(pairs, Pair{trimWSP(name), trimWSP(value)})
	}
	return pairs
}

// HasCTL reports whether s contains a control character other than HTAB:
// %x00-08 / %x0A-1F / %x7F (RFC 6265bis §5.6 step 1, §5.7 step 3). A
// Set-Cookie line that has one is ignored whole.
func HasCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7F {
			return true
		}
	}
	return false
}

// trimWSP removes leading and trailing WSP (SP and HTAB).
func trimWSP(s string) string {
	return strings.Trim(s, " \t")
}
