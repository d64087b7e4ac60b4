package check

import (
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

// specTimeout bounds one check: two minutes of requests, plus the longest
// real wait --max-wait allows it.
func specTimeout() ginkgo.NodeTimeout {
	d := 2 * time.Minute
	if current != nil {
		d += current.MaxWait
	}
	return ginkgo.NodeTimeout(d)
}

// It declares the spec of check c. The body gets a fresh Env; whatever it
// opened is attached to the spec's report as evidence, pass or fail.
func (c *Check) It(body func(e *harness.Env), decorators ...any) bool {
	args := []any{ginkgo.Label(c.Labels()...), specTimeout()}
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

// Waiting declares checks that share one wait (docs/decisions.md, "Shared waits"): a
// BeforeAll runs every check's setup, lets the longest lifetime pass once,
// then each check verifies in its own spec. Against a virtual clock the
// wait is free; against a real clock the whole run shares one wait (see
// barrier).
//
// Call it inside a container; it declares an Ordered container of its own.
// Each setup returns the verification to run after the wait. A setup must
// not assert: it sends requests and keeps what the verification will
// judge. A Skip or a transport error in a setup ends only its own check.
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
				// are free, a group that waits on its own, or one the
				// selection did not foresee.
				w.prepare(ctx)
				if w.skip == "" && w.err == "" {
					NewEnv(ctx).Advance(w.wait)
				}
			}
		})
	})
}

// barrier makes every Waiting group of a real-clock run share one wait,
// so a run costs the longest wait, not one wait per group
// (docs/decisions.md, "Shared waits"). The first group to run sets up every group the run selected,
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
		if !g.wanted() || (g.ownWait != nil && g.ownWait(current)) {
			continue
		}
		g.prepare(ctx)
		if g.skip == "" && g.err == "" && g.wait > longest {
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

// prepare decides whether the group runs and runs every setup.
func (w *WaitGroup) prepare(ctx ginkgo.SpecContext) {
	w.prepared = true
	if w.precheck(ctx); w.skip != "" || w.err != "" {
		return
	}
	for _, s := range w.steps {
		s.run(ctx)
	}
}

// stopped is how an Env that records verdicts (setupVerdicts) stops.
type stopped struct{ msg string }

// setupVerdicts keeps what ends a setup, a transport error or a skip,
// instead of failing or skipping the BeforeAll that runs it: the verdict
// belongs to the one check whose setup it was.
type setupVerdicts struct{ err, skip *string }

func (v setupVerdicts) Error(msg string) { *v.err = msg; panic(stopped{msg}) }
func (v setupVerdicts) Skip(msg string)  { *v.skip = msg; panic(stopped{msg}) }

// record runs f with an Env whose verdicts setupVerdicts keeps.
func record(ctx ginkgo.SpecContext, err, skip *string, f func(e *harness.Env)) *harness.Env {
	e := harness.NewEnv(ctx, current, setupVerdicts{err, skip}, instances...)
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(stopped); !ok {
					panic(r)
				}
			}
		}()
		f(e)
	}()
	return e
}

func (s *waitStep) run(ctx ginkgo.SpecContext) {
	s.env = record(ctx, &s.err, &s.skip, func(e *harness.Env) { s.verify = s.setup(e) })
}

// WaitGroup collects the checks of one Waiting container.
type WaitGroup struct {
	wait   time.Duration
	before []func(e *harness.Env)
	steps  []*waitStep
	skip   string // why the group does not run, once its BeforeAll decided
	err    string // the error that kept the group from running, if any
	// prepared is set once the group's setups ran (or it was skipped).
	prepared bool
	// ownWait, when it says so for the run's target, keeps the group out
	// of the barrier: it sets up, waits and verifies on its own.
	ownWait func(*harness.Target) bool
}

// OwnWaitWhen keeps the group out of the run's one shared wait when f
// says so for the target: for state that other checks may disturb between
// a barrier and the group's verifications (a cache alias that another
// check clears).
func (w *WaitGroup) OwnWaitWhen(f func(*harness.Target) bool) { w.ownWait = f }

// precheck runs the group's Before steps and its wait requirement: it
// sets why the group is skipped, or the error that keeps it from running.
func (w *WaitGroup) precheck(ctx ginkgo.SpecContext) {
	record(ctx, &w.err, &w.skip, func(e *harness.Env) {
		for _, before := range w.before {
			before(e)
		}
		e.RequireWait(w.wait)
	})
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
	skip   string // why the setup skipped its check, if it did
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
		if w.err != "" {
			e.Errorf("the shared setup could not run: %s", w.err)
		}
		if s.env == nil {
			e.Errorf("the shared setup of %s did not run", c.ID)
		}
		for _, b := range s.env.Browsers() {
			e.Adopt(b)
		}
		for _, sc := range s.env.Scripts() {
			e.AdoptScript(sc)
		}
		switch {
		case s.err != "":
			e.Errorf("%s", s.err)
		case s.skip != "":
			e.Skipf("%s", s.skip)
		case s.verify == nil:
			e.Errorf("the shared setup of %s returned no verification", c.ID)
		}
		s.verify(e)
	})
}

// SharedSetupFailed reports whether a spec report's failure message says
// the spec was skipped because its group's shared setup failed.
func SharedSetupFailed(msg string) bool {
	return strings.Contains(msg, "because a BeforeAll node failed")
}
