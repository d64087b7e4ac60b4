package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/httpcheck/httpcheck/reports"
	"github.com/httpcheck/httpcheck/reports/reporttest"
)

// Hostile targets: servers on loopback that break in the ways a
// half-broken service does, each driven by `httpcheck run --target` and
// `httpcheck probe` in a child process with a short --timeout. Every run
// must end within a generous bound of that timeout, mark the checks whose
// exchanges broke as `error` with a message that says how, write all
// three reports, and keep whatever the target sent out of the HTML
// report's markup. docs/reliability.md lists what they found.
//
// Each server answers its first request, whatever it is, with a valid
// manifest (the harness's GET manifest, or the probe's first GET); every
// later request gets the hostile treatment. The cases that fail at the
// manifest itself are in TestHostileManifests.

// hostileTimeout is the --timeout of every hostile run.
const hostileTimeout = 250 * time.Millisecond

// hostileManifest declares cookies (and, for the servers that answer,
// resources), on any host, on the wall clock.
func hostileManifest(features string, server string) string {
	name, _ := json.Marshal(server)
	return fmt.Sprintf(`{"contract": "httpcheck/1", "server": %s, "features": [%s], "hosts": {"any_host": true}}`, name, features)
}

// Markup that a target might send, in a header or a body: none of it may
// become markup in index.html.
const (
	markupScript = `<script>alert("from the target")</script>`
	markupImg    = `<img src=x onerror=alert(1)>`
	markupAttr   = `"><svg onload=alert(2)>`
	markupURL    = `javascript:alert(3)`
	// terminalEscape would clear the user's terminal and retitle its
	// window, were it printed as it came.
	terminalEscape = "\x1b]0;owned\x07\x1b[2J\x1b[31m"
)

// hostileTarget is one kind of broken server.
type hostileTarget struct {
	name string
	// features are the manifest's.
	features string
	// start serves on ln: the first request gets manifest, the rest the
	// hostile treatment.
	start func(t *testing.T, ln net.Listener, manifest string)
	// says is what the message of every check that ended in error holds
	// (any of them).
	says []string
	// allErrors: every check that ran ended in error (a target that
	// breaks every exchange); otherwise some may fail.
	allErrors bool
}

var hostileTargets = []hostileTarget{
	{name: "refuses", features: `"cookies"`, start: serveRefusing,
		says: []string{"connection refused"}, allErrors: true},
	{name: "resets mid-response", features: `"cookies"`, start: serveHTTP(resetMidResponse),
		says: []string{"connection reset", "unexpected EOF", "EOF"}, allErrors: true},
	{name: "never answers", features: `"cookies"`, start: serveHTTP(neverAnswer),
		says: []string{"no complete answer within 250ms"}, allErrors: true},
	{name: "streams an endless body", features: `"cookies"`, start: serveHTTP(endlessBody),
		says: []string{"exceeds 4194304 bytes", "no complete answer within 250ms"}, allErrors: true},
	{name: "redirects forever", features: `"cookies"`, start: serveHTTP(redirectForever),
		says: []string{"answered 302", "not the contract's JSON"}},
	{name: "answers garbage bytes", features: `"cookies"`, start: serveGarbage,
		says: []string{"malformed HTTP"}, allErrors: true},
	{name: "sends malformed Set-Cookie, Cache-Control and dates", features: `"cookies", "resources"`, start: serveHTTP(malformedFields)},
	{name: "puts markup in its header values", features: `"cookies", "resources"`, start: serveHTTP(markupEverywhere)},
}

// serveHTTP serves with h after a first request answered with manifest.
func serveHTTP(h func(w http.ResponseWriter, r *http.Request)) func(*testing.T, net.Listener, string) {
	return func(t *testing.T, ln net.Listener, manifest string) {
		var n atomic.Int64
		done := make(chan struct{})
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(manifest))
				return
			}
			select {
			case <-done:
				return
			default:
			}
			h(w, r)
		})}
		go srv.Serve(ln)
		t.Cleanup(func() {
			close(done)
			srv.Close()
		})
	}
}

// serveRefusing answers one request, the manifest, and then closes its
// listener: every later connection is refused.
func serveRefusing(t *testing.T, ln net.Listener, manifest string) {
	go func() {
		c, err := ln.Accept()
		ln.Close()
		if err != nil {
			return
		}
		defer c.Close()
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(manifest), manifest)
	}()
}

// serveGarbage answers its first request with the manifest, then closes
// that connection; every later connection gets bytes that are not HTTP.
func serveGarbage(t *testing.T, ln net.Listener, manifest string) {
	var first sync.Once
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
					return
				}
				served := false
				first.Do(func() {
					served = true
					fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(manifest), manifest)
				})
				if !served {
					c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n\x00\x01\x02 not HTTP at all " + markupScript + "\r\n\r\n"))
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
}

// resetMidResponse sends the start of an answer and resets the connection.
func resetMidResponse(w http.ResponseWriter, r *http.Request) {
	c, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"set\": ")
	buf.Flush()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0) // close with RST
	}
	c.Close()
}

