package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/internal/storetest"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/session"
	"github.com/httpcheck/httpcheck/reports"
)

// serveSecret is the deployment secret the serve processes of a test
// share, so that they share cached pages.
const serveSecret = "httpcheck deployment test secret, 32 bytes or more"

// serve starts `httpcheck serve` in a child process (this test binary as
// httpcheck) on a free loopback port, over plain HTTP, on a virtual clock,
// and returns its base URL. The process is stopped when the test ends.
func serve(t *testing.T, args ...string) string {
	t.Helper()
	return serveWith(t, append([]string{"--tls-addr", ""}, args...)...)
}

// serveTLS is serve over HTTPS too: the generated certificate is appended
// to the PEM file ca.
func serveTLS(t *testing.T, ca string, args ...string) string {
	t.Helper()
	own := filepath.Join(t.TempDir(), "ca.pem")
	u := serveWith(t, append([]string{"--tls-addr", "127.0.0.1:0", "--ca-out", own}, args...)...)
	pem, err := os.ReadFile(own)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(ca, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write(pem)
	return u
}

func serveWith(t *testing.T, args ...string) string {
	t.Helper()
	c := startChild(t, serveReady, []string{"HTTPCHECK_SECRET_KEY=" + serveSecret},
		append([]string{"serve", "--addr", "127.0.0.1:0", "--clock", "virtual"}, args...)...)
	return c.said("httpcheck serve: ")
}

// runDeployment runs httpcheck run against the instances with args and
// returns the result and the results file.
func runDeployment(t *testing.T, urls []string, args ...string) (result, *reports.Results) {
	t.Helper()
	out := t.TempDir()
	all := []string{"run", "--out", out}
	for _, u := range urls {
		all = append(all, "--target", u)
	}
	r := httpcheck(t, append(all, args...)...)
	if r.code == exitUsage || r.code == exitUnreachable {
		return r, nil
	}
	return r, readResults(t, filepath.Join(out))
}

// TestServeDeploymentOnRedis: three `httpcheck serve` processes, over HTTP
// and HTTPS, sharing one Redis for their sessions and caches, pass every
// check of a default run over the three: the cluster suite across them,
// every other suite against the first.
func TestServeDeploymentOnRedis(t *testing.T) {
	url := storetest.Redis(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	var urls []string
	for range 3 {
		urls = append(urls, serveTLS(t, ca, "--sessions", url, "--cache", url, "--deployment", "shop"))
	}
	r, res := runDeployment(t, urls, "--ca", ca)
	if r.code != exitOK {
		t.Errorf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, `deployment "shop" of 3 instances: every suite runs against the first`) {
		t.Errorf("stderr does not say how the instances are used:\n%.2000s", r.stderr)
	}
	if res == nil {
		return
	}
	cluster := 0
	for _, c := range res.Checks {
		if c.Suite == "cluster" {
			cluster++
		}
		if c.State != reports.Passed {
			t.Errorf("%s: %s: %s", c.ID, c.State, c.Message)
		}
	}
	if cluster != 9 {
		t.Errorf("%d cluster checks ran, want 9", cluster)
	}
	t.Logf("%d checks passed, %d of them across the three instances", len(res.Checks), cluster)
	if len(res.Targets) != 3 || !strings.Contains(res.Targets[0].Name, "every suite") {
		t.Errorf("results name the targets %+v", res.Targets)
	}
}

// TestServeDeploymentOnPostgres: the same with PostgreSQL, for the cluster
// suite.
func TestServeDeploymentOnPostgres(t *testing.T) {
	url := storetest.Postgres(t)
	var urls []string
	for range 3 {
		urls = append(urls, serve(t, "--sessions", url, "--cache", url))
	}
	r, res := runDeployment(t, urls, "--suite", "cluster")
	if r.code != exitOK {
		t.Errorf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	if res != nil && len(res.Checks) != 9 {
		t.Errorf("%d checks ran, want the 9 of the cluster suite", len(res.Checks))
	}
}

// TestServeDeploymentInMemory: three instances that each keep their
// sessions and cache in memory fail the cluster suite, each check with its
// own id.
func TestServeDeploymentInMemory(t *testing.T) {
	var urls []string
	for range 3 {
		urls = append(urls, serve(t, "--sessions", "memory", "--cache", "memory"))
	}
	r, res := runDeployment(t, urls, "--suite", "cluster", "--fail-on", "advisory")
	if r.code != exitFailures {
		t.Errorf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	if res == nil {
		return
	}
	failed := map[string]bool{}
	for _, c := range res.Checks {
		if c.State == reports.Failed {
			failed[c.ID] = true
			if !strings.Contains(r.stderr, "FAIL  "+c.ID) {
				t.Errorf("stderr does not report %s as failed", c.ID)
			}
		}
	}
	if len(failed) != 9 {
		t.Errorf("%d cluster checks failed, want all 9: %v", len(failed), failed)
	}
}

// TestDeploymentMismatch: instances naming different deployments, or one
// URL given twice, are a usage error.
func TestDeploymentMismatch(t *testing.T) {
	a := serve(t, "--sessions", "memory", "--deployment", "shop")
	b := serve(t, "--sessions", "memory", "--deployment", "blog")
	for _, tc := range []struct {
		urls []string
		says string
	}{
		{[]string{a, b}, `declares deployment "blog"`},
		{[]string{a, a}, "given twice"},
	} {
		r, _ := runDeployment(t, tc.urls)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("run against %v: exit %d, want 2 saying %q\n%s", tc.urls, r.code, tc.says, r.stderr)
		}
	}
}

// TestClearSessionsOnSharedStores: clearsessions removes the expired rows
// of PostgreSQL, and says why Redis has none to remove.
func TestClearSessionsOnSharedStores(t *testing.T) {
	pg := storetest.Postgres(t)
	store, err := session.Open(pg, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	for _, expiry := range []time.Time{time.Now().Add(-time.Second), time.Now().Add(-time.Hour), time.Now().Add(time.Hour)} {
		if _, err := store.Create(ctx, nil, expiry); err != nil {
			t.Fatal(err)
		}
	}
	if r := httpcheck(t, "clearsessions", "--sessions", pg); r.code != 0 || !strings.Contains(r.stdout, "removed 2 expired sessions") {
		t.Errorf("clearsessions on PostgreSQL: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := httpcheck(t, "clearsessions", "--sessions", storetest.Redis(t))
	if r.code != 0 || !strings.Contains(r.stdout, "removed 0") || !strings.Contains(r.stdout, "Redis removes expired sessions itself") {
		t.Errorf("clearsessions on Redis: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
