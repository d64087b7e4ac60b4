package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/cache"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/internal/netstore"
	"github.com/httpcheck/httpcheck/reference/internal/outagetest"
	"github.com/httpcheck/httpcheck/reference/session"
)

// TestStoreOutage: when the Redis or PostgreSQL behind the sessions and the
// cache goes away (its port closed, its connections dropped in the middle
// of requests, or its answers never coming), the endpoints that need it
// answer 503 with a JSON error within the store deadline, the cached view
// still renders, nothing panics; and once the store is back, everything
// works again with the data from before, without a restart.
func TestStoreOutage(t *testing.T) {
	outagetest.ForEach(t, func(t *testing.T, backend outagetest.Store) {
		t.Parallel()
		clk := &clock.Virtual{}
		store, err := session.Open(backend.URL, clk)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		caches, err := cache.OpenAliases(backend.URL, DefaultCacheAliases(), clk)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { caches.Close() })
		ts := httptest.NewServer(New(Options{Clock: clk, Sessions: store, SessionSettings: session.DefaultSettings(),
			SessionBackend: backend.Name, Caches: caches}))
		t.Cleanup(ts.Close)
		c := newOutageClient(t, ts)

		c.want(200, "POST", "/session/set", `{"key": "a", "value": 1}`)
		c.want(200, "POST", "/cache/default/set", `{"key": "k", "value": "v"}`)
		for _, cut := range backend.Cuts() {
			t.Run(cut.Name, func(t *testing.T) {
				c.t = t
				cut.Fail()
				c.want(503, "POST", "/session/set", `{"key": "a", "value": 2}`)
				c.want(503, "GET", "/session/get?key=a", "")
				c.want(503, "POST", "/session/login", `{"user": "alice"}`)
				c.want(503, "POST", "/cache/default/get", `{"key": "k"}`)
				c.want(503, "POST", "/cache/small/incr", `{"key": "n"}`)
				// The per-view cache degrades to rendering.
				c.want(200, "GET", "/views/cached?ttl=60&cut="+cut.Name, "")
				c.want(200, "GET", "/cookies/set?name=x&value=y", "") // needs no store

				backend.Proxy.Restore()
				if got := c.want(200, "GET", "/session/get?key=a", ""); string(got["value"]) != "1" {
					t.Errorf("after the outage: session value %s, want 1 (kept; the failed set changed nothing)", got["value"])
				}
				if got := c.want(200, "POST", "/cache/default/get", `{"key": "k"}`); string(got["value"]) != `"v"` {
					t.Errorf("after the outage: cache value %s, want \"v\"", got["value"])
				}
			})
		}
	})
}

// outageClient is a browser with a cookie jar that checks every answer's
// status, its JSON body and how long it took.
type outageClient struct {
	t      *testing.T
	ts     *httptest.Server
	client *http.Client
}

func newOutageClient(t *testing.T, ts *httptest.Server) *outageClient {
	jar, _ := cookiejar.New(nil)
	client := *ts.Client()
	client.Jar = jar
	return &outageClient{t: t, ts: ts, client: &client}
}

// deadline is what an answer may take while the store is away: two store
// operations (a session's load and save), each bounded by OpTimeout, and
// well within the harness's 10 s request timeout.
const deadline = 2*netstore.OpTimeout + time.Second

func (c *outageClient) want(status int, method, path, body string) map[string]json.RawMessage {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.ts.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := c.client.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if took := time.Since(start); took > deadline {
		c.t.Errorf("%s %s took %v, more than %v", method, path, took, deadline)
	}
	if resp.StatusCode != status {
		c.t.Errorf("%s %s: %d %s, want %d", method, path, resp.StatusCode, data, status)
	}
	var m map[string]json.RawMessage
	if strings.HasPrefix(path, "/views/") {
		return m
	}
	if err := json.Unmarshal(data, &m); err != nil || resp.Header.Get("Content-Type") != "application/json" {
		c.t.Errorf("%s %s: not a JSON answer: %s %q", method, path, resp.Header.Get("Content-Type"), data)
	}
	if status == 503 {
		var msg string
		if json.Unmarshal(m["error"], &msg) != nil || !strings.Contains(msg, "unavailable") {
			c.t.Errorf("%s %s: 503 without an error saying the store is unavailable: %s", method, path, data)
		}
	}
	return m
}
