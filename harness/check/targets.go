package check

import (
	"slices"

	"github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
)

// Runs over several targets: httpcheck probe grades several URLs in one
// run, each its own harness.Target, so a suite declares its checks once per
// target (ItOn) and the runner files each verdict under its target.

// EntryTarget carries the name of the target a check ran against.
const EntryTarget = "httpcheck-target"

var targets []*harness.Target

// UseTargets sets the targets of a run over several of them. The runner
// calls it once, before RunSpecs; a suite that runs once per target reads
// Targets while Ginkgo builds its tree, and declares nothing when there are
// none (as in `httpcheck run`).
func UseTargets(ts []*harness.Target) { targets = slices.Clone(ts) }

// Targets returns the targets set by UseTargets.
func Targets() []*harness.Target { return slices.Clone(targets) }

// NewEnvOn returns an Env against t for the running spec. Shared setups (a
// BeforeAll) use it to open browsers that later checks Adopt.
func NewEnvOn(ctx ginkgo.SpecContext, t *harness.Target) *harness.Env {
	return harness.NewEnv(ctx, t, ginkgoVerdicts{})
}

// ItOn declares the spec of check c against target t, as It does against
// the run's one target; its report says which target it ran against.
func (c *Check) ItOn(t *harness.Target, body func(e *harness.Env), decorators ...any) bool {
	args := []any{ginkgo.Label(c.Labels()...), specTimeout()}
	args = append(args, decorators...)
	args = append(args, func(ctx ginkgo.SpecContext) {
		ginkgo.AddReportEntry(EntryTarget, t.Name, ginkgo.ReportEntryVisibilityNever)
		e := NewEnvOn(ctx, t)
		defer func() {
			ginkgo.AddReportEntry(EntryExchanges, e.Exchanges(), ginkgo.ReportEntryVisibilityNever)
		}()
		body(e)
	})
	return ginkgo.It(c.SpecText(), args...)
}
