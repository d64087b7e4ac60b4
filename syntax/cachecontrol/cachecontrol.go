// Package cachecontrol parses the Cache-Control field of RFC 9111 §5.2
// (HTTP Caching, June 2022), request and response directives alike:
//
//	Cache-Control   = #cache-directive
//	cache-directive = token [ "=" ( token / quoted-string ) ]
//
// Directive names are compared case-insensitively; recipients ought to
// accept both argument forms even where one is required for generation.
// Besides the directives of RFC 9111 §5.2.1 and §5.2.2 it knows immutable
// (RFC 8246 §2) and stale-while-revalidate and stale-if-error (RFC 5861);
// other extensions are kept and reachable by name. The targeted fields of
// RFC 9213 (CDN-Cache-Control and the like) are Structured Fields, another
// grammar, and are not parsed here.
//
// It also reads and writes delta-seconds (RFC 9111 §1.2.2), the argument
// form Cache-Control shares with the Age field.
//
// The reference's caches (reference/httpcache: the harness's browser cache
// and the reference proxy) act on what Parse returns; the reference server
// checks the directives a contract request asks it to send; the graders
// report a target's header with Directives.Problems.
package cachecontrol

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
)

// maxDeltaSeconds is what a delta-seconds value that overflows becomes:
// RFC 9111 §1.2.2 says the cache "MUST consider the value to be 2147483648
// (2^31) or the greatest positive integer it can conveniently represent". The
// value stands for infinity (over 68 years).
const maxDeltaSeconds = 1 << 31

// Directives is a parsed Cache-Control field, request or response. It keeps
// every directive in order, unknown extensions included, and the problems
// found while parsing; the accessors read the first occurrence of a directive
// (RFC 9111 §4.2.1).
type Directives struct {
	list     []directive
	problems []string
}

type directive struct {
	name     string // lower-cased token
	raw      string // the name as received
	value    string // the argument, unquoted
	hasValue bool   // "=" was present
	quoted   bool   // the argument used the quoted-string form
	bad      bool   // the element did not follow the grammar
}

// Parse parses the lines of a Cache-Control field (pass
// header.Values("Cache-Control")). It never fails: elements that break the
// grammar are kept as well as can be and described by Problems.
func Parse(header []string) Directives {
	var d Directives
	for _, line := range header {
		d.parseLine(line)
	}
	d.check()
	return d
}

func (d *Directives) problemf(format string, args ...any) {
	d.problems = append(d.problems, fmt.Sprintf(format, args...))
}

func (d *Directives) parseLine(s string) {
	for {
		s = httpsyntax.TrimLeftOWS(s)
		if s == "" {
			return
		}
		if s[0] == ',' { // empty list element, RFC 9110 §5.6.1.2
			s = s[1:]
			continue
		}
		name, rest := scanToken(s)
		if name == "" {
			end := skipElement(s)
			d.problemf("%q is not a cache-directive: a directive starts with a token (RFC 9111 §5.2)", s[:len(s)-len(end)])
			s = end
			continue
		}
		dir := directive{name: strings.ToLower(name), raw: name}
		r := httpsyntax.TrimLeftOWS(rest)
		if r != "" && r[0] == '=' {
			if r != rest {
				d.problemf("%s: whitespace before \"=\" (RFC 9111 §5.2)", name)
				dir.bad = true
			}
			r = r[1:]
			if t := httpsyntax.TrimLeftOWS(r); t != r {
				d.problemf("%s: whitespace after \"=\" (RFC 9111 §5.2)", name)
				dir.bad = true
				r = t
			}
			dir.hasValue = true
			if r != "" && r[0] == '"' {
				v, after, ok := scanQuotedString(r)
				if !ok {
					d.problemf("%s: malformed quoted-string argument (RFC 9110 §5.6.4)", name)
					dir.bad = true
				}
				dir.value, dir.quoted, r = v, true, after
			} else {
				v, after := scanToken(r)
				if v == "" {
					d.problemf("%s: \"=\" without an argument (RFC 9111 §5.2)", name)
					dir.bad = true
				}
				dir.value, r = v, after
			}
		} else {
			r = rest
		}
		if t := httpsyntax.TrimLeftOWS(r); t != "" && t[0] != ',' {
			end := skipElement(t)
			d.problemf("%s: unexpected %q after the directive (RFC 9111 §5.2)", name, t[:len(t)-len(end)])
			dir.bad = true
			r = end
		}
		d.list = append(d.list, dir)
		s = r
	}
}

// Argument rules of the directives this package knows. RFC 9111 §5.2: "For
// the cache directives defined below, no argument is defined (nor allowed)
// unless stated otherwise."
type argRule int

