// Package runner runs httpcheck's suites against one target and turns
// Ginkgo's report into the results model (reports.Results).
//
// Ginkgo runs one spec tree per process, so a process runs the runner once:
// the CLI for `httpcheck run`, a suite's bootstrap test for `go test`, or a
// child process of a fault test. Suites register their specs by being
// imported; the runner selects them with labels (suite:NAME).
//
// The runner owns what a run finds. Each spec's text is its check's id,
// looked up in the declarations (harness/check); the check, its target,
// its evidence and an error that ended it come from the run's own record
// (check.Record), and a shared setup that failed is known from Ginkgo's
// structured report (the node that failed), never from its wording.
package runner

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reports"
	"github.com/httpcheck/httpcheck/reports/redact"
)

// Options says what to run and where to tell about it.
type Options struct {
	// Target is what the run tests (harness.Connect). Its Instances are
	// the other instances of its deployment, whose checks
	// (suites/cluster) reach them all, or the other URLs of a probe run,
	// each graded on its own and named in its verdicts.
	Target *harness.Target
	// Mode is the kind of target the run is for; empty means the
	// Target's. Suites declare the mode they test (check.ForMode): a
	// contract run never shows the checks of a cache in the middle, nor
	// the other way round.
	Mode harness.Mode
	// Suites limits the run to these suites; empty means every suite of
	// the run's mode that is linked in.
	Suites []string
	// LabelFilter is a Ginkgo label filter, applied on top of Suites.
	LabelFilter string
	// Focus runs only checks whose id or title matches one of these
	// regular expressions.
	Focus []string
	// Progress receives one line per check; nil means none.
	Progress io.Writer
	Color    bool
	// Tool is "httpcheck vX.Y.Z", for the results.
	Tool string
	// Redactor redacts credentials and session values from the results
	// and the progress lines; nil means one that knows only the defaults
	// (reports/redact). The checks themselves see the real values.
	Redactor *redact.Redactor
	// NoRedact turns redaction off (--no-redact): the results say so.
	NoRedact bool
	// GinkgoConfig uses the configuration of the ginkgo.* flags (go test)
	// and keeps Ginkgo's own console reporter, instead of the CLI's.
	GinkgoConfig bool
	// T receives Ginkgo's failure signal under go test; nil otherwise.
	T ginkgo.GinkgoTestingT
}

// Validate reports a problem with the options that is the user's to fix:
// an unknown suite, a suite for another kind of target, or a malformed
// label filter (exit code 2).
func (o Options) Validate() error {
	known := check.Suites()
	for _, s := range o.Suites {
		if !slices.Contains(known, s) {
			return fmt.Errorf("unknown suite %q (known: %s)", s, strings.Join(known, ", "))
		}
		if m := check.ModeOf(s); m != o.mode() {
			return fmt.Errorf("suite %q tests %s, and this run tests %s (%s suites: %s)", s, describeMode(m), describeMode(o.mode()),
				o.mode(), strings.Join(check.SuitesFor(o.mode()), ", "))
		}
	}
	if _, err := types.ParseLabelFilter(o.LabelFilter); err != nil {
		return fmt.Errorf("--label-filter: %s", ansi.ReplaceAllString(err.Error(), ""))
	}
	return nil
}

// mode is the kind of target the run is for.
func (o Options) mode() harness.Mode {
	switch {
	case o.Mode != "":
		return o.Mode
	case o.Target != nil:
		return o.Target.Mode()
	}
	return harness.ModeContract
}

func describeMode(m harness.Mode) string {
	switch m {
	case harness.ModeProxy:
		return "a cache in the middle (--cache URL --origin-listen ADDR)"
	case harness.ModeProbe:
		return "URLs without a contract (httpcheck probe URL...)"
	}
	return "a contract target (--target URL)"
}

func (o Options) labelFilter() string {
	var parts []string
	if len(o.Suites) > 0 {
		var ss []string
		for _, s := range o.Suites {
			ss = append(ss, "suite:"+s)
		}
		parts = append(parts, "("+strings.Join(ss, " || ")+")")
	} else {
		var others []string
		for _, s := range check.Suites() {
			if check.ModeOf(s) != o.mode() {
				others = append(others, "suite:"+s)
			}
		}
		if len(others) > 0 {
			parts = append(parts, "!("+strings.Join(others, " || ")+")")
		}
	}
	if o.LabelFilter != "" {
		parts = append(parts, "("+o.LabelFilter+")")
	}
	return strings.Join(parts, " && ")
}

// ansi matches the colour codes Ginkgo puts in its error messages.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

type failSignal struct{ failed bool }

func (f *failSignal) Fail() { f.failed = true }

