package httpdate

import (
	"testing"
	"time"
)

// tNow is the synthetic "now" of every test in this package: it decides
// the century of two-digit years.
var tNow = time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)

// dateTests are RFC 9110 §5.6.7 cases; each is parsed with tNow as the
// clock. want is the result in RFC 3339, or "" for a value that must be
// rejected.
var dateTests = []struct {
	name string
	in   string
	want string
}{
	{"5.6.7 IMF-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z"},
	{"5.6.7 obsolete RFC 850", "Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z"},
	{"5.6.7 asctime", "Sun Nov  6 08:49:37 1994", "1994-11-06T08:49:37Z"},
	{"5.6.7 asctime with two-digit day", "Wed Nov 16 08:49:37 1994", "1994-11-16T08:49:37Z"},
	{"5.6.7 asctime with zero-padded day", "Sun Nov 06 08:49:37 1994", "1994-11-06T08:49:37Z"},
	{"5.6.7 leap second read as :59", "Wed, 31 Dec 2025 23:59:60 GMT", "2025-12-31T23:59:59Z"},
	{"5.6.7 day-name not checked against the date", "Mon, 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z"},
	{"5.6.7 29 Feb in a leap year", "Sat, 29 Feb 2020 00:00:00 GMT", "2020-02-29T00:00:00Z"},

	// The two-digit year rule, with now = 2026-03-01: a year more than 50
	// years in the future is the most recent past year with those digits.
	{"5.6.7 two-digit year 26 is 2026", "Sunday, 01-Mar-26 12:00:00 GMT", "2026-03-01T12:00:00Z"},
	{"5.6.7 two-digit year 75 is 2075", "Friday, 01-Jan-75 00:00:00 GMT", "2075-01-01T00:00:00Z"},
	{"5.6.7 two-digit year 76 within 50 years is 2076", "Sunday, 01-Mar-76 11:59:59 GMT", "2076-03-01T11:59:59Z"},
	{"5.6.7 two-digit year 76 beyond 50 years is 1976", "Monday, 01-Mar-76 12:00:01 GMT", "1976-03-01T12:00:01Z"},
	{"5.6.7 two-digit year 99 is 1999", "Friday, 31-Dec-99 23:59:59 GMT", "1999-12-31T23:59:59Z"},
	{"5.6.7 two-digit year 00 is 2000", "Saturday, 01-Jan-00 00:00:00 GMT", "2000-01-01T00:00:00Z"},

	{"5.6.7 case-sensitive day-name", "sun, 06 Nov 1994 08:49:37 GMT", ""},
	{"5.6.7 case-sensitive month", "Sun, 06 NOV 1994 08:49:37 GMT", ""},
	{"5.6.7 zone must be GMT", "Sun, 06 Nov 1994 08:49:37 UTC", ""},
	{"5.6.7 numeric zone", "Sun, 06 Nov 1994 08:49:37 +0000", ""},
	{"5.6.7 extra whitespace", "Sun,  06 Nov 1994 08:49:37 GMT", ""},
	{"5.6.7 surrounding whitespace", " Sun, 06 Nov 1994 08:49:37 GMT", ""},
	{"5.6.7 one-digit day in IMF-fixdate", "Sun, 6 Nov 1994 08:49:37 GMT", ""},
	{"5.6.7 no such day", "Thu, 31 Apr 2026 00:00:00 GMT", ""},
	{"5.6.7 29 Feb in a common year", "Sun, 29 Feb 2026 00:00:00 GMT", ""},
	{"5.6.7 hour 24", "Sun, 06 Nov 1994 24:00:00 GMT", ""},
	{"5.6.7 minute 60", "Sun, 06 Nov 1994 08:60:00 GMT", ""},
	{"5.6.7 second 61", "Sun, 06 Nov 1994 08:49:61 GMT", ""},
	{"5.6.7 RFC 850 with short day-name", "Sun, 06-Nov-94 08:49:37 GMT", ""},
	{"5.6.7 RFC 850 with four-digit year", "Sunday, 06-Nov-1994 08:49:37 GMT", ""},
	{"5.6.7 asctime with single space before one-digit day", "Sun Nov 6 08:49:37 1994", ""},
	{"5.6.7 asctime with zone", "Sun Nov  6 08:49:37 1994 GMT", ""},
	{"5.6.7 Expires: 0", "0", ""},
	{"5.6.7 empty", "", ""},
	{"5.6.7 sign in number", "Sun, +6 Nov 1994 08:49:37 GMT", ""},
}

func TestParseAt(t *testing.T) {
	for _, tt := range dateTests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseAt(tt.in, tNow)
			s := ""
			if ok {
				s = got.Format(time.RFC3339)
				if got.Location() != time.UTC {
					t.Errorf("location %v, want UTC", got.Location())
				}
			}
			if s != tt.want {
				t.Errorf("ParseAt(%q) = %q, want %q", tt.in, s, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	if _, ok := Parse("Sun, 06 Nov 1994 08:49:37 GMT"); !ok {
		t.Error("Parse rejected an IMF-fixdate")
	}
}

// RFC 9111 §4.2: a cache recipient SHOULD match case-insensitively, but
// still only in GMT.
func TestParseCaseInsensitive(t *testing.T) {
	for _, in := range []string{
		"sun, 06 nov 1994 08:49:37 gmt",
		"SUNDAY, 06-NOV-94 08:49:37 GMT",
		"sUN nOV  6 08:49:37 1994",
	} {
		got, ok := ParseCaseInsensitive(in, tNow)
		if !ok || !got.Equal(time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC)) {
			t.Errorf("ParseCaseInsensitive(%q) = %v, %v", in, got, ok)
		}
	}
	if _, ok := ParseCaseInsensitive("Sun, 06 Nov 1994 08:49:37 UTC", tNow); ok {
		t.Error("ParseCaseInsensitive accepted a zone other than GMT")
	}
}

func TestFormat(t *testing.T) {
	loc := time.FixedZone("X", 2*3600)
	in := time.Date(1994, 11, 6, 10, 49, 37, 999, loc)
	if got, want := Format(in), "Sun, 06 Nov 1994 08:49:37 GMT"; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
}
