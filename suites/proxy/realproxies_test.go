package proxy_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/reports"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

// Real caches: nginx and Varnish, started by the tests on loopback in
// front of the harness origin (on the wall clock), with their
// configurations in testdata/. Each run's verdicts are compared with
// testdata/golden/NAME.json (check id -> state): a verdict that changes
// fails the test, to be looked at; -update accepts the new verdicts.
// HTTPCHECK_PROXY_REPORTS=DIR also writes each run's reports to DIR/NAME.

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from this run's verdicts")

// realProxy says how to start one cache.
type realProxy struct {
	name, binary string
	// command returns the command that runs the cache in the foreground
	// on 127.0.0.1:port, forwarding to originAddr, with its files in dir.
	command func(t *testing.T, dir string, port int, originAddr string) *exec.Cmd
}

var nginx = realProxy{name: "nginx", binary: "nginx", command: func(t *testing.T, dir string, port int, originAddr string) *exec.Cmd {
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers must reach the test's private temporary directory
	}
	conf := fill(t, "testdata/nginx.conf", "{{dir}}", dir, "{{port}}", fmt.Sprint(port), "{{origin}}", originAddr, "{{user}}", user)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return exec.Command("nginx", "-p", dir+"/", "-c", path, "-e", filepath.Join(dir, "error.log"), "-g", "daemon off;")
}}

var varnish = realProxy{name: "varnish", binary: "varnishd", command: func(t *testing.T, dir string, port int, originAddr string) *exec.Cmd {
	host, oport, _ := net.SplitHostPort(originAddr)
	vcl := fill(t, "testdata/varnish.vcl", "{{host}}", host, "{{port}}", oport)
	path := filepath.Join(dir, "varnish.vcl")
	if err := os.WriteFile(path, []byte(vcl), 0o600); err != nil {
		t.Fatal(err)
	}
	return exec.Command("varnishd", "-F", "-j", "none", "-f", path, "-a", fmt.Sprintf("127.0.0.1:%d", port), "-n", filepath.Join(dir, "work"), "-s", "malloc,64m")
}}

func TestNginx(t *testing.T)   { testRealProxy(t, nginx) }
func TestVarnish(t *testing.T) { testRealProxy(t, varnish) }

func fill(t *testing.T, file string, pairs ...string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer(pairs...).Replace(string(b))
}

func testRealProxy(t *testing.T, p realProxy) {
	if testing.Short() {
		t.Skip("starts " + p.name + " and waits for real")
	}
	if _, err := exec.LookPath(p.binary); err != nil {
		t.Skipf("%s is not installed (apt-get install %s; .ci/run installs it)", p.binary, p.name)
	}
	o, err := origin.Start("127.0.0.1:0", origin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	dir := t.TempDir()
	port := freePort(t)
	cmd := p.command(t, dir, port, strings.TrimSuffix(strings.TrimPrefix(o.URL, "http://"), "/"))
	logFile, err := os.Create(filepath.Join(dir, p.name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", p.name, err)
	}
	defer stop(t, cmd)
	cacheURL := fmt.Sprintf("http://127.0.0.1:%d/", port)
	if err := waitForHTTP(cacheURL, 30*time.Second); err != nil {
		log, _ := os.ReadFile(logFile.Name())
		t.Fatalf("%s did not answer on %s: %v\n%s", p.name, cacheURL, err, log)
	}

	start := time.Now()
	res := ft.RunOn(t, ft.Cache{URL: cacheURL, Origin: o.URL}, "proxy")
	s := res.Summary.ByState
	t.Logf("%s: %d checks in %s: %d passed, %d failed, %d skipped, %d errors", p.name, res.Summary.Total,
		time.Since(start).Round(10*time.Millisecond), s[reports.Passed], s[reports.Failed], s[reports.Skipped], s[reports.Error])
	if dir := os.Getenv("HTTPCHECK_PROXY_REPORTS"); dir != "" {
		res.Targets = []reports.Target{{Name: p.name, URL: cacheURL, Manifest: map[string]any{"mode": string(harness.ModeProxy), "cache": p.name + " (testdata/" + map[string]string{"nginx": "nginx.conf", "varnish": "varnish.vcl"}[p.name] + ")"}}}
		if err := reports.WriteAll(filepath.Join(dir, p.name), res); err != nil {
			t.Error(err)
		}
	}
	if diff := compareGolden(t, p.name, res); len(diff) > 0 {
		// Real caches revalidate in the background and on a real clock; on
		// a loaded machine a verdict can come out of one run differently.
		// A verdict only counts as changed when a second run agrees.
		t.Logf("%s: verdicts differ from the golden file; running the suite again to tell a change from timing:\n%s", p.name, strings.Join(diff, "\n"))
		again := ft.RunOn(t, ft.Cache{URL: cacheURL, Origin: o.URL}, "proxy")
		if diff := compareGolden(t, p.name, again); len(diff) > 0 {
			t.Errorf("%s's verdicts changed from testdata/golden/%s.json in two runs:\n%s\nLook at why; if the new verdicts are right, accept them with: go test ./suites/proxy -run Test%s -update",
				p.name, p.name, strings.Join(diff, "\n"), strings.ToUpper(p.name[:1])+p.name[1:])
		}
	}
}

// compareGolden returns how the run's verdicts differ from the golden
// file, or rewrites it with -update.
func compareGolden(t *testing.T, name string, res *reports.Results) []string {
	t.Helper()
	got := map[string]reports.State{}
	msgs := map[string]string{}
	for _, c := range res.Checks {
		got[c.ID] = c.State
		msgs[c.ID] = c.Message
	}
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to record the verdicts)", err)
	}
	var want map[string]reports.State
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var ids []string
	for id := range want {
		ids = append(ids, id)
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var diff []string
	for _, id := range ids {
		w, g := want[id], got[id]
		switch {
		case w == g:
		case w == "":
			diff = append(diff, fmt.Sprintf("  %s: new check, %s %s", id, g, msgs[id]))
		case g == "":
			diff = append(diff, fmt.Sprintf("  %s: was %s, did not run", id, w))
		default:
			diff = append(diff, fmt.Sprintf("  %s: was %s, now %s: %s", id, w, g, msgs[id]))
		}
	}
	return diff
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitForHTTP waits until something answers HTTP at u.
func waitForHTTP(u string, d time.Duration) error {
	deadline := time.Now().Add(d)
	c := &http.Client{Timeout: time.Second}
	for {
		resp, err := c.Get(u)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop ends the process group the test started, politely first.
func stop(t *testing.T, cmd *exec.Cmd) {
	pgid := cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
	}
}
