package reports

import (
	"strings"
	"testing"
	"time"
)

func run(checks ...Check) *Results {
	r := &Results{Schema: Schema, Targets: []Target{{Name: "t", URL: "http://t/"}}, Checks: checks}
	r.Summarize()
	return r
}

func verdict(id string, level Level, state State, msg string) Check {
	return Check{ID: id, Suite: strings.Split(id, "/")[0], Level: level, State: state, Message: msg}
}

// TestBaselineApply: failures the baseline lists are known, others new,
// listed checks that pass are fixed, and an entry past its date counts
// for nothing.
func TestBaselineApply(t *testing.T) {
	b, err := ReadBaseline(strings.NewReader(`{"schema": "httpcheck-baseline/1", "known": [
		{"id": "a/b/known", "reason": "ticket 1"},
		{"id": "a/b/fixed", "reason": "ticket 2"},
		{"id": "a/b/expired", "reason": "ticket 3", "expires": "2026-12-03"},
		{"id": "a/b/gone", "reason": "ticket 4"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	r := run(verdict("a/b/known", Must, Failed, "x"), verdict("a/b/new", Should, Failed, "y"),
		verdict("a/b/fixed", Must, Passed, ""), verdict("a/b/expired", Must, Failed, "z"))
	b.Apply(r, "baseline.json", time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
	want := map[string]string{"a/b/known": BaselineKnown, "a/b/new": BaselineNew, "a/b/fixed": BaselineFixed, "a/b/expired": BaselineNew}
	for _, c := range r.Checks {
		if c.Baseline != want[c.ID] {
			t.Errorf("%s: baseline %q, want %q", c.ID, c.Baseline, want[c.ID])
		}
	}
	if rep := r.Baseline; rep.Known != 1 || rep.New != 2 || rep.Fixed != 1 || len(rep.Expired) != 1 || len(rep.Missing) != 1 {
		t.Errorf("report %+v", rep)
	}
	if !r.NewFailuresAtOrAbove(Must) {
		t.Error("the expired entry's failure is new at MUST, and must fail the build")
	}
	if r.NewFailuresAtOrAbove(Must) && r.Verdict() != "failed at MUST" {
		t.Errorf("verdict %q", r.Verdict())
	}

	// On its last day an entry still counts.
	r = run(verdict("a/b/expired", Must, Failed, "z"))
	b.Apply(r, "baseline.json", time.Date(2026, 12, 3, 23, 0, 0, 0, time.UTC))
	if r.Checks[0].Baseline != BaselineKnown || r.NewFailuresAtOrAbove(Must) || r.Verdict() != "passed" {
		t.Errorf("on its expiry day: %q, verdict %q", r.Checks[0].Baseline, r.Verdict())
	}
}

func TestReadBaselineRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"no schema":     `{"known": []}`,
		"other schema":  `{"schema": "x/1", "known": []}`,
		"no reason":     `{"schema": "httpcheck-baseline/1", "known": [{"id": "a/b/c"}]}`,
		"no id":         `{"schema": "httpcheck-baseline/1", "known": [{"reason": "r"}]}`,
		"bad date":      `{"schema": "httpcheck-baseline/1", "known": [{"id": "a/b/c", "reason": "r", "expires": "31/12/2026"}]}`,
		"unknown field": `{"schema": "httpcheck-baseline/1", "known": [{"id": "a/b/c", "reason": "r", "until": "2026-12-31"}]}`,
		"not JSON":      `a/b/c`,
	} {
		if _, err := ReadBaseline(strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestCompare: the diff of two runs lists what broke, what was fixed,
// what appeared or went, and failures whose message changed.
func TestCompare(t *testing.T) {
	old := run(verdict("a/b/stays", Must, Passed, ""), verdict("a/b/breaks", Must, Passed, ""),
		verdict("a/b/heals", Must, Failed, "was bad"), verdict("a/b/says", Must, Failed, "one thing"),
		verdict("a/b/goes", Must, Passed, ""))
	new := run(verdict("a/b/stays", Must, Passed, ""), verdict("a/b/breaks", Must, Failed, "now bad"),
		verdict("a/b/heals", Must, Passed, ""), verdict("a/b/says", Must, Failed, "another"),
		verdict("a/b/comes", Should, Error, "refused"))
	d := Compare(old, new)
	ids := func(cs []Change) string {
		var s []string
		for _, c := range cs {
			s = append(s, c.ID)
		}
		return strings.Join(s, ",")
	}
	for what, got := range map[string][2]string{
		"new failures":    {ids(d.NewFailures), "a/b/breaks,a/b/comes"},
		"fixed":           {ids(d.Fixed), "a/b/heals"},
		"added":           {ids(d.Added), "a/b/comes"},
		"removed":         {ids(d.Removed), "a/b/goes"},
		"message changed": {ids(d.MessageChanged), "a/b/says"},
	} {
		if got[0] != got[1] {
			t.Errorf("%s: %s, want %s", what, got[0], got[1])
		}
	}
	var b strings.Builder
	if err := WriteDiff(&b, d, DiffText); err != nil || !strings.Contains(b.String(), "New failures (2)") {
		t.Errorf("text diff: %v\n%s", err, b.String())
	}
	if err := WriteDiff(&b, d, "yaml"); err == nil {
		t.Error("an unknown format was accepted")
	}
	if !Compare(old, old).Empty() {
		t.Error("a run differs from itself")
	}
}

// TestSummaryMarkdown: summary.md states the verdict and counts, links
// each failure into index.html, and keeps what the target sent from being
// read as Markdown or HTML.
func TestSummaryMarkdown(t *testing.T) {
	r := run(verdict("a/b/ok", Must, Passed, ""),
		verdict("a/b/bad", Must, Failed, "expected 304, observed <script>alert(1)</script> and `code` [link](http://x) | cell"))
	var b strings.Builder
	if err := WriteSummary(&b, r); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, want := range []string{"# httpcheck: failed at MUST", "| MUST | 1 | 1 | 0 | 0 |", "[`a/b/bad`](index.html#t1-c1)", `\<script\>`, "\\`code\\`", `\[link\]`, `\| cell`} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "<script>") {
		t.Errorf("summary carries raw markup:\n%s", s)
	}
}

// TestAnnotations: one error annotation per new MUST failure, encoded so
// that a message cannot end the workflow command or start another.
func TestAnnotations(t *testing.T) {
	r := run(verdict("a/b/must", Must, Failed, "line one\n::warning::injected 100%"),
		verdict("a/b/should", Should, Failed, "not annotated"),
		verdict("a/b/known", Must, Failed, "known"), verdict("a/b/ok", Must, Passed, ""))
	r.Checks[2].Baseline = BaselineKnown
	var b strings.Builder
	if err := WriteAnnotations(&b, r); err != nil {
		t.Fatal(err)
	}
	want := "::error title=httpcheck a/b/must::line one%0A::warning::injected 100%25\n"
	if b.String() != want {
		t.Errorf("annotations\n%q, want\n%q", b.String(), want)
	}
}
