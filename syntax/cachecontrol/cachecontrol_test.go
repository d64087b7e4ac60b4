package cachecontrol

import (
	"strings"
	"testing"
	"time"
)

// cacheControlTests parse one Cache-Control field each (lines separated by
// "\n") and render the result compactly: String(), then the problems, one
// per line, each shortened to the text before its first " (" citation.
var cacheControlTests = []struct {
	name     string
	in       string
	want     string
	problems []string
}{
	{"5.2 token argument", "max-age=60", "max-age=60", nil},
	{"5.2 names are case-insensitive", "Max-Age=60, NO-STORE", "max-age=60, no-store", []string{
		"no-store conflicts with max-age: freshness is meaningless for a response that must not be stored"}},
	{"5.2 several lines are one list", "public\nmax-age=60", "public, max-age=60", nil},
	{"5.2 empty elements ignored", ", ,public,, max-age=5 ,", "public, max-age=5", nil},
	{"5.2 unknown extensions kept", `community="UCI", private`, `community="UCI", private`, nil},
	{"5.2 quoted argument accepted but reported", `max-age="60"`, `max-age="60"`, []string{
		"max-age uses the quoted-string form; a sender MUST NOT generate it"}},
	{"5.2.2.4 no-cache with field names", `no-cache="Set-Cookie, X-Foo"`, `no-cache="Set-Cookie, X-Foo"`, nil},
	{"5.2.2.4 no-cache token form reported", `no-cache=Set-Cookie`, `no-cache=Set-Cookie`, []string{
		"no-cache uses the token form; a sender SHOULD NOT generate it"}},
	{"5.2.2.7 private with a bad field list", `private="a b"`, `private="a b"`, []string{
		`private="a b" is not a list of field names`}},
	{"1.2.2 invalid delta-seconds", "max-age=-1, s-maxage=1.5", "max-age=-1, s-maxage=1.5", []string{
		`max-age="-1" is not delta-seconds, a non-negative integer`,
		`s-maxage="1.5" is not delta-seconds, a non-negative integer`}},
	{"5.2.2.1 max-age without argument", "max-age", "max-age", []string{
		"max-age requires a delta-seconds argument"}},
	{"5.2.1.2 max-stale without argument is fine", "max-stale", "max-stale", nil},
	{"5.2.2.5 no-store takes no argument", "no-store=1", "no-store=1", []string{
		`no-store takes no argument, got "1"`}},
	{"4.2.1 duplicates reported", "max-age=10, max-age=20, public, public", "max-age=10, max-age=20, public, public", []string{
		"max-age appears 2 times; the first occurrence is used",
		"public appears 2 times; the first occurrence is used"}},
	{"5.2.2.7 public conflicts with private", "public, private", "public, private", []string{
		"public conflicts with private: a response is either for any cache or for a single user"}},
	{"5.2.2.3 must-understand without no-store", "must-understand, max-age=5", "must-understand, max-age=5", []string{
		"must-understand without no-store; a response with must-understand SHOULD also contain no-store"}},
	{"5.2 whitespace around =", "max-age = 60", "max-age=60", []string{
		"max-age: whitespace before \"=\"",
		"max-age: whitespace after \"=\""}},
	{"5.2 = without argument", "max-age=, public", `max-age="", public`, []string{
		"max-age: \"=\" without an argument"}},
	{"5.2 trailing garbage", "no-store junk, public", "no-store, public", []string{
		`no-store: unexpected "junk" after the directive`}},
	{"5.2 not a token", `"quoted", public`, "public", []string{
		`"\"quoted\"" is not a cache-directive: a directive starts with a token`}},
	{"5.6.4 unterminated quoted-string", `private="a, public`, `private="a, public"`, []string{
		"private: malformed quoted-string argument"}},
	{"5.6.4 quoted-pair", `ext="a\"b\\c"`, `ext="a\"b\\c"`, nil},
	{"5.6.4 quoted comma does not split", `ext="a,b", public`, `ext="a,b", public`, nil},
}