const (
	argNone     argRule = iota // no argument allowed
	argDelta                   // delta-seconds required, token form
	argOptDelta                // delta-seconds optional, token form (max-stale)
	argFields                  // optional #field-name, quoted-string form
)

var knownDirectives = map[string]struct {
	rule argRule
	ref  string
}{
	"max-age":                {argDelta, "RFC 9111 §5.2.1.1 and §5.2.2.1"},
	"max-stale":              {argOptDelta, "RFC 9111 §5.2.1.2"},
	"min-fresh":              {argDelta, "RFC 9111 §5.2.1.3"},
	"no-cache":               {argFields, "RFC 9111 §5.2.1.4 and §5.2.2.4"},
	"no-store":               {argNone, "RFC 9111 §5.2.1.5 and §5.2.2.5"},
	"no-transform":           {argNone, "RFC 9111 §5.2.1.6 and §5.2.2.6"},
	"only-if-cached":         {argNone, "RFC 9111 §5.2.1.7"},
	"must-revalidate":        {argNone, "RFC 9111 §5.2.2.2"},
	"must-understand":        {argNone, "RFC 9111 §5.2.2.3"},
	"private":                {argFields, "RFC 9111 §5.2.2.7"},
	"proxy-revalidate":       {argNone, "RFC 9111 §5.2.2.8"},
	"public":                 {argNone, "RFC 9111 §5.2.2.9"},
	"s-maxage":               {argDelta, "RFC 9111 §5.2.2.10"},
	"immutable":              {argNone, "RFC 8246 §2"},
	"stale-while-revalidate": {argDelta, "RFC 5861 §3"},
	"stale-if-error":         {argDelta, "RFC 5861 §4"},
}

// check records duplicates, argument problems and conflicts, in that order,
// each in the order the directives appeared.
func (d *Directives) check() {
	seen := map[string]int{}
	var order []string
	for _, dir := range d.list {
		if seen[dir.name] == 0 {
			order = append(order, dir.name)
		}
		seen[dir.name]++
	}
	for _, name := range order {
		if n := seen[name]; n > 1 {
			d.problemf("%s appears %d times; the first occurrence is used (RFC 9111 §4.2.1)", name, n)
		}
	}
	for _, dir := range d.list {
		k, ok := knownDirectives[dir.name]
		if !ok || dir.bad {
			continue // unknown extensions are kept and not judged; syntax already reported
		}
		switch k.rule {
		case argNone:
			if dir.hasValue {
				d.problemf("%s takes no argument, got %q (%s)", dir.name, dir.value, k.ref)
			}
		case argDelta, argOptDelta:
			switch {
			case !dir.hasValue && k.rule == argDelta:
				d.problemf("%s requires a delta-seconds argument (%s)", dir.name, k.ref)
			case !dir.hasValue:
			case !isDeltaSeconds(dir.value):
				d.problemf("%s=%q is not delta-seconds, a non-negative integer (RFC 9111 §1.2.2)", dir.name, dir.value)
			case dir.quoted:
				d.problemf("%s uses the quoted-string form; a sender MUST NOT generate it (%s)", dir.name, k.ref)
			}
		case argFields:
			if !dir.hasValue {
				break
			}
			if _, ok := fieldNames(dir.value); !ok {
				d.problemf("%s=%q is not a list of field names (%s)", dir.name, dir.value, k.ref)
			} else if !dir.quoted {
				d.problemf("%s uses the token form; a sender SHOULD NOT generate it (%s)", dir.name, k.ref)
			}
		}
	}
	conflict := func(a, b, why string) {
		if seen[a] > 0 && seen[b] > 0 {
			d.problemf("%s conflicts with %s: %s", a, b, why)
		}
	}
	conflict("public", "private", "a response is either for any cache or for a single user (RFC 9111 §5.2.2.7 and §5.2.2.9)")
	conflict("no-store", "max-age", "freshness is meaningless for a response that must not be stored (RFC 9111 §5.2.2.5)")
	conflict("no-store", "s-maxage", "freshness is meaningless for a response that must not be stored (RFC 9111 §5.2.2.5)")
	if seen["must-understand"] > 0 && seen["no-store"] == 0 {
		d.problemf("must-understand without no-store; a response with must-understand SHOULD also contain no-store (RFC 9111 §5.2.2.3)")
	}
}

// Problems describes, one sentence each, what in the field breaks the
// grammar or the RFC's rules for senders: syntax errors, duplicates,
// arguments of the wrong form, conflicting directives. A nil result means
// the field is well formed. Checks that grade a target's header use it;
// whether a problem is a MUST or a SHOULD is in the sentence.
func (d Directives) Problems() []string {
	return append([]string(nil), d.problems...)
}

