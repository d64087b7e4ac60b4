package cache

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestValidateKey(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want string // "" for valid, else a word from the reason
	}{
		{"a", ""},
		{"views.cache_page.GET.abc", ""},
		{"ünïcödé", ""},
		{strings.Repeat("k", 250), ""},
		{strings.Repeat("é", 125), ""}, // 250 bytes
		{"", "empty"},
		{strings.Repeat("k", 251), "251 bytes"},
		{strings.Repeat("é", 126), "252 bytes"}, // 126 characters, as Django would count
		{"a b", "a space"},
		{"a\tb", "control character"},
		{"\x00", "control character"},
		{"\x1f", "control character"},
		{"\x7f", "control character"},
		{"\xff", "UTF-8"},
	} {
		err := ValidateKey(tc.key)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("ValidateKey(%.20q) = %v, want nil", tc.key, err)
		case tc.want != "" && !errors.Is(err, ErrBadKey):
			t.Errorf("ValidateKey(%.20q) = %v, want ErrBadKey", tc.key, err)
		case tc.want != "" && !strings.Contains(err.Error(), tc.want):
			t.Errorf("ValidateKey(%.20q) = %v, want it to say %q", tc.key, err, tc.want)
		}
	}
	if err := ValidateKey(strings.Repeat("x", 10000)); len(err.Error()) > 200 {
		t.Errorf("error for a 10 kB key is %d bytes long", len(err.Error()))
	}
}

func TestParseTimeout(t *testing.T) {
	for _, tc := range []struct {
		raw     string
		present bool
		want    Timeout
		err     bool
	}{
		{"", false, Default(), false},
		{"300", true, Seconds(300), false},
		{" 300 ", true, Seconds(300), false},
		{"null", true, Never(), false},
		{"0", true, Seconds(0), false},
		{"-5", true, Seconds(-5), false},
		{"3e2", true, Seconds(300), false},
		{"300.0", true, Seconds(300), false},
		{"1e400", true, Seconds(math.MaxInt64), false},
		{"99999999999999999999", true, Seconds(math.MaxInt64), false},
		{"-99999999999999999999", true, Seconds(math.MinInt64), false},
		{"1.5", true, Timeout{}, true},
		{`"300"`, true, Timeout{}, true},
		{"true", true, Timeout{}, true},
		{"{}", true, Timeout{}, true},
		{"", true, Timeout{}, true},
		{"30 0", true, Timeout{}, true},
	} {
		got, err := ParseTimeout(json.RawMessage(tc.raw), tc.present)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseTimeout(%q, %v) = %v, %v; want %v, error %v", tc.raw, tc.present, got, err, tc.want, tc.err)
		}
	}
}

func TestTimeoutString(t *testing.T) {
	for _, tc := range []struct {
		t    Timeout
		want string
	}{{Default(), "default"}, {Never(), "never"}, {Seconds(300), "300s"}, {Seconds(-1), "-1s"}, {Timeout{}, "default"}} {
		if got := tc.t.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.t, got, tc.want)
		}
	}
}

// TestExpiresAt covers the arithmetic at its edges: clamping far futures
// below neverExpires.
func TestExpiresAt(t *testing.T) {
	def := Seconds(300)
	now := tNow.UnixNano()
	for _, tc := range []struct {
		t     Timeout
		at    int64
		fresh bool
	}{
		{Default(), now + 300e9, true},
		{Never(), neverExpires, true},
		{Seconds(1), now + 1e9, true},
		{Seconds(0), now, false},
		{Seconds(-1), now, false},
		{Seconds(math.MaxInt64), neverExpires - 1, true},
		{Seconds(math.MaxInt64/int64(time.Second) - 1), neverExpires - 1, true},
	} {
		at, fresh := expiresAt(tc.t, def, now)
		if at != tc.at || fresh != tc.fresh {
			t.Errorf("expiresAt(%v) = %d, %v; want %d, %v", tc.t, at, fresh, tc.at, tc.fresh)
		}
	}
}

func TestCullCount(t *testing.T) {
	for _, tc := range []struct{ count, max, freq, want int }{
		{300, 300, 3, 100},
		{3, 3, 3, 1},
		{2, 2, 3, 1}, // Django: 0
		{5, 3, 3, 3}, // over the limit already (MaxEntries lowered)
		{10, 3, 0, 10},
		{1, 1, 1, 1},
	} {
		if got := cullCount(tc.count, tc.max, tc.freq); got != tc.want {
			t.Errorf("cullCount(%d, %d, %d) = %d, want %d", tc.count, tc.max, tc.freq, got, tc.want)
		}
	}
}
