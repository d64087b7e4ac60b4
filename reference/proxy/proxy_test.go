package proxy

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

var tNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// origin records what reached it and answers with handle.
type origin struct {
	srv    *httptest.Server
	mu     sync.Mutex
	hits   []*http.Request
	handle func(w http.ResponseWriter, r *http.Request)
}

func newOrigin(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) *origin {
	o := &origin{handle: handle}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.hits = append(o.hits, r.Clone(r.Context()))
		o.mu.Unlock()
		o.handle(w, r)
	}))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *origin) count() int { o.mu.Lock(); defer o.mu.Unlock(); return len(o.hits) }

func (o *origin) last() *http.Request { o.mu.Lock(); defer o.mu.Unlock(); return o.hits[len(o.hits)-1] }

// startProxy serves a proxy for o on loopback, on a manual clock.
func startProxy(t *testing.T, o *origin, clk clock.Clock) string {
	u, _ := url.Parse(o.srv.URL + "/base/")
	p := New(Options{Origin: u, Clock: clk})
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	t.Cleanup(p.Cache().Wait)
	return srv.URL
}

type reply struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, url, host string, header ...string) (reply, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if host != "" {
		req.Host = host
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}, err
}

// TestForwarding: RFC 9110 §7.6.1 hop-by-hop fields go, §7.6.3 Via comes,
// and the path is put under the origin's base path.
func TestForwarding(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "X-Hop-Response")
		w.Header().Set("X-Hop-Response", "1")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("X-End-To-End", "kept")
		io.WriteString(w, "ok")
	})
	base := startProxy(t, o, nil)
	r, err := get(t, base+"/p?q=1", "", "Connection", "X-Hop-Request", "X-Hop-Request", "1", "X-End-To-End", "kept")
	if err != nil {
		t.Fatal(err)
	}
	in := o.last()
	if in.URL.RequestURI() != "/base/p?q=1" {
		t.Errorf("origin got %s, want /base/p?q=1", in.URL.RequestURI())
	}
	if in.Header.Get("X-Hop-Request") != "" || in.Header.Get("X-End-To-End") != "kept" {
		t.Errorf("origin got X-Hop-Request %q and X-End-To-End %q; want the first removed, the second kept", in.Header.Get("X-Hop-Request"), in.Header.Get("X-End-To-End"))
	}
	if got := in.Header.Get("Via"); got != "1.1 httpcheck" {
		t.Errorf("origin got Via %q, want 1.1 httpcheck", got)
	}
	if r.header.Get("X-Hop-Response") != "" || r.header.Get("Keep-Alive") != "" || r.header.Get("X-End-To-End") != "kept" {
		t.Errorf("client got %v; want X-Hop-Response and Keep-Alive removed, X-End-To-End kept", r.header)
	}
	if got := r.header.Get("Via"); got != "1.1 httpcheck" {
		t.Errorf("client got Via %q, want 1.1 httpcheck", got)
	}
}

// TestCaching: what the shared cache stores is served with Age and a
// Cache-Status hit (RFC 9211), keyed by the client's target URI including
// its Host.
func TestCaching(t *testing.T) {
	clk := clock.NewManual(tNow)
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", httpdate.Format(clk.Now()))
		w.Header().Set("Cache-Control", "max-age=60")
		io.WriteString(w, r.Host)
	})
	base := startProxy(t, o, clk)
	steps := []struct {
		host    string
		advance time.Duration
		want    string // origin hits so far, Age, Cache-Status
	}{
		{"a.test", 0, `1  httpcheck; fwd=uri-miss; fwd-status=200; stored; ttl=60; key="GET http://a.test/p"`},
		{"a.test", 10 * time.Second, `1 10 httpcheck; hit; ttl=50; key="GET http://a.test/p"`},
		{"b.test", 0, `2  httpcheck; fwd=uri-miss; fwd-status=200; stored; ttl=60; key="GET http://b.test/p"`},
		{"b.test", 5 * time.Second, `2 5 httpcheck; hit; ttl=55; key="GET http://b.test/p"`},
		{"a.test", 0, `2 15 httpcheck; hit; ttl=45; key="GET http://a.test/p"`},
	}
	for i, st := range steps {
		clk.Advance(st.advance)
		r, err := get(t, base+"/p", st.host)
		if err != nil {
			t.Fatal(err)
		}
		got := strconv.Itoa(o.count()) + " " + r.header.Get("Age") + " " + r.header.Get("Cache-Status")
		if got != st.want {
			t.Errorf("step %d (Host %s): origin hits and Age %q, want %q", i+1, st.host, got, st.want)
		}
	}
}

