// Package django_test runs httpcheck against the Django demo project in
// examples/django/demo, on real Django (Debian's python3-django, for
// /usr/bin/python3), once with each session backend the golden files name,
// and compares the verdicts with testdata/golden. Every verdict that differs
// from the reference server's is explained in docs/frameworks/django.md.
//
//	go test ./examples/django              compare with the golden files
//	go test ./examples/django -update      rewrite them after a deliberate change
//	go test ./examples/django -reports DIR keep the reports and the matrix in DIR
//
// The test skips, saying why, when that Python cannot import django.
package django_test

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"maps"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reports"
)

var (
	update  = flag.Bool("update", false, "rewrite testdata/golden from this run")
	keepDir = flag.String("reports", "", "write the reports (reference, db, signed_cookies and the matrix) under this directory instead of a temporary one")
)

// python is the interpreter with Django: Debian's python3-django installs
// for /usr/bin/python3, which is not always the python3 on PATH.
func python() string {
	if p := os.Getenv("HTTPCHECK_DJANGO_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// suites are the suites of the features the adapter declares (cookies,
// sessions, auth, cache, views, resources). Suites of other features, such
// as a proxy's or a deployment's, would only skip.
var suites = []string{"cookies", "sessions", "auth", "cache", "views", "conditional", "freshness"}

// configs are the demo's configurations under test: one golden file each.
// The first two are the matrix's Django columns; "plain" is the db
// configuration with HTTPCHECK_CONTRACT_PLAIN, Django as it is, without what
// the app adds (docs/frameworks/django.md, "What the app makes up for").
var configs = []struct {
	golden string // testdata/golden/<golden>.txt
	name   string // the target's name in the reports
	env    []string
	matrix bool // a column of the matrix
}{
	{"db", "Django (db sessions)", []string{"HTTPCHECK_DEMO_SESSION_ENGINE=db"}, true},
	// The adapter's state in a shared cache alias, as several processes need.
	{"signed_cookies", "Django (signed-cookie sessions)", []string{"HTTPCHECK_DEMO_SESSION_ENGINE=signed_cookies", "HTTPCHECK_DEMO_STATE_CACHE=1"}, true},
	{"plain", "Django as is (db sessions, HTTPCHECK_CONTRACT_PLAIN)", []string{"HTTPCHECK_DEMO_SESSION_ENGINE=db", "HTTPCHECK_DEMO_PLAIN=1"}, false},
}

func TestDjango(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Django and waits for real expiry")
	}
	if out, err := exec.Command(python(), "-c", "import django; print(django.get_version())").CombinedOutput(); err != nil {
		t.Skipf("%s cannot import django (install Debian's python3-django, or set HTTPCHECK_DJANGO_PYTHON): %v: %s",
			python(), err, bytes.TrimSpace(out))
	} else {
		t.Logf("Django %s (%s)", bytes.TrimSpace(out), python())
	}
	start := time.Now()
	tmp := t.TempDir()
	reportsDir := tmp
	if *keepDir != "" {
		reportsDir = *keepDir
	}
	bin := buildHTTPCheck(t, tmp)
	tls := newCertificates(t, tmp)

	// The adapter's own tests (bad input, the on/off switch), with Django's
	// test runner.
	t.Run("adapter", func(t *testing.T) {
		cmd := exec.Command(python(), "manage.py", "test", "httpcheck_contract", "-v", "1")
		cmd.Dir = "demo"
		cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "HTTPCHECK_DEMO_CACHE_DIR="+filepath.Join(t.TempDir(), "cache"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("manage.py test httpcheck_contract: %v\n%s", err, out)
		}
	})

	// The Django runs wait for real, so they all run at once (goroutines,
	// not t.Parallel, which -parallel would limit to the number of CPUs);
	// the reference server, in process on its virtual clock, runs meanwhile.
	began := time.Now()
	refOut := filepath.Join(reportsDir, "reference")
	runs := make([]demoRun, len(configs))
	var wg sync.WaitGroup
	for i, c := range configs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i] = runDemo(t, bin, tls, c.name, c.env, filepath.Join(reportsDir, c.golden))
		}()
	}
	args := []string{"run", "--name", "reference", "--out", refOut, "--fail-on", "none"}
	for _, s := range suites {
		args = append(args, "--suite", s)
	}
	ref := runHTTPCheck(t, bin, args...)
	wg.Wait()
	if ref.code != 0 {
		t.Fatalf("httpcheck run against the reference: exit %d\n%s", ref.code, ref.stderr)
	}
	t.Logf("reference and %d Django runs side by side: %s", len(configs), time.Since(began).Round(100*time.Millisecond))

	matrix := []string{refOut}
	for i, c := range configs {
		t.Run(c.golden, func(t *testing.T) {
			r := runs[i]
			if r.err != nil {
				t.Fatal(r.err)
			}
			t.Logf("%s: %s in %s (of which httpcheck run %s)", c.name, summary(r.res), r.took.Round(100*time.Millisecond),
				r.res.Duration.Round(100*time.Millisecond))
			compareGolden(t, c.golden, r.res)
		})
		if c.matrix {
			matrix = append(matrix, runs[i].out)
		}
	}
	if t.Failed() {
		return
	}
	t.Run("matrix", func(t *testing.T) { testMatrix(t, bin, matrix, filepath.Join(reportsDir, "matrix")) })
	t.Logf("the whole test took %s", time.Since(start).Round(100*time.Millisecond))
}

