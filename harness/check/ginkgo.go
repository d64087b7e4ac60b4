package check

import (
	"fmt"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
)

// Report entry names the runner reads back.
const (
	// EntryExchanges carries []reports.Exchange, the check's evidence.
	EntryExchanges = "httpcheck-exchanges"
	// EntryError marks a check that ended as `error`; its value is the message.
	EntryError = "httpcheck-error"
)

var current *harness.Target

// UseTarget sets the target every check runs against. The runner calls it
// once, before RunSpecs.
func UseTarget(t *harness.Target) { current = t }

// Target returns the target set by UseTarget.
func Target() *harness.Target { return current }

// ginkgoVerdicts ends a check through Ginkgo.
type ginkgoVerdicts struct{}

func (ginkgoVerdicts) Error(msg string) {
	ginkgo.AddReportEntry(EntryError, msg, ginkgo.ReportEntryVisibilityNever)
	ginkgo.Fail("error: "+msg, 2)
}

func (ginkgoVerdicts) Skip(reason string) { ginkgo.Skip(reason, 2) }

// NewEnv returns an Env for the running spec. Shared setups (a BeforeAll)
// use it to open browsers that later checks Adopt.
func NewEnv(ctx ginkgo.SpecContext) *harness.Env {
	if current == nil {
		ginkgo.Fail("no target: the runner must call check.UseTarget before RunSpecs")
	}
	return harness.NewEnv(ctx, current, ginkgoVerdicts{}, instances...)
}

// It declares the spec of check c. The body gets a fresh Env; whatever it
// opened is attached to the spec's report as evidence, pass or fail.
func (c *Check) It(body func(e *harness.Env), decorators ...any) bool {
	args := []any{ginkgo.Label(c.Labels()...), ginkgo.NodeTimeout(2 * time.Minute)}
	args = append(args, decorators...)
	args = append(args, func(ctx ginkgo.SpecContext) {
		e := NewEnv(ctx)
		defer func() {
			ginkgo.AddReportEntry(EntryExchanges, e.Exchanges(), ginkgo.ReportEntryVisibilityNever)
		}()
		body(e)
	})
	return ginkgo.It(c.SpecText(), args...)
}

// Waiting declares checks that share one wait (DESIGN.md, Time): a
// BeforeAll runs every check's setup, lets the longest lifetime pass once,
// then each check verifies in its own spec. Against a virtual clock the
// wait is free; against a real clock the group costs one wait, not the sum.
//
// Call it inside a container; it declares an Ordered container of its own.
// Each setup returns the verification to run after the wait. A setup must
// not assert (a failure there would fail every check in the group); it
// sends requests and keeps what the verification will judge.
func Waiting(text string, wait time.Duration, cases func(w *WaitGroup)) bool {
	w := &WaitGroup{wait: wait}
	barrier.groups = append(barrier.groups, w)
	return ginkgo.Describe(text, ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		cases(w)
		ginkgo.BeforeAll(func(ctx ginkgo.SpecContext) {
			if !barrier.ran && current != nil && !current.Clock.Virtual() {
				barrier.ran = true
				runBarrier(ctx)
			}
			if !w.prepared {
				// Not set up by the barrier: a virtual clock, where waits
				// are free, or a group the selection did not foresee.
				w.prepare(ctx)
				if w.skip == "" {
					NewEnv(ctx).Advance(w.wait)
				}
			}
		})
	})
}

// barrier makes every Waiting group of a real-clock run share one wait,
// so a run costs the longest wait, not one wait per group (DESIGN.md,
// Time). The first group to run sets up every group the run selected,
// waits once for the longest of their waits, and each group then only
// verifies. On a virtual clock each group advances on its own: other
// checks may move the clock far (a two-week session age) between a
// barrier and a group's verifications, and there waiting costs nothing.
var barrier struct {
	ran    bool
	groups []*WaitGroup
}

// selected reports whether the run will run check c; the runner sets it
// from its suite, label and focus selection.
var selected = func(*Check) bool { return true }

// Select tells the barrier which checks the run selected.
func Select(f func(*Check) bool) { selected = f }

