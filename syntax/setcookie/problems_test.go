package setcookie

import (
	"slices"
	"strings"
	"testing"
)

// problemsTests are independent. want joins the expected problems with " | ".
var problemsTests = []struct{ line, want string }{
	{"a=1", ""},
	{"sid=31d4d96e407aad42; Path=/; Secure; HttpOnly; SameSite=Lax", ""},
	{"a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=60; Domain=example.test; Path=/; Secure; HttpOnly; SameSite=Strict; Partitioned; Foo=bar", ""},
	{`a="quoted"`, ""},
	{`a=""`, ""},
	{"a=", ""},
	{"a=1;Secure", ""},
	{"a=1;  Secure", ""},
	{"a=1; secure; httponly; samesite=none; path=/; max-age=5", ""},
	{"a=1;", ""},
	{"a=1,2", "value contains ',' which is not a cookie-octet"},
	{"a=x y", "value contains ' ' which is not a cookie-octet"},
	{`a="x`, `value contains '"' which is not a cookie-octet`},
	{`a=x\y"z`, `value contains '\' which is not a cookie-octet | value contains '"' which is not a cookie-octet`},
	{"a=é", "value contains 0xC3 which is not a cookie-octet | value contains 0xA9 which is not a cookie-octet"},
	{"a=1\x01", "value contains 0x01 which is not a cookie-octet"},
	{"a b=1", "name contains ' ' which is not a token character"},
	{"a:b=1", "name contains ':' which is not a token character"},
	{"=1", "cookie-name is empty"},
	{"foo", "cookie-pair has no '=': a nameless cookie"},
	{"", "cookie-pair is missing"},
	{"; Secure", "cookie-pair is missing"},
	{" a=1", "whitespace before the cookie-pair (BWS, which a sender must not generate)"},
	{"a = 1", "whitespace around '=' in the cookie-pair (BWS, which a sender must not generate)"},
	{"a=1 ; Secure", "whitespace before ';' (BWS, which a sender must not generate)"},
	{"a=1; Secure ; HttpOnly", "whitespace before ';' (BWS, which a sender must not generate)"},
	{"a=1; Secure ", "whitespace at the end of the line"},
	{"a=1; Path = /", "whitespace around '=' in attribute Path (BWS, which a sender must not generate)"},
	{"a=1; Path=/; Path=/x", "attribute Path appears twice"},
	{"a=1; path=/; PATH=/x; Path=/y", "attribute path appears 3 times"},
	{"a=1; Foo; foo=1", "attribute Foo appears twice"},
	{"a=1; Expires=Wed, 21-Oct-2015 07:28:00 GMT", "Expires is not an IMF-fixdate"},
	{"a=1; Expires=Wed, 21 Oct 2015 07:28:00 UTC", "Expires is not an IMF-fixdate"},
	{"a=1; Expires=Thu, 21 Oct 2015 07:28:00 GMT", "Expires is not an IMF-fixdate (the day-name does not match the date)"},
	{"a=1; Expires", "Expires is not an IMF-fixdate"},
	{"a=1; Max-Age=0", "Max-Age is not a positive integer"},
	{"a=1; Max-Age=-1", "Max-Age is not a positive integer"},
	{"a=1; Max-Age=010", "Max-Age is not a positive integer"},
	{"a=1; Max-Age=1.5", "Max-Age is not a positive integer"},
	{"a=1; Max-Age=", "Max-Age is not a positive integer"},
	{"a=1; Domain=.example.test", "Domain has a leading '.', which the grammar does not allow (user agents ignore it)"},
	{"a=1; Domain=exa_mple.test", "Domain exa_mple.test is not a domain name (subdomain)"},
	{"a=1; Domain=example.test.", "Domain example.test. is not a domain name (subdomain)"},
	{"a=1; Domain=", "Domain is empty"},
	{"a=1; Path=foo", "Path does not begin with '/' (user agents use the default path instead)"},
	{"a=1; Path=", "Path does not begin with '/' (user agents use the default path instead)"},
	{"a=1; Path=/\x7f", "attribute Path contains 0x7F which is not an av-octet"},
	{"a=1; Path=/é", "attribute Path contains 0xC3 which is not an av-octet | attribute Path contains 0xA9 which is not an av-octet"},
	{"a=1; Secure=yes", "Secure has a value, which its grammar does not allow (user agents ignore it)"},
	{"a=1; HttpOnly=", "HttpOnly has a value, which its grammar does not allow (user agents ignore it)"},
	{"a=1; SameSite=none; Secure", ""},
	{"a=1; SameSite=None", "SameSite=None without Secure (user agents ignore the cookie)"},
	{"a=1; SameSite=None; SameSite=Lax", "attribute SameSite appears twice"},
	{"a=1; SameSite=Bogus", `SameSite value "Bogus" is not Strict, Lax or None`},
	{"a=1; SameSite", `SameSite value "" is not Strict, Lax or None`},
	{"__Secure-a=1", "__Secure- prefix requires Secure"},
	{"__secure-a=1; Secure", ""},
	{"__Host-a=1; Secure; Path=/", ""},
	{"__Host-a=1; Secure", "__Host- prefix requires Path=/"},
	{"__Host-a=1; Secure; Path=/x", "__Host- prefix requires Path=/"},
	{"__HOST-a=1; Path=/", "__Host- prefix requires Secure"},
	{"__Host-a=1; Secure; Path=/; Domain=example.test", "__Host- prefix forbids a Domain attribute"},
	{"a=" + strings.Repeat("v", 4095), ""},
	{"a=" + strings.Repeat("v", 4999), "name+value is 5000 bytes, over the 4096-byte limit"},
	{"a=1; Path=/" + strings.Repeat("p", 1024), "Path is 1025 bytes, over the 1024-byte limit"},
	{"a=1; Foo=" + strings.Repeat("p", 1025), "Foo is 1025 bytes, over the 1024-byte limit"},
}