// demoRun is one configuration of the demo, served and tested.
type demoRun struct {
	out  string // the report directory
	res  *reports.Results
	took time.Duration
	err  error
}

// runDemo serves the demo with env and runs httpcheck against it, writing
// the reports to out. It runs in a goroutine of its own, so it returns its
// failure rather than ending the test.
func runDemo(t *testing.T, bin string, tls *certificates, name string, env []string, out string) demoRun {
	began := time.Now()
	demo, err := startDemo(t, tls, env)
	if err != nil {
		return demoRun{err: err}
	}
	args := []string{"run", "--target", demo.http, "--ca", tls.caFile, "--real-clock",
		"--name", name, "--out", out, "--fail-on", "none"}
	for _, s := range suites {
		args = append(args, "--suite", s)
	}
	r, err := execHTTPCheck(bin, args...)
	if err != nil {
		return demoRun{err: err}
	}
	if r.code != 0 {
		return demoRun{err: fmt.Errorf("httpcheck run against %s: exit %d, want 0 (no transport errors)\n%s\n%s", name, r.code, r.stderr, demo.logTail())}
	}
	res, err := loadResults(out)
	return demoRun{out: out, res: res, took: time.Since(began), err: err}
}

// buildHTTPCheck builds the CLI once into dir.
func buildHTTPCheck(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "httpcheck")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", bin, "github.com/httpcheck/httpcheck/cmd/httpcheck")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/httpcheck: %v\n%s", err, out)
	}
	return bin
}

type result struct {
	code           int
	stdout, stderr string
}