func TestParse(t *testing.T) {
	for _, tt := range cacheControlTests {
		t.Run(tt.name, func(t *testing.T) {
			d := Parse(strings.Split(tt.in, "\n"))
			if got := d.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			var problems []string
			for _, p := range d.Problems() {
				if i := strings.Index(p, " ("); i >= 0 && strings.HasSuffix(p, ")") {
					p = p[:i]
				}
				problems = append(problems, p)
			}
			if strings.Join(problems, "\n") != strings.Join(tt.problems, "\n") {
				t.Errorf("Problems():\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(tt.problems, "\n"))
			}
		})
	}
}

func TestAccessors(t *testing.T) {
	sec := func(n int64) time.Duration { return time.Duration(n) * time.Second }
	d := Parse([]string{
		`max-age=60, s-maxage=120, max-age=5, stale-while-revalidate=30, stale-if-error=abc`,
		`no-cache="set-cookie", private, must-revalidate, proxy-revalidate, public, immutable`,
		`min-fresh=99999999999999999999, only-if-cached, no-store, no-transform, must-understand, x-ext=Val`,
	})
	durations := []struct {
		name string
		get  func() (time.Duration, bool)
		want time.Duration
		ok   bool
	}{
		{"MaxAge uses the first occurrence", d.MaxAge, sec(60), true},
		{"SMaxAge", d.SMaxAge, sec(120), true},
		{"StaleWhileRevalidate", d.StaleWhileRevalidate, sec(30), true},
		{"StaleIfError invalid counts as 0", d.StaleIfError, 0, true},
		{"MinFresh overflow becomes 2^31", d.MinFresh, sec(1 << 31), true},
		{"MaxStale absent", d.MaxStale, 0, false},
	}
	for _, tt := range durations {
		got, ok := tt.get()
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
	flags := []struct {
		name string
		got  bool
	}{
		{"MustRevalidate", d.MustRevalidate()}, {"ProxyRevalidate", d.ProxyRevalidate()},
		{"Public", d.Public()}, {"Immutable", d.Immutable()}, {"OnlyIfCached", d.OnlyIfCached()},
		{"NoStore", d.NoStore()}, {"NoTransform", d.NoTransform()}, {"MustUnderstand", d.MustUnderstand()},
		{"Has(X-EXT)", d.Has("X-EXT")},
	}
	for _, f := range flags {
		if !f.got {
			t.Errorf("%s = false, want true", f.name)
		}
	}
	if present, fields := d.NoCache(); !present || strings.Join(fields, ",") != "Set-Cookie" {
		t.Errorf("NoCache = %v, %q", present, fields)
	}
	if present, fields := d.Private(); !present || fields != nil {
		t.Errorf("Private = %v, %q; want unqualified", present, fields)
	}
	if v, ok := d.Value("x-ext"); !ok || v != "Val" {
		t.Errorf("Value(x-ext) = %q, %v", v, ok)
	}

	// RFC 9111 §5.2.1.2: max-stale without a value accepts any staleness.
	if got, ok := Parse([]string{"max-stale"}).MaxStale(); !ok || got != sec(1<<31) {
		t.Errorf("bare max-stale = %v, %v", got, ok)
	}
	if got, ok := Parse([]string{"max-stale=7"}).MaxStale(); !ok || got != sec(7) {
		t.Errorf("max-stale=7 = %v, %v", got, ok)
	}
	// RFC 9111 §4.2.1: invalid freshness information means stale.
	if got, ok := Parse([]string{"max-age=soon"}).MaxAge(); !ok || got != 0 {
		t.Errorf("max-age=soon = %v, %v", got, ok)
	}
	if present, fields := Parse([]string{`no-cache=""`}).NoCache(); !present || fields != nil {
		t.Errorf(`no-cache="" = %v, %q; want unqualified`, present, fields)
	}
}

// RFC 9111 §1.2.2: delta-seconds is 1*DIGIT, and a value too large for the
// cache becomes 2^31.
func TestDeltaSeconds(t *testing.T) {
	const infinity = 1 << 31 * time.Second
	for _, tt := range []struct {
		in   string
		want time.Duration // -1: not delta-seconds
	}{
		{"0", 0}, {"007", 7 * time.Second}, {"2147483648", infinity}, {"99999999999999999999", infinity},
		{"", -1}, {"-1", -1}, {"+1", -1}, {"1.5", -1}, {" 1", -1},
	} {
		got, ok := ParseDeltaSeconds(tt.in)
		if !ok {
			got = -1
		}
		if got != tt.want {
			t.Errorf("ParseDeltaSeconds(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in   time.Duration
		want string
	}{
		{-time.Second, "0"}, {0, "0"}, {1999 * time.Millisecond, "1"}, {infinity, "2147483648"}, {1 << 33 * time.Second, "2147483648"},
	} {
		if got := FormatDeltaSeconds(tt.in); got != tt.want {
			t.Errorf("FormatDeltaSeconds(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
