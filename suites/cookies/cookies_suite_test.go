package cookies_test

import (
	"context"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/harness/runner"
	"github.com/httpcheck/httpcheck/reports"
	"github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

func TestMain(m *testing.M) { faulttest.Main(m) }

// TestCookies runs the suite against the reference server, in process, on
// its virtual clock: every check must pass there.
func TestCookies(t *testing.T) {
	RegisterFailHandler(Fail)
	inst, cfg, err := runner.StartReference(runner.Reference{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	target, err := harness.Connect(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	res, err := runner.Run(runner.Options{Target: target, Suites: []string{"cookies"}, GinkgoConfig: true, T: t})
	if err != nil {
		t.Fatal(err)
	}
	ran := map[string]reports.State{}
	for _, c := range res.Checks {
		ran[c.ID] = c.State
		if c.State != reports.Passed {
			t.Errorf("%s: %s against the reference: %s", c.ID, c.State, c.Message)
		}
	}
	if len(GinkgoT().Name()) == 0 && len(ran) == 0 {
		t.Fatal("no checks ran")
	}
	for _, c := range check.All() {
		if c.Suite() == "cookies" && ran[c.ID] == "" && !focused() {
			t.Errorf("%s did not run against the reference", c.ID)
		}
	}
}

// focused reports whether the run was narrowed with -ginkgo.focus or
// -ginkgo.label-filter, when not every check is expected to run.
func focused() bool {
	cfg, _ := GinkgoConfiguration()
	return len(cfg.FocusStrings) > 0 || cfg.LabelFilter != "" || len(cfg.SkipStrings) > 0
}
