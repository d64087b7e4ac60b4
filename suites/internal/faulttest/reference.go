package faulttest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/harness/runner"
	"github.com/httpcheck/httpcheck/reference/embedded"
	"github.com/httpcheck/httpcheck/reports"
)

// PassesAgainstReference is a suite's bootstrap test: it runs the suite in
// this process against the reference server on its virtual clock, and
// every check of the suite must pass there. The ginkgo.* flags apply.
func PassesAgainstReference(t *testing.T, suite string) {
	t.Helper()
	inst, cfg, err := StartReference(embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	passesAgainst(t, suite, cfg, "the reference")
}

// passesAgainst runs suite in this process against the target cfg
// describes; every check of the suite must run and pass.
func passesAgainst(t *testing.T, suite string, cfg harness.Config, what string) {
	t.Helper()
	gomega.RegisterFailHandler(ginkgo.Fail)
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

// PassesOnCacheBackends runs suite against the reference server on each
// local cache backend (memory, file, SQLite): every check must pass on
// each.
func PassesOnCacheBackends(t *testing.T, suite string) {
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
			res := RunAgainstReference(t, embedded.Options{Cache: url}, suite)
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
