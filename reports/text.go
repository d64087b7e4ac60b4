package reports

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// visible returns s as a reader should see it in a report: every string in
// the results may have come from the target, and what a target sends can
// hide from a reader (a NUL or CR inside a header value, a right-to-left
// override that reverses the rest of a line) or break the file it is
// written into (invalid UTF-8, or a control character that XML 1.0 forbids).
//
// So:
//   - invalid UTF-8 becomes U+FFFD, the replacement character;
//   - a C0 control becomes its Control Picture (NUL -> U+2400 "␀",
//     CR -> U+240D "␍"), DEL becomes U+2421 "␡";
//   - a C1 control, an invisible format character (Unicode category Cf:
//     bidi overrides and isolates, zero-width spaces, BOM) and the
//     noncharacters U+FFFE and U+FFFF become the text "[U+XXXX]".
//
// Tab is kept. With multiline, LF is kept and CRLF becomes LF, so body
// excerpts keep their lines; without it, LF is a control like any other,
// so a header value that smuggles a line break shows it.
//
// The result is valid UTF-8 and contains only characters XML 1.0 allows,
// which is what junit.go relies on; html/template does the HTML escaping.
func visible(s string, multiline bool) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\t':
			b.WriteByte('\t')
		case multiline && r == '\n':
			b.WriteByte('\n')
		case multiline && r == '\r' && i < len(s) && s[i] == '\n':
			// CRLF: the LF that follows is written on the next turn.
		case r < 0x20:
			b.WriteRune(0x2400 + r)
		case r == 0x7f:
			b.WriteRune(0x2421)
		case r >= 0x80 && r < 0xa0, unicode.Is(unicode.Cf, r), r == 0xfffe, r == 0xffff:
			fmt.Fprintf(&b, "[U+%04X]", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Printable returns s as it may be written to a terminal: visible's rules
// with lines kept. A string from a target can hold ESC and the rest of
// the C0 and C1 controls, which a terminal would obey (clear the screen,
// retitle the window, rewrite what was printed before); progress lines
// and error messages pass through Printable first.
func Printable(s string) string { return visible(s, true) }

// isPlain reports whether visible would return s unchanged because it is
// printable ASCII, the common case for ids, methods and most headers.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// line is visible for one-line fields: ids, titles, header names and
// values, URLs.
func line(s string) string { return visible(s, false) }

// para is visible for fields that may span lines: messages, body excerpts,
// transport errors.
func para(s string) string { return visible(s, true) }
