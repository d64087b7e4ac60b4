package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/internal/storetest"
)

var (
	loadDuration = flag.Duration("load.duration", 0, "run TestLoad for this long (0: skip it)")
	loadClients  = flag.Int("load.clients", 300, "concurrent clients of TestLoad")
	loadStore    = flag.String("load.store", "redis", "what the instances of TestLoad share: redis or postgres")
)

// TestDeploymentLoad is the load test of docs/benchmarks.md: three `httpcheck serve`
// processes on the wall clock sharing one Redis (or PostgreSQL) for their
// sessions, and -load.clients clients, each with its own session, each
// request sent to an instance picked at random. Every client writes a
// counter into its session and reads it back through another instance at
// random: a read that does not show the last acknowledged write is a lost
// write. It fails on any error or lost write, and reports requests/s and
// latency percentiles.
//
//	go test ./cmd/httpcheck -run '^TestDeploymentLoad$' -load.duration 20s -v
func TestDeploymentLoad(t *testing.T) {
	if *loadDuration <= 0 {
		t.Skip("a load test: run with -load.duration 20s (docs/benchmarks.md)")
	}
	var url string
	switch *loadStore {
	case "redis":
		url = storetest.Redis(t)
	case "postgres":
		url = storetest.Postgres(t)
	default:
		t.Fatalf("-load.store %q: want redis or postgres", *loadStore)
	}
	var instances []string
	for range 3 {
		instances = append(instances, serveWith(t, "--tls-addr", "", "--clock", "real", "--sessions", url, "--cache", url, "--sweep", "0"))
	}
	transport := &http.Transport{MaxIdleConns: 2 * *loadClients, MaxIdleConnsPerHost: *loadClients, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()

	var (
		requests, errors, lost atomic.Int64
		mu                     sync.Mutex
		latencies              []time.Duration
		problems               []string
	)
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 10 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	deadline := time.Now().Add(*loadDuration)
	var wg sync.WaitGroup
	for c := range *loadClients {
		wg.Go(func() {
			jar, _ := cookiejar.New(nil)
			client := &http.Client{Transport: transport, Jar: jar, Timeout: 10 * time.Second}
			var mine []time.Duration
			// do sends one request to a random instance and decodes the
			// answer; ok is false after an error, which it counts.
			do := func(method, path, body string, out any) bool {
				base := instances[rand.IntN(len(instances))]
				req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				start := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					var data []byte
					data, err = io.ReadAll(resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d: %s", resp.StatusCode, data)
					}
					if err == nil && out != nil {
						err = json.Unmarshal(data, out)
					}
				}
				mine = append(mine, time.Since(start))
				requests.Add(1)
				if err != nil {
					errors.Add(1)
					report("client %d: %s %s%s: %v", c, method, base, path, err)
					return false
				}
				return true
			}
			written := 0
			for n := 1; time.Now().Before(deadline); n++ {
				if !do("POST", "session/set", fmt.Sprintf(`{"key":"n","value":%d}`, n), nil) {
					continue
				}
				written = n
				var got struct {
					Found bool `json:"found"`
					Value int  `json:"value"`
				}
				if do("GET", "session/get?key=n", "", &got) && (!got.Found || got.Value != written) {
					lost.Add(1)
					report("client %d: wrote n = %d, then read found %v, n = %d", c, written, got.Found, got.Value)
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[int(float64(len(latencies)-1)*p)]
	}
	n := requests.Load()
	t.Logf("3 instances sharing %s, %d clients moving between them at random, %s: %d requests, %.0f requests/s, p50 %s, p99 %s, max %s; %d errors, %d lost session writes",
		*loadStore, *loadClients, *loadDuration, n, float64(n)/loadDuration.Seconds(),
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond),
		errors.Load(), lost.Load())
	if errors.Load() > 0 || lost.Load() > 0 {
		t.Errorf("%d errors and %d lost writes; the first:\n%s", errors.Load(), lost.Load(), strings.Join(problems, "\n"))
	}
}