// neverAnswer keeps the request until the client gives up.
func neverAnswer(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// endlessBody streams a body that never ends.
func endlessBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	chunk := bytes.Repeat([]byte(`{"set": "x"}`), 8<<10)
	for {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// redirectForever redirects every request to itself, one more time.
func redirectForever(w http.ResponseWriter, r *http.Request) {
	n := len(r.URL.Query()["r"])
	q := r.URL.Query()
	q.Add("r", fmt.Sprint(n+1))
	w.Header().Set("Location", r.URL.Path+"?"+q.Encode())
	w.WriteHeader(http.StatusFound)
}

// malformedFields answers every request 200 with a JSON body and header
// fields that no parser should trust. They are printable: a control
// character would make net/http refuse the whole response (a transport
// error), and the point here is to reach the harness's own parsers.
func malformedFields(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Set-Cookie"] = []string{
		"=novalue", "name", "a=b; Expires=yesterday; Max-Age=soon; Domain=..; Path=relative",
		"b=c; Max-Age=99999999999999999999999; Expires=Mon, 32 Foo 99999 25:61:61 GMT",
		`c="unbalanced; SameSite=Sometimes; Secure=no; HttpOnly=yes; Partitioned=maybe; Priority=~`,
		"__Host-x=1; Domain=evil.test; Path=/nope", "__Secure-y=2",
		strings.Repeat("d", 5000) + "=e",
		"e=f; " + strings.Repeat("Path=/; ", 500),
	}
	h["Cache-Control"] = []string{`max-age="-1", , no-store=5, s-maxage=1e9, max-age=99999999999999999999, private="unterminated`}
	h["Date"] = []string{"yesterday, around noon"}
	h["Expires"] = []string{"0", "Thu, 01 Jan 1970 00:00:00 GMT"}
	h["Last-Modified"] = []string{"Mon, 32 Foo 99999 25:61:61 GMT"}
	h["Etag"] = []string{`unquoted, W/"`, `"a"b"`}
	h["Age"] = []string{"-5"}
	h["Vary"] = []string{"*, , Cookie Cookie"}
	h["Content-Type"] = []string{"application/json"}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write([]byte(`{"set": "n", "deleted": "n", "found": true, "value": null, "cookies": {"a": 1}}`))
	}
}

// markupEverywhere answers with markup in the status text, in header
// names' values and in the body.
func markupEverywhere(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Set-Cookie"] = []string{markupScript + "=" + markupImg, "n=" + markupAttr + "; Path=/" + markupURL}
	h["X-Markup"] = []string{markupScript, markupImg, markupAttr}
	h["Location"] = []string{markupURL}
	h["Cache-Control"] = []string{"max-age=" + markupImg}
	h["Etag"] = []string{`"` + markupAttr + `"`}
	h["Content-Type"] = []string{"text/html"}
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("<html><body>" + markupScript + markupImg + `<a href="` + markupURL + `">x</a>` + markupAttr + terminalEscape + "</body></html>"))
}

// startHostileTarget starts ht on loopback and returns its base URL.
func startHostileTarget(t *testing.T, ht hostileTarget) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := "hostile: " + ht.name
	if ht.name == "puts markup in its header values" {
		server = markupScript + markupAttr + terminalEscape
	}
	ht.start(t, ln, hostileManifest(ht.features, server))
	return "http://" + ln.Addr().String() + "/"
}

// hostileBound is how long a run against a hostile target may take: each
// check ends at its first broken exchange, within --timeout, and the
// cookies suite waits once for real (3 s) for its expiry checks.
func hostileBound(checks int) time.Duration {
	return 30*time.Second + time.Duration(checks)*3*hostileTimeout
}

// TestHostileTargets runs `httpcheck run` and `httpcheck probe` against
// every hostile target.
func TestHostileTargets(t *testing.T) {
	for _, ht := range hostileTargets {
		t.Run(ht.name, func(t *testing.T) {
			t.Parallel()
			for _, cmd := range []string{"run", "probe"} {
				t.Run(cmd, func(t *testing.T) {
					base := startHostileTarget(t, ht)
					out := t.TempDir()
					args := []string{"run", "--target", base, "--timeout", hostileTimeout.String(), "--out", out}
					if cmd == "probe" {
						args = []string{"probe", base + "page", "--timeout", hostileTimeout.String(), "--out", out}
					}
					if ht.name == "puts markup in its header values" {
						// Its markup is in cookie values, which redaction
						// fingerprints: the escaping of raw evidence is
						// what this case is about.
						args = append(args, "--no-redact")
					}
					r := httpcheck(t, args...)
					judgeHostileRun(t, ht, r, out)
				})
			}
		})
	}
}

