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
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/httpcheck/httpcheck/examples/internal/frameworktest"
)

// python is the interpreter with Django (frameworktest.DebianPython).
func python() string { return frameworktest.DebianPython("HTTPCHECK_DJANGO_PYTHON") }

// configs are the demo's configurations under test: one golden file each.
// The first two are the matrix's Django columns; "plain" is the db
// configuration with HTTPCHECK_CONTRACT_PLAIN, Django as it is, without what
// the app adds (docs/frameworks/django.md, "What the app makes up for").
var configs = []frameworktest.Config{
	{Golden: "db", Name: "Django (db sessions)", Args: []string{"HTTPCHECK_DEMO_SESSION_ENGINE=db"}, Matrix: true},
	// The adapter's state in a shared cache alias, as several processes need.
	{Golden: "signed_cookies", Name: "Django (signed-cookie sessions)", Args: []string{"HTTPCHECK_DEMO_SESSION_ENGINE=signed_cookies", "HTTPCHECK_DEMO_STATE_CACHE=1"}, Matrix: true},
	{Golden: "plain", Name: "Django as is (db sessions, HTTPCHECK_CONTRACT_PLAIN)", Args: []string{"HTTPCHECK_DEMO_SESSION_ENGINE=db", "HTTPCHECK_DEMO_PLAIN=1"}, Matrix: false},
}

func TestDjango(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Django and waits for real expiry")
	}
	version := frameworktest.Installed(t, exec.Command(python(), "-c", "import django; print(django.get_version())"),
		python()+" cannot import django (install Debian's python3-django, or set HTTPCHECK_DJANGO_PYTHON)")
	t.Logf("Django %s (%s)", version, python())
	frameworktest.Demo{
		Framework: "Django",
		Dir:       "django",
		Configs:   configs,
		Sources:   []string{"demo", "httpcheck_contract"},
		Adapter: func(t *testing.T) {
			cmd := exec.Command(python(), "manage.py", "test", "httpcheck_contract", "-v", "1")
			cmd.Dir = "demo"
			cmd.Env = frameworktest.PythonEnv("HTTPCHECK_DEMO_CACHE_DIR=" + filepath.Join(t.TempDir(), "cache"))
			frameworktest.MustRun(t, "manage.py test httpcheck_contract", cmd)
		},
		Start: startDemo,
	}.Test(t)
}

// startDemo migrates a fresh SQLite database and serves the demo project
// with c's environment over http and https on loopback, until the test ends. It may run
// in a goroutine of its own: it returns its failure.
func startDemo(t *testing.T, tls *frameworktest.Certificates, c frameworktest.Config) (*frameworktest.Server, error) {
	dir := t.TempDir()
	env := frameworktest.PythonEnv(append([]string{
		"HTTPCHECK_DEMO_DB=" + filepath.Join(dir, "demo.sqlite3"),
		"HTTPCHECK_DEMO_CACHE_DIR=" + filepath.Join(dir, "cache"),
	}, c.Args...)...)
	project, err := filepath.Abs("demo")
	if err != nil {
		return nil, err
	}
	migrate := exec.Command(python(), "manage.py", "migrate", "--noinput", "-v", "0")
	migrate.Dir, migrate.Env = project, env
	if out, err := migrate.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("manage.py migrate: %v\n%s", err, out)
	}
	cmd := exec.Command(python(), append([]string{"serve.py"}, tls.ServeFlags()...)...)
	cmd.Dir, cmd.Env = project, env
	return frameworktest.Start(t, cmd)
}
