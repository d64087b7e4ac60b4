package setcookie

import (
	"time"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
)

// ParseDate parses a cookie-date with the lenient algorithm of RFC 6265bis
// §5.1.1, the one user agents apply to the Expires attribute: the string is
// split at delimiters, and the first token that looks like a time, a day of
// month, a month and a year supplies each part, whatever the order and
// whatever else is in the string. It reports false when the algorithm fails.
// The result is in UTC.
func ParseDate(s string) (time.Time, bool) {
	var (
		foundTime, foundDay, foundMonth, foundYear bool
		hour, minute, second, day, year            int
		month                                      time.Month
	)
	// RFC 6265bis §5.1.1 step 1: split the string into date-tokens.
	for len(s) > 0 {
		i := 0
		for i < len(s) && isDateDelimiter(s[i]) {
			i++
		}
		j := i
		for j < len(s) && !isDateDelimiter(s[j]) {
			j++
		}
		tok := s[i:j]
		s = s[j:]
		if tok == "" {
			continue
		}
		// RFC 6265bis §5.1.1 step 2: the first matching production wins, in
		// the order time, day-of-month, month, year.
		if !foundTime {
			if h, m, sec, ok := parseTime(tok); ok { // RFC 6265bis §5.1.1 step 2.1
				foundTime, hour, minute, second = true, h, m, sec
				continue
			}
		}
		if !foundDay {
			if d, ok := parseDigits(tok, 1, 2); ok { // RFC 6265bis §5.1.1 step 2.2
				foundDay, day = true, d
				continue
			}
		}
		if !foundMonth {
			if m, ok := parseMonth(tok); ok { // RFC 6265bis §5.1.1 step 2.3
				foundMonth, month = true, m
				continue
			}
		}
		if !foundYear {
			if y, ok := parseDigits(tok, 2, 4); ok { // RFC 6265bis §5.1.1 step 2.4
				foundYear, year = true, y
				continue
			}
		}
	}
	switch {
	case 70 <= year && year <= 99:
		year += 1900 // RFC 6265bis §5.1.1 step 3
	case 0 <= year && year <= 69:
		year += 2000 // RFC 6265bis §5.1.1 step 4
	}
	switch {
	case !foundTime || !foundDay || !foundMonth || !foundYear: // RFC 6265bis §5.1.1 step 5
		return time.Time{}, false
	case day < 1 || day > 31, year < 1601, hour > 23, minute > 59, second > 59: // RFC 6265bis §5.1.1 step 5
		return time.Time{}, false
	}
	t := time.Date(year, month, day, hour, minute, second, 0, time.UTC) // RFC 6265bis §5.1.1 step 6
	if t.Day() != day {
		return time.Time{}, false // RFC 6265bis §5.1.1 step 6: the date does not exist (Feb 30)
	}
	return t, true // RFC 6265bis §5.1.1 step 7
}

// isDateDelimiter reports whether c is a delimiter of RFC 6265bis §5.1.1:
// %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E.
func isDateDelimiter(c byte) bool {
	return c == 0x09 || (0x20 <= c && c <= 0x2F) || (0x3B <= c && c <= 0x40) ||
		(0x5B <= c && c <= 0x60) || (0x7B <= c && c <= 0x7E)
}

// isDigit reports whether c is a DIGIT.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// parseDigits matches min*max DIGIT ( non-digit *OCTET ): between min and max
// leading digits, then anything that does not start with a digit.
func parseDigits(tok string, min, max int) (int, bool) {
	n, v := 0, 0
	for n < len(tok) && isDigit(tok[n]) {
		if n == max {
			return 0, false // a digit where a non-digit must follow
		}
		v = v*10 + int(tok[n]-'0')
		n++
	}
	return v, n >= min
}

// parseTime matches time = hms-time ( non-digit *OCTET ), with
// hms-time = time-field ":" time-field ":" time-field and time-field = 1*2DIGIT.
func parseTime(tok string) (h, m, s int, ok bool) {
	var f [3]int
	for k := range 3 {
		n := 0
		for n < len(tok) && isDigit(tok[n]) {
			if n == 2 {
				return 0, 0, 0, false
			}
			f[k] = f[k]*10 + int(tok[n]-'0')
			n++
		}
		if n == 0 {
			return 0, 0, 0, false
		}
		tok = tok[n:]
		if k < 2 {
			if tok == "" || tok[0] != ':' {
				return 0, 0, 0, false
			}
			tok = tok[1:]
		}
	}
	// What follows the third field must not begin with a digit; the loop
	// above already stopped at the first non-digit or after two digits.
	if tok != "" && isDigit(tok[0]) {
		return 0, 0, 0, false
	}
	return f[0], f[1], f[2], true
}

// parseMonth matches month = ( "jan" / ... / "dec" ) *OCTET, case-insensitively.
func parseMonth(tok string) (time.Month, bool) {
	if len(tok) < 3 {
		return 0, false
	}
	p := httpsyntax.LowerASCII(tok[:3])
	for i, m := range [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		if p == m {
			return time.Month(i + 1), true
		}
	}
	return 0, false
}
