package proxy_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
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
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/reports"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

// Real caches: nginx, Varnish, Squid, Apache httpd (mod_cache with
// mod_cache_socache), Apache Traffic Server and HAProxy's cache, started by
// the tests on loopback in front of the harness origin (on the wall
// clock), with their configurations in testdata/. Each run's verdicts are
// compared with testdata/golden/NAME.json (check id -> state): a verdict
// that changes in two runs fails the test, to be looked at; one that
// changes in one run only is logged as flaky. -update accepts the new
// verdicts (and TestProxyMatrix rewrites docs/proxies-matrix.md from them).
// HTTPCHECK_PROXY_REPORTS=DIR also writes each run's reports to DIR/NAME.
//
// Regenerate every golden file and the matrix with one command:
//
//	go test ./suites/proxy -run 'TestNginx|TestVarnish|TestSquid|TestHTTPD|TestTrafficServer|TestHAProxy|TestProxyMatrix' -update

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from this run's verdicts, and docs/proxies-matrix.md")

// realProxy says how to start one cache.
type realProxy struct {
	// name is the golden file's and the report's name; binary the program
	// looked up on PATH and in /usr/sbin; pkg the Debian package that
	// installs it; config the file in testdata/ the cache runs with.
	name, binary, pkg, config string
	// command returns the command that runs the cache in the foreground
	// on 127.0.0.1:port, forwarding to originAddr, with its files in dir.
	command func(t *testing.T, dir string, port int, originAddr string) *exec.Cmd
	// ready, when set, waits for more than an HTTP answer: a cache that
	// answers before its storage is open would grade as one that stores
	// nothing.
	ready func(dir string) error
}

// realProxies are the caches in the order of the matrix's columns.
var realProxies = []realProxy{nginx, varnish, squid, httpd, trafficServer, haproxy}

var nginx = realProxy{name: "nginx", binary: "nginx", pkg: "nginx", config: "nginx.conf", command: func(t *testing.T, dir string, port int, originAddr string) *exec.Cmd {
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers must reach the test's private temporary directory
	}
	conf := fill(t, "testdata/nginx.conf", "{{dir}}", dir, "{{port}}", fmt.Sprint(port), "{{origin}}", originAddr, "{{user}}", user)
	path := writeFile(t, dir, "nginx.conf", conf)
	return exec.Command(lookBinary("nginx"), "-p", dir+"/", "-c", path, "-e", filepath.Join(dir, "error.log"), "-g", "daemon off;")
}}

var varnish = realProxy{name: "varnish", binary: "varnishd", pkg: "varnish", config: "varnish.vcl", command: func(t *testing.T, dir string, port int, originAddr string) *exec.Cmd {
	host, oport, _ := net.SplitHostPort(originAddr)
	path := writeFile(t, dir, "varnish.vcl", fill(t, "testdata/varnish.vcl", "{{host}}", host, "{{port}}", oport))
	return exec.Command(lookBinary("varnishd"), "-F", "-j", "none", "-f", path, "-a", fmt.Sprintf("127.0.0.1:%d", port), "-n", filepath.Join(dir, "work"), "-s", "malloc,64m")
}}

// squid runs with a service name of its own (-n), which names its shared
// memory segments, so that two runs never share them. Started as root,
// Squid switches to Debian's proxy user, which must write in its
// directory: a directory of its own that user can reach.
var squid = realProxy{name: "squid", binary: "squid", pkg: "squid", config: "squid.conf", command: func(t *testing.T, dir string, port int, originAddr string) *exec.Cmd {
	user := ""
	if os.Geteuid() == 0 {
		user = "cache_effective_user proxy"
		dir = worldWritableDir(t, "httpcheck-squid-")
	}
	host, oport, _ := net.SplitHostPort(originAddr)
	conf := fill(t, "testdata/squid.conf", "{{dir}}", dir, "{{port}}", fmt.Sprint(port), "{{host}}", host, "{{oport}}", oport, "{{user}}", user)
	path := writeFile(t, dir, "squid.conf", conf)
	return exec.Command(lookBinary("squid"), "-N", "-n", fmt.Sprintf("httpcheck%d", port), "-f", path)
}}

