package check

import (
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
)

// Waiting declares checks that share one wait (docs/decisions.md, "Shared
// waits"): a BeforeAll runs every check's setup, lets the longest lifetime
// pass once, then each check verifies in its own spec. Against a virtual
// clock the wait is free; against a real clock the whole run shares one
// wait (see barrier).
//
// Call it inside a container; it declares an Ordered container of its own.
// Each setup returns the verification to run after the wait. A setup must
// not assert: it sends requests and keeps what the verification will
// judge. A Skip or a transport error in a setup ends only its own check.
func Waiting(text string, wait time.Duration, cases func(w *WaitGroup)) bool {
	w := &WaitGroup{wait: wait}
	run := Current()
	run.groups = append(run.groups, w)
	return ginkgo.Describe(text, ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		cases(w)
		ginkgo.BeforeAll(func(ctx ginkgo.SpecContext) {
			if !run.barrierRan && !run.Target.Clock.Virtual() {
				run.barrierRan = true
				run.barrier(ctx)
			}
			if !w.prepared {
				// Not set up by the barrier: a virtual clock, where waits
				// are free, a group that waits on its own, or one the
				// selection did not foresee.
				w.prepare(ctx, run)
				if w.skip == "" && w.err == "" {
					record(ctx, nil, &w.err, &w.skip, func(e *harness.Env) { e.Advance(w.wait) })
				}
			}
		})
	})
}

// barrier makes every Waiting group of a real-clock run share one wait,
// so a run costs the longest wait, not one wait per group
// (docs/decisions.md, "Shared waits"). The first group to run sets up every
// group the run selected, waits once for the longest of their waits, and
// each group then only verifies. On a virtual clock each group advances on
// its own: other checks may move the clock far (a two-week session age)
// between a barrier and a group's verifications, and there waiting costs
// nothing.
func (r *Run) barrier(ctx ginkgo.SpecContext) {
	var longest time.Duration
	var prepared []*WaitGroup
	for _, g := range r.groups {
		if !g.wanted(r) || (g.ownWait != nil && g.ownWait(r.Target)) {
			continue
		}
		g.prepare(ctx, r)
		prepared = append(prepared, g)
		if g.skip == "" && g.err == "" && g.wait > longest {
			longest = g.wait
		}
	}
	if longest == 0 {
		return
	}
	var err, skip string
	record(ctx, nil, &err, &skip, func(e *harness.Env) { e.Advance(longest) })
	for _, g := range prepared {
		if g.err == "" && g.skip == "" {
			g.err, g.skip = err, skip
		}
	}
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

// Before adds a step that runs before every setup, such as a Require that
// skips the whole group.
func (w *WaitGroup) Before(f func(e *harness.Env)) { w.before = append(w.before, f) }

// wanted reports whether the run selected any check of the group.
func (w *WaitGroup) wanted(r *Run) bool {
	for _, s := range w.steps {
		if r.selected(s.check) {
			return true
		}
	}
	return false
}

// prepare decides whether the group runs and runs every setup.
func (w *WaitGroup) prepare(ctx ginkgo.SpecContext, r *Run) {
	w.prepared = true
	record(ctx, r.Target, &w.err, &w.skip, func(e *harness.Env) {
		for _, before := range w.before {
			before(e)
		}
		e.RequireWait(w.wait)
	})
	if w.skip != "" || w.err != "" {
		return
	}
	for _, s := range w.steps {
		s.setup = Prepare(ctx, r.Target, func(e *harness.Env) { s.verify = s.prepare(e) })
	}
}

type waitStep struct {
	check   *Check
	prepare func(e *harness.Env) func(e *harness.Env)
	setup   *Setup
	verify  func(e *harness.Env)
}

// It declares check c in the group: setup runs before the wait, the
// function it returns after.
func (w *WaitGroup) It(c *Check, setup func(e *harness.Env) (verify func(e *harness.Env))) bool {
	s := &waitStep{check: c, prepare: setup}
	w.steps = append(w.steps, s)
	return c.It(func(e *harness.Env) {
		switch {
		case w.skip != "":
			e.Skipf("%s", w.skip)
		case w.err != "":
			e.Errorf("the shared setup could not run: %s", w.err)
		}
		s.setup.Adopt(e)
		if s.verify == nil {
			e.Errorf("the shared setup of %s returned no verification", c.ID)
		}
		s.verify(e)
	})
}
