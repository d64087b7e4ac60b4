package all

import (
	"fmt"
	"strings"

	"github.com/httpcheck/httpcheck/harness/check"
)

// ChecksMarkdown renders docs/checks.md from the check definitions: the
// catalogue is code, and the document is one view of it.
func ChecksMarkdown() string {
	var b strings.Builder
	b.WriteString(`# Checks

<!-- DO NOT EDIT: generated from the check definitions by ` + "`go test ./suites/all -update`" + `. -->

Every check has a stable id (` + "`suite/topic/name`" + `), a level and the references it enforces;
where one sentence of the RFC states the rule, the check quotes it under its title.
Levels: **MUST** is an RFC MUST / MUST NOT or the contract's own semantics; **SHOULD** is an RFC
SHOULD; **ADVISORY** is a security baseline (OWASP ASVS / WSTG) or a browser limit that silently drops
a cookie. ` + "`httpcheck run --fail-on`" + ` picks the level that fails a build (default: MUST).

Select checks with ` + "`--suite NAME`" + `, ` + "`--label-filter`" + ` over the labels ` + "`suite:NAME`" + `,
` + "`level:MUST|SHOULD|ADVISORY`" + `, ` + "`rfc:NUMBER`" + ` and ` + "`sec:SECTION`" + `, or ` + "`--focus`" + ` on an id.
`)
	for _, suite := range check.Suites() {
		var rows []*check.Check
		for _, c := range check.All() {
			if c.Suite() == suite {
				rows = append(rows, c)
			}
		}
		fmt.Fprintf(&b, "\n## %s (%d checks)\n\n| id | level | a conforming target... | references |\n|---|---|---|---|\n", suite, len(rows))
		for _, c := range rows {
			title := escapeCell(c.Title)
			if c.Requirement != "" {
				// The sentence the check grades, as h2spec prints it
				// with a failure.
				title += "<br>" + escapeCell(c.Requirement)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", c.ID, c.Level, title, escapeCell(strings.Join(c.Refs, ", ")))
		}
	}
	return b.String()
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