// Run runs the selected checks against the target and returns the results.
// It may be called once per process.
func Run(o Options) (*reports.Results, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.Target == nil {
		return nil, fmt.Errorf("runner: no target")
	}

	suiteConfig, reporterConfig := types.NewDefaultSuiteConfig(), types.NewDefaultReporterConfig()
	if o.GinkgoConfig {
		suiteConfig, reporterConfig = ginkgo.GinkgoConfiguration()
	} else {
		// The CLI prints its own progress on stderr; Ginkgo's console
		// report would only repeat it on stdout.
		formatter.ColorableStdOut = io.Discard
		reporterConfig.NoColor = true
		reporterConfig.SilenceSkips = true
	}
	if f := o.labelFilter(); f != "" {
		if suiteConfig.LabelFilter != "" {
			f = "(" + suiteConfig.LabelFilter + ") && " + f
		}
		suiteConfig.LabelFilter = f
	}
	if len(o.Focus) > 0 {
		focus, err := focusOnIDs(o.Focus)
		if err != nil {
			return nil, err
		}
		suiteConfig.FocusStrings = append(suiteConfig.FocusStrings, focus)
	}
	suiteConfig.Timeout = 60 * time.Minute

	// Redaction happens here, where every verdict passes on its way to the
	// progress lines and to the results every report is written from.
	rd := o.Redactor
	if o.NoRedact {
		rd = nil
	} else if rd == nil {
		rd = redact.New(redact.Options{})
	}
	if rd != nil {
		harness.ObserveExchanges(rd.Learn)
		defer harness.ObserveExchanges(nil)
	}
	// Checks assert with Gomega; its failures end the running spec.
	gomega.RegisterFailHandler(ginkgo.Fail)
	run := &check.Run{Target: o.Target, Selected: selection(suiteConfig)}
	end := check.Start(run)
	defer end()
	// A probe run over several URLs names the one each progress line is about.
	showTarget := o.Target.Mode() == harness.ModeProbe && len(o.Target.Instances()) > 1
	c := &collector{progress: o.Progress, color: o.Color, showTarget: showTarget, redactor: rd}
	ginkgo.ReportBeforeSuite(func(r ginkgo.Report) { c.total = r.PreRunStats.SpecsThatWillRun })
	ginkgo.ReportBeforeEach(func(ginkgo.SpecReport) { run.BeginSpec() })
	ginkgo.ReportAfterEach(func(s ginkgo.SpecReport) { c.add(s, run.EndSpec()) })

	res := &reports.Results{
		Schema: reports.Schema,
		Tool:   o.Tool,
		Start:  time.Now().UTC(),
	}
	for _, t := range o.Target.Instances() {
		res.Targets = append(res.Targets, reports.Target{Name: t.Name, URL: t.Base.String(), Manifest: t.Manifest.Raw})
	}
	t := o.T
	if t == nil {
		t = &failSignal{}
	}
	ginkgo.RunSpecs(t, "httpcheck", suiteConfig, reporterConfig)
	res.Duration = time.Since(res.Start)
	res.Checks = c.checks
	slices.SortStableFunc(res.Checks, func(a, b reports.Check) int {
		return cmp.Or(strings.Compare(a.ID, b.ID), strings.Compare(a.Target, b.Target))
	})
	res.Summarize()
	if rd != nil {
		rd.Results(res)
	} else {
		res.Redaction = reports.RedactionOff
	}
	return res, nil
}

// focusOnIDs turns --focus patterns, which match a check's id or title,
// into one Ginkgo focus string over spec texts, which are ids.
func focusOnIDs(patterns []string) (string, error) {
	var res []*regexp.Regexp
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return "", fmt.Errorf("--focus %q: %v", p, err)
		}
		res = append(res, re)
	}
	var ids []string
	for _, c := range check.All() {
		for _, re := range res {
			if re.MatchString(c.ID) || re.MatchString(c.Title) {
				ids = append(ids, regexp.QuoteMeta(c.ID))
				break
			}
		}
	}
	if len(ids) == 0 {
		return "^$", nil // nothing matches: run nothing
	}
	return "(^| )(" + strings.Join(ids, "|") + ")$", nil
}

// selection tells the shared wait which checks this run selected, from
// the label filter. Focus and skip strings match Ginkgo's full spec texts,
// containers included, so with them every check the labels allow counts
// as selected: a group set up for nothing costs a few requests, a group
// left out would cost a wait of its own.
func selection(cfg types.SuiteConfig) func(*check.Check) bool {
	filter, err := types.ParseLabelFilter(cfg.LabelFilter)
	if err != nil {
		return func(*check.Check) bool { return true }
	}
	return func(c *check.Check) bool { return filter(c.Labels()) }
}

// collector converts each spec's report as it ends.
type collector struct {
	mu         sync.Mutex
	progress   io.Writer
	color      bool
	total      int
	done       int
	checks     []reports.Check
	showTarget bool
	redactor   *redact.Redactor // nil: --no-redact
	// setupFailed holds, for each container whose shared setup (a
	// BeforeAll) failed, the first check it failed and its message: the
	// checks Ginkgo then skips in that container ended in error too.
	setupFailed map[string][2]string
}

