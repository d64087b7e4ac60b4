package faulttest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/runner"
	"github.com/httpcheck/httpcheck/internal/resultschema"
	"github.com/httpcheck/httpcheck/reference/embedded"
	"github.com/httpcheck/httpcheck/reports"
	"github.com/httpcheck/httpcheck/suites/probe"
)

// A child run learns what to test from its environment.
const (
	envMode    = "HTTPCHECK_FAULT_MODE"    // harness.Mode of the targets
	envTargets = "HTTPCHECK_FAULT_TARGETS" // their URLs, one a line
	envOrigin  = "HTTPCHECK_FAULT_ORIGIN"  // the harness origin of a cache in the middle
	envCA      = "HTTPCHECK_FAULT_CA"      // a PEM file of certificates to trust
	envRecipe  = "HTTPCHECK_FAULT_RECIPE"  // a probe's session recipe
	envSuite   = "HTTPCHECK_FAULT_SUITE"   // the suites to run, comma-separated
	envResults = "HTTPCHECK_FAULT_RESULTS" // where to write results.json
)

// A Target is what a child run tests. start starts what it needs (stopped
// when t ends) and returns the child's environment, which says how to
// reach it.
type Target interface {
	start(t *testing.T) (env []string)
}

// RunOn starts the target, runs suites against it in a child process (the
// test binary, whose TestMain calls Main) and returns the results.
func RunOn(t *testing.T, target Target, suites ...string) *reports.Results {
	t.Helper()
	env := target.start(t)
	out := filepath.Join(t.TempDir(), "results.json")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), env...), envSuite+"="+strings.Join(suites, ","), envResults+"="+out)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child run: %v\n%s", err, output)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := resultschema.Validate(data); err != nil {
		t.Fatalf("the child's results.json breaks docs/results.schema.json: %v", err)
	}
	var res reports.Results
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	return &res
}

// Main runs m, unless this process is a child started by RunOn: then it runs
// the suites against the target in its environment, writes the results and
// exits.
func Main(m *testing.M) {
	if os.Getenv(envResults) == "" {
		os.Exit(m.Run())
	}
	if err := child(); err != nil {
		fmt.Fprintln(os.Stderr, "faulttest child:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

// child connects as `httpcheck run` (or `probe`) would, runs the suites
// and writes the results where RunOn reads them.
func child() error {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	mode := harness.Mode(os.Getenv(envMode))
	var urls []string
	if v := os.Getenv(envTargets); v != "" {
		urls = strings.Split(v, "\n")
	}
	cfg := harness.Config{Mode: mode, CAFile: os.Getenv(envCA), Origin: os.Getenv(envOrigin), Timeout: 10 * time.Second}
	var target *harness.Target
	var err error
	if mode == harness.ModeProbe {
		target, err = probe.Connect(ctx, cfg, urls, os.Getenv(envRecipe))
	} else {
		cfgs := make([]harness.Config, len(urls))
		for i, u := range urls {
			cfgs[i] = cfg
			cfgs[i].Target, cfgs[i].Name = u, "fault"
			if len(urls) > 1 {
				cfgs[i].Name = fmt.Sprintf("instance %d", i+1)
			}
		}
		if len(cfgs) == 0 {
			return fmt.Errorf("no target in %s", envTargets)
		}
		target, err = harness.Connect(ctx, cfgs[0], cfgs[1:]...)
	}
	if err != nil {
		return err
	}
	for _, t := range target.Instances() {
		defer t.Close()
	}
	res, err := runner.Run(runner.Options{Target: target, Suites: strings.Split(os.Getenv(envSuite), ","), Tool: "httpcheck faulttest"})
	if err != nil {
		return err
	}
	f, err := os.Create(os.Getenv(envResults))
	if err != nil {
		return err
	}
	if err := reports.WriteJSON(f, res); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Reference is the reference server as its options say (a session
// backend, settings, faults).
type Reference embedded.Options

func (r Reference) start(t *testing.T) []string {
	return Deployment{embedded.Options(r)}.start(t)
}

// Deployment is several reference instances tested together, as
// `httpcheck run --target URL1 --target URL2 ...` does
// (docs/deployments.md): they share whatever stores their URLs name (one
// Redis, one PostgreSQL) or nothing (memory).
type Deployment []embedded.Options

func (d Deployment) start(t *testing.T) []string {
	t.Helper()
	var urls []string
	var pems []byte
	for _, ref := range d {
		inst, _, err := StartReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { inst.Close() })
		urls = append(urls, inst.HTTPURL)
		pems = append(pems, inst.CAPEM...)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pems, 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{envMode + "=" + string(harness.ModeContract), envTargets + "=" + strings.Join(urls, "\n"), envCA + "=" + ca}
}

// Cache is a cache in the middle at URL, which forwards to the harness
// origin at Origin. The origin's clock decides the run's: virtual for the
// reference proxy, real for nginx or Varnish.
type Cache struct{ URL, Origin string }

func (c Cache) start(*testing.T) []string {
	return []string{envMode + "=" + string(harness.ModeProxy), envTargets + "=" + c.URL, envOrigin + "=" + c.Origin}
}

// BrokenProxy is the reference proxy in front of a harness origin, broken
// as f says (its Wrap and Configure).
func BrokenProxy(f Fault) Target { return brokenProxy(f) }

type brokenProxy Fault

func (f brokenProxy) start(t *testing.T) []string {
	t.Helper()
	rp, err := StartReferenceProxy(Fault(f))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rp.Close)
	return Cache{URL: rp.CacheURL, Origin: rp.OriginURL}.start(t)
}

// ProbeRun is URLs to probe and a session recipe, as `httpcheck probe`
// takes them, with a PEM file of certificates to trust.
type ProbeRun struct {
	URLs   []string
	Recipe string
	CA     string
}

func (p ProbeRun) start(*testing.T) []string {
	return []string{envMode + "=" + string(harness.ModeProbe), envTargets + "=" + strings.Join(p.URLs, "\n"),
		envRecipe + "=" + p.Recipe, envCA + "=" + p.CA}
}
