package setcookie

import (
	"fmt"
	"strings"
	"time"
)

// Problems returns, for a Set-Cookie line a server sent, each way it departs
// from the grammar of RFC 6265bis §4.1.1 and the requirements of §4.1.2 and
// §4.1.3, as short sentences in the order they occur in the line. It is empty
// when the line conforms. Attribute names are matched case-insensitively, as
// ABNF string literals are; an attribute the grammar names (Expires,
// Max-Age, Domain, Path, Secure, HttpOnly, SameSite) must match its own
// production, not merely extension-av.
//
// Besides the grammar it reports what makes a conforming user agent drop the
// cookie or an attribute: sizes over the limits (§4.1.2, §5.6, §5.7), a Path
// that does not begin with '/' (§5.6.4), SameSite=None without Secure
// (§5.7 step 19) and the cookie prefixes (§4.1.3).
func Problems(line string) []string {
	var texts []string
	for _, p := range Diagnose(line) {
		texts = append(texts, p.Text)
	}
	return texts
}

// A Problem is one way a Set-Cookie line departs from what a server should
// send: what kind of rule it breaks, and a short sentence saying how.
type Problem struct {
	Kind ProblemKind
	Text string
}

// ProblemKind sorts problems by the rule they break, so that a check can
// grade one rule (a duplicate attribute, a size limit) without another.
type ProblemKind int

// The kinds of problem, each the business of one rule.
const (
	// ProblemSyntax: the set-cookie-string grammar of RFC 6265bis §4.1.1
	// (token name, cookie-octets, attribute values, whitespace,
	// sane-cookie-date, max-age-av, domain-value, samesite-value) and a
	// Path that user agents replace with the default path (§5.6.4).
	ProblemSyntax ProblemKind = iota
	// ProblemDuplicateAttribute: an attribute appears more than once
	// (RFC 6265bis §4.1.1).
	ProblemDuplicateAttribute
	// ProblemNameValueSize: name and value together over 4096 bytes, which
	// makes user agents ignore the cookie (RFC 6265bis §4.1.2, §5.6 step 5).
	ProblemNameValueSize
	// ProblemAttributeSize: an attribute value over 1024 bytes, which user
	// agents ignore (RFC 6265bis §5.6 attribute step 6).
	ProblemAttributeSize
	// ProblemSameSiteNone: SameSite=None without Secure, which makes user
	// agents ignore the cookie (RFC 6265bis §5.7 step 19).
	ProblemSameSiteNone
	// ProblemPrefix: a __Secure- or __Host- name without what its prefix
	// requires (RFC 6265bis §4.1.3).
	ProblemPrefix
)