// String renders the directives in a canonical form: lower-case names, in
// order, separated by ", "; arguments keep the form they arrived in, quoted
// where the token form cannot carry them.
func (d Directives) String() string {
	var b strings.Builder
	for i, dir := range d.list {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(dir.name)
		if dir.hasValue {
			b.WriteByte('=')
			if dir.quoted || !isToken(dir.value) {
				b.WriteString(quoteString(dir.value))
			} else {
				b.WriteString(dir.value)
			}
		}
	}
	return b.String()
}

func (d Directives) find(name string) (directive, bool) {
	name = strings.ToLower(name)
	for _, dir := range d.list {
		if dir.name == name {
			return dir, true
		}
	}
	return directive{}, false
}

// Has reports whether the directive is present, whatever its argument.
func (d Directives) Has(name string) bool {
	_, ok := d.find(name)
	return ok
}

// Value returns the argument of the first occurrence of the directive,
// unquoted, and whether the directive is present. Extensions are reached
// this way.
func (d Directives) Value(name string) (string, bool) {
	dir, ok := d.find(name)
	return dir.value, ok
}

// deltaSeconds reads a delta-seconds argument. A present directive whose
// argument is missing or invalid gives 0: RFC 9111 §4.2.1 encourages caches
// to consider responses with invalid freshness information stale, and 0 is
// that answer for every delta-seconds directive (no freshness, no staleness
// accepted, no extra freshness asked).
func (d Directives) deltaSeconds(name string) (time.Duration, bool) {
	dir, ok := d.find(name)
	if !ok {
		return 0, false
	}
	if !dir.hasValue || dir.bad {
		return 0, true
	}
	v, valid := ParseDeltaSeconds(dir.value)
	if !valid {
		return 0, true
	}
	return v, true
}

// MaxAge returns the max-age directive (RFC 9111 §5.2.1.1 in a request,
// §5.2.2.1 in a response). An invalid argument counts as 0.
func (d Directives) MaxAge() (time.Duration, bool) { return d.deltaSeconds("max-age") }

// SMaxAge returns the s-maxage response directive (RFC 9111 §5.2.2.10).
func (d Directives) SMaxAge() (time.Duration, bool) { return d.deltaSeconds("s-maxage") }

// MinFresh returns the min-fresh request directive (RFC 9111 §5.2.1.3).
func (d Directives) MinFresh() (time.Duration, bool) { return d.deltaSeconds("min-fresh") }

// MaxStale returns the max-stale request directive (RFC 9111 §5.2.1.2).
// Without an argument the client accepts a stale response of any age; the
// limit is then 2^31 seconds, the value RFC 9111 §1.2.2 uses for infinity.
func (d Directives) MaxStale() (time.Duration, bool) {
	dir, ok := d.find("max-stale")
	if ok && !dir.hasValue {
		return maxDeltaSeconds * time.Second, true
	}
	return d.deltaSeconds("max-stale")
}

// StaleWhileRevalidate returns the stale-while-revalidate response directive
// (RFC 5861 §3).
func (d Directives) StaleWhileRevalidate() (time.Duration, bool) {
	return d.deltaSeconds("stale-while-revalidate")
}

// StaleIfError returns the stale-if-error directive (RFC 5861 §4).
func (d Directives) StaleIfError() (time.Duration, bool) { return d.deltaSeconds("stale-if-error") }

// NoStore reports the no-store directive (RFC 9111 §5.2.1.5, §5.2.2.5).
func (d Directives) NoStore() bool { return d.Has("no-store") }

// NoCache reports the no-cache directive (RFC 9111 §5.2.1.4, §5.2.2.4). In a
// response it may be qualified with a list of field names, returned in
// canonical form; an unqualified directive gives nil fields. A list that
// cannot be parsed, or is empty, counts as unqualified: the most restrictive
// reading (RFC 9111 §4.2.1).
func (d Directives) NoCache() (present bool, fields []string) { return d.fieldList("no-cache") }

// Private reports the private response directive (RFC 9111 §5.2.2.7), with
// its optional field names, as NoCache does.
func (d Directives) Private() (present bool, fields []string) { return d.fieldList("private") }

func (d Directives) fieldList(name string) (bool, []string) {
	dir, ok := d.find(name)
	if !ok || !dir.hasValue || dir.bad {
		return ok, nil
	}
	fields, valid := fieldNames(dir.value)
	if !valid {
		return true, nil
	}
	return true, fields
}

// Public reports the public response directive (RFC 9111 §5.2.2.9).
func (d Directives) Public() bool { return d.Has("public") }