// httpd is Debian's apache2 binary with a configuration of its own (not
// /etc/apache2's). Started as root, its children run as www-data; its
// cache is shared memory the parent creates, so they need no directory.
var httpd = realProxy{name: "httpd", binary: "apache2", pkg: "apache2", config: "httpd.conf", command: func(t *testing.T, dir string, port int, originAddr string) *exec.Cmd {
	user, group := "", ""
	if os.Geteuid() == 0 {
		user, group = "User www-data", "Group www-data"
	}
	conf := fill(t, "testdata/httpd.conf", "{{dir}}", dir, "{{port}}", fmt.Sprint(port), "{{origin}}", originAddr, "{{user}}", user, "{{group}}", group)
	path := writeFile(t, dir, "httpd.conf", conf)
	return exec.Command(lookBinary("apache2"), "-f", path, "-DFOREGROUND")
}}

// trafficServerConfigs are the files in testdata/trafficserver/; Traffic
// Server also reads the others it ships with, which it finds empty here.
var trafficServerConfigs = []string{"records.config", "remap.config", "storage.config", "ip_allow.yaml"}

// trafficServer runs traffic_server alone (no traffic_manager) from a
// runroot in dir: its configuration, cache file, logs and runtime files
// all there, its programs and plugins where Debian installed them.
var trafficServer = realProxy{name: "trafficserver", binary: "traffic_server", pkg: "trafficserver", config: "trafficserver/records.config",
	command: func(t *testing.T, dir string, port int, originAddr string) *exec.Cmd {
		etc := filepath.Join(dir, "etc")
		for _, sub := range []string{etc, filepath.Join(dir, "run"), filepath.Join(dir, "log"), filepath.Join(dir, "cache")} {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range trafficServerConfigs {
			writeFile(t, etc, f, fill(t, "testdata/trafficserver/"+f, "{{dir}}", dir, "{{port}}", fmt.Sprint(port), "{{origin}}", originAddr))
		}
		for _, f := range []string{"cache.config", "parent.config", "plugin.config", "hosting.config", "volume.config", "ssl_multicert.config", "sni.yaml", "strategies.yaml", "logging.yaml"} {
			writeFile(t, etc, f, "")
		}
		runroot := strings.NewReplacer("DIR", dir).Replace(`prefix: /usr
exec_prefix: /usr
bindir: /usr/bin
sbindir: /usr/sbin
includedir: /usr/include
libdir: /usr/lib/trafficserver
libexecdir: /usr/lib/trafficserver/modules
sysconfdir: DIR/etc
datadir: DIR
localstatedir: DIR
runtimedir: DIR/run
logdir: DIR/log
cachedir: DIR
`)
		return exec.Command(lookBinary("traffic_server"), "--run-root="+writeFile(t, dir, "runroot.yaml", runroot))
	},
	ready: func(dir string) error {
		return waitForLog(filepath.Join(dir, "log", "diags.log"), "cache enabled", 30*time.Second)
	},
}

var haproxy = realProxy{name: "haproxy", binary: "haproxy", pkg: "haproxy", config: "haproxy.cfg", command: func(t *testing.T, dir string, port int, originAddr string) *exec.Cmd {
	conf := fill(t, "testdata/haproxy.cfg", "{{dir}}", dir, "{{port}}", fmt.Sprint(port), "{{origin}}", originAddr)
	return exec.Command(lookBinary("haproxy"), "-db", "-f", writeFile(t, dir, "haproxy.cfg", conf))
}}

func TestNginx(t *testing.T)         { testRealProxy(t, nginx) }
func TestVarnish(t *testing.T)       { testRealProxy(t, varnish) }
func TestSquid(t *testing.T)         { testRealProxy(t, squid) }
func TestHTTPD(t *testing.T)         { testRealProxy(t, httpd) }
func TestTrafficServer(t *testing.T) { testRealProxy(t, trafficServer) }
func TestHAProxy(t *testing.T)       { testRealProxy(t, haproxy) }

// lookBinary finds name on PATH or, for a PATH without it (a user's), in
// /usr/sbin where Debian installs servers; "" when it is in neither.
func lookBinary(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if p := filepath.Join("/usr/sbin", name); isExecutable(p) {
		return p
	}
	return ""
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// writeFile writes content to dir/name and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// worldWritableDir is a temporary directory a cache that drops root for
// another user can write in (t.TempDir's parent is private to root).
func worldWritableDir(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// waitForLog waits until file holds text.
func waitForLog(file, text string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		b, _ := os.ReadFile(file)
		if strings.Contains(string(b), text) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not say %q in %s", file, text, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

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
	if lookBinary(p.binary) == "" {
		t.Skipf("%s is not installed (apt-get install %s; .ci/run installs it)", p.binary, p.pkg)
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
	if p.ready != nil {
		if err := p.ready(dir); err != nil {
			t.Fatalf("%s is not ready: %v", p.name, err)
		}
	}

	start := time.Now()
	res := ft.RunOn(t, ft.Cache{URL: cacheURL, Origin: o.URL}, "proxy")
	s := res.Summary.ByState
	t.Logf("%s: %d checks in %s: %d passed, %d failed, %d skipped, %d errors", p.name, res.Summary.Total,
		time.Since(start).Round(10*time.Millisecond), s[reports.Passed], s[reports.Failed], s[reports.Skipped], s[reports.Error])
	if dir := os.Getenv("HTTPCHECK_PROXY_REPORTS"); dir != "" {
		res.Targets = []reports.Target{{Name: p.name, URL: cacheURL, Manifest: map[string]any{"mode": string(harness.ModeProxy), "cache": p.name + " (testdata/" + p.config + ")"}}}
		if err := reports.WriteAll(filepath.Join(dir, p.name), res); err != nil {
			t.Error(err)
		}
	}
	first := compareGolden(t, p.name, res)
	if len(first) == 0 {
		return
	}
	// Real caches revalidate in the background and on a real clock; on a
	// loaded machine a verdict can come out of one run differently. A
	// verdict counts as changed only when a second run gives the same new
	// one; one that differs between the two runs is flaky, and logged.
	t.Logf("%s: verdicts differ from the golden file; running the suite again to tell a change from timing:\n%s", p.name, lines(first))
	second := compareGolden(t, p.name, ft.RunOn(t, ft.Cache{URL: cacheURL, Origin: o.URL}, "proxy"))
	changed, flaky := map[string]change{}, map[string]change{}
	for id, c := range second {
		if first[id].now == c.now {
			changed[id] = c
		} else {
			flaky[id] = c
		}
	}
	for id, c := range first {
		if _, ok := second[id]; !ok {
			flaky[id] = c
		}
	}
	if len(flaky) > 0 {
		t.Logf("%s: flaky, the two runs disagree (the golden file stands):\n%s", p.name, lines(flaky))
	}
	if len(changed) > 0 {
		t.Errorf("%s's verdicts changed from testdata/golden/%s.json in two runs:\n%s\nLook at why; if the new verdicts are right, accept them with:\n  %s",
			p.name, p.name, lines(changed), regenerate)
	}
}

// change is a verdict that differs from the golden file's.
type change struct {
	id       string
	was, now reports.State // "" for a check not in the file, or not run
	message  string
}

func (c change) String() string {
	switch {
	case c.was == "":
		return fmt.Sprintf("  %s: new check, %s: %s", c.id, c.now, c.message)
	case c.now == "":
		return fmt.Sprintf("  %s: was %s, did not run", c.id, c.was)
	}
	return fmt.Sprintf("  %s: was %s, now %s: %s", c.id, c.was, c.now, c.message)
}

// lines renders changes one a line, by check id.
func lines(changes map[string]change) string {
	var out []string
	for _, id := range slices.Sorted(maps.Keys(changes)) {
		out = append(out, changes[id].String())
	}
	return strings.Join(out, "\n")
}

// regenerate is the one command that rewrites every golden file and the
// matrix (docs/proxies.md shows it too).
const regenerate = "go test ./suites/proxy -run 'TestNginx|TestVarnish|TestSquid|TestHTTPD|TestTrafficServer|TestHAProxy|TestProxyMatrix' -update"

// goldenPath is the file that pins cache name's verdicts.
func goldenPath(name string) string { return filepath.Join("testdata", "golden", name+".json") }

// readGolden returns the verdicts pinned for cache name.
func readGolden(name string) (map[string]reports.State, error) {
	b, err := os.ReadFile(goldenPath(name))
	if err != nil {
		return nil, err
	}
	var want map[string]reports.State
	if err := json.Unmarshal(b, &want); err != nil {
		return nil, fmt.Errorf("%s: %v", goldenPath(name), err)
	}
	return want, nil
}

// compareGolden returns, by check id, how the run's verdicts differ from
// the golden file, or rewrites the file with -update.
func compareGolden(t *testing.T, name string, res *reports.Results) map[string]change {
	t.Helper()
	got := map[string]reports.State{}
	msgs := map[string]string{}
	for _, c := range res.Checks {
		got[c.ID] = c.State
		msgs[c.ID] = c.Message
	}
	if *update {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(goldenPath(name), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return nil
	}
	want, err := readGolden(name)
	if err != nil {
		t.Fatalf("%v (run with -update to record the verdicts)", err)
	}
	diff := map[string]change{}
	for id := range union(want, got) {
		if want[id] != got[id] {
			diff[id] = change{id: id, was: want[id], now: got[id], message: msgs[id]}
		}
	}
	return diff
}

// union is the set of keys of a and b.
func union(a, b map[string]reports.State) map[string]bool {
	keys := map[string]bool{}
	for id := range a {
		keys[id] = true
	}
	for id := range b {
		keys[id] = true
	}
	return keys
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

// matrixDoc is the verdicts of the real caches side by side, generated
// from the golden files by TestProxyMatrix.
var matrixDoc = filepath.Join("..", "..", "docs", "proxies-matrix.md")

// TestProxyMatrix keeps docs/proxies-matrix.md in step with the golden
// files: it fails when the file is stale, and rewrites it with -update
// (after the caches' own tests, which come first in this file, have
// rewritten their golden files in the same run).
func TestProxyMatrix(t *testing.T) {
	columns := map[string]map[string]reports.State{}
	for _, p := range realProxies {
		states, err := readGolden(p.name)
		if err != nil {
			t.Fatal(err)
		}
		columns[p.name] = states
	}
	got := matrixMarkdown(proxyChecks(), columns)
	if *update {
		if err := os.WriteFile(matrixDoc, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(matrixDoc)
	if err != nil || string(want) != got {
		t.Errorf("%s is stale (%v); rewrite it with:\n  %s", matrixDoc, err, regenerate)
	}
}

// proxyChecks are the proxy suite's checks, by id.
func proxyChecks() []*check.Check {
	var out []*check.Check
	for _, c := range check.All() {
		if c.Suite() == "proxy" {
			out = append(out, c)
		}
	}
	return out
}

var matrixMark = map[reports.State]string{reports.Passed: "·", reports.Failed: "**F**", reports.Skipped: "s", reports.Error: "**E**", "": "–"}

// matrixMarkdown renders the reference proxy (which TestProxy requires to
// pass every check) and the real caches: counts per column, then every
// check some cache does not pass, MUST first.
func matrixMarkdown(checks []*check.Check, columns map[string]map[string]reports.State) string {
	var b strings.Builder
	b.WriteString("# Caches side by side\n\n" +
		"The proxy suite's verdicts against the reference proxy and six real caches from Debian's packages, as pinned\n" +
		"by the golden files that `go test ./suites/proxy` compares with the running caches on every CI run\n" +
		"(`suites/proxy/testdata/golden/`, configurations beside them). Generated by\n\n" +
		"    " + regenerate + "\n\n" +
		"from those files; do not edit. Every failure is explained in [proxies.md](proxies.md). The reference\n" +
		"proxy passes every check (TestProxy requires it). `·` passed, **F** failed, `s` skipped (the cache's\n" +
		"choice left nothing to grade), `–` not in the golden file (a check newer than it).\n\n")
	b.WriteString("| cache | checks | passed | failed | skipped | MUST failed | SHOULD failed |\n|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| httpcheck proxy | %d | %d | 0 | 0 | 0 | 0 |\n", len(checks), len(checks))
	for _, p := range realProxies {
		n := map[reports.State]int{}
		failed := map[reports.Level]int{}
		for _, c := range checks {
			s := columns[p.name][c.ID]
			n[s]++
			if s == reports.Failed {
				failed[c.Level]++
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d |\n", p.name, len(checks), n[reports.Passed], n[reports.Failed], n[reports.Skipped], failed[reports.Must], failed[reports.Should])
	}
	b.WriteString("\nEvery check that some cache does not pass:\n\n| check | level | reference |")
	for _, p := range realProxies {
		b.WriteString(" " + p.name + " |")
	}
	b.WriteString("\n|---|---|---|" + strings.Repeat("---|", len(realProxies)) + "\n")
	for _, level := range []reports.Level{reports.Must, reports.Should, reports.Advisory} {
		for _, c := range checks {
			if c.Level != level || !notPassedSomewhere(c.ID, columns) {
				continue
			}
			fmt.Fprintf(&b, "| `%s` | %s | · |", strings.TrimPrefix(c.ID, "proxy/"), c.Level)
			for _, p := range realProxies {
				b.WriteString(" " + matrixMark[columns[p.name][c.ID]] + " |")
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func notPassedSomewhere(id string, columns map[string]map[string]reports.State) bool {
	for _, states := range columns {
		if states[id] != reports.Passed {
			return true
		}
	}
	return false
}
