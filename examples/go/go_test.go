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
	"sync"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/examples/internal/frameworktest"

	// Not used here, but the demo and the httpcheck binary the test builds
	// are made of them: importing them makes go test's cache key cover them,
	// so that a change to a suite or to the package is never answered by a
	// cached pass.
	_ "github.com/httpcheck/httpcheck/examples/go/httpcheckcontract/gocache"
	_ "github.com/httpcheck/httpcheck/examples/go/httpcheckcontract/gorillasessions"
	_ "github.com/httpcheck/httpcheck/suites/all"
)

var golden = frameworktest.Golden{Framework: "Go", Demo: "examples/go/demo", Doc: "go", Package: "./examples/go"}

// configs are the demo's configurations under test: one golden file each.
// The first two are the matrix's Go columns; "plain" is the filesystem
// configuration with -plain, net/http and gorilla as they are, without what
// the package adds (docs/frameworks/go.md, "What the package makes up for").
var configs = []struct {
	golden string // testdata/golden/<golden>.txt
	name   string // the target's name in the reports
	args   []string
	matrix bool // a column of the matrix
}{
	{"filesystem", "Go (gorilla FilesystemStore)", []string{"-sessions", "filesystem"}, true},
	{"cookie", "Go (gorilla CookieStore)", []string{"-sessions", "cookie"}, true},
	{"plain", "Go as is (FilesystemStore, -plain)", []string{"-sessions", "filesystem", "-plain"}, false},
}

func TestGo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the demo and waits for real expiry")
	}
	start := time.Now()
	tmp := t.TempDir()
	reportsDir := frameworktest.ReportsDir(t)
	bin := frameworktest.BuildHTTPCheck(t, tmp)
	tls := frameworktest.NewCertificates(t, tmp)
	// Reading the demo's source makes it part of go test's cache key too.
	if _, err := os.ReadFile(filepath.Join("demo", "main.go")); err != nil {
		t.Fatal(err)
	}
	demo := filepath.Join(tmp, "demo")
	if out, err := exec.Command("go", "build", "-o", demo, "github.com/httpcheck/httpcheck/examples/go/demo").CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/go/demo: %v\n%s", err, out)
	}

	// The runs wait for real, so they all run at once (goroutines, not
	// t.Parallel, which -parallel would limit to the number of CPUs); the
	// reference server, in process on its virtual clock, runs meanwhile.
	began := time.Now()
	refOut := filepath.Join(reportsDir, "reference")
	runs := make([]frameworktest.Verdicts, len(configs))
	var wg sync.WaitGroup
	for i, c := range configs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := append([]string{"-http", "127.0.0.1:0", "-https", "127.0.0.1:0", "-cert", tls.CertFile, "-key", tls.KeyFile,
				"-session-dir", t.TempDir()}, c.args...)
			cmd := exec.Command(demo, args...)
			cmd.Env = append(os.Environ(), "HTTPCHECK_CONTRACT_ENABLED=1")
			d, err := frameworktest.Start(t, cmd)
			if err != nil {
				runs[i] = frameworktest.Verdicts{Err: err}
				return
			}
			runs[i] = frameworktest.RunAgainst(bin, tls.CAFile, d.HTTP, c.name, filepath.Join(reportsDir, c.golden), d.LogTail)
		}()
	}
	frameworktest.RunReference(t, bin, refOut)
	wg.Wait()
	t.Logf("reference and %d Go runs side by side: %s", len(configs), time.Since(began).Round(100*time.Millisecond))

	matrix := []string{refOut}
	for i, c := range configs {
		t.Run(c.golden, func(t *testing.T) {
			r := runs[i]
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			t.Logf("%s: %s in %s (of which httpcheck run %s)", c.name, frameworktest.Summary(r.Res), r.Took.Round(100*time.Millisecond),
				r.Res.Duration.Round(100*time.Millisecond))
			golden.Compare(t, c.golden, r.Res)
		})
		if c.matrix {
			matrix = append(matrix, runs[i].Out)
		}
	}
	if t.Failed() {
		return
	}
	t.Run("matrix", func(t *testing.T) {
		frameworktest.Matrix(t, bin, matrix, filepath.Join(reportsDir, "matrix"))
	})
	t.Logf("the whole test took %s", time.Since(start).Round(100*time.Millisecond))
}
