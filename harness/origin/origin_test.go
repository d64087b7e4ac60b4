package origin

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

func start(t *testing.T, o Options) (*Instance, *Client) {
	t.Helper()
	inst, err := Start("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	c, err := NewClient(inst.URL, o.Token, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return inst, c
}

type got struct {
	status int
	header http.Header
	body   string
}

func fetch(t *testing.T, method, url string, header ...string) (got, error) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return got{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return got{resp.StatusCode, resp.Header, string(b)}, err
}

// TestScript shows how a check uses the origin: register a script, send
// requests under its path (here directly; in a check, through the cache
// under test), then read what reached the origin.
func TestScript(t *testing.T) {
	vc := &clock.Virtual{}
	inst, c := start(t, Options{Clock: vc})
	ctx := context.Background()

	// A script: a 200 with an ETag and a date an hour back, then a 200
	// that the origin turns into a 304 for a matching If-None-Match.
	id, path, err := c.Register(ctx, []Response{
		{Header: [][2]string{{"Cache-Control", "max-age=60"}, {"ETag", `"v1"`}, {"Last-Modified", "{date-3600}"}}, Body: "v1"},
		{Header: [][2]string{{"Cache-Control", "max-age=60"}, {"ETag", `"v1"`}, {"X-Second", "yes"}}, Body: "v1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if path != "/o/"+id+"/" {
		t.Fatalf("path %q, want /o/%s/", path, id)
	}
	base := strings.TrimSuffix(inst.URL, "/")

	// The first request gets the first response, with its placeholders
	// resolved against the origin's clock.
	r1, err := fetch(t, "GET", base+path+"r?x=1")
	if err != nil {
		t.Fatal(err)
	}
	now := vc.Now()
	if r1.status != 200 || r1.body != "v1" || r1.header.Get("Last-Modified") != httpdate.Format(now.Add(-time.Hour)) {
		t.Errorf("first answer: %d %q Last-Modified %q", r1.status, r1.body, r1.header.Get("Last-Modified"))
	}
	// The virtual clock moves when asked; Date follows it.
	if _, err := c.Advance(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	// A conditional request with the current ETag gets a 304 built from
	// the second response, without content fields.
	r2, err := fetch(t, "GET", base+path+"r?x=1", "If-None-Match", `"v1"`)
	if err != nil {
		t.Fatal(err)
	}
	if r2.status != 304 || r2.header.Get("X-Second") != "yes" || r2.header.Get("Content-Type") != "" {
		t.Errorf("second answer: %d %v", r2.status, r2.header)
	}
	if d, _ := httpdate.Parse(r2.header.Get("Date")); d.Sub(now) < time.Hour-time.Second {
		t.Errorf("Date %s does not follow the advanced clock (was %s)", r2.header.Get("Date"), now)
	}
	// The last response repeats; a request without preconditions gets it
	// in full. A script's path may sit under any prefix.
	r3, err := fetch(t, "GET", base+"/cdn/prefix"+path+"r")
	if err != nil || r3.status != 200 || r3.body != "v1" || r3.header.Get("X-Second") != "yes" {
		t.Errorf("third answer: %v %+v", err, r3)
	}

	hits, err := c.Hits(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, h := range hits {
		inm, _ := h.Value("If-None-Match")
		summary = append(summary, h.Method+" "+h.URI+" "+itoa(h.Status)+" "+itoa(h.Response)+" "+inm)
	}
	want := []string{
		"GET " + path + "r?x=1 200 0 ",
		"GET " + path + `r?x=1 304 1 "v1"`,
		"GET /cdn/prefix" + path + "r 200 1 ",
	}
	if strings.Join(summary, "\n") != strings.Join(want, "\n") {
		t.Errorf("hits:\n%s\nwant:\n%s", strings.Join(summary, "\n"), strings.Join(want, "\n"))
	}
	if !hits[1].IsConditional() || hits[0].IsConditional() {
		t.Errorf("IsConditional: %v %v, want false true", hits[0].IsConditional(), hits[1].IsConditional())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestMisbehaviour: no Date, an incomplete response, a dropped connection,
// a delay, unknown paths.
func TestMisbehaviour(t *testing.T) {
	inst, c := start(t, Options{})
	ctx := context.Background()
	base := strings.TrimSuffix(inst.URL, "/")
	_, noDate, _ := c.Register(ctx, []Response{{Header: [][2]string{{"Date", ""}}, Body: "x"}})
	if r, err := fetch(t, "GET", base+noDate); err != nil || len(r.header.Values("Date")) != 0 {
		t.Errorf("Date listed empty: %v %v, want no Date", err, r.header)
	}
	_, short, _ := c.Register(ctx, []Response{{Body: "0123456789", Truncate: true}})
	if r, err := fetch(t, "GET", base+short); err == nil {
		t.Errorf("truncated response read without error: %+v", r)
	}
	_, reset, _ := c.Register(ctx, []Response{{Reset: true}})
	if _, err := fetch(t, "GET", base+reset); err == nil {
		t.Error("reset: got a response")
	}
	_, slow, _ := c.Register(ctx, []Response{{DelayMillis: 150}})
	start := time.Now()
	if _, err := fetch(t, "GET", base+slow); err != nil || time.Since(start) < 150*time.Millisecond {
		t.Errorf("delay: %v after %s", err, time.Since(start))
	}
	if r, _ := fetch(t, "GET", base+"/o/unknown/"); r.status != 404 || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("unknown path: %d %v", r.status, r.header)
	}
	if _, _, err := c.Register(ctx, []Response{{Status: 42}}); err == nil {
		t.Error("a two-digit status was accepted")
	}
	if _, err := c.Advance(ctx, time.Second); err == nil {
		t.Error("a wall-clock origin was advanced")
	}
}

// TestControlAccess: loopback without a token; with a token, only with it;
// never through a proxy.
func TestControlAccess(t *testing.T) {
	s := NewServer(Options{})
	do := func(s *Server, remote string, header ...string) int {
		req := httptest.NewRequest("GET", ControlPrefix+"clock", nil)
		req.RemoteAddr = remote
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code
	}
	for _, c := range []struct {
		name   string
		server *Server
		remote string
		header []string
		want   int
	}{
		{"loopback", s, "127.0.0.1:5000", nil, 200},
		{"loopback v6", s, "[::1]:5000", nil, 200},
		{"remote", s, "192.0.2.7:5000", nil, 403},
		{"through a proxy", s, "127.0.0.1:5000", []string{"Via", "1.1 cdn"}, 403},
		{"token missing", NewServer(Options{Token: "s3"}), "127.0.0.1:5000", nil, 403},
		{"token wrong", NewServer(Options{Token: "s3"}), "192.0.2.7:5000", []string{"Authorization", "Bearer s4"}, 403},
		{"token right", NewServer(Options{Token: "s3"}), "192.0.2.7:5000", []string{"Authorization", "Bearer s3"}, 200},
	} {
		if got := do(c.server, c.remote, c.header...); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// interimSeen sends a GET and returns the 1xx responses the client saw, as
// "103 Link=<...>" lines, and the final status.
func interimSeen(t *testing.T, url string, header ...string) ([]string, int, error) {
	t.Helper()
	var seen []string
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		seen = append(seen, strconv.Itoa(code)+" Link="+strings.Join(h.Values("Link"), ","))
		return nil
	}}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return seen, 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return seen, resp.StatusCode, nil
}

// TestInterim: scripted 1xx responses go out in order before the final
// one, each with its own fields only; a status outside 1xx, or 101, is
// refused.
func TestInterim(t *testing.T) {
	inst, c := start(t, Options{})
	ctx := context.Background()
	base := strings.TrimSuffix(inst.URL, "/")
	_, path, err := c.Register(ctx, []Response{{
		Interim: []Interim{
			{Status: 103, Header: [][2]string{{"Link", "</a.css>; rel=preload"}}},
			{Status: 103, Header: [][2]string{{"Link", "</b.js>; rel=preload"}}},
		},
		Header: [][2]string{{"Cache-Control", "max-age=60"}},
		Body:   "final",
	}})
	if err != nil {
		t.Fatal(err)
	}
	seen, status, err := interimSeen(t, base+path)
	want := "[103 Link=</a.css>; rel=preload 103 Link=</b.js>; rel=preload]"
	if err != nil || status != 200 || fmt.Sprint(seen) != want {
		t.Errorf("got %v %d %v, want %s 200", seen, status, err, want)
	}
	for _, bad := range []int{101, 200, 99} {
		if _, _, err := c.Register(ctx, []Response{{Interim: []Interim{{Status: bad}}}}); err == nil {
			t.Errorf("interim status %d was accepted", bad)
		}
	}
}

// TestNoInterimForHTTP10: the origin sends its scripted 1xx responses only
// to HTTP/1.1 requests (RFC 9110 §15.2), and each hit says what it sent.
func TestNoInterimForHTTP10(t *testing.T) {
	inst, c := start(t, Options{})
	ctx := context.Background()
	id, path, err := c.Register(ctx, []Response{{Interim: []Interim{{Status: 103, Header: [][2]string{{"Link", "</a.css>; rel=preload"}}}}, Body: "final"}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(inst.URL)
	for _, version := range []string{"HTTP/1.0", "HTTP/1.1"} {
		conn, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET %s %s\r\nHost: %s\r\nConnection: close\r\n\r\n", path, version, u.Host)
		got, _ := io.ReadAll(conn)
		conn.Close()
		first, _, _ := strings.Cut(string(got), "\r\n")
		if sent1xx := strings.Contains(first, " 103 "); sent1xx != (version == "HTTP/1.1") {
			t.Errorf("%s request: first line %q", version, first)
		}
	}
	hits, err := c.Hits(ctx, id)
	if err != nil || len(hits) != 2 {
		t.Fatalf("hits %v, %v", hits, err)
	}
	if hits[0].Proto != "HTTP/1.0" || len(hits[0].Interim) != 0 || hits[1].Proto != "HTTP/1.1" || fmt.Sprint(hits[1].Interim) != "[103]" {
		t.Errorf("hits say proto %q interim %v, then %q %v", hits[0].Proto, hits[0].Interim, hits[1].Proto, hits[1].Interim)
	}
}