func TestProblems(t *testing.T) {
	for _, tt := range problemsTests {
		if got := strings.Join(Problems(tt.line), " | "); got != tt.want {
			t.Errorf("Problems(%.60q)\n got %q\nwant %q", tt.line, got, tt.want)
		}
	}
}

// TestDiagnoseKinds: each problem carries the kind of rule it breaks, so a
// check can grade one rule without the others. The cases are independent.
func TestDiagnoseKinds(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []ProblemKind
	}{
		{"a=1; Path=/; Secure; HttpOnly; SameSite=Lax", nil},
		{"a=x y", []ProblemKind{ProblemSyntax}},
		{"a=1; Expires=Thu, 21 Oct 2015 07:28:00 GMT", []ProblemKind{ProblemSyntax}},
		{"a=1; HttpOnly; HttpOnly", []ProblemKind{ProblemDuplicateAttribute}},
		{"a=" + strings.Repeat("v", 4096), []ProblemKind{ProblemNameValueSize}},
		{"a=1; Path=/" + strings.Repeat("p", 1024), []ProblemKind{ProblemAttributeSize}},
		{"a=1; SameSite=None", []ProblemKind{ProblemSameSiteNone}},
		{"__Host-a=1; Secure; Path=/; Domain=example.test", []ProblemKind{ProblemPrefix}},
		{"__Secure-a=1; SameSite=None; SameSite=None", []ProblemKind{ProblemDuplicateAttribute, ProblemSameSiteNone, ProblemPrefix}},
	} {
		var got []ProblemKind
		for _, p := range Diagnose(tc.line) {
			got = append(got, p.Kind)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Diagnose(%.60q) kinds = %v, want %v (%v)", tc.line, got, tc.want, Problems(tc.line))
		}
	}
}

func TestIsSaneCookieDate(t *testing.T) {
	for v, want := range map[string]bool{
		"Wed, 21 Oct 2015 07:28:00 GMT":     true,
		"Thu, 21 Oct 2015 07:28:00 GMT":     false, // the day-name does not match
		"Wednesday, 21-Oct-15 07:28:00 GMT": false,
		"Wed Oct 21 07:28:00 2015":          false,
		"":                                  false,
	} {
		if got := IsSaneCookieDate(v); got != want {
			t.Errorf("IsSaneCookieDate(%q) = %v, want %v", v, got, want)
		}
	}
}