func runHTTPCheck(t *testing.T, bin string, args ...string) result {
	t.Helper()
	r, err := execHTTPCheck(bin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func execHTTPCheck(bin string, args ...string) (result, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		return r, fmt.Errorf("httpcheck %s: %v", strings.Join(args, " "), err)
	}
	return r, nil
}

func readResults(t *testing.T, dir string) *reports.Results {
	t.Helper()
	res, err := loadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func loadResults(dir string) (*reports.Results, error) {
	f, err := os.Open(filepath.Join(dir, "results.json"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return reports.ReadJSON(f)
}

func summary(res *reports.Results) string {
	s := res.Summary.ByState
	return fmt.Sprintf("%d checks: %d passed, %d failed, %d errors, %d skipped",
		res.Summary.Total, s[reports.Passed], s[reports.Failed], s[reports.Error], s[reports.Skipped])
}

// demo is a running demo project.
type demo struct {
	http, https string
	log         string // its stderr
}

func (d *demo) logTail() string {
	b, _ := os.ReadFile(d.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return "demo project's stderr (tail):\n" + string(b)
}

// startDemo migrates a fresh SQLite database and serves the demo project
// with env over http and https on loopback, until the test ends. It may run
// in a goroutine of its own: it returns its failure.
func startDemo(t *testing.T, tls *certificates, extraEnv []string) (*demo, error) {
	dir := t.TempDir()
	d := &demo{log: filepath.Join(dir, "stderr.log")}
	env := append(os.Environ(),
		"HTTPCHECK_DEMO_DB="+filepath.Join(dir, "demo.sqlite3"),
		"HTTPCHECK_DEMO_CACHE_DIR="+filepath.Join(dir, "cache"),
		"PYTHONDONTWRITEBYTECODE=1", // no __pycache__ in the source tree
		"PYTHONUNBUFFERED=1",
	)
	env = append(env, extraEnv...)
	project, err := filepath.Abs("demo")
	if err != nil {
		return nil, err
	}
	migrate := exec.Command(python(), "manage.py", "migrate", "--noinput", "-v", "0")
	migrate.Dir, migrate.Env = project, env
	if out, err := migrate.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("manage.py migrate: %v\n%s", err, out)
	}

	logFile, err := os.Create(d.log)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(python(), "serve.py", "--addr", "127.0.0.1", "--http-port", "0",
		"--https-port", "0", "--cert", tls.certFile, "--key", tls.keyFile)
	cmd.Dir, cmd.Env, cmd.Stderr = project, env, logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logFile.Close()
	})

	// serve.py prints "serving http=URL https=URL" once it listens.
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	select {
	case line := <-lines:
		for _, f := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(f, "http="); ok {
				d.http = v
			}
			if v, ok := strings.CutPrefix(f, "https="); ok {
				d.https = v
			}
		}
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("the demo project did not start within 30 s\n%s", d.logTail())
	}
	if d.http == "" || d.https == "" {
		return nil, fmt.Errorf("serve.py did not say where it listens\n%s", d.logTail())
	}
	return d, nil
}

// certificates are a private CA and a certificate it signed for loopback
// and every virtual host the harness uses.
type certificates struct {
	caFile, certFile, keyFile string
}

func newCertificates(t *testing.T, dir string) *certificates {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "httpcheck Django demo test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     append([]string{"localhost"}, harness.VirtualHosts...),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	c := &certificates{
		caFile:   filepath.Join(dir, "ca.pem"),
		certFile: filepath.Join(dir, "cert.pem"),
		keyFile:  filepath.Join(dir, "key.pem"),
	}
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	for path, data := range map[string][]byte{
		c.caFile:   pemOf("CERTIFICATE", caDER),
		c.certFile: append(pemOf("CERTIFICATE", leafDER), pemOf("CERTIFICATE", caDER)...),
		c.keyFile:  pemOf("PRIVATE KEY", keyDER),
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// Golden files hold one line per check, "id<TAB>state", sorted by id.

const goldenHeader = `# Verdicts of httpcheck against the Django demo project (examples/django/demo).
# One line per check: id, a tab, the state. Regenerate with: go test ./examples/django -update
# Every verdict that differs from the reference server's is explained in docs/frameworks/django.md.
`

func goldenPath(name string) string { return filepath.Join("testdata", "golden", name+".txt") }

func verdicts(res *reports.Results) map[string]reports.State {
	m := map[string]reports.State{}
	for _, c := range res.Checks {
		m[c.ID] = c.State
	}
	return m
}

func writeGolden(t *testing.T, name string, res *reports.Results) {
	t.Helper()
	var b strings.Builder
	b.WriteString(goldenHeader)
	v := verdicts(res)
	for _, id := range slices.Sorted(maps.Keys(v)) {
		fmt.Fprintf(&b, "%s\t%s\n", id, v[id])
	}
	if err := os.WriteFile(goldenPath(name), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", goldenPath(name))
}

func readGolden(t *testing.T, name string) map[string]reports.State {
	t.Helper()
	data, err := os.ReadFile(goldenPath(name))
	if err != nil {
		t.Fatalf("%v (write it with go test ./examples/django -update)", err)
	}
	m := map[string]reports.State{}
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, state, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s:%d: want id<TAB>state, got %q", goldenPath(name), i+1, line)
		}
		m[id] = reports.State(state)
	}
	return m
}

// compareGolden fails with one line per changed verdict: the check, the
// golden state, the state now and the message behind it.
func compareGolden(t *testing.T, name string, res *reports.Results) {
	t.Helper()
	for _, c := range res.Checks {
		if c.State == reports.Error {
			t.Errorf("%s ended in error (a transport problem, never a golden verdict): %s", c.ID, c.Message)
		}
	}
	if *update {
		writeGolden(t, name, res)
		return
	}
	want, got := readGolden(t, name), verdicts(res)
	messages := map[string]string{}
	for _, c := range res.Checks {
		messages[c.ID] = firstLine(c.Message)
	}
	var diffs []string
	for _, id := range slices.Sorted(maps.Keys(union(want, got))) {
		w, wok := want[id]
		g, gok := got[id]
		switch {
		case !gok:
			diffs = append(diffs, fmt.Sprintf("  %s: golden %s, now not run (a check removed or renamed?)", id, w))
		case !wok:
			diffs = append(diffs, fmt.Sprintf("  %s: new check, now %s: %s", id, g, messages[id]))
		case w != g:
			diffs = append(diffs, fmt.Sprintf("  %s: golden %s, now %s: %s", id, w, g, messages[id]))
		}
	}
	if len(diffs) > 0 {
		t.Errorf("%d verdicts differ from %s:\n%s\nIf the change is deliberate, explain it in docs/frameworks/django.md and run go test ./examples/django -update",
			len(diffs), goldenPath(name), strings.Join(diffs, "\n"))
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

func union(a, b map[string]reports.State) map[string]reports.State {
	u := maps.Clone(a)
	maps.Copy(u, b)
	return u
}

// testMatrix renders the three results as one report and checks that its
// matrix has a column per target, named as the runs named them, and a row
// per check whose cells are the verdicts of each results file.
func testMatrix(t *testing.T, bin string, ins []string, out string) {
	args := []string{"report", "--out", out}
	var runs []*reports.Results
	for _, in := range ins {
		args = append(args, "--in", filepath.Join(in, "results.json"))
		runs = append(runs, readResults(t, in))
	}
	if r := runHTTPCheck(t, bin, args...); r.code != 0 {
		t.Fatalf("httpcheck report: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	f, err := os.Open(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := goquery.NewDocumentFromReader(f)
	if err != nil {
		t.Fatal(err)
	}
	table := doc.Find("table.matrix")
	if table.Length() != 1 {
		t.Fatalf("index.html has %d matrix tables, want 1", table.Length())
	}
	var columns []string
	table.Find("thead th").Each(func(i int, s *goquery.Selection) {
		if i >= 2 { // Check, Level, then one column per target
			columns = append(columns, strings.TrimSpace(s.Text()))
		}
	})
	var want []string
	for _, r := range runs {
		want = append(want, r.Targets[0].Name)
	}
	if !slices.Equal(columns, want) {
		t.Errorf("matrix columns %q, want %q", columns, want)
	}
	rows := 0
	cells := map[string][]string{}
	var order []string
	marked := map[string]bool{}
	table.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
		rows++
		id := strings.TrimSpace(tr.Find("th code.id").Text())
		order = append(order, id)
		marked[id] = tr.HasClass("differs")
		tr.Find("td").Each(func(i int, td *goquery.Selection) {
			if i >= 1 { // the level, then the targets
				cells[id] = append(cells[id], strings.TrimSpace(td.Text()))
			}
		})
	})
	ids := map[string]bool{}
	for n, r := range runs {
		for _, c := range r.Checks {
			ids[c.ID] = true
			got := cells[c.ID]
			if len(got) != len(runs) {
				t.Errorf("matrix row %s has %d cells, want %d", c.ID, len(got), len(runs))
				continue
			}
			if got[n] != string(c.State) {
				t.Errorf("matrix cell %s x %s says %q, results.json %q", c.ID, want[n], got[n], c.State)
			}
		}
	}
	if rows != len(ids) {
		t.Errorf("matrix has %d rows, want one per check (%d)", rows, len(ids))
	}
	// The rows where the targets disagree come first, marked.
	differ := 0
	for i, id := range order {
		states := cells[id]
		d := slices.ContainsFunc(states[1:], func(s string) bool { return s != states[0] })
		if d != marked[id] {
			t.Errorf("matrix row %s (%q) marked as differing: %v", id, states, marked[id])
		}
		if d {
			if i != differ {
				t.Errorf("matrix row %s differs but comes after rows that agree", id)
			}
			differ++
		}
	}
	// The overview counts each target's failed MUST checks.
	var mustFailed []string
	doc.Find("table.overview tbody tr").Each(func(_ int, tr *goquery.Selection) {
		mustFailed = append(mustFailed, strings.TrimSpace(tr.Find("td").Last().Text()))
	})
	var wantMust []string
	for _, r := range runs {
		n := 0
		for _, c := range r.Checks {
			if c.Level == reports.Must && c.State == reports.Failed {
				n++
			}
		}
		wantMust = append(wantMust, fmt.Sprint(n))
	}
	if !slices.Equal(mustFailed, wantMust) {
		t.Errorf("overview's failed MUST column %q, want %q", mustFailed, wantMust)
	}
	t.Logf("matrix: %d checks x %d targets (%s); %d rows where a Django column differs from the reference",
		rows, len(runs), strings.Join(want, ", "), differ)
}
