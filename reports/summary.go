package reports

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// summaryFailureLimit bounds the failures a summary lists one by one, so
// that it stays short enough for a pull-request comment; the rest are
// counted, and index.html has them all.
const summaryFailureLimit = 30

// Verdict is a run's outcome in a few words, strongest problem first:
// "errors" (a target misbehaved), "failed at MUST" (or SHOULD, ADVISORY),
// or "passed". With a baseline, known failures do not count.
func (r *Results) Verdict() string {
	for _, c := range r.Checks {
		if c.State == Error {
			return "errors"
		}
	}
	for _, l := range Levels {
		for _, c := range r.Checks {
			if c.State == Failed && c.Level == l && c.Baseline != BaselineKnown {
				return "failed at " + string(l)
			}
		}
	}
	return "passed"
}

// WriteSummary writes summary.md: the verdict, counts by level, and the
// failures and errors with their one-sentence messages and links into
// index.html, for a CI job summary or a pull-request comment. Everything
// from the target is put in code spans or escaped, so none of it is read
// as Markdown.
func WriteSummary(w io.Writer, r *Results) error {
	anchors, err := checkAnchors(r)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# httpcheck: %s\n\n", r.Verdict())
	var targets []string
	for _, t := range r.Targets {
		targets = append(targets, code(t.URL))
	}
	if r.Crawl != nil {
		// A crawl's targets are its URLs, hundreds of them: name the site.
		targets = []string{fmt.Sprintf("the site crawled from %s (%d URLs fetched, %d probed)", code(r.Crawl.Start), len(r.Crawl.Pages), len(r.Targets))}
	}
	s := r.Summary
	fmt.Fprintf(&b, "%s · %d checks: %d passed, %d failed, %d errors, %d skipped · %s\n\n",
		strings.Join(targets, ", "), s.Total, s.ByState[Passed], s.ByState[Failed], s.ByState[Error], s.ByState[Skipped],
		r.Duration.Round(10*time.Millisecond))
	if r.Redaction == RedactionOff {
		fmt.Fprintf(&b, "**%s**\n\n", Unredacted)
	}
	b.WriteString("| level | passed | failed | errors | skipped |\n|---|---|---|---|---|\n")
	for _, l := range Levels {
		n := s.ByLevel[l]
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d |\n", l, n[Passed], n[Failed], n[Error], n[Skipped])
	}
	if bl := r.Baseline; bl != nil {
		fmt.Fprintf(&b, "\nBaseline %s: %d known, %d new, %d fixed", code(bl.File), bl.Known, bl.New, bl.Fixed)
		if len(bl.Expired) > 0 {
			fmt.Fprintf(&b, ", %d expired", len(bl.Expired))
		}
		b.WriteString(".\n")
	}

	var problems, known, fixed []Check
	for _, c := range sortedChecks(r.Checks, compareUrgency) {
		switch {
		case c.Baseline == BaselineKnown:
			known = append(known, c)
		case c.State == Failed || c.State == Error:
			problems = append(problems, c)
		case c.Baseline == BaselineFixed:
			fixed = append(fixed, c)
		}
	}
	list := func(title string, cs []Check, withMessage bool) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n## %s (%d)\n\n", title, len(cs))
		for i, c := range cs {
			if i == summaryFailureLimit {
				fmt.Fprintf(&b, "- and %d more in index.html\n", len(cs)-i)
				break
			}
			fmt.Fprintf(&b, "- **%s** [%s](index.html#%s)", c.Level, code(c.ID), anchors[checkKey(c)])
			if c.Target != "" && len(r.Targets) > 1 {
				fmt.Fprintf(&b, " on %s", code(c.Target))
			}
			if c.State == Error {
				b.WriteString(" (error)")
			}
			if withMessage && c.Message != "" {
				fmt.Fprintf(&b, ": %s", inline(c.Message))
			}
			b.WriteString("\n")
		}
	}
	title := "Failures and errors"
	if r.Baseline != nil {
		title = "New failures and errors"
	}
	list(title, problems, true)
	list("Fixed since the baseline: trim these entries", fixed, false)
	list("Known failures (baseline)", known, false)
	if bl := r.Baseline; bl != nil && len(bl.Expired) > 0 {
		fmt.Fprintf(&b, "\n## Expired baseline entries (%d)\n\n", len(bl.Expired))
		for _, k := range bl.Expired {
			fmt.Fprintf(&b, "- %s expired %s: %s\n", code(k.ID), k.Expires, inline(k.Reason))
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// checkKey identifies a check within a run.
func checkKey(c Check) [2]string { return [2]string{c.ID, c.Target} }

// checkAnchors returns the id of each check's element in the index.html of
// r alone, as the page numbers them.
func checkAnchors(r *Results) (map[[2]string]string, error) {
	cols, err := columnsOf([]*Results{r})
	if err != nil {
		return nil, err
	}
	out := map[[2]string]string{}
	for n, col := range cols {
		for i, c := range sortedChecks(col.checks, compareUrgency) {
			out[checkKey(c)] = checkAnchor(n+1, i+1)
		}
	}
	return out, nil
}

// code puts s in a Markdown code span that s cannot close.
func code(s string) string {
	s = line(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// inline is the first line of s, cut to a readable length, with the
// characters Markdown or HTML would read escaped.
func inline(s string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	if r := []rune(first); len(r) > 300 {
		first = string(r[:300]) + "…"
	}
	var b strings.Builder
	for _, r := range line(first) {
		if strings.ContainsRune("\\`*_[]<>|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
