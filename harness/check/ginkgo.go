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
	return ginkgo.Describe(text, ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		cases(w)
		ginkgo.BeforeAll(func(ctx ginkgo.SpecContext) {
			// A group that cannot run (a feature not declared, a wait
			// longer than --max-wait) skips each of its checks with the
			// reason, rather than Ginkgo's "Skip() was called in BeforeAll".
			if w.skip = w.precheck(ctx); w.skip != "" {
				return
			}
			e := NewEnv(ctx)
			for _, s := range w.steps {
				s.env = NewEnv(ctx)
				s.verify = s.setup(s.env)
			}
			e.Advance(w.wait)
		})
	})
}

// WaitGroup collects the checks of one Waiting container.
type WaitGroup struct {
	wait   time.Duration
	before []func(e *harness.Env)
	steps  []*waitStep
	skip   string // why the group does not run, once its BeforeAll decided
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
	setup  func(e *harness.Env) func(e *harness.Env)
	env    *harness.Env
	verify func(e *harness.Env)
}

// It declares check c in the group: setup runs before the wait, the
// function it returns after.
func (w *WaitGroup) It(c *Check, setup func(e *harness.Env) (verify func(e *harness.Env))) bool {
	s := &waitStep{setup: setup}
	w.steps = append(w.steps, s)
	return c.It(func(e *harness.Env) {
		if w.skip != "" {
			e.Skipf("%s", w.skip)
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
