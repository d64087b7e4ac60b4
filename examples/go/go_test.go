// Package gocontract_test runs httpcheck against the Go demo service in
// examples/go/demo (net/http, gorilla/sessions, go-cache, served through
// examples/go/httpcheckcontract), once per configuration the golden files
// name, and compares the verdicts with testdata/golden. Every verdict that
// differs from the reference server's is explained in docs/frameworks/go.md.
//
//	go test ./examples/go              compare with the golden files
//	go test ./examples/go -update      rewrite them after a deliberate change
//	go test ./examples/go -reports DIR keep the reports and the matrix in DIR
package gocontract_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/httpcheck/httpcheck/examples/internal/frameworktest"

	// Not used here, but the demo and the httpcheck binary the test builds
	// are made of them: importing them makes go test's cache key cover them,
	// so that a change to a suite or to the package is never answered by a
	// cached pass.
	_ "github.com/httpcheck/httpcheck/examples/go/httpcheckcontract/gocache"
	_ "github.com/httpcheck/httpcheck/examples/go/httpcheckcontract/gorillasessions"
	_ "github.com/httpcheck/httpcheck/suites/all"
)

// configs are the demo's configurations under test: one golden file each.
// The first two are the matrix's Go columns; "plain" is the filesystem
// configuration with -plain, net/http and gorilla as they are, without what
// the package adds (docs/frameworks/go.md, "What the package makes up for").
var configs = []frameworktest.Config{
	{Golden: "filesystem", Name: "Go (gorilla FilesystemStore)", Args: []string{"-sessions", "filesystem"}, Matrix: true},
	{Golden: "cookie", Name: "Go (gorilla CookieStore)", Args: []string{"-sessions", "cookie"}, Matrix: true},
	{Golden: "plain", Name: "Go as is (FilesystemStore, -plain)", Args: []string{"-sessions", "filesystem", "-plain"}, Matrix: false},
}

func TestGo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the demo and waits for real expiry")
	}
	demo := filepath.Join(t.TempDir(), "demo")
	frameworktest.MustRun(t, "go build ./examples/go/demo", exec.Command("go", "build", "-o", demo, "github.com/httpcheck/httpcheck/examples/go/demo"))
	frameworktest.Demo{
		Framework: "Go",
		Dir:       "go",
		Configs:   configs,
		// The demo is built by go build, which the test cache cannot see.
		Sources: []string{"demo"},
		Start: func(t *testing.T, tls *frameworktest.Certificates, c frameworktest.Config) (*frameworktest.Server, error) {
			args := append([]string{"-http", "127.0.0.1:0", "-https", "127.0.0.1:0", "-cert", tls.CertFile, "-key", tls.KeyFile,
				"-session-dir", t.TempDir()}, c.Args...)
			cmd := exec.Command(demo, args...)
			cmd.Env = append(os.Environ(), "HTTPCHECK_CONTRACT_ENABLED=1")
			return frameworktest.Start(t, cmd)
		},
	}.Test(t)
}
