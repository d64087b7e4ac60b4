package setcookie

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// summary renders a Received compactly: name=value, then the resolved
// attributes that are set, then the number of raw attributes.
func summary(sc Received) string {
	s := []string{sc.Name + "=" + sc.Value}
	if sc.HasExpires {
		s = append(s, "Expires="+sc.Expires.Format(time.RFC3339))
	}
	if sc.HasMaxAge {
		s = append(s, fmt.Sprintf("Max-Age=%d", sc.MaxAge))
	}
	if sc.HasDomain {
		s = append(s, "Domain="+sc.Domain)
	}
	if sc.HasPath {
		s = append(s, "Path="+sc.Path)
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{sc.Secure, "Secure"}, {sc.HttpOnly, "HttpOnly"}, {sc.Partitioned, "Partitioned"}} {
		if f.on {
			s = append(s, f.name)
		}
	}
	if sc.SameSite != "" {
		s = append(s, "SameSite="+sc.SameSite)
	}
	s = append(s, fmt.Sprintf("attrs=%d", len(sc.Attributes)))
	return strings.Join(s, " ")
}

// parseTests are independent. want is summary(sc), or "ignored"
// when ok must be false.
var parseTests = []struct{ line, want string }{
	{"a=1", "a=1 attrs=0"},
	{" a = 1 ", "a=1 attrs=0"},
	{"\ta=1\t", "a=1 attrs=0"},
	{"a", "=a attrs=0"},
	{"=a", "=a attrs=0"},
	{"a=", "a= attrs=0"},
	{"=", "= attrs=0"},
	{"", "= attrs=0"},
	{"a=1=2", "a=1=2 attrs=0"},
	{`a="1 2"`, `a="1 2" attrs=0`},
	{"a b=c d", "a b=c d attrs=0"},
	{"a=é", "a=é attrs=0"},
	{"a=1\t2", "a=1\t2 attrs=0"},
	{"a=1;", "a=1 attrs=1"},
	{"a=1; ;", "a=1 attrs=2"},
	{"a=1; Secure; HttpOnly; Partitioned", "a=1 Secure HttpOnly Partitioned attrs=3"},
	{"a=1;secure=no;HTTPONLY", "a=1 Secure HttpOnly attrs=2"},
	{"a=1; Max-Age=10; max-age=x", "a=1 Max-Age=10 attrs=2"},
	{"a=1; Max-Age=10; max-age=20", "a=1 Max-Age=20 attrs=2"},
	{"a=1; Max-Age=0", "a=1 Max-Age=0 attrs=1"},
	{"a=1; Max-Age=-5", "a=1 Max-Age=-5 attrs=1"},
	{"a=1; Max-Age=007", "a=1 Max-Age=7 attrs=1"},
	{"a=1; Max-Age=+5", "a=1 attrs=1"},
	{"a=1; Max-Age=-", "a=1 attrs=1"},
	{"a=1; Max-Age=--1", "a=1 attrs=1"},
	{"a=1; Max-Age=", "a=1 attrs=1"},
	{"a=1; Max-Age", "a=1 attrs=1"},
	{"a=1; Max-Age=1e3", "a=1 attrs=1"},
	{"a=1; Max-Age=50,399", "a=1 attrs=1"},
	{"a=1; Max-Age = 60 ", "a=1 Max-Age=60 attrs=1"},
	{"a=1; Max-Age=99999999999", "a=1 Max-Age=34560000 attrs=1"},
	{"a=1; Max-Age=99999999999999999999999", "a=1 Max-Age=34560000 attrs=1"},
	{"a=1; Max-Age=-99999999999999999999999", "a=1 Max-Age=-1 attrs=1"},
	{"a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "a=1 Expires=2015-10-21T07:28:00Z attrs=1"},
	{"a=1; expires=Wed, 21 Oct 2015 07:28:00 GMT; Expires=bogus", "a=1 Expires=2015-10-21T07:28:00Z attrs=2"},
	{"a=1; Expires=bogus", "a=1 attrs=1"},
	{"a=1; Expires=Fri, 31 Dec 9999 23:59:59 GMT", "a=1 Expires=9999-12-31T23:59:59Z attrs=1"},
	{"a=1; Domain=.Example.TEST", "a=1 Domain=example.test attrs=1"},
	{"a=1; Domain=..example.test", "a=1 Domain=.example.test attrs=1"},
	{"a=1; Domain=", "a=1 Domain= attrs=1"},
	{"a=1; Domain=.", "a=1 Domain= attrs=1"},
	{"a=1; Domain=BÜCHER.test", "a=1 Domain=bÜcher.test attrs=1"},
	{"a=1; Path=/x; Path=y", "a=1 attrs=2"},
	{"a=1; Path=y; Path=/x", "a=1 Path=/x attrs=2"},
	{"a=1; Path=", "a=1 attrs=1"},
	{"a=1; Path=/a b ", "a=1 Path=/a b attrs=1"},
	{"a=1; Path=/" + strings.Repeat("p", 1023), "a=1 Path=/" + strings.Repeat("p", 1023) + " attrs=1"},
	{"a=1; Path=/x; Path=/" + strings.Repeat("p", 1024), "a=1 Path=/x attrs=2"},
	{"a=1; SameSite=Lax; SameSite=bogus", "a=1 attrs=2"},
	{"a=1; SameSite=bogus; SameSite=STRICT", "a=1 SameSite=Strict attrs=2"},
	{"a=1; SameSite=none", "a=1 SameSite=None attrs=1"},
	{"a=1; SameSite", "a=1 attrs=1"},
	{"a=1; =x; foo; Bar=baz", "a=1 attrs=3"},
	{"a=" + strings.Repeat("v", 4095), "a=" + strings.Repeat("v", 4095) + " attrs=0"},
	{" a = " + strings.Repeat("v", 4095) + " ", "a=" + strings.Repeat("v", 4095) + " attrs=0"},
	{"a=" + strings.Repeat("v", 4096), "ignored"},
	{strings.Repeat("v", 4097), "ignored"},
	{"a=1\x00", "ignored"},
	{"a=1; Path=/\x1f", "ignored"},
	{"a=1\x7f", "ignored"},
	{"a=1\r\n", "ignored"},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		sc, ok := Parse(tt.line)
		got := summary(sc)
		if !ok {
			got = "ignored"
		}
		if got != tt.want {
			t.Errorf("Parse(%.60q)\n got %.80q\nwant %.80q", tt.line, got, tt.want)
		}
	}
}

