package setcookie

import (
	"strings"
	"testing"
	"time"
)

var tExp = time.Date(2030, time.March, 4, 5, 6, 7, 0, time.UTC)

// stringTests are independent: each formats one Cookie.
var stringTests = []struct {
	c       Cookie
	want    string // Set-Cookie value, or "" when String must fail
	wantErr string // substring of the error
}{
	{Cookie{Name: "a", Value: "1"}, "a=1", ""},
	{Cookie{Name: "a", Value: ""}, "a=", ""},
	{Cookie{Name: "a", Value: `"quoted"`}, `a="quoted"`, ""},
	{Cookie{Name: "a", Value: `""`}, `a=""`, ""},
	{Cookie{Name: "sid", Value: "x", Path: "/", Domain: "example.test", Expires: tExp, HasMaxAge: true, MaxAge: 60,
		Secure: true, HttpOnly: true, SameSite: "Lax", Partitioned: true},
		"sid=x; Path=/; Domain=example.test; Expires=Mon, 04 Mar 2030 05:06:07 GMT; Max-Age=60; Secure; HttpOnly; SameSite=Lax; Partitioned", ""},
	{Cookie{Name: "a", Value: "1", Domain: ".example.test"}, "a=1; Domain=example.test", ""},
	{Cookie{Name: "a", Value: "1", HasMaxAge: true}, "a=1; Max-Age=0", ""},
	{Cookie{Name: "a", Value: "1", HasMaxAge: true, MaxAge: -5}, "a=1; Max-Age=0", ""},
	{Cookie{Name: "a", Value: "1", MaxAge: 5}, "a=1", ""},
	{Cookie{Name: "a", Value: "1", Expires: time.Date(2030, 1, 1, 1, 0, 0, 0, time.FixedZone("X", 3600))}, "a=1; Expires=Tue, 01 Jan 2030 00:00:00 GMT", ""},
	{Cookie{Name: "__Host-a", Value: "1", Secure: true, Path: "/"}, "__Host-a=1; Path=/; Secure", ""},
	{Cookie{Name: "__Secure-a", Value: "1", Secure: true}, "__Secure-a=1; Secure", ""},

	{Cookie{Name: "", Value: "1"}, "", "not a token"},
	{Cookie{Name: "a b", Value: "1"}, "", "not a token"},
	{Cookie{Name: "a=", Value: "1"}, "", "not a token"},
	{Cookie{Name: "a", Value: "1 2"}, "", "cookie-octet"},
	{Cookie{Name: "a", Value: "1,2"}, "", "cookie-octet"},
	{Cookie{Name: "a", Value: `"`}, "", "cookie-octet"},
	{Cookie{Name: "a", Value: `"1`}, "", "cookie-octet"},
	{Cookie{Name: "a", Value: "é"}, "", "cookie-octet"},
	{Cookie{Name: "a", Value: "1", Path: "/x;y"}, "", "av-octet"},
	{Cookie{Name: "a", Value: "1", Path: "/x\ny"}, "", "av-octet"},
	{Cookie{Name: "a", Value: "1", Path: "x"}, "", "does not begin"},
	{Cookie{Name: "a", Value: "1", Domain: "a;b.test"}, "", "av-octet"},
	{Cookie{Name: "a", Value: "1", Domain: "a_b.test"}, "", "not a subdomain"},
	{Cookie{Name: "a", Value: "1", Domain: "example.test."}, "", "not a subdomain"},
	{Cookie{Name: "a", Value: "1", SameSite: "lax"}, "", "SameSite"},
	{Cookie{Name: "a", Value: "1", SameSite: "None"}, "", "SameSite=None requires Secure"},
	{Cookie{Name: "a", Value: "1", SameSite: "None", Secure: true}, "a=1; Secure; SameSite=None", ""},
	{Cookie{Name: "a", Value: "1", Path: "/a "}, "", "ends with whitespace"},
	{Cookie{Name: "a", Value: "1", Path: "/a b"}, "a=1; Path=/a b", ""},
	{Cookie{Name: "a", Value: "1", Domain: "."}, "", "not a subdomain"},
	{Cookie{Name: "a", Value: "1", Expires: time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)}, "", "year 1600"},
	{Cookie{Name: "a", Value: strings.Repeat("v", 4096)}, "", "over the 4096-byte limit"},
	{Cookie{Name: "a", Value: strings.Repeat("v", 4095)}, "a=" + strings.Repeat("v", 4095), ""},
	{Cookie{Name: "a", Value: "1", Path: "/" + strings.Repeat("p", 1024)}, "", "over the 1024-byte limit"},
	{Cookie{Name: "__Secure-a", Value: "1"}, "", "__Secure- prefix requires Secure"},
	{Cookie{Name: "__secure-a", Value: "1"}, "", "__Secure- prefix requires Secure"},
	{Cookie{Name: "__Host-a", Value: "1", Secure: true}, "", "__Host- prefix requires Path=/"},
	{Cookie{Name: "__HOST-a", Value: "1", Secure: true, Path: "/", Domain: "example.test"}, "", "forbids a Domain"},
	{Cookie{Name: "__Host-a", Value: "1", Path: "/"}, "", "__Host- prefix requires Secure"},
}

func TestCookieString(t *testing.T) {
	for _, tt := range stringTests {
		got, err := tt.c.String()
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%+v: got %q, %v; want error containing %q", tt.c, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%+v:\n got %q, %v\nwant %q", tt.c, got, err, tt.want)
		}
	}
}

// valueTests are independent round trips through EncodeValue and DecodeValue.
var valueTests = []struct{ in, enc string }{
	{"", ""},
	{"plain-Value_1.2", "plain-Value_1.2"},
	{"a b", "a%20b"},
	{`a,b;c"d\e%f`, "a%2Cb%3Bc%22d%5Ce%25f"},
	{"héllo", "h%C3%A9llo"},
	{"\x00\x7f\xff", "%00%7F%FF"},
}

func TestEncodeDecodeValue(t *testing.T) {
	for _, tt := range valueTests {
		if got := EncodeValue(tt.in); got != tt.enc {
			t.Errorf("EncodeValue(%q) = %q, want %q", tt.in, got, tt.enc)
		}
		if got, err := DecodeValue(tt.enc); err != nil || got != tt.in {
			t.Errorf("DecodeValue(%q) = %q, %v, want %q", tt.enc, got, err, tt.in)
		}
		if _, err := (Cookie{Name: "a", Value: EncodeValue(tt.in)}).String(); err != nil {
			t.Errorf("encoded %q does not make a valid cookie: %v", tt.in, err)
		}
	}
	for _, bad := range []string{"%", "%4", "a%zz", "%%41"} {
		if got, err := DecodeValue(bad); err == nil {
			t.Errorf("DecodeValue(%q) = %q, nil; want error", bad, got)
		}
	}
	if got, err := DecodeValue("%c3%a9 x"); err != nil || got != "é x" {
		t.Errorf("DecodeValue lower-case hex = %q, %v", got, err)
	}
}