// MustRevalidate reports the must-revalidate response directive
// (RFC 9111 §5.2.2.2).
func (d Directives) MustRevalidate() bool { return d.Has("must-revalidate") }

// ProxyRevalidate reports the proxy-revalidate response directive
// (RFC 9111 §5.2.2.8).
func (d Directives) ProxyRevalidate() bool { return d.Has("proxy-revalidate") }

// MustUnderstand reports the must-understand response directive
// (RFC 9111 §5.2.2.3).
func (d Directives) MustUnderstand() bool { return d.Has("must-understand") }

// NoTransform reports the no-transform directive (RFC 9111 §5.2.1.6,
// §5.2.2.6).
func (d Directives) NoTransform() bool { return d.Has("no-transform") }

// OnlyIfCached reports the only-if-cached request directive
// (RFC 9111 §5.2.1.7).
func (d Directives) OnlyIfCached() bool { return d.Has("only-if-cached") }

// Immutable reports the immutable response directive (RFC 8246 §2).
func (d Directives) Immutable() bool { return d.Has("immutable") }

// isDeltaSeconds reports whether s is delta-seconds = 1*DIGIT
// (RFC 9111 §1.2.2).
func isDeltaSeconds(s string) bool {
	_, ok := ParseDeltaSeconds(s)
	return ok
}

// ParseDeltaSeconds parses delta-seconds = 1*DIGIT (RFC 9111 §1.2.2), the
// form of the Cache-Control arguments and of the Age field, as a duration
// in whole seconds. A value too large becomes 2^31 seconds, as §1.2.2
// requires of a cache. ok is false for anything but digits, an empty
// string included.
func ParseDeltaSeconds(s string) (d time.Duration, ok bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n < maxDeltaSeconds {
			n = n*10 + int64(c-'0')
		}
	}
	return time.Duration(min(n, maxDeltaSeconds)) * time.Second, true
}

// fieldNames parses the #field-name argument of no-cache and private:
// comma-separated tokens with optional whitespace, empty elements ignored.
// It returns canonical names; an empty list is not ok.
func fieldNames(s string) ([]string, bool) {
	var names []string
	for _, part := range strings.Split(s, ",") {
		part = httpsyntax.TrimOWS(part)
		if part == "" {
			continue
		}
		if !isToken(part) {
			return nil, false
		}
		names = append(names, http.CanonicalHeaderKey(part))
	}
	return names, len(names) > 0
}

// isTchar and isToken are RFC 9110 §5.6.2's tchar and token.
var (
	isTchar = httpsyntax.IsTchar
	isToken = httpsyntax.IsToken
)

// scanToken splits s after its leading token.
func scanToken(s string) (token, rest string) {
	i := 0
	for i < len(s) && isTchar(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

// scanQuotedString reads a quoted-string (RFC 9110 §5.6.4) at the start of
// s and returns its unescaped content and the rest of s. ok is false when
// the string is unterminated (rest is then "") or holds an octet that is
// neither qdtext nor part of a quoted-pair (the octet is kept in value).
//
//	quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
//	qdtext        = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
//	quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )
func scanQuotedString(s string) (value, rest string, ok bool) {
	var b strings.Builder
	ok = true
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), s[i+1:], ok
		case c == '\\' && i+1 < len(s) && isQuotedPairChar(s[i+1]):
			i++
			b.WriteByte(s[i])
		default:
			ok = ok && isQdtext(c)
			b.WriteByte(c)
		}
	}
	return b.String(), "", false
}

func isQdtext(c byte) bool {
	return c == '\t' || c == ' ' || c == 0x21 || c >= 0x23 && c <= 0x5b || c >= 0x5d && c <= 0x7e || c >= 0x80
}

func isQuotedPairChar(c byte) bool {
	return c == '\t' || c == ' ' || c >= 0x21 && c <= 0x7e || c >= 0x80
}

// quoteString renders v as a quoted-string, escaping only DQUOTE and
// backslash as RFC 9110 §5.6.4 asks of senders.
func quoteString(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
	return b.String()
}

// skipElement returns s from the next comma that is not inside a
// quoted-string, or "" when there is none.
func skipElement(s string) string {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			return s[i:]
		}
	}
	return ""
}

// FormatDeltaSeconds renders a duration as delta-seconds (RFC 9111
// §1.2.2), as a cache writes an Age field: whole seconds rounded down, a
// negative duration as 0, and one over 2^31 seconds as 2^31, the value
// §1.2.2 uses for one that overflows.
func FormatDeltaSeconds(d time.Duration) string {
	d = min(max(d, 0), maxDeltaSeconds*time.Second)
	return strconv.FormatInt(int64(d/time.Second), 10)
}
