package httpcache

// Entity tags: RFC 9110 §8.8.3, and the lists of them in If-Match
// (RFC 9110 §13.1.1) and If-None-Match (RFC 9110 §13.1.2).
//
//	entity-tag = [ weak ] opaque-tag
//	weak       = %s"W/"
//	opaque-tag = DQUOTE *etagc DQUOTE
//	etagc      = %x21 / %x23-7E / obs-text

import "strings"

// ETag is an entity-tag (RFC 9110 §8.8.3).
type ETag struct {
	// Weak reports the "W/" weakness indicator.
	Weak bool
	// Opaque is the opaque-tag without its double quotes. A backslash in it
	// is an ordinary character: opaque-tag is not a quoted-string, so there
	// is nothing to unescape.
	Opaque string
}

// String returns the entity-tag as it appears in a field: "xyzzy" or
// W/"xyzzy".
func (e ETag) String() string {
	if e.Weak {
		return `W/"` + e.Opaque + `"`
	}
	return `"` + e.Opaque + `"`
}

// ParseETag parses one entity-tag, such as the value of an ETag field,
// surrounded by optional whitespace. The weakness indicator is
// case-sensitive (RFC 9110 §8.8.3): w/"x" is not an entity-tag.
func ParseETag(s string) (ETag, bool) {
	e, rest, ok := scanEntityTag(trimOWS(s))
	if !ok || rest != "" {
		return ETag{}, false
	}
	return e, true
}

// ParseETagList parses the field value of If-Match or If-None-Match:
//
//	If-Match      = "*" / #entity-tag    ; RFC 9110 §13.1.1
//	If-None-Match = "*" / #entity-tag    ; RFC 9110 §13.1.2
//
// star reports the "*" form. Empty list elements are ignored (RFC 9110
// §5.6.1.2), so an empty value is a valid, empty list. Anything else — a
// malformed tag, "*" mixed with tags (which RFC 9110 §13.1.1 calls "unlikely
// to be interoperable" and the grammar does not allow) — gives ok false. The
// values of several field lines are to be joined with ", " first.
func ParseETagList(s string) (tags []ETag, star bool, ok bool) {
	s = trimOWS(s)
	if s == "*" {
		return nil, true, true
	}
	for {
		s = trimLeftOWS(s)
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
		rest = trimLeftOWS(rest)
		if rest != "" && rest[0] != ',' {
			return nil, false, false
		}
		s = rest
	}
}

// StrongMatch is the strong comparison function of RFC 9110 §8.8.3.2: two
// entity-tags are equivalent if both are not weak and their opaque-tags match
// character-by-character.
func StrongMatch(a, b ETag) bool {
	return !a.Weak && !b.Weak && a.Opaque == b.Opaque
}

// WeakMatch is the weak comparison function of RFC 9110 §8.8.3.2: two
// entity-tags are equivalent if their opaque-tags match character-by-character,
// regardless of either or both being tagged as "weak".
func WeakMatch(a, b ETag) bool {
	return a.Opaque == b.Opaque
}

// scanEntityTag reads one entity-tag from the start of s and returns the
// rest of s.
func scanEntityTag(s string) (ETag, string, bool) {
	var e ETag
	if strings.HasPrefix(s, "W/") {
		e.Weak = true
		s = s[2:]
	}
	if s == "" || s[0] != '"' {
		return ETag{}, "", false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			e.Opaque = s[1:i]
			return e, s[i+1:], true
		case !isEtagc(c):
			return ETag{}, "", false
		}
	}
	return ETag{}, "", false // no closing DQUOTE
}

// isEtagc reports whether c is an etagc: VCHAR except double quotes, plus
// obs-text.
func isEtagc(c byte) bool {
	return c == 0x21 || c >= 0x23 && c <= 0x7e || c >= 0x80
}

// OWS = *( SP / HTAB ), RFC 9110 §5.6.3.
func isOWS(c byte) bool { return c == ' ' || c == '\t' }

func trimLeftOWS(s string) string {
	for s != "" && isOWS(s[0]) {
		s = s[1:]
	}
	return s
}

func trimOWS(s string) string {
	s = trimLeftOWS(s)
	for s != "" && isOWS(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
