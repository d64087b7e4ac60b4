package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeSurvivesSIGKILL: `httpcheck serve` with SQLite sessions and the
// file cache is killed with SIGKILL while 50 clients write, then started
// again on the same files, several times over. After every restart each
// write the server acknowledged (a 200) is readable: the session holds the
// last acknowledged value, or the one that was in flight when the server
// died, and never an older one; so does every cache key. No cache value is
// ever served torn: each value carries its own check (a sequence number and
// a padding that repeats it), and every value read must pass it.
func TestServeSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("crash rounds take a while")
	}
	const (
		clients       = 50
		keysPerClient = 4 // 200 cache keys: under the alias's 300, so no culling
		rounds        = 6
		padBytes      = 48 << 10 // values of about 48 kB: a torn write would show
	)
	dir := t.TempDir()
	args := []string{"--sessions", "sqlite:" + filepath.Join(dir, "sessions.sqlite3"), "--cache", "file:" + filepath.Join(dir, "cache")}
	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	c := &http.Client{Transport: transport, Timeout: 10 * time.Second}

	type state struct {
		session string // the session key (cookie value)
		// For the session's "n" and each cache key: the last value
		// acknowledged, and the one in flight when the server died
		// (-1: none).
		ackSession, flightSession int
		ackCache, flightCache     [keysPerClient]int
		seq                       int
	}
	states := make([]*state, clients)
	for i := range states {
		s := &state{ackSession: -1, flightSession: -1}
		for k := range s.ackCache {
			s.ackCache[k], s.flightCache[k] = -1, -1
		}
		states[i] = s
	}
	cacheKey := func(client, k int) string { return fmt.Sprintf("crash-%d-%d", client, k) }
	value := func(seq int) map[string]any {
		return map[string]any{"seq": seq, "pad": strings.Repeat(string(rune('a'+seq%26)), padBytes)}
	}
	// checkValue reads a cache value and says whether it is whole.
	checkValue := func(raw json.RawMessage) (int, error) {
		var v struct {
			Seq int    `json:"seq"`
			Pad string `json:"pad"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return 0, fmt.Errorf("a value that is not JSON (%d bytes): torn", len(raw))
		}
		if v.Pad != strings.Repeat(string(rune('a'+v.Seq%26)), padBytes) {
			return 0, fmt.Errorf("value %d does not match its padding: torn", v.Seq)
		}
		return v.Seq, nil
	}
	acked, reads := 0, 0
	for round := 1; round <= rounds; round++ {
		srv := startServe(t, args...)

		// Verify what the rounds before left: every acknowledged write.
		if round > 1 {
			for i, s := range states {
				if s.session != "" {
					status, body, _, err := sessionRequest(c, srv.URL, "GET", "session/get?key=n", s.session, nil)
					if err != nil || status != http.StatusOK {
						t.Fatalf("round %d: client %d: session/get: %d, %v", round, i, status, err)
					}
					var n int
					json.Unmarshal(body["value"], &n)
					if string(body["found"]) != "true" || n != s.ackSession && n != s.flightSession {
						t.Fatalf("round %d: client %d's session reads %s %s; acknowledged %d, in flight %d", round, i, body["found"], body["value"], s.ackSession, s.flightSession)
					}
					s.ackSession, s.flightSession = n, -1
					reads++
				}
				for k := range keysPerClient {
					if s.ackCache[k] < 0 {
						continue
					}
					status, body, err := cacheRequest(c, srv.URL, "get", map[string]any{"key": cacheKey(i, k)})
					if err != nil || status != http.StatusOK {
						t.Fatalf("round %d: cache get: %d, %v", round, status, err)
					}
					if string(body["found"]) != "true" {
						t.Fatalf("round %d: cache key %s is gone; %d was acknowledged", round, cacheKey(i, k), s.ackCache[k])
					}
					seq, err := checkValue(body["value"])
					if err != nil {
						t.Fatalf("round %d: cache key %s: %v", round, cacheKey(i, k), err)
					}
					if seq != s.ackCache[k] && seq != s.flightCache[k] {
						t.Fatalf("round %d: cache key %s holds %d; acknowledged %d, in flight %d", round, cacheKey(i, k), seq, s.ackCache[k], s.flightCache[k])
					}
					s.ackCache[k], s.flightCache[k] = seq, -1
					reads++
				}
			}
		}

		// Write until the server dies: each client alternates a session
		// write and a cache write, one at a time, and records what was
		// acknowledged and what is in flight.
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i, s := range states {
			wg.Go(func() {
				for {
					s.seq++
					seq := s.seq
					s.flightSession = seq
					status, _, set, err := sessionRequest(c, srv.URL, "POST", "session/set", s.session, map[string]any{"key": "n", "value": seq})
					if err != nil {
						return // the server died: seq stays in flight
					}
					if status != http.StatusOK {
						t.Errorf("round %d: client %d: session/set answered %d", round, i, status)
						return
					}
					if set != "" {
						s.session = set
					}
					s.ackSession, s.flightSession = seq, -1
					mu.Lock()
					acked++
					mu.Unlock()
					k := seq % keysPerClient
					s.flightCache[k] = seq
					status, _, err = cacheRequest(c, srv.URL, "set", map[string]any{"key": cacheKey(i, k), "value": value(seq), "timeout": nil})
					if err != nil {
						return
					}
					if status != http.StatusOK {
						t.Errorf("round %d: client %d: cache set answered %d", round, i, status)
						return
					}
					s.ackCache[k], s.flightCache[k] = seq, -1
					mu.Lock()
					acked++
					mu.Unlock()
				}
			})
		}
		time.Sleep(time.Duration(300+rand.IntN(700)) * time.Millisecond)
		srv.stop() // SIGKILL: no shutdown, no Close of the stores
		wg.Wait()
		transport.CloseIdleConnections()
		if t.Failed() {
			return
		}
	}
	// One last start to read what the last round left.
	srv := startServe(t, args...)
	for i, s := range states {
		for k := range keysPerClient {
			if s.ackCache[k] < 0 {
				continue
			}
			status, body, err := cacheRequest(c, srv.URL, "get", map[string]any{"key": cacheKey(i, k)})
			if err != nil || status != http.StatusOK || string(body["found"]) != "true" {
				t.Fatalf("after the last crash: cache key %s: %d, found %s, %v", cacheKey(i, k), status, body["found"], err)
			}
			if seq, err := checkValue(body["value"]); err != nil || seq != s.ackCache[k] && seq != s.flightCache[k] {
				t.Fatalf("after the last crash: cache key %s holds %d (%v); acknowledged %d", cacheKey(i, k), seq, err, s.ackCache[k])
			}
			reads++
		}
	}
	t.Logf("%d crash rounds (SIGKILL) with %d clients: %d acknowledged writes, %d reads after restarts, none lost or torn", rounds, clients, acked, reads)
}

// cacheRequest sends POST cache/default/{op} with a JSON body.
func cacheRequest(c *http.Client, base, op string, body any) (int, map[string]json.RawMessage, error) {
	b, _ := json.Marshal(body)
	resp, err := c.Post(strings.TrimSuffix(base, "/")+"/cache/default/"+op, "application/json", bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("cache %s answered %d with non-JSON %.100q", op, resp.StatusCode, data)
	}
	return resp.StatusCode, m, nil
}
