package probe_test

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
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/embedded"
	"github.com/httpcheck/httpcheck/reports"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

var update = flag.Bool("update", false, "rewrite the golden verdict files in testdata/")

func TestMain(m *testing.M) { ft.Main(m) }

// probeRun is what a test probes: URLs, each with a label for the golden
// file, and a recipe.
type probeRun struct {
	urls   []string
	labels map[string]string // target name -> label
	recipe string
	ca     string
}

func (p probeRun) run(t *testing.T) *reports.Results {
	t.Helper()
	return ft.RunOn(t, p.target(), "probe")
}

// target is what the probe run grades, for faulttest.
func (p probeRun) target() ft.Target {
	return ft.ProbeRun{URLs: p.urls, Recipe: p.recipe, CA: p.ca}
}

// verdicts renders results as the golden files keep them: one line per
// check and target, its state, and for a skip its reason (a failure's
// message holds dates and ports, and docs/probe.md explains it).
func (p probeRun) verdicts(res *reports.Results) string {
	var lines []string
	for _, c := range res.Checks {
		label := p.labels[c.Target]
		if label == "" {
			label = c.Target
		}
		line := fmt.Sprintf("%-10s %-47s %s", label, c.ID, c.State)
		if c.State == reports.Skipped || c.State == reports.Error {
			line += ": " + c.Message
		}
		lines = append(lines, line)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

// golden compares the verdicts with testdata/name, or rewrites it with
// -update. A changed verdict fails the test with a diff, to be looked at.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./suites/probe -run %s -update)", err, t.Name())
	}
	if d := diff(string(want), got); d != "" {
		t.Errorf("the verdicts changed (- %s, + now); if the change is right, explain it in docs/probe.md and run go test ./suites/probe -run %s -update\n%s", path, t.Name(), d)
	}
}

// diff lists the lines only in want (-) and only in got (+).
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for _, l := range w {
		if !slices.Contains(g, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// reference is the reference server on the wall clock (Date must be
// accurate for a probe, which has no virtual clock), with a resource put
// and the URLs the probe grades.
type reference struct {
	probeRun
	inst interface{ Close() error }
}

// startReference starts the reference server as ref says and prepares
// what the probe grades there: a resource put with max-age and Expires
// (validators both), a cookie set over https that looks like a session,
// and the session recipe of docs/, pointed at this server.
func startReference(t *testing.T, ref embedded.Options) probeRun {
	t.Helper()
	ref.Clock = clock.Real{}
	inst, _, err := ft.StartReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, inst.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}

	resource := inst.HTTPURL + "resources/probe-page"
	req, _ := http.NewRequest(http.MethodPut, resource+"?max_age=60&expires=1", strings.NewReader("a page the probe grades\n"))
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT %s: %s", resource, resp.Status)
	}
	cookieURL := inst.HTTPSURL + "cookies/set?name=__Host-sessionid&value=v&secure=1&path=/&httponly=1&samesite=Lax&max_age=3600"

	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "probe-reference-recipe.json"))
	if err != nil {
		t.Fatal(err)
	}
	var recipe map[string]any
	if err := json.Unmarshal(data, &recipe); err != nil {
		t.Fatal(err)
	}
	recipe["base"] = inst.HTTPSURL
	data, _ = json.Marshal(recipe)
	recipePath := filepath.Join(dir, "recipe.json")
	if err := os.WriteFile(recipePath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return probeRun{
		urls: []string{resource, cookieURL},
		labels: map[string]string{
			resource:  "resource",
			cookieURL: "cookie",
			"session: " + inst.HTTPSURL + "session/whoami": "session",
		},
		recipe: recipePath,
		ca:     ca,
	}
}

// TestReference probes the reference server: a resource after a PUT, a
// cookie from cookies/set, and the session recipe in docs/. Every verdict
// is explained in docs/probe.md.
func TestReference(t *testing.T) {
	p := startReference(t, embedded.Options{})
	res := p.run(t)
	for _, c := range res.Checks {
		if c.State == reports.Failed || c.State == reports.Error {
			t.Errorf("%s (%s): %s against the reference: %s", c.ID, p.labels[c.Target], c.State, c.Message)
		}
	}
	golden(t, "reference.golden", p.verdicts(res))
}

// TestNginx probes two static files served by nginx (Debian's package),
// started by the test on loopback with testdata/nginx.conf.
func TestNginx(t *testing.T) {
	base := startNginx(t, nginxBinary(t), "nginx.conf", func(root, _ string) error {
		files := map[string]string{
			"plain.txt":        "a static file nginx serves with its defaults\n",
			"cached/page.html": "<!doctype html><title>cached</title><p>nginx serves this with expires 1h\n",
		}
		modified := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		for name, body := range files {
			p := filepath.Join(root, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				return err
			}
			if err := os.Chtimes(p, modified, modified); err != nil {
				return err
			}
		}
		return nil
	})
	plain, cached := base+"plain.txt", base+"cached/page.html"
	p := probeRun{urls: []string{plain, cached}, labels: map[string]string{plain: "plain", cached: "cached"}}
	golden(t, "nginx.golden", p.verdicts(p.run(t)))
}

// nginxBinary finds Debian's nginx, or skips the test.
func nginxBinary(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		for _, p := range []string{"/usr/sbin/nginx", "/usr/local/sbin/nginx"} {
			if _, serr := os.Stat(p); serr == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		t.Skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
	}
	return bin
}

// startNginx picks a free loopback port, has fill write the static files
// into the document root (given the host:port they will be served at),
// writes testdata/conf there with its {{...}} fields filled in, starts
// nginx in the foreground, and returns its base URL. The files should get
// a fixed modification time in the past, so that Last-Modified and the
// ETag are the same on every run.
func startNginx(t *testing.T, bin, conf string, fill func(root, host string) error) string {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "www")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	addr := "127.0.0.1:" + port
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := fill(root, addr); err != nil {
		t.Fatal(err)
	}
	tmpl, err := os.ReadFile(filepath.Join("testdata", conf))
	if err != nil {
		t.Fatal(err)
	}
	config := strings.NewReplacer("{{DIR}}", dir, "{{ROOT}}", root, "{{PORT}}", port).Replace(string(tmpl))
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", confPath, "-e", filepath.Join(dir, "error.log"))
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		select {
		case err := <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %v\n%s%s", err, out, log)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx does not answer on %s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "http://" + addr + "/"
}
