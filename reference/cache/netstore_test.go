package cache

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/internal/storetest"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/internal/netstore"
	"github.com/httpcheck/httpcheck/reference/internal/outagetest"
)

// Tests of the Redis and PostgreSQL backends beyond the contract of
// contract_test.go: what each keeps in its server, several instances
// sharing one server, and a server that goes away.

// TestRedisTTL: entries carry a Redis TTL equal to their lifetime on the
// cache's clock; Touch and Incr keep it in step.
func TestRedisTTL(t *testing.T) {
	url := storetest.Redis(t)
	rdb := storetest.RedisClient(t)
	ctx := context.Background()
	clk := clock.NewManual(tNow)
	c, err := Open(url, DefaultOptions(), clk)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := c.(*cache).s.(*redisStore)
	pttl := func(k string) time.Duration { return rdb.PTTL(ctx, s.entryKey(k)).Val() }

	c.Set(ctx, "a", json.RawMessage("1"), Seconds(90))
	c.Set(ctx, "n", json.RawMessage("1"), Never())
	if d := pttl("a"); d <= 89*time.Second || d > 90*time.Second {
		t.Errorf("TTL after set 90 = %v", d)
	}
	if d := pttl("n"); d != -1 {
		t.Errorf("TTL of a never-expiring entry = %v, want none (-1)", d)
	}
	clk.Advance(30 * time.Second)
	c.Incr(ctx, "a", 1)
	if d := pttl("a"); d <= 88*time.Second || d > 90*time.Second {
		t.Errorf("TTL after incr = %v, want it kept", d)
	}
	c.Touch(ctx, "a", Seconds(10))
	if d := pttl("a"); d <= 9*time.Second || d > 10*time.Second {
		t.Errorf("TTL after touch 10 = %v", d)
	}
	c.Touch(ctx, "a", Never())
	if d := pttl("a"); d != -1 {
		t.Errorf("TTL after touch never = %v, want none", d)
	}

	// On the wall clock, Redis itself removes the entry; the index member
	// left behind is an expired entry: not counted, swept by a cull.
	o := DefaultOptions()
	o.MaxEntries = 2
	real, err := Open(url+"&x=1", o, clock.Real{})
	if err == nil {
		real.Close()
		t.Fatal("an unknown URL option was accepted")
	}
	real, err = Open(url, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer real.Close()
	real.Clear(ctx)
	real.Set(ctx, "short", json.RawMessage("1"), Seconds(1))
	real.Set(ctx, "long", json.RawMessage("2"), Seconds(100))
	time.Sleep(1100 * time.Millisecond)
	if n := rdb.Exists(ctx, s.entryKey("short")).Val(); n != 0 {
		t.Error("an entry past its TTL is still in Redis")
	}
	if n, _ := real.Len(ctx); n != 1 {
		t.Errorf("Len = %d, want 1", n)
	}
	real.Set(ctx, "new", json.RawMessage("3"), Seconds(100))
	if got := runStep(t, real, "get_many short,long,new"); got != `{"long":2,"new":3}` {
		t.Errorf("after a cull: %s; want the expired entry swept, nothing fresh culled", got)
	}
}

// TestIncrValues: Incr reads the same integers in every backend, whatever
// JSON whitespace surrounds them, and refuses the same values.
func TestIncrValues(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		c, _ := openTest(t, b, DefaultOptions())
		ctx := context.Background()
		for _, tc := range []struct {
			value string
			delta int64
			want  string
		}{
			{" 5 ", 1, "6"},
			{"\n-0\t", -1, "-1"},
			{"0", -9223372036854775808, "-9223372036854775808"},
			{"-9223372036854775808", -1, "ErrNotInteger"},
			{"9223372036854775808", 0, "ErrNotInteger"},
			{"1e3", 1, "ErrNotInteger"},
			{`"7"`, 1, "ErrNotInteger"},
			{"true", 1, "ErrNotInteger"},
		} {
			if err := c.Set(ctx, "k", json.RawMessage(tc.value), Default()); err != nil {
				t.Fatal(err)
			}
			n, err := c.Incr(ctx, "k", tc.delta)
			got := strconv.FormatInt(n, 10)
			if errors.Is(err, ErrNotInteger) {
				got = "ErrNotInteger"
			} else if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("incr %q by %d = %s, want %s", tc.value, tc.delta, got, tc.want)
			}
		}
	})
}

