package cache

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// benchKeys are the keys the benchmarks use: as many as the cache holds,
// so that Set overwrites and never culls, and Get always hits.
var benchKeys = func() []string {
	keys := make([]string, defaultMaxEntries)
	for i := range keys {
		keys[i] = "bench:" + strconv.Itoa(i)
	}
	return keys
}()

func openBench(b *testing.B) Cache {
	b.Helper()
	c, err := Open("memory", DefaultOptions(), clock.NewManual(tNow))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	ctx := context.Background()
	for _, k := range benchKeys {
		if err := c.Set(ctx, k, json.RawMessage(`{"value":12345}`), Default()); err != nil {
			b.Fatal(err)
		}
	}
	return c
}

// BenchmarkMemoryGet: serial, and parallel (run with -cpu 1,2 to see
// contention on the cache's mutex).
func BenchmarkMemoryGet(b *testing.B) {
	ctx := context.Background()
	benchOnKeys(b, func(c Cache, key string) error {
		if _, found, err := c.Get(ctx, key); !found || err != nil {
			return fmt.Errorf("found %v, %v", found, err)
		}
		return nil
	})
}

// BenchmarkMemorySet overwrites existing keys; "new" stores keys the
// cache does not hold, so a third of the entries are culled every 100
// sets.
func BenchmarkMemorySet(b *testing.B) {
	ctx := context.Background()
	v := json.RawMessage(`{"value":12345}`)
	benchOnKeys(b, func(c Cache, key string) error { return c.Set(ctx, key, v, Default()) })
	b.Run("new", func(b *testing.B) {
		c := openBench(b)
		keys := make([]string, 4096)
		for i := range keys {
			keys[i] = "new:" + strconv.Itoa(i)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := c.Set(ctx, keys[i%len(keys)], v, Default()); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// benchOnKeys runs op on benchKeys in turn as two benchmarks: "serial",
// and "parallel", from b.RunParallel's goroutines, each starting at
// another key.
func benchOnKeys(b *testing.B, op func(c Cache, key string) error) {
	b.Run("serial", func(b *testing.B) {
		c := openBench(b)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := op(c, benchKeys[i%len(benchKeys)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		c := openBench(b)
		b.ReportAllocs()
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			i := int(next.Add(97))
			for pb.Next() {
				if err := op(c, benchKeys[i%len(benchKeys)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}
