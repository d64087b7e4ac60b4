package httpcache

// Targeted cache-control fields: RFC 9213. A cache with a target list
// (Options.TargetList, CDN-Cache-Control for the reference proxy) takes its
// caching policy for a response from the first field on the list that has
// a valid, non-empty value, and then ignores Cache-Control and Expires:
// "the cache MUST select the first (in target list order) field with a
// valid, non-empty value and use its value to determine the caching policy
// for the response, and it MUST ignore the Cache-Control and Expires header
// fields in that response, unless no valid, non-empty value is available
// from the listed header fields" (RFC 9213 §2.1).
//
// The fields stay in the stored and forwarded response: "CDN caches that
// use CDN-Cache-Control will typically forward this header so that
// downstream CDN caches can use it as well" (RFC 9213 §3); removing it is
// only a MAY. Fields not on the list change nothing and are passed through
// (§2.1 MUST).

import (
	"net/http"
	"strings"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
)

// policy is what a response says about its own caching, for this cache:
// the directives it obeys and where they came from.
type policy struct {
	cc cachecontrol.Directives
	// targeted names the targeted field the directives came from; empty
	// when they came from Cache-Control, and Expires counts.
	targeted string
}

// policyOf reads a response's policy: the first field of the target list
// with a valid, non-empty value, or else Cache-Control.
func (c *Cache) policyOf(h http.Header) policy {
	for _, name := range c.targetList {
		if cc, ok := parseTargeted(h.Values(name)); ok {
			return policy{cc: cc, targeted: http.CanonicalHeaderKey(name)}
		}
	}
	return policy{cc: cachecontrol.Parse(h.Values("Cache-Control"))}
}

// policy is the stored response's policy.
func (e *entry) policy() policy { return policy{cc: e.cc, targeted: e.targeted} }

// setPolicy records the policy the stored response is cached by.
func (e *entry) setPolicy(p policy) { e.cc, e.targeted = p.cc, p.targeted }

// freshnessHeader is h as the freshness rules must see it: without Expires
// when a targeted field decides (RFC 9213 §2.1 "MUST ignore the
// Cache-Control and Expires header fields").
func (p policy) freshnessHeader(h http.Header) http.Header {
	if p.targeted == "" {
		return h
	}
	v := h.Clone()
	v.Del("Expires")
	return v
}

// parseTargeted parses the lines of a targeted field, a Structured Fields
// Dictionary (RFC 9213 §2.2, RFC 8941 §3.2), into cache directives. ok is
// false when the field is absent, empty or does not parse: "If a targeted
// field in a given response is empty, or a parsing error is encountered,
// that field MUST be ignored by the cache".
func parseTargeted(lines []string) (cachecontrol.Directives, bool) {
	if len(lines) == 0 {
		return cachecontrol.Directives{}, false
	}
	members, ok := parseDictionary(strings.Join(lines, ","))
	if !ok || len(members) == 0 {
		return cachecontrol.Directives{}, false
	}
	var directives []string
	for _, m := range members {
		if d, ok := m.directive(); ok {
			directives = append(directives, d)
		}
	}
	return cachecontrol.Parse([]string{strings.Join(directives, ", ")}), true
}

// member is one member of a Dictionary, reduced to what a cache directive
// can be: a Boolean, an Integer, a String or a Token (RFC 9213 §2.2).
// Parameters are dropped ("Parameters received on cache directives are to
// be ignored").
type member struct {
	key  string
	kind byte   // 'b' Boolean, 'i' Integer, 's' String, 't' Token, 'x' anything else
	val  string // the Integer's digits, the String's content, the Token; "1"/"0" for a Boolean
}

// directive writes m in Cache-Control syntax. Values that break the
// directive's inferred type are not consumed (RFC 9213 §2.2 "SHOULD NOT
// consume"): a false Boolean, a Decimal, a Byte Sequence, an Inner List.
func (m member) directive() (string, bool) {
	switch m.kind {
	case 'b':
		return m.key, m.val == "1"
	case 'i', 't':
		return m.key + "=" + m.val, true
	case 's':
		return m.key + `="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(m.val) + `"`, true
	}
	return "", false
}

// parseDictionary parses an sf-dictionary (RFC 8941 §4.2.2). A key seen
// twice keeps its last value, as §4.2.2 says.
func parseDictionary(s string) ([]member, bool) {
	p := &sfParser{s: strings.Trim(s, " ")}
	var out []member
	index := map[string]int{}
	for p.more() {
		m, ok := p.dictMember()
		if !ok {
			return nil, false
		}
		if i, seen := index[m.key]; seen {
			out[i] = m
		} else {
			index[m.key] = len(out)
			out = append(out, m)
		}
		p.skipOWS()
		if !p.more() {
			break
		}
		if !p.eat(',') {
			return nil, false
		}
		p.skipOWS()
		if !p.more() {
			return nil, false // a trailing comma
		}
	}
	return out, true
}

