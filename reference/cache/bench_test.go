package cache

import (
	"context"
	"encoding/json"
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
	b.Run("serial", func(b *testing.B) {
		c := openBench(b)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, found, err := c.Get(ctx, benchKeys[i%len(benchKeys)]); !found || err != nil {
				b.Fatal(found, err)
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
				if _, found, err := c.Get(ctx, benchKeys[i%len(benchKeys)]); !found || err != nil {
					b.Error(found, err)
					return
				}
				i++
			}
		})
	})
}

// BenchmarkMemorySet overwrites existing keys; "new" stores keys the
// cache does not hold, so a third of the entries are culled every 100
// sets.
func BenchmarkMemorySet(b *testing.B) {
	ctx := context.Background()
	v := json.RawMessage(`{"value":12345}`)
	b.Run("serial", func(b *testing.B) {
		c := openBench(b)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := c.Set(ctx, benchKeys[i%len(benchKeys)], v, Default()); err != nil {
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
				if err := c.Set(ctx, benchKeys[i%len(benchKeys)], v, Default()); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
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
