package reports

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// stateRank orders states by how urgently a reader needs them: failures,
// then transport errors, then states this version does not know (a newer
// writer's, worth a look rather than hiding among the passes), then skips,
// then passes.
func stateRank(s State) int {
	switch s {
	case Failed:
		return 0
	case Error:
		return 1
	case Skipped:
		return 3
	case Passed:
		return 4
	}
	return 2
}

// isProblem reports whether a check belongs in the "failures and errors"
// part of a report, which comes before the rest.
func isProblem(s State) bool { return stateRank(s) < stateRank(Skipped) }

// compareUrgency orders checks for reading: state (failures first), then
// level (MUST first), then id. Callers sort stably, so checks that tie keep
// the order they were given in and the output is the same on every run.
func compareUrgency(a, b *Check) int {
	return cmp.Or(
		cmp.Compare(stateRank(a.State), stateRank(b.State)),
		cmp.Compare(LevelRank(a.Level), LevelRank(b.Level)),
		strings.Compare(a.ID, b.ID),
	)
}

// compareID orders checks by id and then target, the order of results.json
// and junit.xml: Ginkgo runs specs in random order (--randomize-all), and
// sorting makes two files from two runs diff cleanly.
func compareID(a, b *Check) int {
	return cmp.Or(strings.Compare(a.ID, b.ID), strings.Compare(a.Target, b.Target))
}

// suiteOf is the check's suite, or the first segment of its id
// (suite/topic/name) when the writer left Suite empty.
func suiteOf(c *Check) string {
	if c.Suite != "" {
		return c.Suite
	}
	suite, _, _ := strings.Cut(c.ID, "/")
	return suite
}

// A column is what one column of a checks x targets matrix shows: the
// checks one run made against one target. A run against a single target is
// one column; a run against a deployment of several targets has a column
// per Check.Target, and one more for the checks that span the deployment
// (Target empty, such as "a session made on one instance is read on
// another").
type column struct {
	run    *Results
	runNum int    // 1-based position of run in the arguments
	target string // Check.Target, or "" for the run as a whole
	label  string // unique across the columns of one report
	checks []Check
}

// columnsOf splits results into columns, in argument order and then in the
// order the run lists its targets. Labels are Target.Name, falling back to
// the URL; labels that repeat (the same target in two runs) get the run
// number appended so a matrix never has two columns of the same name.
func columnsOf(rs []*Results) ([]column, error) {
	if len(rs) == 0 {
		return nil, errors.New("reports: no results to render")
	}
	var cols []column
	for i, r := range rs {
		if r == nil {
			return nil, fmt.Errorf("reports: results #%d is nil", i+1)
		}
		cols = append(cols, runColumns(r, i+1)...)
	}
	uniqueLabels(cols)
	return cols, nil
}

// runColumns is columnsOf for one run.
func runColumns(r *Results, runNum int) []column {
	if len(r.Targets) <= 1 {
		// One target: every check is against it, whatever Check.Target says.
		return []column{{run: r, runNum: runNum, label: runLabel(r, runNum), checks: r.Checks}}
	}
	byTarget := map[string][]Check{}
	var order []string
	for _, t := range r.Targets {
		order = append(order, t.Name)
	}
	for _, c := range r.Checks {
		if _, seen := byTarget[c.Target]; !seen && !slices.Contains(order, c.Target) {
			order = append(order, c.Target)
		}
		byTarget[c.Target] = append(byTarget[c.Target], c)
	}
	var cols []column
	for _, name := range order {
		checks, ok := byTarget[name]
		if !ok {
			continue
		}
		delete(byTarget, name) // a name listed twice gets one column
		label := name
		if name == "" {
			label = runLabel(r, runNum)
		}
		cols = append(cols, column{run: r, runNum: runNum, target: name, label: label, checks: checks})
	}
	if len(cols) == 0 {
		// A run with no checks still gets a column, so its header shows.
		cols = append(cols, column{run: r, runNum: runNum, label: runLabel(r, runNum)})
	}
	return cols
}

// runLabel names a run as a whole: its target's label, the labels of its
// targets joined with " + " for a deployment, or "run N" with none.
func runLabel(r *Results, runNum int) string {
	var labels []string
	for _, t := range r.Targets {
		labels = append(labels, targetLabel(t))
	}
	if len(labels) == 0 {
		return fmt.Sprintf("run %d", runNum)
	}
	return strings.Join(labels, " + ")
}

// targetLabel is Target.Name, falling back to the URL.
func targetLabel(t Target) string {
	if t.Name != "" {
		return t.Name
	}
	if t.URL != "" {
		return t.URL
	}
	return "(unnamed target)"
}

// uniqueLabels appends " (run N)" to labels that occur more than once, and
// then " #K" to any that still do (one run naming two targets alike).
func uniqueLabels(cols []column) {
	count := map[string]int{}
	for _, c := range cols {
		count[c.label]++
	}
	for i := range cols {
		if count[cols[i].label] > 1 {
			cols[i].label = fmt.Sprintf("%s (run %d)", cols[i].label, cols[i].runNum)
		}
	}
	seen := map[string]int{}
	for i := range cols {
		seen[cols[i].label]++
		if k := seen[cols[i].label]; k > 1 {
			cols[i].label = fmt.Sprintf("%s #%d", cols[i].label, k)
		}
	}
}

// sortedChecks returns a sorted copy of checks, leaving the caller's
// Results untouched.
func sortedChecks(checks []Check, compare func(a, b *Check) int) []Check {
	out := slices.Clone(checks)
	slices.SortStableFunc(out, func(a, b Check) int { return compare(&a, &b) })
	return out
}

// counts tallies checks by state.
type counts struct {
	Passed, Failed, Error, Skipped, Other, Total int
}

func (n *counts) add(s State) {
	n.Total++
	switch s {
	case Passed:
		n.Passed++
	case Failed:
		n.Failed++
	case Error:
		n.Error++
	case Skipped:
		n.Skipped++
	default:
		n.Other++
	}
}
