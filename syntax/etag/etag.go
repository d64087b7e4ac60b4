// Package etag parses and compares the entity-tags of RFC 9110 §8.8.3
// (HTTP Semantics, June 2022): the value of the ETag field, and the lists
// of them in If-Match (§13.1.1) and If-None-Match (§13.1.2), with the strong
// and weak comparison functions of §8.8.3.2.
//
//	entity-tag = [ weak ] opaque-tag
//	weak       = %s"W/"
//	opaque-tag = DQUOTE *etagc DQUOTE
//	etagc      = %x21 / %x23-7E / obs-text
//
// The reference uses it to evaluate preconditions (reference/httpcache,
// reference/server), the harness's browser cache to validate and update
// stored responses, and the graders to read a target's ETag.
package etag

import (
	"strings"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
)

// Tag is an entity-tag (RFC 9110 §8.8.3).
type Tag struct {
	// Weak reports the "W/" weakness indicator.
	Weak bool
	// Opaque is the opaque-tag without its double quotes. A backslash in it
	// is an ordinary character: opaque-tag is not a quoted-string, so there
	// is nothing to unescape.
	Opaque string
}

// String returns the entity-tag as it appears in a field: "xyzzy" or
// W/"xyzzy".
func (e Tag) String() string {
	if e.Weak {
		return `W/"` + e.Opaque + `"`
	}
	return `"` + e.Opaque + `"`
}

// Parse parses one entity-tag, such as the value of an ETag field,
// surrounded by optional whitespace. The weakness indicator is
// case-sensitive (RFC 9110 §8.8.3): w/"x" is not an entity-tag.
func Parse(s string) (Tag, bool) {
	e, rest, ok := scanEntityTag(httpsyntax.TrimOWS(s))
	if !ok || rest != "" {
		return Tag{}, false
	}
	return e, true
}

// ParseList parses the field value of If-Match or If-None-Match:
//
//	If-Match      = "*" / #entity-tag    ; RFC 9110 §13.1.1
//	If-None-Match = "*" / #entity-tag    ; RFC 9110 §13.1.2
//
// star reports the "*" form. Empty list elements are ignored (RFC 9110
// §5.6.1.2), so an empty value is a valid, empty list. Anything else — a
// malformed tag, "*" mixed with tags (which RFC 9110 §13.1.1 calls "unlikely
// to be interoperable" and the grammar does not allow) — gives ok false. The
// values of several field lines are to be joined with ", " first.
func ParseList(s string) (tags []Tag, star bool, ok bool) {
	s = httpsyntax.TrimOWS(s)
	if s == "*" {
		return nil, true, true
	}
	for {
		s = httpsyntax.TrimLeftOWS(s)
		if s == "" {
			return tags, false, true
		}
		if s[0] == ',' { // an empty element
			s = s[1:]
			continue
		}
		e, rest, ok := scanEntityTag(s)
		if !ok {
			return nil, false, false
		}
		tags = append(tags, e)
		rest = httpsyntax.TrimLeftOWS(rest)
		if rest != "" && rest[0] != ',' {
			return nil, false, false
		}
		s = rest
	}
}

// StrongMatch is the strong comparison function of RFC 9110 §8.8.3.2: two
// entity-tags are equivalent if both are not weak and their opaque-tags match
// character-by-character.
func StrongMatch(a, b Tag) bool {
	return !a.Weak && !b.Weak && a.Opaque == b.Opaque
}

// WeakMatch is the weak comparison function of RFC 9110 §8.8.3.2: two
// entity-tags are equivalent if their opaque-tags match character-by-character,
// regardless of either or both being tagged as "weak".
func WeakMatch(a, b Tag) bool {
	return a.Opaque == b.Opaque
}

// scanEntityTag reads one entity-tag from the start of s and returns the
// rest of s.
func scanEntityTag(s string) (Tag, string, bool) {
	var e Tag
	if strings.HasPrefix(s, "W/") {
		e.Weak = true
		s = s[2:]
	}
	if s == "" || s[0] != '"' {
		return Tag{}, "", false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			e.Opaque = s[1:i]
			return e, s[i+1:], true
		case !isEtagc(c):
			return Tag{}, "", false
		}
	}
	return Tag{}, "", false // no closing DQUOTE
}

// isEtagc reports whether c is an etagc: VCHAR except double quotes, plus
// obs-text.
func isEtagc(c byte) bool {
	return c == 0x21 || c >= 0x23 && c <= 0x7e || c >= 0x80
}
