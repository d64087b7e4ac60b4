package frameworktest

import (
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Config is one configuration of a demo app: one golden file, one run.
type Config struct {
	Golden string   // testdata/golden/<Golden>.txt
	Name   string   // the target's name in the reports
	Args   []string // what Start makes of it: environment or flags
	Matrix bool     // a column of the framework's own matrix
}

// Demo is a framework's demo app under test: the one thing each
// examples/<framework> test describes, the run itself being the same for
// all of them.
type Demo struct {
	Framework string // "Flask": in log lines and the golden files' header
	// Dir is the framework's directory under examples, "flask", which is
	// also the name of its page, docs/frameworks/<Dir>.md.
	Dir     string
	Configs []Config
	// Sources are the files and directories the framework reads in a
	// process of its own (TrackSources).
	Sources []string
	// Adapter, when set, runs the adapter's own tests (bad input, the
	// on/off switch) with the framework's test runner.
	Adapter func(t *testing.T)
	// Start serves the demo in configuration c over http and https with
	// the certificate in tls until the test ends. It may run in a
	// goroutine of its own, so it returns its failure.
	Start func(t *testing.T, tls *Certificates, c Config) (*Server, error)
}

// golden is the demo's golden files, named after Framework and Dir.
func (d Demo) golden() Golden {
	return Golden{Framework: d.Framework, Demo: "examples/" + d.Dir + "/demo", Doc: d.Dir, Package: "./examples/" + d.Dir}
}

// Test builds the CLI, runs the adapter's tests, then serves every
// configuration and runs httpcheck against each, all at once (goroutines,
// not t.Parallel, which -parallel would limit to the number of CPUs:
// these runs wait for real) while the reference server runs in process on
// its virtual clock. Each configuration's verdicts are compared with its
// golden file, and the reference and the Matrix configurations are
// rendered as one matrix report.
func (d Demo) Test(t *testing.T) {
	start := time.Now()
	tmp := t.TempDir()
	reportsDir := ReportsDir(t)
	TrackSources(t, d.Sources...)
	bin := BuildHTTPCheck(t, tmp)
	tls := NewCertificates(t, tmp)
	if d.Adapter != nil {
		t.Run("adapter", d.Adapter)
	}

	began := time.Now()
	refOut := filepath.Join(reportsDir, "reference")
	runs := make([]Verdicts, len(d.Configs))
	var wg sync.WaitGroup
	for i, c := range d.Configs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := d.Start(t, tls, c)
			if err != nil {
				runs[i] = Verdicts{Err: err}
				return
			}
			runs[i] = RunAgainst(bin, tls.CAFile, s.HTTP, c.Name, filepath.Join(reportsDir, c.Golden), s.LogTail)
		}()
	}
	RunReference(t, bin, refOut)
	wg.Wait()
	t.Logf("reference and %d %s runs side by side: %s", len(d.Configs), d.Framework, time.Since(began).Round(100*time.Millisecond))

	matrix := []string{refOut}
	for i, c := range d.Configs {
		t.Run(c.Golden, func(t *testing.T) {
			r := runs[i]
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			t.Logf("%s: %s in %s (of which httpcheck run %s)", c.Name, Summary(r.Res), r.Took.Round(100*time.Millisecond),
				r.Res.Duration.Round(100*time.Millisecond))
			d.golden().Compare(t, c.Golden, r.Res)
		})
		if c.Matrix {
			matrix = append(matrix, runs[i].Out)
		}
	}
	if t.Failed() {
		return
	}
	t.Run("matrix", func(t *testing.T) { Matrix(t, bin, matrix, filepath.Join(reportsDir, "matrix")) })
	t.Logf("the whole test took %s", time.Since(start).Round(100*time.Millisecond))
}