func TestParseAttributes(t *testing.T) {
	sc, _ := Parse("a=1; Path = /x ;foo; =bar; Secure=1;")
	want := []Attribute{{"Path", "/x"}, {"foo", ""}, {"", "bar"}, {"Secure", "1"}, {"", ""}}
	if fmt.Sprint(sc.Attributes) != fmt.Sprint(want) {
		t.Errorf("Attributes = %q, want %q", sc.Attributes, want)
	}
}

// dateTests are independent. want is RFC 3339, or "" when ParseDate fails.
// They were written for this package (none is ported); the 1980 date is
// the one Mozilla's cookie unit tests use.
var dateTests = []struct{ in, want string }{
	{"Wed, 21 Oct 2015 07:28:00 GMT", "2015-10-21T07:28:00Z"},
	{"Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z"}, // RFC 850
	{"Sun Nov  6 08:49:37 1994", "1994-11-06T08:49:37Z"},       // asctime
	{"Thu, 01 Jan 1970 00:00:00 GMT", "1970-01-01T00:00:00Z"},
	{"1 jan 70 0:0:0", "1970-01-01T00:00:00Z"},
	{"01 Jan 69 00:00:00", "2069-01-01T00:00:00Z"},
	{"01 Jan 99 00:00:00", "1999-01-01T00:00:00Z"},
	{"01 Jan 100 00:00:00", ""}, // year 100 < 1601
	{"01 Jan 1600 23:59:59", ""},
	{"01 Jan 1601 00:00:00", "1601-01-01T00:00:00Z"},
	{"29 Feb 2020 00:00:00", "2020-02-29T00:00:00Z"},
	{"29 Feb 2021 00:00:00", ""},
	{"31 Apr 2021 00:00:00", ""},
	{"32 Jan 2020 00:00:00", ""},
	{"0 Jan 2020 00:00:00", ""},
	{"01 Jan 2020 24:00:00", ""},
	{"01 Jan 2020 23:60:00", ""},
	{"01 Jan 2020 23:59:60", ""},
	{"01 Jan 2020", ""},
	{"01 Jan 2020 12:30", ""},
	{"01 Jan 2020 1:2:3", "2020-01-01T01:02:03Z"},
	{"01 Jan 2020 001:00:00", ""},
	{"01 Janu 2020 00:00:00", "2020-01-01T00:00:00Z"},
	{"01 XYZ 2020 00:00:00", ""},
	{"2020 Jan 01 00:00:00", "2020-01-01T00:00:00Z"},
	{"00:00:00 01 Jan 2020 extra 99", "2020-01-01T00:00:00Z"},
	{"01-Jan-2020 00:00:00", "2020-01-01T00:00:00Z"},
	{"Jan 01 2020 00:00:00junk", "2020-01-01T00:00:00Z"},
	{"Wed, 21 Oct 2015 07:28:00 GMT+0100", "2015-10-21T07:28:00Z"},
	{"21st Oct 2015 07:28:00", "2015-10-21T07:28:00Z"},
	{"Oct 21 15 07:28:00", "2015-10-21T07:28:00Z"},
	{"Oct 123 2015 07:28:00", ""},
	{"12345 Oct 21 07:28:00", ""},
	{"", ""},
	{"Thu, 10 Apr 1980 16:33:12 GMT", "1980-04-10T16:33:12Z"},
	{"Thu 10 Apr 1980 16:33:12 GMT", "1980-04-10T16:33:12Z"},
	{"Thu, 10-Apr-1980 16:33:12 GMT", "1980-04-10T16:33:12Z"},
	{"Thu 10 Apr 1980 16:33:12 +0100", "1980-04-10T16:33:12Z"},
	{"1980 Apr 10 16:33:12", "1980-04-10T16:33:12Z"},
	{"Thu, 10 Apr 1980 16:33:12 GMT asdf", "1980-04-10T16:33:12Z"},
	{"Thu, 10 Apr 16:33:12 1980 GMT", "1980-04-10T16:33:12Z"},
	{"Thu, 10 Apr 1980 16:33:12 GMT garbage 99", "1980-04-10T16:33:12Z"},
	{"Thu, 10 Apr 1980 16:33:7 GMT", "1980-04-10T16:33:07Z"},
	{"Thu, 10 Apr 1980 4:33:12 GMT", "1980-04-10T04:33:12Z"},
	{"Thu, 10 Apr 1980 16:3:12 GMT", "1980-04-10T16:03:12Z"},
	{"Thu, 10 Apr 1980 16:33:123 GMT", ""},
	{"Thu, 10 Apr 1980 16:33:12 GMT 2000", "1980-04-10T16:33:12Z"},
}

