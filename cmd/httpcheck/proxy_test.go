package main

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reports"
)

// background starts `httpcheck ARGS` in a child process and returns the
// URL it prints after prefix ("httpcheck proxy: "); it is stopped when
// the test ends.
func background(t *testing.T, prefix string, args ...string) string {
	t.Helper()
	return startChild(t, saysPrefix(prefix), nil, args...).said(prefix)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// expectAllProxyChecksPassed: the run ran the cache suite, and only it,
// and every check passed.
func expectAllProxyChecksPassed(t *testing.T, r result, res *reports.Results) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	if res.Summary.Total < 80 {
		t.Errorf("%d checks ran, want the cache suite's (at least 80)", res.Summary.Total)
	}
	for _, c := range res.Checks {
		if c.Suite != "proxy" || c.State != reports.Passed {
			t.Errorf("%s (suite %s): %s %s", c.ID, c.Suite, c.State, c.Message)
		}
	}
}

// TestRunCacheAgainstTheReferenceProxy is the acceptance test:
// `httpcheck run --cache URL --origin-listen ADDR` against `httpcheck
// proxy --origin http://ADDR`, on the wall clock, and the same with the
// origin running standalone (`httpcheck origin --token`). Every check
// passes; the run costs the suite's one shared wait (3 s) and requests.
func TestRunCacheAgainstTheReferenceProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for real")
	}
	originAddr := freeAddr(t)
	cacheURL := background(t, "httpcheck proxy: ", "proxy", "--listen", "127.0.0.1:0", "--origin", "http://"+originAddr+"/")
	out := t.TempDir()
	r := httpcheck(t, "run", "--proxy", cacheURL, "--origin-listen", originAddr, "--out", out)
	expectAllProxyChecksPassed(t, r, readResults(t, out))
	t.Logf("run --proxy against httpcheck proxy: %s wall time", r.took.Round(10*time.Millisecond))

	originURL := background(t, "httpcheck origin: ", "origin", "--addr", "127.0.0.1:0", "--token", "s3cret")
	cacheURL2 := background(t, "httpcheck proxy: ", "proxy", "--listen", "127.0.0.1:0", "--origin", originURL)
	out2 := t.TempDir()
	// --cache, run's old spelling of --proxy, still works, and says so.
	r2 := httpcheck(t, "run", "--cache", cacheURL2, "--origin", originURL, "--origin-token", "s3cret", "--out", out2)
	expectAllProxyChecksPassed(t, r2, readResults(t, out2))
	if !strings.Contains(r2.stderr, "--cache is deprecated: use --proxy") {
		t.Errorf("run --cache did not say it is deprecated:\n%s", r2.stderr)
	}

	wrong := httpcheck(t, "run", "--proxy", cacheURL2, "--origin", originURL, "--origin-token", "guess", "--out", t.TempDir())
	if wrong.code != exitUsage || !strings.Contains(wrong.stderr, "token") {
		t.Errorf("a wrong origin token: exit %d, want 2 with a word about the token\n%s", wrong.code, wrong.stderr)
	}
}

// TestRunCacheUsage: the cache mode's flags, and the suites each mode
// runs.
func TestRunCacheUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--proxy", "http://127.0.0.1:9/", "--target", "http://127.0.0.1:9/", "--origin-listen", "127.0.0.1:0"}, "exclusive"},
		{[]string{"--proxy", "http://127.0.0.1:9/"}, "--origin-listen"},
		{[]string{"--proxy", "http://127.0.0.1:9/", "--origin-listen", "127.0.0.1:0", "--origin", "http://127.0.0.1:9/"}, "--origin-listen"},
		{[]string{"--proxy", "http://127.0.0.1:9/", "--origin-listen", "127.0.0.1:0", "--suite", "cookies"}, "tests a contract target"},
		{[]string{"--proxy", "http://127.0.0.1:9/", "--origin-listen", "127.0.0.1:0", "--targeted-field", "CDN Cache-Control"}, "--targeted-field"},
		{[]string{"--suite", "proxy"}, "tests a cache in the middle"},
	} {
		r := httpcheck(t, append([]string{"run", "--out", t.TempDir()}, c.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("run %s: exit %d, want 2 with %q\n%s", strings.Join(c.args, " "), r.code, c.want, r.stderr)
		}
	}

	// A cache that cannot be reached: exit 3.
	r := httpcheck(t, "run", "--cache", "http://"+freeAddr(t)+"/", "--origin-listen", "127.0.0.1:0", "--timeout", "2s", "--out", t.TempDir())
	if r.code != exitUnreachable {
		t.Errorf("an unreachable cache: exit %d, want 3\n%s", r.code, r.stderr)
	}

	// A contract run selects no check of the cache suite.
	out := t.TempDir()
	r = httpcheck(t, "run", "--focus", "proxy/", "--out", out)
	if res := readResults(t, out); r.code != 0 || res.Summary.Total != 0 {
		t.Errorf("run --focus proxy/ without --cache: exit %d with %d checks, want 0 and none\n%s", r.code, res.Summary.Total, r.stderr)
	}
}
