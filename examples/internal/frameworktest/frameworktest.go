// Package frameworktest runs httpcheck against a real framework's demo app
// and compares the verdicts with golden files. Each examples/<framework>
// test uses it: it builds the CLI once, makes a private CA and a
// certificate for loopback and the harness's virtual hosts, starts the
// demo (which prints "serving http=URL https=URL" once it listens), runs
// `httpcheck run --real-clock` against it, and compares one line per check
// ("id<TAB>state") with testdata/golden/<config>.txt.
//
//	go test ./examples/<framework>              compare with the golden files
//	go test ./examples/<framework> -update      rewrite them after a deliberate change
//	go test ./examples/<framework> -reports DIR keep the reports and the matrix in DIR
//
// Every verdict that differs from the reference server's is explained in
// docs/frameworks/<framework>.md; the golden file's header says so.
package frameworktest

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
	"syscall"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reports"

	// The CLI these tests build with "go build" is made of these: importing
	// them makes Go's test cache see a change to any suite or to the
	// reference, so that a cached pass is never stale.
	_ "github.com/httpcheck/httpcheck/reference/embedded"
	_ "github.com/httpcheck/httpcheck/suites/all"
)

// TrackSources reads every file under dirs (a demo app, its adapter), so
// that Go's test cache, which records the files a test opens, runs the
// test again when one of them changes: the framework reads them in a
// process of its own, where the cache cannot see.
func TrackSources(t *testing.T, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "__pycache__") {
				return filepath.SkipDir
			}
			if !d.IsDir() {
				_, err = os.ReadFile(path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

var (
	update  = flag.Bool("update", false, "rewrite testdata/golden from this run")
	keepDir = flag.String("reports", "", "write the reports (reference, each configuration and the matrix) under this directory instead of a temporary one")
)

// DebianPython is the interpreter that Debian's python3-* packages
// (python3-django, python3-flask) install for, /usr/bin/python3, which
// is not always the python3 on PATH; the environment variable env names
// another.
func DebianPython(env string) string {
	if p := os.Getenv(env); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// Updating reports whether the test runs with -update: golden files (and
// what is generated from them) are rewritten, not compared.
func Updating() bool { return *update }

// ContractSuites are the suites of the contract's features (cookies,
// sessions, auth, cache, views, resources). Suites of other features, such
// as a proxy's or a deployment's, would only skip.
var ContractSuites = []string{"cookies", "sessions", "auth", "cache", "views", "conditional", "freshness"}

// ReportsDir is where a test writes its reports: the -reports directory
// when given, else a temporary one.
func ReportsDir(t *testing.T) string {
	if *keepDir != "" {
		return *keepDir
	}
	return t.TempDir()
}

// BuildHTTPCheck builds the CLI once into dir.
func BuildHTTPCheck(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "httpcheck")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	MustRun(t, "go build ./cmd/httpcheck", exec.Command("go", "build", "-o", bin, "github.com/httpcheck/httpcheck/cmd/httpcheck"))
	return bin
}

// MustRun runs cmd to its end, a step the test cannot go on without (a
// build, the adapter's own tests), and ends the test with what (the
// command as a person would type it) and its output when it fails.
func MustRun(t *testing.T, what string, cmd *exec.Cmd) {
	t.Helper()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, out)
	}
}

// Installed runs cmd, which prints the versions of a framework and its
// packages, and returns what it printed. When cmd fails, the framework is
// not where the test looks: the test skips, saying so (missing: what is
// missing and how to install it) and why.
func Installed(t *testing.T, cmd *exec.Cmd, missing string) string {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Skipf("%s: %v: %s", missing, err, bytes.TrimSpace(out))
	}
	return string(bytes.TrimSpace(out))
}

// PythonEnv is the environment of a Python demo or of its adapter's tests:
// this process's, with extra added, no __pycache__ written into the source
// tree (which TrackSources reads), and stdout unbuffered, so that the
// "serving" line reaches Start as soon as it is printed.
func PythonEnv(extra ...string) []string {
	return append(append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1"), extra...)
}

// Result is what one httpcheck command did.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// Exec runs the CLI with args (without colour). Only a failure to start it
// is an error; a non-zero exit is in Result.Code.
func Exec(bin string, args ...string) (Result, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Code = ee.ExitCode()
	} else if err != nil {
		return r, fmt.Errorf("httpcheck %s: %v", strings.Join(args, " "), err)
	}
	return r, nil
}

