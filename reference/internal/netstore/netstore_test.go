package netstore

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestSortableTime: string order is time order over the whole int64 range,
// and the text reads back.
func TestSortableTime(t *testing.T) {
	times := []int64{math.MinInt64, -1e18, -1, 0, 1, 999, 1000, 1767312245000000000, 1767312245000000001, math.MaxInt64 - 1, math.MaxInt64}
	for i, n := range times {
		s := SortableTime(n)
		if len(s) != SortableTimeLen {
			t.Errorf("SortableTime(%d) = %q: %d characters", n, s, len(s))
		}
		if back, err := ParseSortableTime(s); err != nil || back != n {
			t.Errorf("ParseSortableTime(%q) = %d, %v; want %d", s, back, err, n)
		}
		if i > 0 && !(SortableTime(times[i-1]) < s) {
			t.Errorf("SortableTime(%d) = %q sorts before SortableTime(%d) = %q", n, s, times[i-1], SortableTime(times[i-1]))
		}
	}
	for _, bad := range []string{"", "123", "1234567890123456789a", "99999999999999999999"} {
		if _, err := ParseSortableTime(bad); err == nil {
			t.Errorf("ParseSortableTime(%q) accepted", bad)
		}
	}
}

func TestTTL(t *testing.T) {
	now := int64(1767312245000000000)
	for _, tc := range []struct {
		expiry int64
		want   int64
	}{
		{now - 1, 1}, // already expired: gone at once
		{now, 1},     // expired at its expiry
		{now + 1, 1}, // 1 ns: rounded up to 1 ms
		{now + int64(time.Millisecond), 1},
		{now + int64(time.Millisecond) + 1, 2},
		{now + int64(90*time.Second), 90000},
		{now + int64(maxTTL), int64(maxTTL / time.Millisecond)},
		{now + int64(maxTTL) + 1, 0}, // beyond 100 years: no TTL
		{math.MaxInt64, 0},
	} {
		if got := TTL(tc.expiry, now); got != tc.want {
			t.Errorf("TTL(now%+d) = %d, want %d", tc.expiry-now, got, tc.want)
		}
	}
}

func TestRedisOptions(t *testing.T) {
	opt, prefix, err := RedisOptions("redis://:pw@127.0.0.1:6380/3?prefix=shop-1")
	if err != nil {
		t.Fatal(err)
	}
	if prefix != "shop-1" || opt.Addr != "127.0.0.1:6380" || opt.DB != 3 || opt.Password != "pw" {
		t.Errorf("prefix %q, addr %q, db %d, password %q", prefix, opt.Addr, opt.DB, opt.Password)
	}
	if opt.DialTimeout != DialTimeout || opt.ReadTimeout != IOTimeout || opt.WriteTimeout != IOTimeout ||
		opt.MaxRetries != -1 || !opt.ContextTimeoutEnabled {
		t.Errorf("timeouts %v/%v/%v, retries %d, context timeouts %v", opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout, opt.MaxRetries, opt.ContextTimeoutEnabled)
	}
	opt, prefix, err = RedisOptions("redis://127.0.0.1:6379/0?dial_timeout=5s&max_retries=2")
	if err != nil || prefix != DefaultRedisPrefix || opt.DialTimeout != 5*time.Second || opt.MaxRetries != 2 {
		t.Errorf("URL options: prefix %q, dial %v, retries %d, %v", prefix, opt.DialTimeout, opt.MaxRetries, err)
	}
	for _, tc := range []struct{ url, says string }{
		{"redis://h:1/0?prefix=", "prefix"},
		{"redis://h:1/0?prefix=a%20b", "prefix"},
		{"redis://h:1/0?prefix=%7Bx%7D", "prefix"},
		{"redis://h:1/0?nonsense=1", "unexpected option"},
		{"redis://:secret@h:port/0", "malformed URL"},
		{"http://h:1/0", "scheme"},
	} {
		_, _, err := RedisOptions(tc.url)
		if err == nil || !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), "secret") {
			t.Errorf("RedisOptions(%q) = %v, want an error saying %q", tc.url, err, tc.says)
		}
	}
}

func TestLockID(t *testing.T) {
	if LockID("a.httpcheck_cache") != LockID("a.httpcheck_cache") || LockID("a.t") == LockID("b.t") {
		t.Error("LockID is not a stable hash")
	}
}

// TestSharedByURL: one value per URL, closed by the last release and only
// once, and opened afresh after that.
func TestSharedByURL(t *testing.T) {
	s := newSharedByURL[int]()
	opened, closed := 0, 0
	open := func() (*int, error) { opened++; n := opened; return &n, nil }
	closeIt := func() error { closed++; return nil }
	a, _ := s.acquire("u", open)
	b, _ := s.acquire("u", open)
	if a != b || opened != 1 {
		t.Fatalf("two acquires of one URL: %p, %p, %d opened", a, b, opened)
	}
	s.release("u", a, closeIt)
	if closed != 0 {
		t.Error("closed while still in use")
	}
	s.release("u", b, closeIt)
	s.release("u", b, closeIt)
	if closed != 1 {
		t.Errorf("closed %d times, want 1", closed)
	}
	if c, _ := s.acquire("u", open); c == a || opened != 2 {
		t.Errorf("after the last release: the old value again, or not opened afresh (%d opened)", opened)
	}
}
