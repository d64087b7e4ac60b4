package gocache_test

import (
	"errors"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/examples/go/httpcheckcontract"
	"github.com/httpcheck/httpcheck/examples/go/httpcheckcontract/gocache"
)

func TestCache(t *testing.T) {
	c := gocache.New(time.Minute, time.Minute)
	if s := c.Settings(); s.Timeout != time.Minute || s.MaxEntries != 0 {
		t.Errorf("settings %+v", s)
	}
	if _, err := c.Incr("absent", 1); !errors.Is(err, httpcheckcontract.ErrNotFound) {
		t.Errorf("incr of an absent key: %v, want ErrNotFound", err)
	}
	if _, found := c.Get("absent"); found {
		t.Error("incr created the key")
	}
	c.Set("word", "abc", httpcheckcontract.DefaultTTL)
	if _, err := c.Incr("word", 1); !errors.Is(err, httpcheckcontract.ErrNotInteger) {
		t.Errorf("incr of a string: %v, want ErrNotInteger", err)
	}
	c.Set("n", int64(5), httpcheckcontract.NoExpiry)
	if n, err := c.Incr("n", -7); err != nil || n != -2 {
		t.Errorf("incr -7 of 5: %d %v", n, err)
	}
	if c.Add("n", int64(1), httpcheckcontract.DefaultTTL) {
		t.Error("add of a present key added")
	}
	if !c.Delete("n") || c.Delete("n") {
		t.Error("delete does not say whether the key was there")
	}
	c.Set("short", 1, 20*time.Millisecond)
	if !c.Touch("short", time.Minute) || c.Touch("absent", time.Minute) {
		t.Error("touch does not say whether the key was there")
	}
	c.Set("gone", 1, 10*time.Millisecond)
	time.Sleep(30 * time.Millisecond)
	if _, found := c.Get("short"); !found {
		t.Error("touch did not extend the entry")
	}
	if _, found := c.Get("gone"); found {
		t.Error("an expired entry is found")
	}
	if !c.Add("gone", 2, httpcheckcontract.DefaultTTL) {
		t.Error("add of an expired key did not add")
	}
	c.Clear()
	if _, found := c.Get("short"); found {
		t.Error("clear left an entry")
	}
}

// go-cache's IncrementInt64 wraps around past 2^63-1
// (docs/frameworks/go.md, cache/incr/no-wraparound).
func TestIncrWrapsAround(t *testing.T) {
	c := gocache.New(time.Minute, time.Minute)
	c.Set("max", int64(1<<63-1), httpcheckcontract.NoExpiry)
	if n, err := c.Incr("max", 1); err != nil || n != -1<<63 {
		t.Errorf("incr of 2^63-1: %d %v; go-cache used to wrap around: update docs/frameworks/go.md", n, err)
	}
}