// TestDate: a response without Date gets one (RFC 9110 §6.6.1).
func TestDate(t *testing.T) {
	clk := clock.NewManual(tNow)
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		io.WriteString(w, "ok")
	})
	r, err := get(t, startProxy(t, o, clk)+"/p", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.header.Get("Date"); got != httpdate.Format(tNow) {
		t.Errorf("Date %q, want %q", got, httpdate.Format(tNow))
	}
}

// TestGatewayErrors: 502 when the origin is not there, 504 when it is too
// slow, and the client never sees a truncated response as complete.
func TestGatewayErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/"
	ln.Close()
	u, _ := url.Parse(dead)
	p := httptest.NewServer(New(Options{Origin: u}))
	defer p.Close()
	if r, err := get(t, p.URL+"/p", ""); err != nil || r.status != http.StatusBadGateway {
		t.Errorf("origin down: %d %v, want 502", r.status, err)
	}

	slow := newOrigin(t, func(w http.ResponseWriter, r *http.Request) { time.Sleep(300 * time.Millisecond) })
	su, _ := url.Parse(slow.srv.URL)
	sp := httptest.NewServer(New(Options{Origin: su, Timeout: 50 * time.Millisecond}))
	defer sp.Close()
	if r, err := get(t, sp.URL+"/p", ""); err != nil || r.status != http.StatusGatewayTimeout {
		t.Errorf("origin slow: %d %v, want 504", r.status, err)
	}

	short := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		if !strings.Contains(r.URL.Path, "stored") {
			w.Header().Set("Cache-Control", "no-store")
		} else {
			w.Header().Set("Cache-Control", "max-age=60")
		}
		io.WriteString(w, "only ten b")
	})
	base := startProxy(t, short, nil)
	for _, path := range []string{"/passed", "/stored"} {
		r, err := get(t, base+path, "")
		if err == nil && r.status == http.StatusOK {
			t.Errorf("%s: an incomplete response was served as complete: %d %q", path, r.status, r.body)
		}
	}
}

// TestTargeted: CDN-Cache-Control is obeyed over Cache-Control and
// forwarded (RFC 9213 §2.1, §3); with another target list it is not obeyed.
func TestTargeted(t *testing.T) {
	for _, c := range []struct {
		targets  []string
		wantHits int
	}{
		{nil, 1},
		{[]string{}, 2},
		{[]string{"Example-Cache-Control"}, 2},
	} {
		clk := clock.NewManual(tNow)
		o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Date", httpdate.Format(clk.Now()))
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("CDN-Cache-Control", "max-age=600")
			io.WriteString(w, "ok")
		})
		u, _ := url.Parse(o.srv.URL)
		p := New(Options{Origin: u, Clock: clk, TargetList: c.targets})
		srv := httptest.NewServer(p)
		for range 2 {
			r, err := get(t, srv.URL+"/p", "")
			if err != nil {
				t.Fatal(err)
			}
			if r.header.Get("CDN-Cache-Control") != "max-age=600" || r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("target list %q: the client got %v, want both fields forwarded", c.targets, r.header)
			}
		}
		srv.Close()
		if o.count() != c.wantHits {
			t.Errorf("target list %q: the origin was asked %d times, want %d", c.targets, o.count(), c.wantHits)
		}
	}
}
