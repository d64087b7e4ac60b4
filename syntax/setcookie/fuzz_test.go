package setcookie

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
)

// FuzzParse checks the invariants of Parse, and that Problems accepts any
// line and finds a problem in every line the user agent would not read as
// a cookie with a token name. Seeds are in testdata/fuzz/FuzzParse; the
// reference jar has its own target (reference/cookie, FuzzSetCookies).
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.line)
	}
	for _, tt := range problemsTests {
		f.Add(tt.line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		sc, ok := Parse(line)
		if !ok {
			name, value, found := strings.Cut(strings.SplitN(line, ";", 2)[0], "=")
			if !found {
				name, value = "", name
			}
			if !HasCTL(line) && len(trimWSP(name))+len(trimWSP(value)) <= MaxNameValueBytes {
				t.Fatalf("ignored without a reason: %q", line)
			}
		} else {
			if HasCTL(sc.Name) || HasCTL(sc.Value) || len(sc.Name)+len(sc.Value) > MaxNameValueBytes {
				t.Fatalf("bad name/value %q=%q", sc.Name, sc.Value)
			}
			if trimWSP(sc.Name) != sc.Name || trimWSP(sc.Value) != sc.Value {
				t.Fatalf("untrimmed name/value %q=%q", sc.Name, sc.Value)
			}
			if sc.HasPath && (sc.Path == "" || sc.Path[0] != '/' || len(sc.Path) > MaxAttributeValueBytes) {
				t.Fatalf("bad Path %q", sc.Path)
			}
			if sc.HasMaxAge && sc.MaxAge > int(AgeLimit/time.Second) {
				t.Fatalf("Max-Age %d over the cap", sc.MaxAge)
			}
			if httpsyntax.LowerASCII(sc.Domain) != sc.Domain || len(sc.Domain) > MaxAttributeValueBytes {
				t.Fatalf("bad Domain %q", sc.Domain)
			}
			if !slices.Contains([]string{"", "Strict", "Lax", "None"}, sc.SameSite) {
				t.Fatalf("bad SameSite %q", sc.SameSite)
			}
		}
		ps := Problems(line)
		if len(ps) == 0 && (!ok || !isToken(sc.Name)) {
			t.Fatalf("no problems but the user agent reads %q as %+v (ok=%v)", line, sc, ok)
		}
	})
}

// FuzzParseCookieHeader checks that ParseCookieHeader never panics and that
// serialising its pairs and parsing again gives the same pairs. Seeds are
// in testdata/fuzz/FuzzParseCookieHeader.
func FuzzParseCookieHeader(f *testing.F) {
	for _, tt := range cookieHeaderTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, h string) {
		pairs := ParseCookieHeader(h)
		var s []string
		for _, p := range pairs {
			if strings.Contains(p.Name, ";") || strings.Contains(p.Value, ";") ||
				trimWSP(p.Name) != p.Name || trimWSP(p.Value) != p.Value {
				t.Fatalf("bad pair %+v from %q", p, h)
			}
			s = append(s, p.Name+"="+p.Value)
		}
		again := ParseCookieHeader(strings.Join(s, "; "))
		if !slices.Equal(pairs, again) {
			t.Fatalf("%q: %q, then %q", h, pairs, again)
		}
	})
}

// FuzzCookieString checks the server side round trip: whatever String
// emits, Parse reads back the same cookie and Problems finds
// nothing, except that Max-Age=0 (which String emits for MaxAge<=0 so that
// a server can delete a cookie) is outside max-age-av. It also round-trips
// arbitrary values through EncodeValue and DecodeValue. Seeds are in
// testdata/fuzz/FuzzCookieString.
func FuzzCookieString(f *testing.F) {
	f.Add("a", "1", "/", "example.test", int64(0), 60, uint8(0xff), "Lax")
	f.Add("__Host-sid", `"x"`, "/", "", int64(1<<40), -1, uint8(0x07), "None")
	f.Add("n", "hello, wörld; \"q\" \\", "/a b", ".Example.test", int64(-1), 0, uint8(0), "Strict")
	f.Fuzz(func(t *testing.T, name, value, path, domain string, expires int64, maxAge int, flags uint8, sameSite string) {
		if v, err := DecodeValue(EncodeValue(value)); err != nil || v != value || !isCookieValue(EncodeValue(value)) {
			t.Fatalf("EncodeValue round trip of %q: %q, %v", value, v, err)
		}
		c := Cookie{
			Name: name, Value: value, Path: path, Domain: domain,
			MaxAge: maxAge, HasMaxAge: flags&0x08 != 0,
			Secure: flags&0x01 != 0, HttpOnly: flags&0x02 != 0, Partitioned: flags&0x04 != 0,
			SameSite: sameSite,
		}
		if flags&0x10 != 0 {
			c.Expires = time.Unix(expires%(400*365*86400), 0)
		}
		line, err := c.String()
		if err != nil {
			if line != "" {
				t.Fatalf("error %v with a line %q", err, line)
			}
			return
		}
		sc, ok := Parse(line)
		if !ok || sc.Name != c.Name || sc.Value != c.Value {
			t.Fatalf("%q read back as %q=%q (ok=%v)", line, sc.Name, sc.Value, ok)
		}
		if sc.Secure != c.Secure || sc.HttpOnly != c.HttpOnly || sc.Partitioned != c.Partitioned || sc.SameSite != c.SameSite {
			t.Fatalf("%q: flags read back as %+v", line, sc)
		}
		if (c.Path != "") != sc.HasPath || sc.Path != c.Path {
			t.Fatalf("%q: Path read back as %q", line, sc.Path)
		}
		if wantDomain := httpsyntax.LowerASCII(strings.TrimPrefix(c.Domain, ".")); (c.Domain != "") != sc.HasDomain || sc.Domain != wantDomain {
			t.Fatalf("%q: Domain read back as %q", line, sc.Domain)
		}
		if c.HasMaxAge != sc.HasMaxAge || (c.HasMaxAge && sc.MaxAge != min(max(c.MaxAge, 0), int(AgeLimit/time.Second))) {
			t.Fatalf("%q: Max-Age read back as %d", line, sc.MaxAge)
		}
		if !c.Expires.IsZero() && (!sc.HasExpires || !sc.Expires.Equal(c.Expires.Truncate(time.Second))) {
			t.Fatalf("%q: Expires read back as %v", line, sc.Expires)
		}
		ps := Problems(line)
		if c.HasMaxAge && c.MaxAge <= 0 {
			ps = slices.DeleteFunc(ps, func(p string) bool { return p == "Max-Age is not a positive integer" })
		}
		if len(ps) != 0 {
			t.Fatalf("String emitted %q, which has problems %q", line, ps)
		}
	})
}

// FuzzParseDate checks the cookie-date algorithm of RFC 6265bis §5.1.1:
// it never panics, a date it accepts is a whole second in UTC between the
// years 1601 and 9999, and the same date written as an IMF-fixdate (as a
// server would write Expires) parses back to the same instant. Seeds are
// in testdata/fuzz/FuzzParseDate.
func FuzzParseDate(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseDate(s)
		if !ok {
			return
		}
		if d.Location() != time.UTC || d.Nanosecond() != 0 || d.Year() < 1601 || d.Year() > 9999 {
			t.Fatalf("%q: %v is not a whole second in UTC from 1601 to 9999", s, d)
		}
		fixdate := d.Format("Mon, 02 Jan 2006 15:04:05 GMT")
		if back, ok := ParseDate(fixdate); !ok || !back.Equal(d) {
			t.Fatalf("%q: %v written as %q parses as %v, %v", s, d, fixdate, back, ok)
		}
	})
}