func TestParseDate(t *testing.T) {
	for _, tt := range dateTests {
		got := ""
		if d, ok := ParseDate(tt.in); ok {
			got = d.Format(time.RFC3339)
		}
		if got != tt.want {
			t.Errorf("ParseDate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// cookieHeaderTests are independent. want lists the pairs as name=value
// separated by " | ".
var cookieHeaderTests = []struct{ in, want string }{
	{"", ""},
	{"a=1", "a=1"},
	{"a=1; b=2", "a=1 | b=2"},
	{"a=1;b=2", "a=1 | b=2"},
	{" a=1 ; ; b = 2 ;", "a=1 | b=2"},
	{"a=1; a=2", "a=1 | a=2"},
	{"foo; a=1", "=foo | a=1"},
	{"a=1; =b", "a=1 | =b"},
	{`a="x y"`, `a="x y"`},
	{"a==b", "a==b"},
	{"a=", "a="},
	{"\ta=1\t", "a=1"},
}

func TestParseCookieHeader(t *testing.T) {
	for _, tt := range cookieHeaderTests {
		var s []string
		for _, p := range ParseCookieHeader(tt.in) {
			s = append(s, p.Name+"="+p.Value)
		}
		if got := strings.Join(s, " | "); got != tt.want {
			t.Errorf("ParseCookieHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