// judgeHostileRun checks what one hostile run did.
func judgeHostileRun(t *testing.T, ht hostileTarget, r result, out string) {
	t.Helper()
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
		t.Fatalf("the run panicked:\n%s", r.stderr)
	}
	if strings.ContainsRune(r.stderr, 0x1b) {
		t.Errorf("the target's escape sequences reached the terminal:\n%q", r.stderr)
	}
	for _, f := range []string{"index.html", "results.json", "junit.xml"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Fatalf("exit %d and no %s (%v)\n%s", r.code, f, err, r.stderr)
		}
	}
	res := readResults(t, out)
	if bound := hostileBound(len(res.Checks)); r.took > bound {
		t.Errorf("the run took %s for %d checks at --timeout %s, more than %s", r.took, len(res.Checks), hostileTimeout, bound)
	}
	states := map[reports.State]int{}
	for _, c := range res.Checks {
		states[c.State]++
		switch c.State {
		case reports.Error:
			if len(ht.says) > 0 && !slices.ContainsFunc(ht.says, func(s string) bool { return strings.Contains(c.Message, s) }) {
				t.Errorf("%s: error %q does not say %q", c.ID, c.Message, ht.says)
			}
		case reports.Failed:
			if c.Message == "" {
				t.Errorf("%s failed without a message", c.ID)
			}
		case reports.Passed:
			if ht.allErrors {
				t.Errorf("%s passed against a target that breaks every exchange", c.ID)
			}
		}
	}
	if states[reports.Error] > 0 && r.code != exitUnreachable {
		t.Errorf("exit %d with %d checks in error, want %d", r.code, states[reports.Error], exitUnreachable)
	}
	if ht.allErrors && states[reports.Error] == 0 {
		t.Errorf("no check ended in error: %v", states)
	}
	t.Logf("%d checks in %s, exit %d: %v", len(res.Checks), r.took.Round(100*time.Millisecond), r.code, states)
	assertNoTargetMarkup(t, filepath.Join(out, "index.html"), ht.name == "puts markup in its header values")
}

// assertNoTargetMarkup parses index.html as a browser would and fails on
// anything the template could not have written (reporttest.Foreign).
// With sawMarkup, the target's markup must be on the page, as text.
func assertNoTargetMarkup(t *testing.T, path string, sawMarkup bool) {
	t.Helper()
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range reporttest.Foreign(doc) {
		t.Errorf("index.html has %s, which came from the target", f)
	}
	if sawMarkup {
		text := doc.Find("body").Text()
		for _, m := range []string{markupScript, markupImg, markupAttr} {
			if !strings.Contains(text, m) {
				t.Errorf("the target's %q is not on the page as text: was the evidence dropped?", m)
			}
		}
	}
}

// TestHostileManifests: targets that break at the manifest itself stop the
// run at once, with the exit code and a message that say why, within the
// bound of one --timeout.
func TestHostileManifests(t *testing.T) {
	listen := func(t *testing.T, h http.HandlerFunc) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: h}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		return "http://" + ln.Addr().String() + "/"
	}
	closedPort := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		return "http://" + ln.Addr().String() + "/"
	}
	for _, tc := range []struct {
		name string
		base func(t *testing.T) string
		code int
		says string
	}{
		{"refuses", closedPort, exitUnreachable, "connection refused"},
		{"resets", func(t *testing.T) string { return listen(t, resetMidResponse) }, exitUnreachable, "GET http"},
		{"never answers", func(t *testing.T) string { return listen(t, neverAnswer) }, exitUnreachable, "no complete answer within 250ms"},
		{"streams an endless manifest", func(t *testing.T) string { return listen(t, endlessBody) }, exitUnreachable, "exceeds 4194304 bytes"},
		{"redirects forever", func(t *testing.T) string { return listen(t, redirectForever) }, exitUsage, "302 Found"},
		{"answers markup", func(t *testing.T) string { return listen(t, markupEverywhere) }, exitUsage, "manifest is not valid JSON"},
		{"redirects with escape sequences", func(t *testing.T) string {
			return listen(t, func(w http.ResponseWriter, r *http.Request) {
				c, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					return
				}
				defer c.Close()
				buf.WriteString("HTTP/1.1 302 " + terminalEscape + "\r\nLocation: /\r\nContent-Length: 0\r\n\r\n")
				buf.Flush()
			})
		}, exitUsage, "302 "},
		{"names itself with escape sequences", func(t *testing.T) string {
			return listen(t, func(w http.ResponseWriter, r *http.Request) {
				contract, _ := json.Marshal("httpcheck/9" + terminalEscape)
				w.Write([]byte(`{"contract": ` + string(contract) + `}`))
			})
		}, exitUsage, "httpcheck/9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report")
			r := httpcheck(t, "run", "--target", tc.base(t), "--timeout", hostileTimeout.String(), "--out", out)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.says) {
				t.Errorf("exit %d, want %d saying %q\n%s", r.code, tc.code, tc.says, r.stderr)
			}
			if strings.Contains(r.stderr, "panic") {
				t.Errorf("panicked:\n%s", r.stderr)
			}
			if strings.ContainsRune(r.stderr, 0x1b) {
				t.Errorf("the target's escape sequences reached the terminal:\n%q", r.stderr)
			}
			if r.took > 10*time.Second {
				t.Errorf("took %s to give up on the manifest at --timeout %s", r.took, hostileTimeout)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a run that never started wrote reports in %s", out)
			}
		})
	}
}
