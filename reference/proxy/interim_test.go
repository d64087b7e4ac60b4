package proxy

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	scripted "github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/reference/clock"
)

// startScripted serves a proxy in front of the harness origin with one
// script, and returns the script's URL through the proxy.
func startScripted(t *testing.T, script ...scripted.Response) string {
	t.Helper()
	return startScriptedAt(t, nil, script...)
}

// startScriptedAt is startScripted with the origin and the proxy on clk
// (nil: the wall clock).
func startScriptedAt(t *testing.T, clk clock.Clock, script ...scripted.Response) string {
	t.Helper()
	inst, err := scripted.Start("127.0.0.1:0", scripted.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	c, err := scripted.NewClient(inst.URL, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	_, path, err := c.Register(context.Background(), script)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(inst.URL)
	p := New(Options{Origin: u, Clock: clk})
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	t.Cleanup(p.Cache().Wait)
	return srv.URL + path
}

// sendTraced sends req and lists the 1xx responses seen, as "CODE Link=...".
func sendTraced(t *testing.T, req *http.Request, tr *http.Transport) ([]string, *http.Response) {
	t.Helper()
	var seen []string
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		seen = append(seen, fmt.Sprintf("%d Link=%s", code, strings.Join(h.Values("Link"), ",")))
		return nil
	}}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return seen, resp
}

// TestEarlyHints: the origin's 103 responses reach the client before the
// final response, with their fields only (RFC 9110 §15.2, RFC 8297).
func TestEarlyHints(t *testing.T) {
	target := startScripted(t, scripted.Response{
		Interim: []scripted.Interim{{Status: 103, Header: [][2]string{{"Link", "</s.css>; rel=preload"}, {"Connection", "X-Hop"}, {"X-Hop", "1"}}}},
		Header:  [][2]string{{"Cache-Control", "max-age=600"}},
		Body:    "final",
	})
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	seen, resp := sendTraced(t, req, &http.Transport{})
	if fmt.Sprint(seen) != "[103 Link=</s.css>; rel=preload]" {
		t.Errorf("interim responses %v, want one 103 with its Link", seen)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Link") != "" {
		t.Errorf("final response %d with Link %q; want 200 without the 103's Link", resp.StatusCode, resp.Header.Get("Link"))
	}
	// From storage there is no origin, and no 103.
	seen, _ = sendTraced(t, req, &http.Transport{})
	if len(seen) != 0 {
		t.Errorf("a stored response came with interim responses %v", seen)
	}
}

// TestContinue: a client's Expect: 100-continue reaches the origin, and
// the origin's 100 comes back before the proxy would have given up
// waiting for it (1 s), once.
func TestContinue(t *testing.T) {
	target := startScripted(t, scripted.Response{
		Interim: []scripted.Interim{{Status: 100}},
		Header:  [][2]string{{"Cache-Control", "no-store"}},
		Body:    "created",
	})
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader("content"))
	req.Header.Set("Expect", "100-continue")
	start := time.Now()
	seen, resp := sendTraced(t, req, &http.Transport{ExpectContinueTimeout: 5 * time.Second})
	if took := time.Since(start); fmt.Sprint(seen) != "[100 Link=]" || resp.StatusCode != 200 || took > 900*time.Millisecond {
		t.Errorf("interim %v, final %d after %s; want one 100, then 200, well within a second", seen, resp.StatusCode, took)
	}
}

// TestNoInterimForHTTP10: "a server MUST NOT send a 1xx response to an
// HTTP/1.0 client" (RFC 9110 §15.2).
func TestNoInterimForHTTP10(t *testing.T) {
	target := startScripted(t, scripted.Response{
		Interim: []scripted.Interim{{Status: 103, Header: [][2]string{{"Link", "</s.css>; rel=preload"}}}},
		Header:  [][2]string{{"Cache-Control", "no-store"}},
		Body:    "final",
	})
	u, _ := url.Parse(target)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", u.Path, u.Host)
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.Contains(status, " 200 ") {
		t.Errorf("first status line %q (%v), want the final 200", status, err)
	}
}