func runBarrier(ctx ginkgo.SpecContext) {
	var longest time.Duration
	for _, g := range barrier.groups {
		if !g.wanted() {
			continue
		}
		g.prepare(ctx)
		if g.skip == "" && g.wait > longest {
			longest = g.wait
		}
	}
	if longest > 0 {
		NewEnv(ctx).Advance(longest)
	}
}

// wanted reports whether any check of the group is selected.
func (w *WaitGroup) wanted() bool {
	for _, s := range w.steps {
		if selected(s.check) {
			return true
		}
	}
	return false
}

// prepare decides whether the group runs and runs every setup. A setup
// that ends in error (the target broke) marks only its own check.
func (w *WaitGroup) prepare(ctx ginkgo.SpecContext) {
	w.prepared = true
	if w.skip = w.precheck(ctx); w.skip != "" {
		return
	}
	for _, s := range w.steps {
		s.run(ctx)
	}
}

// setupFailed is how a setup's Env stops at an Error.
type setupFailed struct{ msg string }

// recordErrors keeps a setup's transport error for its own check instead
// of failing the BeforeAll, and with it every check of the group.
type recordErrors struct{ ginkgoVerdicts }

func (recordErrors) Error(msg string) { panic(setupFailed{msg}) }

func (s *waitStep) run(ctx ginkgo.SpecContext) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(setupFailed)
			if !ok {
				panic(r)
			}
			s.err = f.msg
		}
	}()
	s.env = harness.NewEnv(ctx, current, recordErrors{})
	s.verify = s.setup(s.env)
}

// WaitGroup collects the checks of one Waiting container.
type WaitGroup struct {
	wait   time.Duration
	before []func(e *harness.Env)
	steps  []*waitStep
	skip   string // why the group does not run, once its BeforeAll decided
	// prepared is set once the group's setups ran (or it was skipped).
	prepared bool
}

// skipped is how precheck's Env stops at a Skip.
type skipped struct{ reason string }

// recordSkips ends checks as Ginkgo does, except that a skip is returned
// to precheck instead of skipping the BeforeAll.
type recordSkips struct{ ginkgoVerdicts }

func (recordSkips) Skip(reason string) { panic(skipped{reason}) }

// precheck runs the group's Before steps and its wait requirement, and
// returns the reason to skip the group, or "".
func (w *WaitGroup) precheck(ctx ginkgo.SpecContext) (reason string) {
	defer func() {
		if r := recover(); r != nil {
			s, ok := r.(skipped)
			if !ok {
				panic(r)
			}
			reason = s.reason
		}
	}()
	e := harness.NewEnv(ctx, current, recordSkips{})
	for _, before := range w.before {
		before(e)
	}
	e.RequireWait(w.wait)
	return ""
}

// Before adds a step that runs before every setup, such as a Require that
// skips the whole group.
func (w *WaitGroup) Before(f func(e *harness.Env)) { w.before = append(w.before, f) }

type waitStep struct {
	check  *Check
	setup  func(e *harness.Env) func(e *harness.Env)
	env    *harness.Env
	verify func(e *harness.Env)
	err    string // the transport error that ended the setup, if any
}

// It declares check c in the group: setup runs before the wait, the
// function it returns after.
func (w *WaitGroup) It(c *Check, setup func(e *harness.Env) (verify func(e *harness.Env))) bool {
	s := &waitStep{check: c, setup: setup}
	w.steps = append(w.steps, s)
	return c.It(func(e *harness.Env) {
		if w.skip != "" {
			e.Skipf("%s", w.skip)
		}
		if s.err != "" {
			for _, b := range s.env.Browsers() {
				e.Adopt(b)
			}
			e.Errorf("%s", s.err)
		}
		if s.env == nil || s.verify == nil {
			ginkgo.Fail(fmt.Sprintf("error: the shared setup of %s did not run", c.ID))
		}
		for _, b := range s.env.Browsers() {
			e.Adopt(b)
		}
		for _, sc := range s.env.Scripts() {
			e.AdoptScript(sc)
		}
		s.verify(e)
	})
}

// SharedSetupFailed reports whether a spec report's failure message says
// the spec was skipped because its group's shared setup failed.
func SharedSetupFailed(msg string) bool {
	return strings.Contains(msg, "because a BeforeAll node failed")
}
