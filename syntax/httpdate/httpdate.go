// Package httpdate parses and formats the HTTP-date of RFC 9110 §5.6.7
// (HTTP Semantics, June 2022), the format of the Date, Expires,
// Last-Modified, If-Modified-Since, If-Unmodified-Since and Retry-After
// fields. A recipient MUST accept all three formats:
//
//	Sun, 06 Nov 1994 08:49:37 GMT    ; IMF-fixdate
//	Sunday, 06-Nov-94 08:49:37 GMT   ; obsolete RFC 850 format
//	Sun Nov  6 08:49:37 1994         ; ANSI C's asctime() format
//
// and a sender MUST generate IMF-fixdate, which Format does.
//
// Parse and ParseAt follow the grammar exactly, as an origin server does
// (the reference server's preconditions). ParseCaseInsensitive is the
// reading RFC 9111 §4.2 asks of a cache (the harness's browser cache and
// the reference proxy). The graders parse a target's dates with Parse.
//
// The cookie-date of Set-Cookie's Expires attribute is another, far more
// lenient algorithm (RFC 6265bis §5.1.1); it is in syntax/setcookie.
package httpdate

import (
	"net/http"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
)

var (
	dayNames     = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	dayNamesLong = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	monthNames   = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// Parse parses an HTTP-date in any of the three formats of RFC 9110 §5.6.7
// and returns it in UTC. It follows the grammar exactly: names are
// case-sensitive, the zone must be "GMT", and no whitespace is allowed
// beyond the grammar's single spaces. A two-digit RFC 850 year is resolved
// against the wall clock (see ParseAt).
//
// Deviations, all on the lenient side: the day-name is not checked against
// the date (RFC 5322 §3.3 puts that duty on the generator), and a leap
// second (23:59:60, which the grammar allows) is read as 23:59:59, the
// nearest representable time that is not later (RFC 9111 §4.2).
func Parse(s string) (time.Time, bool) {
	return parse(s, time.Now(), false)
}

// ParseAt is Parse with the clock as a parameter: now decides the century
// of a two-digit rfc850-date year (see twoDigitYearDate), so that a
// reference with a manual clock gives the same answer every time.
func ParseAt(s string, now time.Time) (time.Time, bool) {
	return parse(s, now, false)
}

// ParseCaseInsensitive is ParseAt as RFC 9111 §4.2 asks of a cache
// recipient: day and month names and "GMT" match case-insensitively. The
// zone must still be GMT ("a date with a zone abbreviation other than GMT"
// is invalid for calculating expiration, RFC 9111 §4.2).
func ParseCaseInsensitive(s string, now time.Time) (time.Time, bool) {
	return parse(s, now, true)
}

// Format formats t as an IMF-fixdate in GMT, the only format a sender may
// generate (RFC 9110 §5.6.7). Sub-second precision is dropped.
func Format(t time.Time) string {
	return t.UTC().Format(http.TimeFormat)
}

// parse is the one implementation behind Parse, ParseAt and
// ParseCaseInsensitive; fold makes names and "GMT" match in any case.
func parse(s string, now time.Time, fold bool) (time.Time, bool) {
	switch {
	case len(s) == len("Sun, 06 Nov 1994 08:49:37 GMT") && s[3] == ',':
		return parseIMFFixdate(s, fold)
	case len(s) == len("Sun Nov  6 08:49:37 1994"):
		return parseAsctimeDate(s, fold)
	default:
		return parseRFC850Date(s, now, fold)
	}
}

// parseIMFFixdate parses
//
//	IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT
//	date1       = day SP month SP year        ; e.g., 02 Jun 1982
func parseIMFFixdate(s string, fold bool) (time.Time, bool) {
	if matchName(s[0:3], dayNames, fold) < 0 || s[3:5] != ", " ||
		s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[25] != ' ' ||
		!matchGMT(s[26:29], fold) {
		return time.Time{}, false
	}
	day, month, year, ok := dateFields(s[5:7], s[8:11], s[12:16], fold)
	if !ok {
		return time.Time{}, false
	}
	return dateTime(year, month, day, s[17:25])
}

// parseRFC850Date parses
//
//	rfc850-date = day-name-l "," SP date2 SP time-of-day SP GMT
//	date2       = day "-" month "-" 2DIGIT    ; e.g., 02-Jun-82
func parseRFC850Date(s string, now time.Time, fold bool) (time.Time, bool) {
	i := strings.IndexByte(s, ',')
	if i < 0 || matchName(s[:i], dayNamesLong, fold) < 0 {
		return time.Time{}, false
	}
	r := s[i:] // ", 06-Nov-94 08:49:37 GMT"
	if len(r) != len(", 06-Nov-94 08:49:37 GMT") || r[0:2] != ", " ||
		r[4] != '-' || r[8] != '-' || r[11] != ' ' || r[20] != ' ' ||
		!matchGMT(r[21:24], fold) {
		return time.Time{}, false
	}
	day, month, yy, ok := dateFields(r[2:4], r[5:8], r[9:11], fold)
	if !ok {
		return time.Time{}, false
	}
	return twoDigitYearDate(yy, month, day, r[12:20], now)
}

// parseAsctimeDate parses
//
//	asctime-date = day-name SP date3 SP time-of-day SP year
//	date3        = month SP ( 2DIGIT / ( SP 1DIGIT ))   ; e.g., Jun  2
//
// Values in the asctime format are assumed to be in UTC (RFC 9110 §5.6.7).
func parseAsctimeDate(s string, fold bool) (time.Time, bool) {
	if matchName(s[0:3], dayNames, fold) < 0 || s[3] != ' ' || s[7] != ' ' ||
		s[10] != ' ' || s[19] != ' ' {
		return time.Time{}, false
	}
	dd := s[8:10]
	if dd[0] == ' ' {
		dd = dd[1:] // ( SP 1DIGIT )
	}
	day, month, year, ok := dateFields(dd, s[4:7], s[20:24], fold)
	if !ok {
		return time.Time{}, false
	}
	return dateTime(year, month, day, s[11:19])
}

// dateFields reads the day, the month name and the year of a date, as
// each of the three formats lays them out; ok is false unless the day and
// year are digits and the month a month name (fold: in any case). The
// ranges are dateTime's to check.
func dateFields(day, month, year string, fold bool) (d, m, y int, ok bool) {
	d, ok1 := digits(day)
	m = matchName(month, monthNames, fold) + 1
	y, ok2 := digits(year)
	return d, m, y, ok1 && ok2 && m != 0
}

// twoDigitYearDate resolves the two-digit year of an rfc850-date. RFC 9110
// §5.6.7: recipients "MUST interpret a timestamp that appears to be more than
// 50 years in the future as representing the most recent year in the past
// that had the same last two digits". The year is first taken in now's
// century; more than 50 years ahead of now, it moves back a century. The
// RFC says nothing of timestamps that appear more than 50 years in the past
// (possible only from 2050 on); those move forward a century, so that the
// result always lies in the 100 years around now.
func twoDigitYearDate(yy, month, day int, clock string, now time.Time) (time.Time, bool) {
	now = now.UTC()
	year := now.Year()/100*100 + yy
	if t, ok := dateTime(year, month, 1, clock); ok { // day 1: valid in every year
		if t.After(now.AddDate(50, 0, 0)) {
			year -= 100
		} else if !t.After(now.AddDate(-50, 0, 0)) {
			year += 100
		}
	}
	return dateTime(year, month, day, clock)
}

// dateTime validates the fields and builds the UTC time. clock is
//
//	time-of-day = hour ":" minute ":" second   ; 00:00:00 - 23:59:60 (leap second)
func dateTime(year, month, day int, clock string) (time.Time, bool) {
	if len(clock) != 8 || clock[2] != ':' || clock[5] != ':' {
		return time.Time{}, false
	}
	hour, ok1 := digits(clock[0:2])
	minute, ok2 := digits(clock[3:5])
	second, ok3 := digits(clock[6:8])
	if !ok1 || !ok2 || !ok3 || hour > 23 || minute > 59 || second > 60 ||
		month < 1 || month > 12 || day < 1 || day > daysIn(month, year) {
		return time.Time{}, false
	}
	if second == 60 {
		// A leap second; time.Time cannot hold it. RFC 9111 §4.2: represent
		// the value "as the nearest time equal to or earlier than the
		// received value".
		second = 59
	}
	return time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC), true
}

func daysIn(month, year int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// digits parses a date's numeric field; the fields are a few characters
// wide, so the value fits an int.
func digits(s string) (int, bool) {
	n, ok := httpsyntax.Digits(s)
	return int(n), ok
}

// matchName returns the index of s in names, or -1.
func matchName(s string, names []string, fold bool) int {
	for i, n := range names {
		if s == n || fold && strings.EqualFold(s, n) {
			return i
		}
	}
	return -1
}

func matchGMT(s string, fold bool) bool {
	return s == "GMT" || fold && strings.EqualFold(s, "GMT")
}