// Run is Exec that ends the test when the CLI cannot start.
func Run(t *testing.T, bin string, args ...string) Result {
	t.Helper()
	r, err := Exec(bin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// RunReference runs the contract suites against the bundled reference
// server, writing its reports to out: the first column of a matrix.
func RunReference(t *testing.T, bin, out string) {
	t.Helper()
	args := []string{"run", "--name", "reference", "--out", out, "--fail-on", "none"}
	for _, s := range ContractSuites {
		args = append(args, "--suite", s)
	}
	if r := Run(t, bin, args...); r.Code != 0 {
		t.Fatalf("httpcheck run against the reference: exit %d\n%s", r.Code, r.Stderr)
	}
}

// Verdicts is one run of httpcheck against a served demo.
type Verdicts struct {
	Out  string // the report directory
	Res  *reports.Results
	Took time.Duration
	Err  error
}

// RunAgainst runs the contract suites with --real-clock against the demo at
// base (trusting the CA in caFile), naming the target name and writing the
// reports to out. It may run in a goroutine of its own: it returns its
// failure in Verdicts.Err. A run that does not exit 0 (with --fail-on none,
// only a transport error or a bad manifest does) is such a failure.
func RunAgainst(bin, caFile, base, name, out string, logTail func() string) Verdicts {
	began := time.Now()
	args := []string{"run", "--target", base, "--ca", caFile, "--real-clock",
		"--name", name, "--out", out, "--fail-on", "none"}
	for _, s := range ContractSuites {
		args = append(args, "--suite", s)
	}
	r, err := Exec(bin, args...)
	if err != nil {
		return Verdicts{Err: err}
	}
	if r.Code != 0 {
		return Verdicts{Err: fmt.Errorf("httpcheck run against %s: exit %d, want 0 (no transport errors)\n%s\n%s", name, r.Code, r.Stderr, logTail())}
	}
	res, err := LoadResults(out)
	return Verdicts{Out: out, Res: res, Took: time.Since(began), Err: err}
}

// LoadResults reads dir/results.json.
func LoadResults(dir string) (*reports.Results, error) {
	f, err := os.Open(filepath.Join(dir, "results.json"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return reports.ReadJSON(f)
}

// Summary is one line of counts by state.
func Summary(res *reports.Results) string {
	s := res.Summary.ByState
	return fmt.Sprintf("%d checks: %d passed, %d failed, %d errors, %d skipped",
		res.Summary.Total, s[reports.Passed], s[reports.Failed], s[reports.Error], s[reports.Skipped])
}

// Server is a demo app running as a child process.
type Server struct {
	HTTP, HTTPS string // the contract's base URLs
	log         string // its stderr
}

// LogTail is the end of the demo's stderr, for a failure message.
func (s *Server) LogTail() string {
	b, _ := os.ReadFile(s.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return "the demo's stderr (tail):\n" + string(b)
}

// Start starts cmd, a demo that prints one line "serving http=URL
// https=URL" on stdout once it listens, and stops it (SIGTERM, then
// SIGKILL after 5 s) when the test ends. Its stderr goes to a file that
// LogTail reads. It may run in a goroutine of its own: it returns its
// failure.
func Start(t *testing.T, cmd *exec.Cmd) (*Server, error) {
	s := &Server{log: filepath.Join(t.TempDir(), "stderr.log")}
	logFile, err := os.Create(s.log)
	if err != nil {
		return nil, err
	}
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %v", cmd.Path, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		logFile.Close()
	})

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
				s.HTTP = v
			}
			if v, ok := strings.CutPrefix(f, "https="); ok {
				s.HTTPS = v
			}
		}
	case <-exited:
		return nil, fmt.Errorf("the demo exited before it listened\n%s", s.LogTail())
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("the demo did not start within 30 s\n%s", s.LogTail())
	}
	if s.HTTP == "" || s.HTTPS == "" {
		return nil, fmt.Errorf("the demo did not say where it listens (want a line \"serving http=URL https=URL\")\n%s", s.LogTail())
	}
	return s, nil
}

// Certificates are a private CA and a certificate it signed for loopback
// and every virtual host the harness uses.
type Certificates struct {
	CAFile, CertFile, KeyFile string
}

// ServeFlags are the flags that the serve scripts of the demos (Django's
// and Flask's serve.py, Express's server.js) share: loopback, a free port
// for http and one for https, and this certificate and key.
func (c *Certificates) ServeFlags() []string {
	return []string{"--addr", "127.0.0.1", "--http-port", "0", "--https-port", "0", "--cert", c.CertFile, "--key", c.KeyFile}
}