// Diagnose is Problems with each problem's kind: the one implementation of
// the rules a server's Set-Cookie lines are graded by.
func Diagnose(line string) []Problem {
	var ps []Problem
	as := func(k ProblemKind, format string, args ...any) {
		ps = append(ps, Problem{k, fmt.Sprintf(format, args...)})
	}
	add := func(format string, args ...any) { as(ProblemSyntax, format, args...) }

	pair, rest, hasAttrs := strings.Cut(line, ";")
	if strings.TrimLeft(pair, " \t") != pair {
		add("whitespace before the cookie-pair (BWS, which a sender must not generate)") // RFC 6265bis §4.1.1 set-cookie-string
	}
	pair = strings.TrimLeft(pair, " \t")
	trailingWS(&pair, hasAttrs, add)
	name, value, hasEq := strings.Cut(pair, "=")
	switch {
	case !hasEq && pair == "":
		add("cookie-pair is missing") // RFC 6265bis §4.1.1 set-cookie-string
	case !hasEq:
		add("cookie-pair has no '=': a nameless cookie") // RFC 6265bis §4.1.1 cookie-pair, §4.1.2
	}
	if !hasEq {
		name, value = "", pair
	} else if strings.TrimRight(name, " \t") != name || strings.TrimLeft(value, " \t") != value {
		add("whitespace around '=' in the cookie-pair (BWS, which a sender must not generate)") // RFC 6265bis §4.1.1 cookie-pair
		name, value = trimWSP(name), trimWSP(value)
	}
	if hasEq && name == "" {
		add("cookie-name is empty") // RFC 6265bis §4.1.1 cookie-name = token
	}
	for _, c := range badBytes(name, isTchar) {
		add("name contains %s which is not a token character", showByte(c)) // RFC 6265bis §4.1.1 cookie-name
	}
	inner := value
	if len(inner) >= 2 && inner[0] == '"' && inner[len(inner)-1] == '"' {
		inner = inner[1 : len(inner)-1]
	}
	for _, c := range badBytes(inner, isCookieOctet) {
		add("value contains %s which is not a cookie-octet", showByte(c)) // RFC 6265bis §4.1.1 cookie-value
	}
	if n := len(name) + len(value); n > MaxNameValueBytes {
		as(ProblemNameValueSize, "name+value is %d bytes, over the %d-byte limit", n, MaxNameValueBytes) // RFC 6265bis §4.1.2, §5.6 step 5
	}

	var (
		seen              []string // attribute names in order of first appearance, lower-cased
		count             = map[string]int{}
		display           = map[string]string{}
		secure, hasDomain bool
		lastPath          string
		sameSiteNone      bool
	)
	for hasAttrs {
		var av string
		av, rest, hasAttrs = strings.Cut(rest, ";")
		av = strings.TrimLeft(av, " \t") // OWS after ';' is allowed
		trailingWS(&av, hasAttrs, add)
		an, aval, hasVal := strings.Cut(av, "=")
		if strings.TrimRight(an, " \t") != an || strings.TrimLeft(aval, " \t") != aval {
			add("whitespace around '=' in attribute %s (BWS, which a sender must not generate)", trimWSP(an)) // RFC 6265bis §4.1.1 cookie-av
			an, aval = trimWSP(an), trimWSP(aval)
		}
		if an == "" && !hasVal {
			continue // an empty cookie-av: a stray ';' (extension-av = *av-octet allows it)
		}
		key := strings.ToLower(an)
		if count[key] == 0 {
			seen = append(seen, key)
			display[key] = an
		}
		count[key]++
		for _, c := range badBytes(an+aval, isAVOctet) {
			add("attribute %s contains %s which is not an av-octet", an, showByte(c)) // RFC 6265bis §4.1.1 av-octet
		}
		if len(aval) > MaxAttributeValueBytes {
			as(ProblemAttributeSize, "%s is %d bytes, over the %d-byte limit", an, len(aval), MaxAttributeValueBytes) // RFC 6265bis §5.6 attribute step 6
		}
		switch key {
		case "expires":
			switch parsed, sane := saneCookieDate(aval); {
			case !hasVal || !parsed:
				add("Expires is not an IMF-fixdate") // RFC 6265bis §4.1.1 sane-cookie-date
			case !sane:
				add("Expires is not an IMF-fixdate (the day-name does not match the date)") // RFC 6265bis §4.1.1 sane-cookie-date
			}
		case "max-age":
			if !isPositiveInteger(aval) {
				add("Max-Age is not a positive integer") // RFC 6265bis §4.1.1 max-age-av
			}
		case "domain":
			d := aval
			switch {
			case d == "":
				add("Domain is empty") // RFC 6265bis §4.1.1 domain-value
			case d[0] == '.':
				add("Domain has a leading '.', which the grammar does not allow (user agents ignore it)") // RFC 6265bis §4.1.2.3
				d = d[1:]
			}
			if d != "" && !isSubdomain(d) {
				add("Domain %s is not a domain name (subdomain)", aval) // RFC 6265bis §4.1.1 domain-value
			}
			hasDomain = true
		case "path":
			if aval == "" || aval[0] != '/' {
				add("Path does not begin with '/' (user agents use the default path instead)") // RFC 6265bis §5.6.4 step 1
			}
			lastPath = aval
		case "secure", "httponly":
			if hasVal {
				add("%s has a value, which its grammar does not allow (user agents ignore it)", an) // RFC 6265bis §4.1.1 secure-av, httponly-av
			}
			if key == "secure" {
				secure = true
			}
		case "samesite":
			switch {
			case strings.EqualFold(aval, "Strict"), strings.EqualFold(aval, "Lax"):
				sameSiteNone = false
			case strings.EqualFold(aval, "None"):
				sameSiteNone = true
			default:
				add("SameSite value %q is not Strict, Lax or None", aval) // RFC 6265bis §4.1.1 samesite-value
				sameSiteNone = false
			}
		}
	}
	for _, key := range seen {
		switch n := count[key]; {
		case n == 2:
			as(ProblemDuplicateAttribute, "attribute %s appears twice", display[key]) // RFC 6265bis §4.1.1
		case n > 2:
			as(ProblemDuplicateAttribute, "attribute %s appears %d times", display[key], n) // RFC 6265bis §4.1.1
		}
	}
	if sameSiteNone && !secure {
		as(ProblemSameSiteNone, "SameSite=None without Secure (user agents ignore the cookie)") // RFC 6265bis §5.7 step 19
	}
	if why := checkPrefix(name, secure, hasDomain, lastPath); why != "" {
		as(ProblemPrefix, "%s", why) // RFC 6265bis §4.1.3
	}
	return ps
}

// IsSaneCookieDate reports whether v is a sane-cookie-date (RFC 6265bis
// §4.1.1): an IMF-fixdate (RFC 9110 §5.6.7) whose day-name matches its date.
func IsSaneCookieDate(v string) bool {
	_, sane := saneCookieDate(v)
	return sane
}

// saneCookieDate reports whether v parses as an IMF-fixdate, and whether it
// is one exactly: the day-name matching the date, which time.Parse does not
// check.
func saneCookieDate(v string) (parsed, sane bool) {
	t, err := time.Parse(imfFixdate, v)
	if err != nil {
		return false, false
	}
	return true, t.Format(imfFixdate) == v
}

// trailingWS removes trailing WSP from *s and reports it: before a ';' it is
// BWS (RFC 6265bis §4.1.1 set-cookie-string); at the end of the line it is
// not part of any production (and HTTP strips it from a field value).
func trailingWS(s *string, beforeSemicolon bool, add func(string, ...any)) {
	t := strings.TrimRight(*s, " \t")
	if t == *s {
		return
	}
	*s = t
	if beforeSemicolon {
		add("whitespace before ';' (BWS, which a sender must not generate)")
		return
	}
	add("whitespace at the end of the line")
}

// isPositiveInteger reports whether s matches non-zero-digit *DIGIT.
func isPositiveInteger(s string) bool {
	if s == "" || s[0] < '1' || s[0] > '9' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// badBytes returns the distinct bytes of s that fail ok, in order of first
// occurrence.
func badBytes(s string, ok func(byte) bool) []byte {
	var bad []byte
	var seen [256]bool
	for i := 0; i < len(s); i++ {
		if c := s[i]; !ok(c) && !seen[c] {
			seen[c] = true
			bad = append(bad, c)
		}
	}
	return bad
}

// showByte names a byte for a problem sentence: 'x' for printable ASCII,
// 0xNN otherwise.
func showByte(c byte) string {
	if 0x20 <= c && c < 0x7F {
		return "'" + string(c) + "'"
	}
	return fmt.Sprintf("0x%02X", c)
}