// sfParser walks a Structured Field value.
type sfParser struct {
	s string
	i int
}

func (p *sfParser) more() bool { return p.i < len(p.s) }

func (p *sfParser) peek() byte {
	if p.more() {
		return p.s[p.i]
	}
	return 0
}

func (p *sfParser) eat(c byte) bool {
	if p.peek() == c && p.more() {
		p.i++
		return true
	}
	return false
}

func (p *sfParser) skipOWS() {
	for p.peek() == ' ' || p.peek() == '\t' {
		p.i++
	}
}

func (p *sfParser) skipSP() {
	for p.peek() == ' ' {
		p.i++
	}
}

// dictMember is member-key ( parameters / ( "=" member-value ) ).
func (p *sfParser) dictMember() (member, bool) {
	key, ok := p.key()
	if !ok {
		return member{}, false
	}
	m := member{key: key, kind: 'b', val: "1"}
	if p.eat('=') {
		if p.peek() == '(' {
			if !p.innerList() {
				return member{}, false
			}
			m.kind, m.val = 'x', ""
		} else if m.kind, m.val, ok = p.bareItem(); !ok {
			return member{}, false
		}
	}
	return m, p.parameters()
}

// key is ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ).
func (p *sfParser) key() (string, bool) {
	start := p.i
	if c := p.peek(); !(c >= 'a' && c <= 'z' || c == '*') {
		return "", false
	}
	for p.more() && isKeyChar(p.peek()) {
		p.i++
	}
	return p.s[start:p.i], true
}

func isKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("_-.*", c) >= 0
}

// parameters is *( ";" *SP key [ "=" bare-item ] ); their values are
// checked and dropped.
func (p *sfParser) parameters() bool {
	for p.eat(';') {
		p.skipSP()
		if _, ok := p.key(); !ok {
			return false
		}
		if p.eat('=') {
			if _, _, ok := p.bareItem(); !ok {
				return false
			}
		}
	}
	return true
}

// innerList is "(" *SP [ sf-item *( 1*SP sf-item ) *SP ] ")" parameters.
func (p *sfParser) innerList() bool {
	p.eat('(')
	for {
		p.skipSP()
		if p.eat(')') {
			return p.parameters()
		}
		if _, _, ok := p.bareItem(); !ok || !p.parameters() {
			return false
		}
		if c := p.peek(); c != ' ' && c != ')' {
			return false
		}
	}
}

// bareItem is integer / decimal / string / token / byte-sequence /
// boolean; kind is as in member.
func (p *sfParser) bareItem() (kind byte, val string, ok bool) {
	switch c := p.peek(); {
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == '"':
		val, ok = p.str()
		return 's', val, ok
	case c == '*' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		start := p.i
		for p.more() && (httpsyntax.IsTchar(p.peek()) || p.peek() == ':' || p.peek() == '/') {
			p.i++
		}
		return 't', p.s[start:p.i], true
	case c == ':':
		return 'x', "", p.byteSequence()
	case c == '?':
		p.i++
		if b := p.peek(); b == '0' || b == '1' {
			p.i++
			return 'b', string(b), true
		}
	}
	return 0, "", false
}

// number is an Integer (at most 15 digits) or a Decimal (at most 12
// integer and 3 fractional digits), RFC 8941 §4.2.4.
func (p *sfParser) number() (kind byte, val string, ok bool) {
	start := p.i
	p.eat('-')
	digits := p.i
	for p.peek() >= '0' && p.peek() <= '9' {
		p.i++
	}
	intDigits := p.i - digits
	if intDigits == 0 {
		return 0, "", false
	}
	if !p.eat('.') {
		return 'i', p.s[start:p.i], intDigits <= 15
	}
	frac := p.i
	for p.peek() >= '0' && p.peek() <= '9' {
		p.i++
	}
	fracDigits := p.i - frac
	return 'x', "", intDigits <= 12 && fracDigits >= 1 && fracDigits <= 3
}

// str is a String: DQUOTE *( unescaped / "\" ( DQUOTE / "\" ) ) DQUOTE,
// printable ASCII only.
func (p *sfParser) str() (string, bool) {
	p.eat('"')
	var b strings.Builder
	for p.more() {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '"':
			return b.String(), true
		case c == '\\':
			if n := p.peek(); n == '"' || n == '\\' {
				b.WriteByte(n)
				p.i++
				continue
			}
			return "", false
		case c < 0x20 || c > 0x7e:
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}

// byteSequence is ":" *(base64) ":".
func (p *sfParser) byteSequence() bool {
	p.eat(':')
	for p.more() {
		c := p.s[p.i]
		p.i++
		if c == ':' {
			return true
		}
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return false
}