// NewCertificates writes a fresh CA, a leaf certificate (with the CA after
// it) and the leaf's key under dir.
func NewCertificates(t *testing.T, dir string) *Certificates {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "httpcheck framework demo test CA"},
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
	c := &Certificates{
		CAFile:   filepath.Join(dir, "ca.pem"),
		CertFile: filepath.Join(dir, "cert.pem"),
		KeyFile:  filepath.Join(dir, "key.pem"),
	}
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	for path, data := range map[string][]byte{
		c.CAFile:   pemOf("CERTIFICATE", caDER),
		c.CertFile: append(pemOf("CERTIFICATE", leafDER), pemOf("CERTIFICATE", caDER)...),
		c.KeyFile:  pemOf("PRIVATE KEY", keyDER),
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// Golden files hold one line per check, "id<TAB>state", sorted by id,
// under testdata/golden of the test's package.
type Golden struct {
	// Framework names the framework in the header and the docs page
	// (docs/frameworks/<Doc>.md).
	Framework, Demo, Doc string
	// Package is the test's package path for the regenerate command,
	// "./examples/django".
	Package string
}

func (g Golden) header() string {
	return fmt.Sprintf(`# Verdicts of httpcheck against the %s demo (%s).
# One line per check: id, a tab, the state. Regenerate with: go test %s -update
# Every verdict that differs from the reference server's is explained in docs/frameworks/%s.md.
`, g.Framework, g.Demo, g.Package, g.Doc)
}

func goldenPath(name string) string { return filepath.Join("testdata", "golden", name+".txt") }

func verdicts(res *reports.Results) map[string]reports.State {
	m := map[string]reports.State{}
	for _, c := range res.Checks {
		m[c.ID] = c.State
	}
	return m
}

func (g Golden) write(t *testing.T, name string, res *reports.Results) {
	t.Helper()
	// Alternatives a person wrote survive a rewrite that one of them
	// matches.
	old := map[string]string{}
	if _, err := os.Stat(goldenPath(name)); err == nil {
		old = g.read(t, name)
	}
	var b strings.Builder
	b.WriteString(g.header())
	v := verdicts(res)
	for _, id := range slices.Sorted(maps.Keys(v)) {
		state := string(v[id])
		if o := old[id]; strings.Contains(o, "|") && matches(o, v[id]) {
			state = o
		}
		fmt.Fprintf(&b, "%s\t%s\n", id, state)
	}
	if err := os.MkdirAll(filepath.Dir(goldenPath(name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goldenPath(name), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", goldenPath(name))
}

// read returns the golden states by check (ParseGolden).
func (g Golden) read(t *testing.T, name string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(goldenPath(name))
	if err != nil {
		t.Fatalf("%v (write it with go test %s -update)", err, g.Package)
	}
	m, err := ParseGolden(goldenPath(name), data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// ParseGolden returns the states by check of the golden file at path, whose
// content is data: '#' lines are the header, every other non-empty line is
// "id<TAB>state". A state may list alternatives, "passed|failed", for a
// verdict that depends on how the framework's threads are scheduled (a
// race the page explains): any of them matches. Both the adapters' tests
// and the matrix of docs/frameworks/matrix.md read golden files through it.
func ParseGolden(path string, data []byte) (map[string]string, error) {
	m := map[string]string{}
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, state, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want id<TAB>state, got %q", path, i+1, line)
		}
		m[id] = state
	}
	return m, nil
}

// matches reports whether state is one of golden's alternatives.
func matches(golden string, state reports.State) bool {
	return slices.Contains(strings.Split(golden, "|"), string(state))
}

// Compare fails with one line per changed verdict: the check, the golden
// state, the state now and the message behind it. A check that ended in
// error fails too: a transport problem is never a golden verdict. With
// -update it rewrites the golden file instead.
func (g Golden) Compare(t *testing.T, name string, res *reports.Results) {
	t.Helper()
	for _, c := range res.Checks {
		if c.State == reports.Error {
			t.Errorf("%s ended in error (a transport problem, never a golden verdict): %s", c.ID, c.Message)
		}
	}
	if *update {
		g.write(t, name, res)
		return
	}
	want, got := g.read(t, name), verdicts(res)
	messages := map[string]string{}
	for _, c := range res.Checks {
		messages[c.ID] = firstLine(c.Message)
	}
	var diffs []string
	ids := map[string]bool{}
	for id := range want {
		ids[id] = true
	}
	for id := range got {
		ids[id] = true
	}
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		w, wok := want[id]
		n, nok := got[id]
		switch {
		case !nok:
			diffs = append(diffs, fmt.Sprintf("  %s: golden %s, now not run (a check removed or renamed?)", id, w))
		case !wok:
			diffs = append(diffs, fmt.Sprintf("  %s: new check, now %s: %s", id, n, messages[id]))
		case !matches(w, n):
			diffs = append(diffs, fmt.Sprintf("  %s: golden %s, now %s: %s", id, w, n, messages[id]))
		}
	}
	if len(diffs) > 0 {
		t.Errorf("%d verdicts differ from %s:\n%s\nIf the change is deliberate, explain it in docs/frameworks/%s.md and run go test %s -update",
			len(diffs), goldenPath(name), strings.Join(diffs, "\n"), g.Doc, g.Package)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