func (c *collector) add(s ginkgo.SpecReport, rec check.Record) {
	if s.LeafNodeType != types.NodeTypeIt {
		return
	}
	rc, ok := convert(s, rec)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sharedSetup(s, &rc)
	if c.redactor != nil {
		rc = c.redactor.Check(rc)
	}
	c.checks = append(c.checks, rc)
	c.done++
	if c.progress != nil {
		id := rc.ID
		if c.showTarget && rc.Target != "" {
			id += " (" + rc.Target + ")"
		}
		// The id may name a target, and the message quote one: neither
		// may reach the terminal with its control characters.
		fmt.Fprintf(c.progress, "[%d/%d] %s %s %s\n", c.done, c.total, c.paint(rc.State), reports.Printable(id), round(rc.Duration))
		if rc.State == reports.Failed || rc.State == reports.Error {
			fmt.Fprintf(c.progress, "        %s\n", firstLine(reports.Printable(rc.Message)))
		}
	}
}

// sharedSetup turns the verdicts of a group whose shared setup failed
// into errors that say so. Ginkgo reports the BeforeAll's failure on the
// group's first check and skips the others; the runner knows the group
// from the failed node's type and the container's place in the source.
func (c *collector) sharedSetup(s ginkgo.SpecReport, rc *reports.Check) {
	group := containerKey(s)
	if s.Failure.FailureNodeType == types.NodeTypeBeforeAll && (rc.State == reports.Failed || rc.State == reports.Error) {
		if c.setupFailed == nil {
			c.setupFailed = map[string][2]string{}
		}
		if _, seen := c.setupFailed[group]; !seen {
			c.setupFailed[group] = [2]string{rc.ID, rc.Message}
		}
		rc.State = reports.Error
		return
	}
	if first, failed := c.setupFailed[group]; failed && rc.State == reports.Skipped {
		rc.State = reports.Error
		rc.Message = fmt.Sprintf("the setup this check shares with its group failed (see %s): %s", first[0], first[1])
	}
}

// containerKey names the containers a spec sits in by their places in the
// source.
func containerKey(s ginkgo.SpecReport) string {
	var parts []string
	for _, l := range s.ContainerHierarchyLocations {
		parts = append(parts, l.String())
	}
	return strings.Join(parts, "\x00")
}

var stateWords = map[reports.State]string{
	reports.Passed: "PASS ", reports.Failed: "FAIL ", reports.Error: "ERROR", reports.Skipped: "SKIP ",
}

var stateColors = map[reports.State]string{
	reports.Passed: "\x1b[32m", reports.Failed: "\x1b[31m", reports.Error: "\x1b[35m", reports.Skipped: "\x1b[33m",
}

func (c *collector) paint(s reports.State) string {
	if !c.color {
		return stateWords[s]
	}
	return stateColors[s] + stateWords[s] + "\x1b[0m"
}

func round(d time.Duration) time.Duration {
	if d > time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// convert maps one spec report to a check verdict. Specs that were never
// meant to run (filtered out by suite or label) are dropped; specs that
// skipped themselves keep their reason.
func convert(s ginkgo.SpecReport, rec check.Record) (reports.Check, bool) {
	def := rec.Check
	if def == nil {
		// The body never ran (filtered out, or skipped before it): the
		// spec's text is the check's id.
		var ok bool
		if def, ok = check.Lookup(s.LeafNodeText); !ok {
			return reports.Check{}, false
		}
	}
	rc := reports.Check{
		ID:          def.ID,
		Suite:       def.Suite(),
		Title:       def.Title,
		Level:       def.Level,
		Refs:        def.Refs,
		Requirement: def.Requirement,
		Duration:    s.RunTime,
	}
	msg := strings.TrimSpace(s.Failure.Message)
	rc.Target, rc.Exchanges = rec.Target, rec.Exchanges
	switch s.State {
	case types.SpecStatePassed:
		rc.State = reports.Passed
	case types.SpecStateSkipped:
		if msg == "" {
			return reports.Check{}, false // filtered out, not skipped by the check
		}
		rc.State, rc.Message = reports.Skipped, msg
	case types.SpecStatePending:
		return reports.Check{}, false
	case types.SpecStateFailed:
		rc.State, rc.Message = reports.Failed, msg
		if rec.Error != "" {
			rc.State, rc.Message = reports.Error, rec.Error
		}
	case types.SpecStatePanicked:
		rc.State = reports.Error
		rc.Message = "the check itself panicked (a bug in httpcheck): " + msg + " " + s.Failure.ForwardedPanic
	default: // interrupted, aborted, timed out
		rc.State = reports.Error
		rc.Message = fmt.Sprintf("%s: %s", s.State, msg)
	}
	return rc, true
}

// ColorWanted reports whether progress on w should be coloured: w is a
// terminal and NO_COLOR (no-color.org) is not set.
func ColorWanted(w io.Writer) bool {
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
