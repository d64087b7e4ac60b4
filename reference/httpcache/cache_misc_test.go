package httpcache

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// TestBodySizeCap: a body larger than the cap is passed through whole and
// not stored.
func TestBodySizeCap(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Cache-Control", "max-age=60")
		io.WriteString(w, strings.TrimPrefix(r.URL.Path, "/"))
	}))
	defer srv.Close()
	c := New(Options{Transport: srv.Client().Transport, Clock: clock.NewManual(tNow)})
	c.maxBodySize = 10

	for i, path := range []string{"/0123456789", "/0123456789", "/0123456789a", "/0123456789a"} {
		resp, src, err := c.Do(mustRequest(t, "GET", srv.URL+path))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != path[1:] {
			t.Errorf("request %d: body %q, want %q", i, body, path[1:])
		}
		want := []Source{SourceNetwork, SourceCache, SourceNetwork, SourceNetwork}[i]
		if src != want {
			t.Errorf("request %d (%d-byte body): source %s, want %s", i, len(body), src, want)
		}
	}
	if hits.Load() != 3 || c.Len() != 1 {
		t.Errorf("origin hits %d, stored %d; want 3, 1", hits.Load(), c.Len())
	}
}

// TestRoundTripper: the cache works as an http.Client's transport, and
// Clear empties it.
func TestRoundTripper(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Cache-Control", "max-age=60")
		io.WriteString(w, "hello")
	}))
	defer srv.Close()
	c := New(Options{Transport: srv.Client().Transport, Clock: clock.NewManual(tNow)})
	client := &http.Client{Transport: c}
	get := func() string {
		resp, err := client.Get(srv.URL + "/x")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if get() != "hello" || get() != "hello" || hits.Load() != 1 || c.Len() != 1 {
		t.Fatalf("hits %d, len %d; want 1, 1", hits.Load(), c.Len())
	}
	c.Clear()
	if c.Len() != 0 || get() != "hello" || hits.Load() != 2 {
		t.Fatalf("after Clear: hits %d, len %d; want 2, 1", hits.Load(), c.Len())
	}
}

// TestDefaults: New fills in the wall clock and http.DefaultTransport.
func TestDefaults(t *testing.T) {
	c := New(Options{})
	if c.transport != http.DefaultTransport || c.clock == nil {
		t.Errorf("defaults not applied: %+v", c)
	}
}

// TestConcurrentUse runs many clients against shared and distinct URIs; run
// with -race. Every response must be complete and from the right resource.
func TestConcurrentUse(t *testing.T) {
	clk := clock.NewManual(tNow)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", httpdate.Format(clk.Now()))
		w.Header().Set("ETag", `"`+r.URL.Path+`"`)
		if r.Header.Get("If-None-Match") == `"`+r.URL.Path+`"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Cache-Control", "max-age=2")
		w.Header().Set("Vary", "X-V")
		io.WriteString(w, r.URL.Path+r.Header.Get("X-V"))
	}))
	defer srv.Close()
	c := New(Options{Transport: srv.Client().Transport, Clock: clk})

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				path := fmt.Sprintf("/r%d", i%5)
				v := fmt.Sprint(g % 2)
				req := mustRequest(t, "GET", srv.URL+path)
				req.Header.Set("X-V", v)
				if i%7 == 0 {
					req.Method = "POST"
				}
				resp, _, err := c.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if req.Method == "GET" && string(body) != path+v {
					t.Errorf("GET %s (X-V %s): body %q", path, v, body)
				}
				if g == 0 {
					clk.Advance(time.Second)
				}
			}
		}()
	}
	wg.Wait()
}

// TestStoredHeader: RFC 9111 §3.1 fields never stored, and the Date a
// stored response gets when it has none.
func TestStoredHeader(t *testing.T) {
	h := header("Connection: X-Hop, close", "X-Hop: 1", "Keep-Alive: timeout=5", "Proxy-Authenticate: Basic",
		"X-Kept: yes", "Cache-Control: private=\"X-User\"", "X-User: alice")
	cc := cachecontrol.Parse(h.Values("Cache-Control"))
	private := storedHeader(h, cc, false, tNow)
	if got := fieldNamesOf(private); got != "Cache-Control Date X-Kept X-User" {
		t.Errorf("private cache stored %s", got)
	}
	if private.Get("Date") != at(0) {
		t.Errorf("Date = %q, want the receipt time", private.Get("Date"))
	}
	shared := storedHeader(h, cc, true, tNow)
	if got := fieldNamesOf(shared); got != "Cache-Control Date X-Kept" {
		t.Errorf("shared cache stored %s", got)
	}
}

// TestUpdatedHeader: RFC 9111 §3.2 exceptions when a 304 updates a stored
// response.
func TestUpdatedHeader(t *testing.T) {
	stored := header("Content-Length: 2", "Content-Encoding: gzip", "Content-Type: text/plain", "Age: 50", "X-Old: 1", "X-Multi: a", "X-Multi: b")
	newer := header("Content-Length: 0", "Content-Range: bytes 0-1/2", "Content-Encoding: br", "Content-Type: text/html",
		"Connection: X-Hop", "X-Hop: 1", "X-Multi: c", "X-New: 2")
	got := updatedHeader(stored, newer, false)
	want := "Content-Encoding=br Content-Length=2 Content-Type=text/html X-Multi=c X-New=2 X-Old=1"
	if s := renderHeader(got); s != want {
		t.Errorf("updated:\n got  %s\n want %s", s, want)
	}
	// A body the transport decoded keeps its (absent) Content-Encoding.
	got = updatedHeader(header("Content-Type: text/plain"), header("Content-Encoding: gzip"), true)
	if s := renderHeader(got); s != "Content-Type=text/plain" {
		t.Errorf("uncompressed: got %s", s)
	}
}

// TestCacheKey: RFC 9111 §2 primary keys, and RFC 9110 §4.3.1 origins.
func TestCacheKey(t *testing.T) {
	keys := []struct{ a, b string }{
		{"http://Example.TEST:80/p?q#frag", "http://example.test/p?q"},
		{"HTTPS://example.test:443/p", "https://example.test/p"},
		{"http://example.test:8080/p", "http://example.test:8080/p"},
	}
	for _, k := range keys {
		if got, want := cacheKey(mustURL(t, k.a)), "GET "+k.b; got != want {
			t.Errorf("cacheKey(%s) = %s, want %s", k.a, got, want)
		}
	}
	origins := []struct {
		a, b string
		same bool
	}{
		{"http://example.test/a", "http://EXAMPLE.test:80/b", true},
		{"https://example.test/a", "https://example.test:443/b", true},
		{"http://example.test/a", "https://example.test/a", false},
		{"http://example.test/a", "http://example.test:8080/a", false},
		{"http://example.test/a", "http://other.test/a", false},
	}
	for _, o := range origins {
		if got := sameOrigin(mustURL(t, o.a), mustURL(t, o.b)); got != o.same {
			t.Errorf("sameOrigin(%s, %s) = %v", o.a, o.b, got)
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func fieldNamesOf(h http.Header) string {
	var names []string
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, " ")
}

func renderHeader(h http.Header) string {
	var parts []string
	for k, v := range h {
		parts = append(parts, k+"="+strings.Join(v, ","))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}
