// Package faulttest proves that checks can fail: it runs a suite against
// deliberately broken variants of the reference server (a fault injected
// by wrapping its handler, in test code) and asserts that each fault makes
// the checks it targets fail, each with its own id.
//
// Ginkgo builds one spec tree per process, so each run happens in a child
// process: the suite's own test binary, re-executed with the target in its
// environment. The suite's TestMain calls Main, which turns such a child
// into a runner and leaves ordinary test runs alone.
package faulttest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/harness/runner"
	"github.com/httpcheck/httpcheck/reference/embedded"
	"github.com/httpcheck/httpcheck/reference/session"
	"github.com/httpcheck/httpcheck/reports"
)

// Fault is one deliberately broken variant of the reference server.
type Fault struct {
	Name string
	// Breaks are the checks this fault must make fail (state failed, not
	// error): each check's own id proves that check can fail.
	Breaks []*check.Check
	// Wrap breaks the reference server's handler.
	Wrap func(http.Handler) http.Handler
	// WrapSessions, when set, breaks the reference server's session store:
	// for faults inside the server (a Delete that does nothing, a store
	// that adopts any key), which no handler wrapper can reach. Wrap and
	// WrapSessions may work together through the request's context, which
	// the store sees.
	WrapSessions func(session.Store) session.Store
}

const (
	envTarget  = "HTTPCHECK_FAULT_TARGET"
	envCA      = "HTTPCHECK_FAULT_CA"
	envSuite   = "HTTPCHECK_FAULT_SUITE"
	envResults = "HTTPCHECK_FAULT_RESULTS"
)

// Main runs m, unless this process is a child started by Run: then it runs
// the suite against the target in its environment, writes the results and
// exits.
func Main(m *testing.M) {
	target := os.Getenv(envTarget)
	if target == "" {
		os.Exit(m.Run())
	}
	os.Exit(child(target))
}

func child(target string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t, err := harness.Connect(ctx, harness.Config{Target: target, CAFile: os.Getenv(envCA), Name: "fault", Origin: os.Getenv(envOrigin)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "faulttest child:", err)
		return 3
	}
	defer t.Close()
	return runChild(runner.Options{Target: t})
}

// runChild runs the suites named in the environment with o and writes the
// results where the parent reads them: the end of every child process.
func runChild(o runner.Options) int {
	o.Suites, o.Tool = strings.Split(os.Getenv(envSuite), ","), "httpcheck faulttest"
	res, err := runner.Run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "faulttest child:", err)
		return 3
	}
	f, err := os.Create(os.Getenv(envResults))
	if err != nil {
		fmt.Fprintln(os.Stderr, "faulttest child:", err)
		return 3
	}
	defer f.Close()
	if err := reports.WriteJSON(f, res); err != nil {
		fmt.Fprintln(os.Stderr, "faulttest child:", err)
		return 3
	}
	return 0
}

// Run runs suite against every fault and checks that the checks each one
// breaks fail with their ids. It also fails when some check of the suite
// is broken by no fault: every check must be shown able to fail.
func Run(t *testing.T, suite string, faults []Fault) {
	t.Helper()
	RunFaults(t, suite, faults, func(t *testing.T, f Fault) *reports.Results {
		return RunAgainstReference(t, embedded.Options{Wrap: f.Wrap, WrapSessions: f.WrapSessions}, suite)
	})
}

// RunAgainst starts the reference server wrapped by wrap (nil: unbroken),
// runs suite against it in a child process and returns the results.
func RunAgainst(t *testing.T, suite string, wrap func(http.Handler) http.Handler) *reports.Results {
	t.Helper()
	return RunAgainstReference(t, embedded.Options{Wrap: wrap}, suite)
}

// RunAgainstReference starts the reference server as ref says (a session
// backend, settings, faults), runs the suites against it in one child
// process and returns the results.
func RunAgainstReference(t *testing.T, ref embedded.Options, suites ...string) *reports.Results {
	t.Helper()
	inst, _, err := StartReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, inst.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "results.json")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envTarget+"="+inst.HTTPURL, envCA+"="+ca, envSuite+"="+strings.Join(suites, ","), envResults+"="+out)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child run: %v\n%s", err, output)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res reports.Results
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	return &res
}

// Checks looks up checks of suite by the rest of their ids, for a
// Fault's Breaks.
func Checks(t *testing.T, suite string, ids ...string) []*check.Check {
	t.Helper()
	var out []*check.Check
	for _, id := range ids {
		c, ok := check.Lookup(suite + "/" + id)
		if !ok {
			t.Fatalf("no check %s/%s", suite, id)
		}
		out = append(out, c)
	}
	return out
}
