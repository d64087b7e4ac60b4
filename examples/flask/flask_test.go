// Package flask_test runs httpcheck against the Flask demo app in
// examples/flask/demo, on real Flask and Flask-Caching (Debian's python3-flask
// and python3-flask-caching, for /usr/bin/python3), once with each
// configuration the golden files name, and compares the verdicts with
// testdata/golden. Every verdict that differs from the reference server's is
// explained in docs/frameworks/flask.md.
//
//	go test ./examples/flask              compare with the golden files
//	go test ./examples/flask -update      rewrite them after a deliberate change
//	go test ./examples/flask -reports DIR keep the reports and the matrix in DIR
//
// The test skips, saying why, when that Python cannot import flask and
// flask_caching.
package flask_test

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/httpcheck/httpcheck/examples/internal/frameworktest"
)

// python is the interpreter with Flask (frameworktest.DebianPython).
func python() string { return frameworktest.DebianPython("HTTPCHECK_FLASK_PYTHON") }

// configs are the demo's configurations under test: one golden file each.
// All keep sessions in Flask's signed cookie. The first two are the
// matrix's Flask columns; "plain" is the simple configuration with
// HTTPCHECK_CONTRACT_PLAIN, Flask as it is, without what the adapter adds
// (docs/frameworks/flask.md, "What the adapter makes up for").
var configs = []frameworktest.Config{
	{Golden: "simple", Name: "Flask (SimpleCache)", Args: []string{"HTTPCHECK_DEMO_DEFAULT_CACHE=SimpleCache"}, Matrix: true},
	// The default alias on disk, and the adapter's state in a
	// FileSystemCache of its own, as several processes need.
	{Golden: "filesystem", Name: "Flask (FileSystemCache)", Args: []string{"HTTPCHECK_DEMO_DEFAULT_CACHE=FileSystemCache", "HTTPCHECK_DEMO_STATE_CACHE=1"}, Matrix: true},
	{Golden: "plain", Name: "Flask as is (SimpleCache, HTTPCHECK_CONTRACT_PLAIN)", Args: []string{"HTTPCHECK_DEMO_DEFAULT_CACHE=SimpleCache", "HTTPCHECK_DEMO_PLAIN=1"}, Matrix: false},
}

// env is the demo's environment (frameworktest.PythonEnv) with a cache
// directory of its own.
func env(t *testing.T, extra ...string) []string {
	return frameworktest.PythonEnv(append([]string{"HTTPCHECK_DEMO_CACHE_DIR=" + filepath.Join(t.TempDir(), "cache")}, extra...)...)
}

func TestFlask(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Flask and waits for real expiry")
	}
	versions := frameworktest.Installed(t, exec.Command(python(), "-c", "import importlib.metadata as m, flask, flask_caching; print('Flask', m.version('flask') + ', Flask-Caching', m.version('flask-caching'))"),
		python()+" cannot import flask and flask_caching (install Debian's python3-flask and python3-flask-caching, or set HTTPCHECK_FLASK_PYTHON)")
	t.Logf("%s (%s)", versions, python())
	frameworktest.Demo{
		Framework: "Flask",
		Dir:       "flask",
		Configs:   configs,
		Sources:   []string{"demo", "httpcheck_contract"},
		Adapter: func(t *testing.T) {
			cmd := exec.Command(python(), "-m", "unittest", "httpcheck_contract.tests")
			cmd.Env = env(t)
			frameworktest.MustRun(t, "python -m unittest httpcheck_contract.tests", cmd)
		},
		Start: startDemo,
	}.Test(t)
}

// startDemo serves the demo app with extraEnv over http and https on
// loopback, each time with a fresh cache directory, until the test ends. It
// may run in a goroutine of its own: it returns its failure.
func startDemo(t *testing.T, tls *frameworktest.Certificates, c frameworktest.Config) (*frameworktest.Server, error) {
	cmd := exec.Command(python(), append([]string{"serve.py"}, tls.ServeFlags()...)...)
	cmd.Dir, cmd.Env = "demo", env(t, c.Args...)
	return frameworktest.Start(t, cmd)
}