// TestEmptyLists: get_many, delete_many and set_many of nothing answer
// nothing, in every backend.
func TestEmptyLists(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		c, _ := openTest(t, b, DefaultOptions())
		ctx := context.Background()
		if got, err := c.GetMany(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("GetMany(none) = %v, %v", got, err)
		}
		if n, err := c.DeleteMany(ctx, []string{}); err != nil || n != 0 {
			t.Errorf("DeleteMany(none) = %d, %v", n, err)
		}
		if failed, err := c.SetMany(ctx, map[string]json.RawMessage{}, Default()); err != nil || len(failed) != 0 {
			t.Errorf("SetMany(none) = %v, %v", failed, err)
		}
	})
}

// TestSharedCacheInstances: caches opened separately on one Redis or
// PostgreSQL (as several instances of a deployment do) share entries, and
// Add, GetOrSet and Incr stay atomic across them.
func TestSharedCacheInstances(t *testing.T) {
	for _, b := range testBackends[3:] {
		t.Run(b.name, func(t *testing.T) {
			url := b.url(t)
			ctx := context.Background()
			clk := clock.NewManual(tNow)
			var caches []Cache
			for i := range 3 {
				// A client name of its own makes each a client of its own
				// (netstore shares clients by URL), as in separate processes.
				param := "application_name"
				if b.name == "redis" {
					param = "client_name"
				}
				c, err := Open(url+"&"+param+"=instance"+strconv.Itoa(i), DefaultOptions(), clk)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				caches = append(caches, c)
			}
			caches[0].Set(ctx, "n", json.RawMessage("0"), Seconds(60))
			var wg sync.WaitGroup
			var mu sync.Mutex
			adds, firsts := 0, map[string]bool{}
			for i := range 60 {
				c := caches[i%3]
				wg.Go(func() {
					if _, err := c.Incr(ctx, "n", 1); err != nil {
						t.Error(err)
					}
					added, err := c.Add(ctx, "once", json.RawMessage(strconv.Itoa(i)), Default())
					v, err2 := c.GetOrSet(ctx, "first", json.RawMessage(strconv.Itoa(i)), Default())
					if err != nil || err2 != nil {
						t.Error(err, err2)
					}
					mu.Lock()
					defer mu.Unlock()
					if added {
						adds++
					}
					firsts[string(v)] = true
				})
			}
			wg.Wait()
			if v, _, _ := caches[1].Get(ctx, "n"); string(v) != "60" {
				t.Errorf("after 60 incr across 3 instances: %s", v)
			}
			if adds != 1 || len(firsts) != 1 {
				t.Errorf("%d adds succeeded, get_or_set answered %d values; want 1 and 1", adds, len(firsts))
			}
			if ok, _ := caches[2].Delete(ctx, "n"); !ok {
				t.Error("delete through a third instance missed")
			}
			if _, found, _ := caches[0].Get(ctx, "n"); found {
				t.Error("deleted through one instance, still found through another")
			}
			clk.Advance(300 * time.Second)
			if n, _ := caches[0].Len(ctx); n != 0 {
				t.Errorf("Len after every entry expired = %d", n)
			}
		})
	}
}

// TestUnreachable: a cache whose server goes away answers ErrUnavailable
// within netstore.OpTimeout, and works again once it is back.
func TestUnreachable(t *testing.T) {
	outagetest.ForEach(t, func(t *testing.T, store outagetest.Store) {
		ctx := context.Background()
		c, err := Open(store.URL, DefaultOptions(), clock.NewManual(tNow))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Set(ctx, "k", json.RawMessage("1"), Default()); err != nil {
			t.Fatal(err)
		}
		for _, cut := range store.Cuts() {
			cut.Fail()
			start := time.Now()
			if _, _, err := c.Get(ctx, "k"); !errors.Is(err, ErrUnavailable) {
				t.Errorf("%s: Get = %v, want ErrUnavailable", cut.Name, err)
			}
			if _, err := c.Incr(ctx, "k", 1); !errors.Is(err, ErrUnavailable) {
				t.Errorf("%s: Incr = %v, want ErrUnavailable", cut.Name, err)
			}
			if took := time.Since(start); took > 2*netstore.OpTimeout+time.Second {
				t.Errorf("%s: two operations took %v, want each within %v", cut.Name, took, netstore.OpTimeout)
			}
			store.Proxy.Restore()
			if v, found, err := c.Get(ctx, "k"); err != nil || !found || string(v) != "1" {
				t.Errorf("%s, then restored: Get = %s, %v, %v", cut.Name, v, found, err)
			}
		}
	})
}
