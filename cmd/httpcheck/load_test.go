package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestSessionsUnderLoad: 200 concurrent clients, each writing and reading
// its own session for 10 s against `httpcheck serve` with SQLite on
// loopback. Every request must succeed, every read must return exactly the
// value that client wrote last, and no two clients may share a key. There
// is no timing assertion beyond generous deadlines.
func TestSessionsUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("10 s of load")
	}
	const (
		clients  = 200
		duration = 10 * time.Second
	)
	srv := startServe(t, "--sessions", "sqlite:"+filepath.Join(t.TempDir(), "sessions.sqlite3"))
	transport := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	c := &http.Client{Transport: transport, Timeout: time.Minute}

	type outcome struct {
		key    string
		rounds int
		errs   []string
	}
	outcomes := make([]outcome, clients)
	start := time.Now()
	deadline := start.Add(duration)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			o := &outcomes[i]
			fail := func(format string, args ...any) { o.errs = append(o.errs, fmt.Sprintf(format, args...)) }
			type mine struct {
				Client int `json:"client"`
				Round  int `json:"round"`
			}
			for round := 1; time.Now().Before(deadline); round++ {
				want := mine{Client: i, Round: round}
				status, _, set, err := sessionRequest(c, srv.URL, "POST", "session/set", o.key, map[string]any{"key": "mine", "value": want})
				if err != nil || status != http.StatusOK {
					fail("round %d: session/set: status %d, %v", round, status, err)
					return
				}
				switch {
				case o.key == "" && set == "":
					fail("round %d: the first session/set set no session cookie", round)
					return
				case o.key == "":
					o.key = set
				case set != "" && set != o.key:
					fail("round %d: the session key changed from %s to %s", round, o.key, set)
					return
				}
				status, body, _, err := sessionRequest(c, srv.URL, "GET", "session/get?key=mine", o.key, nil)
				if err != nil || status != http.StatusOK {
					fail("round %d: session/get: status %d, %v", round, status, err)
					return
				}
				var got mine
				if err := json.Unmarshal(body["value"], &got); err != nil || got != want {
					fail("round %d: read back %s, want %+v (lost or crossed)", round, body["value"], want)
					return
				}
				o.rounds = round
			}
			status, body, _, err := sessionRequest(c, srv.URL, "GET", "session/all", o.key, nil)
			var all struct {
				Data map[string]mine `json:"data"`
			}
			if err == nil {
				err = json.Unmarshal(body["data"], &all.Data)
			}
			if err != nil || status != http.StatusOK || len(all.Data) != 1 || all.Data["mine"] != (mine{Client: i, Round: o.rounds}) {
				fail("session/all at the end: status %d, %v, %s", status, err, body["data"])
			}
		})
	}
	wg.Wait()
	took := time.Since(start)

	keys := map[string]int{}
	rounds, failed := 0, 0
	for i, o := range outcomes {
		rounds += o.rounds
		for _, e := range o.errs {
			if failed++; failed <= 10 {
				t.Errorf("client %d: %s", i, e)
			}
		}
		if o.key == "" {
			continue
		}
		if other, dup := keys[o.key]; dup {
			t.Errorf("clients %d and %d share the session key %s", other, i, o.key)
		}
		keys[o.key] = i
	}
	if failed > 10 {
		t.Errorf("... %d errors in all", failed)
	}
	t.Logf("%d clients, %d write-and-read rounds (%d requests) in %s: %.0f requests/s, %d errors",
		clients, rounds, 2*rounds+clients, took.Round(time.Millisecond), float64(2*rounds+clients)/took.Seconds(), failed)
}
