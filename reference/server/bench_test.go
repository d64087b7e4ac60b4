package server

import (
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/cache"
	"github.com/httpcheck/httpcheck/reference/clock"
)

// BenchmarkViews serves views/cached (every request after the first a hit
// of the per-view cache) and views/uncached from a reference server
// started with Start on loopback, with the memory cache, and sends GETs
// from b.RunParallel goroutines over keep-alive connections. Client and
// server share the machine, so the figures are a floor for the server
// alone. req/s is requests completed over wall time (b.N / elapsed), the
// same number as 1e9 / ns/op.
//
//	go test ./reference/server -run '^$' -bench Views -benchtime 5s -cpu 1,2
func BenchmarkViews(b *testing.B) {
	caches, err := cache.OpenAliases("memory", DefaultCacheAliases(), clock.Real{})
	if err != nil {
		b.Fatal(err)
	}
	defer caches.Close()
	inst, err := Start(New(Options{Caches: caches}), Listen{HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer inst.Close()
	for _, bc := range []struct{ name, path string }{
		{"cached-hit", "views/cached?ttl=3600&probe=bench"},
		{"uncached", "views/uncached?probe=bench"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			url := inst.HTTPURL + bc.path
			conns := 4 * runtime.GOMAXPROCS(0)
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
				MaxIdleConns: conns, MaxIdleConnsPerHost: conns, DisableCompression: true}}
			defer client.CloseIdleConnections()
			get := func() error {
				resp, err := client.Get(url)
				if err != nil {
					return err
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode != http.StatusOK {
					err = &statusError{resp.StatusCode}
				}
				return err
			}
			if err := get(); err != nil { // the miss that fills the cache
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := get(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			b.StopTimer()
			if bc.name == "cached-hit" {
				// Every request was a hit: the view ran once.
				resp, err := client.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				var body struct{ Renders int }
				json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if body.Renders != 1 {
					b.Fatalf("views/cached rendered %d times; the benchmark measured misses", body.Renders)
				}
			}
		})
	}
}

type statusError struct{ code int }

func (e *statusError) Error() string { return http.StatusText(e.code) }
