package check

import (
	"sync"

	"github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reports"
)

// Run is one run of the spec tree: the target it runs against, the checks
// it selected, and what each check left behind for the runner.
//
// Ginkgo builds its tree once per process, from package-level
// declarations, so the tree's closures cannot be handed a value: they
// reach the run in progress through Current. The runner starts a Run for
// the length of one RunSpecs (Start) and ends it after; nothing of one run
// is left for the next.
type Run struct {
	// Target is what the run tests. Its Instances are the other instances
	// of its deployment, or the other URLs of a probe run.
	Target *harness.Target
	// Selected reports whether the run will run check c (from the suite,
	// label and focus selection); the shared wait sets up only the groups
	// of selected checks. Nil selects every check.
	Selected func(c *Check) bool

	mu     sync.Mutex
	record *Record
	// groups are the Waiting groups the tree declared, and barrierRan
	// whether the first of them set them all up (barrier).
	groups     []*WaitGroup
	barrierRan bool
}

// Record is what a running check leaves for the runner: which check it
// is, the target it ran against, the exchanges that are its evidence, and
// the message when it ended as `error`. A check whose body never ran (a
// BeforeEach skipped it) leaves an empty Record.
type Record struct {
	Check     *Check
	Target    string
	Exchanges []reports.Exchange
	Error     string
}

var (
	currentMu sync.Mutex
	current   *Run
)

// Start makes r the run in progress until the returned function ends it.
// Only one run may be in progress in a process (Ginkgo runs one tree).
func Start(r *Run) (end func()) {
	currentMu.Lock()
	defer currentMu.Unlock()
	if current != nil {
		panic("check: a run is already in progress")
	}
	current = r
	return func() {
		currentMu.Lock()
		defer currentMu.Unlock()
		current = nil
	}
}

// Current returns the run in progress; it fails the spec when there is
// none (a spec tree run without the runner).
func Current() *Run {
	currentMu.Lock()
	defer currentMu.Unlock()
	if current == nil {
		ginkgo.Fail("no run in progress: the runner must start one (check.Start) before RunSpecs")
	}
	return current
}

// Target returns the target of the run in progress.
func Target() *harness.Target { return Current().Target }

// BeginSpec opens the record of the spec that is about to run; the
// runner calls it from ReportBeforeEach.
func (r *Run) BeginSpec() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.record = &Record{}
}

// EndSpec returns the record of the spec that just ended; the runner
// calls it from ReportAfterEach. Specs run one at a time.
func (r *Run) EndSpec() Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := r.record
	r.record = nil
	if rec == nil {
		return Record{}
	}
	return *rec
}

// update changes the running spec's record under the run's lock.
func (r *Run) update(f func(rec *Record)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.record == nil {
		r.record = &Record{}
	}
	f(r.record)
}

func (r *Run) selected(c *Check) bool { return r.Selected == nil || r.Selected(c) }

// verdicts ends the running spec through Ginkgo, and keeps an error's
// message in the run's record, so the runner reports `error`, not
// `failed`, from its own record.
type verdicts struct{ run *Run }

func (v verdicts) Error(msg string) {
	v.run.update(func(rec *Record) { rec.Error = msg })
	ginkgo.Fail("error: "+msg, 2)
}

func (verdicts) Skip(reason string) { ginkgo.Skip(reason, 2) }

// NewEnv returns an Env against the run's target for the running spec.
// A BeforeEach uses it to Require what its checks need.
func NewEnv(ctx ginkgo.SpecContext) *harness.Env {
	return harness.NewEnv(ctx, Target(), verdicts{Current()})
}
