package etag

import (
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // Tag.String(), or "-" when rejected
	}{
		{`"xyzzy"`, `"xyzzy"`},
		{`W/"xyzzy"`, `W/"xyzzy"`},
		{`""`, `""`},
		{`  "a b"  `, "-"}, // SP is not etagc
		{` "ab" `, `"ab"`},
		{`"a\b"`, `"a\b"`}, // backslash is an ordinary etagc
		{"\"caf\xc3\xa9\"", "\"caf\xc3\xa9\""},
		{`w/"xyzzy"`, "-"},
		{`xyzzy`, "-"},
		{`"xyzzy`, "-"},
		{`"xy"zy"`, "-"},
		{`"a", "b"`, "-"},
		{`W/ "a"`, "-"},
		{``, "-"},
		{"\"a\x7fb\"", "-"},
	}
	for _, tt := range tests {
		e, ok := Parse(tt.in)
		got := "-"
		if ok {
			got = e.String()
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseList(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "*", the tags joined by " ", or "malformed"
	}{
		{"13.1.1 single", `"xyzzy"`, `"xyzzy"`},
		{"13.1.1 list", `"xyzzy", "r2d2xxxx", "c3piozzzz"`, `"xyzzy" "r2d2xxxx" "c3piozzzz"`},
		{"13.1.1 star", `*`, "*"},
		{"13.1.1 star with whitespace", " * ", "*"},
		{"13.1.2 weak list", `W/"xyzzy", W/"r2d2xxxx"`, `W/"xyzzy" W/"r2d2xxxx"`},
		{"5.6.1.2 empty elements ignored", `, "a",, "b" ,`, `"a" "b"`},
		{"5.6.1.2 no whitespace needed", `"a","b"`, `"a" "b"`},
		{"5.6.1.2 empty value is an empty list", ``, ``},
		{"13.1.1 star mixed with tags", `*, "a"`, "malformed"},
		{"13.1.1 two stars", `*, *`, "malformed"},
		{"8.8.3 unquoted", `a, "b"`, "malformed"},
		{"8.8.3 missing comma", `"a" "b"`, "malformed"},
		{"8.8.3 unterminated", `"a", "b`, "malformed"},
		{"8.8.3 lower-case weak", `w/"a"`, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tags, star, ok := ParseList(tt.in)
			var got string
			switch {
			case !ok:
				got = "malformed"
			case star:
				got = "*"
			default:
				var s []string
				for _, e := range tags {
					s = append(s, e.String())
				}
				got = strings.Join(s, " ")
			}
			if got != tt.want {
				t.Errorf("ParseList(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestComparison is the example table of RFC 9110 §8.8.3.2.
func TestComparison(t *testing.T) {
	tests := []struct {
		a, b         string
		strong, weak bool
	}{
		{`W/"1"`, `W/"1"`, false, true},
		{`W/"1"`, `W/"2"`, false, false},
		{`W/"1"`, `"1"`, false, true},
		{`"1"`, `"1"`, true, true},
	}
	for _, tt := range tests {
		a, _ := Parse(tt.a)
		b, _ := Parse(tt.b)
		name := fmt.Sprintf("8.8.3.2 %s vs %s", tt.a, tt.b)
		if got := StrongMatch(a, b); got != tt.strong {
			t.Errorf("%s: StrongMatch = %v, want %v", name, got, tt.strong)
		}
		if got := WeakMatch(a, b); got != tt.weak {
			t.Errorf("%s: WeakMatch = %v, want %v", name, got, tt.weak)
		}
		if StrongMatch(a, b) != StrongMatch(b, a) || WeakMatch(a, b) != WeakMatch(b, a) {
			t.Errorf("%s: comparison not symmetric", name)
		}
	}
}
