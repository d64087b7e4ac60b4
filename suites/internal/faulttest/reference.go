package faulttest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/harness/runner"
	"github.com/httpcheck/httpcheck/reference/embedded"
	"github.com/httpcheck/httpcheck/reports"
)

// Passes is a suite's bootstrap test: it runs the suite in this process
// against its reference (the reference server, or the reference proxy in
// front of the harness origin) on a virtual clock, and every check of the
// suite must pass there. The ginkgo.* flags apply.
func (s Suite) Passes(t *testing.T) {
	t.Helper()
	if s.Against == AgainstProxy {
		rp, err := StartReferenceProxy(Fault{})
		if err != nil {
			t.Fatal(err)
		}
		defer rp.Close()
		passesAgainst(t, s.Name, harness.Config{Target: rp.CacheURL, Origin: rp.OriginURL, Name: "reference proxy"}, "the reference proxy")
		return
	}
	inst, cfg, err := StartReference(embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	passesAgainst(t, s.Name, cfg, "the reference")
}

// passesAgainst runs suite in this process against the target cfg
// describes; every check of the suite must run and pass.
func passesAgainst(t *testing.T, suite string, cfg harness.Config, what string) {
	t.Helper()
	target, err := harness.Connect(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	res, err := runner.Run(runner.Options{Target: target, Suites: []string{suite}, GinkgoConfig: true, T: t})
	if err != nil {
		t.Fatal(err)
	}
	ran := map[string]bool{}
	for _, c := range res.Checks {
		ran[c.ID] = true
		if c.State != reports.Passed {
			t.Errorf("%s: %s against %s: %s", c.ID, c.State, what, c.Message)
		}
	}
	cfgG, _ := ginkgo.GinkgoConfiguration()
	narrowed := len(cfgG.FocusStrings) > 0 || cfgG.LabelFilter != "" || len(cfgG.SkipStrings) > 0
	for _, c := range check.All() {
		if c.Suite() == suite && !ran[c.ID] && !narrowed {
			t.Errorf("%s did not run against %s", c.ID, what)
		}
	}
}

// PassesOnCacheBackends runs the suite against the reference server on
// each local cache backend (memory, file, SQLite): every check must pass
// on each.
func (s Suite) PassesOnCacheBackends(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	dir := t.TempDir()
	for name, url := range map[string]string{
		"memory": "memory",
		"file":   "file:" + filepath.Join(dir, "files"),
		"sqlite": "sqlite:" + filepath.Join(dir, "cache.sqlite3"),
	} {
		t.Run(name, func(t *testing.T) {
			res := RunOn(t, Reference{Cache: url}, s.Name)
			if len(res.Checks) == 0 {
				t.Fatal("no check ran")
			}
			for _, c := range res.Checks {
				if c.State != reports.Passed {
					t.Errorf("%s: %s on the %s backend: %s", c.ID, c.State, name, c.Message)
				}
			}
		})
	}
}
