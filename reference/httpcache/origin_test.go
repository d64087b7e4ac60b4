package httpcache

// The test origin and the scenario runner. Put actual cases in cache_test.go.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// tNow is the synthetic "now" of every test in this package.
var tNow = time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)

// reply is what the origin answers when it is reached.
type reply struct {
	status int      // 0 means 200
	header []string // "Name: value" lines; a Date from the shared clock is added unless a Date line is given ("Date:" alone sends none)
	body   string
	// raw, if set, is written to the connection verbatim instead (for
	// messages net/http would not send, such as a 304 with Content-Length).
	raw string
	// fail makes the attempt fail in the client's transport, as if the
	// origin were unreachable; the origin is not reached.
	fail bool
}

// step is one request through the cache. The clock is set to tNow+at, the
// request is made, and the origin must be reached exactly len(origin) times,
// answering with origin in order.
type step struct {
	at     time.Duration
	req    string   // "GET /r"; a path starting "//b/" goes to the second origin
	header []string // request header lines
	origin []reply
	// sent lists request fields the origin must have seen on its last hit,
	// as "Name: value"; "Name:" alone means the field must be absent.
	sent []string
	// want is "<source> <status> <body>", followed by " Name=value" for each
	// field in show (values of several lines joined by ","), or "error" when
	// Do must fail.
	want string
	show []string
}

// scenario is a sequence of steps sharing one cache and one pair of
// origins; every scenario starts empty.
type scenario struct {
	name   string
	shared bool
	// targets is the cache's target list (Options.TargetList).
	targets []string
	steps   []step
}

// origin is two httptest servers on loopback ("a", the default, and "b")
// sharing a script of replies and the scenario's clock.
type origin struct {
	t     *testing.T
	clk   *clock.Manual
	a, b  *httptest.Server
	mu    sync.Mutex
	queue []reply
	hits  int
	last  http.Header
}

func newOrigin(t *testing.T, clk *clock.Manual) *origin {
	o := &origin{t: t, clk: clk}
	o.a = httptest.NewServer(http.HandlerFunc(o.serve))
	o.b = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(func() {
		o.a.Close()
		o.b.Close()
	})
	return o
}

// expect replaces the script.
func (o *origin) expect(replies []reply) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.queue = append([]reply(nil), replies...)
	o.hits = 0
	o.last = nil
}

// next pops the next reply; ok is false when the script is exhausted.
func (o *origin) next() (reply, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.hits++
	if len(o.queue) == 0 {
		return reply{}, false
	}
	r := o.queue[0]
	o.queue = o.queue[1:]
	return r, true
}

func (o *origin) peekFail() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.queue) > 0 && o.queue[0].fail
}

func (o *origin) serve(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.last = r.Header.Clone()
	o.mu.Unlock()
	rep, ok := o.next()
	if !ok {
		o.t.Errorf("unexpected origin hit: %s %s", r.Method, r.URL)
		http.Error(w, "unexpected", http.StatusInternalServerError)
		return
	}
	if rep.raw != "" {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			o.t.Errorf("hijack: %v", err)
			return
		}
		buf.WriteString(strings.ReplaceAll(rep.raw, "\n", "\r\n"))
		buf.Flush()
		conn.Close()
		return
	}
	date := true
	for _, line := range rep.header {
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimSpace(value)
		if http.CanonicalHeaderKey(name) == "Date" {
			date = false
			if value == "" {
				w.Header()["Date"] = nil // net/http adds none
				continue
			}
		}
		value = strings.NewReplacer("{a}", o.a.URL, "{b}", o.b.URL).Replace(value)
		w.Header().Add(name, value)
	}
	if date {
		w.Header().Set("Date", httpdate.Format(o.clk.Now()))
	}
	status := rep.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	io.WriteString(w, rep.body)
}

// failingTransport answers a scripted failure itself and passes everything
// else to the loopback transport.
type failingTransport struct {
	o    *origin
	next http.RoundTripper
}

var errUnreachable = errors.New("origin unreachable (scripted)")

func (f failingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if f.o.peekFail() {
		f.o.mu.Lock()
		f.o.last = req.Header.Clone()
		f.o.mu.Unlock()
		f.o.next()
		return nil, errUnreachable
	}
	return f.next.RoundTrip(req)
}

// run plays the scenarios of a table, each with a fresh cache, origin and
// clock.
func run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			clk := clock.NewManual(tNow)
			o := newOrigin(t, clk)
			tr := &http.Transport{}
			t.Cleanup(tr.CloseIdleConnections)
			c := New(Options{Transport: failingTransport{o, tr}, Clock: clk, Shared: sc.shared, TargetList: sc.targets})
			for i, st := range sc.steps {
				playStep(t, fmt.Sprintf("step %d (%s at +%v)", i+1, st.req, st.at), c, o, clk, st)
			}
		})
	}
}

func playStep(t *testing.T, name string, c *Cache, o *origin, clk *clock.Manual, st step) {
	t.Helper()
	clk.Set(tNow.Add(st.at))
	o.expect(st.origin)
	method, path, _ := strings.Cut(st.req, " ")
	base := o.a.URL
	if rest, ok := strings.CutPrefix(path, "//b/"); ok {
		base, path = o.b.URL, "/"+rest
	}
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, line := range st.header {
		k, v, _ := strings.Cut(line, ":")
		req.Header.Add(k, strings.TrimSpace(v))
	}
	before := req.Header.Clone()
	resp, src, err := c.Do(req)
	// A stale response served under stale-while-revalidate starts a
	// revalidation in the background; its origin hit belongs to this step.
	c.Wait()
	got := "error"
	if err == nil {
		body, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			t.Errorf("%s: reading body: %v", name, rerr)
		}
		got = fmt.Sprintf("%s %d %s", src, resp.StatusCode, body)
		for _, f := range st.show {
			got += " " + f + "=" + strings.Join(resp.Header.Values(f), ",")
		}
	} else if !errors.Is(err, errUnreachable) {
		t.Errorf("%s: unexpected error %v", name, err)
	}
	if got != st.want {
		t.Errorf("%s:\n got  %q\n want %q", name, got, st.want)
	}
	if fmt.Sprint(req.Header) != fmt.Sprint(before) {
		t.Errorf("%s: Do modified the request header: %v", name, req.Header)
	}
	o.mu.Lock()
	hits, left, last := o.hits, len(o.queue), o.last
	o.mu.Unlock()
	if left != 0 || hits != len(st.origin) {
		t.Errorf("%s: origin reached %d times, want %d", name, hits, len(st.origin))
	}
	for _, s := range st.sent {
		k, v, _ := strings.Cut(s, ":")
		v = strings.TrimSpace(v)
		if g := strings.Join(last.Values(k), ","); g != v {
			t.Errorf("%s: origin saw %s: %q, want %q", name, k, g, v)
		}
	}
}
