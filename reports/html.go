package reports

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// report.html.tmpl is the whole page. It is a file of its own so it reads
// as HTML; everything it shows is prepared here as plain strings (already
// passed through visible), so the template only lays out and html/template
// escapes every value. Nothing from the results is ever template.HTML,
// template.URL or template.CSS.
//
//go:embed report.html.tmpl
var reportTemplateText string

var reportTemplate = template.Must(template.New("report").Parse(reportTemplateText))

// scriptHash is the CSP source that allows the page's one inline script
// and nothing else: the SHA-256 of the text between <script> and
// </script>. The script takes no data, so its text is the same on every
// page. It is rendered here the way the page renders it, inside <script>
// (html/template treats text by its context), from a clone, so the
// page's own template is left to be escaped on first use.
var scriptHash = func() string {
	const wrapper = "<script>{{template \"script\"}}</script>"
	t := template.Must(template.Must(reportTemplate.Clone()).New("script-only").Parse(wrapper))
	var b bytes.Buffer
	if err := t.Execute(&b, nil); err != nil {
		panic(err)
	}
	js := bytes.TrimSuffix(bytes.TrimPrefix(b.Bytes(), []byte("<script>")), []byte("</script>"))
	sum := sha256.Sum256(js)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}()

// WriteHTML writes index.html: one self-contained page (no external CSS,
// scripts, fonts or images, so a Content Security Policy of default-src
// 'none' holds as defence in depth) that reads the same offline, as a CI
// artifact, and with JavaScript off, using <details> for the expandable
// evidence. Its one inline script, allowed by hash, filters the checks by
// state, level, suite and words, keeping the filter in the URL's fragment
// so a filtered view can be linked; it reads only the text and data-*
// attributes the template writes and never writes markup.
//
// With one target it shows the run, a summary by suite x level, failures
// and errors, then the other checks. With several targets or runs it
// shows a checks x targets matrix first, then each target's part.
//
// Every string from rs is untrusted: targets choose header values, bodies
// and the manifest's server string, and results.json files passed to
// `httpcheck report` can hold anything. They are all escaped, and URLs from
// evidence are printed, never linked; the only links are to RFC sections,
// built from digits parsed out of a reference, and within the page.
func WriteHTML(w io.Writer, rs ...*Results) error {
	page, err := newHTMLPage(rs)
	if err != nil {
		return err
	}
	if err := reportTemplate.Execute(w, page); err != nil {
		return fmt.Errorf("reports: writing HTML: %w", err)
	}
	return nil
}

// The page's view model. Every string in it has been through visible.
type (
	htmlPage struct {
		Title string
		Tool  string
		Runs  []htmlRun
		Multi bool
		// HasOther says some check is in a state this version does not
		// know, which then gets a column of its own in the counts.
		HasOther bool
		Columns  []htmlColumn
		Matrix   []htmlMatrixRow
		// Differing counts the matrix rows whose verdicts are not the same
		// in every column; they come first.
		Differing int
		// The filter's choices: the states, levels and suites of the
		// page's checks, and how many checks there are.
		States, Levels []htmlBadge
		Suites         []string
		CheckCount     int
		// HasBaseline: some check carries a --baseline mark, so the filter
		// offers known, new and fixed.
		HasBaseline bool
		ScriptHash  string
		// Site is the site view of a page of one run with a crawl,
		// shown instead of a column per URL.
		Site *htmlSite
	}
	htmlRun struct {
		Num  int
		Tool string
		// Unredacted is the warning of a --no-redact run, else "".
		Unredacted string
		Start      string
		Duration   string
		Targets    []htmlTarget
		// Verdict is the run's outcome (Results.Verdict), with the class
		// of its banner; Baseline says what a --baseline found, or "".
		Verdict      string
		VerdictClass string
		Baseline     string
		// Failing names the checks behind the verdict: the failures at
		// its level that the baseline does not know, linked to their
		// evidence (a page of one run only).
		Failing []htmlLink
		// Site is the start URL of a crawl the page shows as a site
		// view, whose URLs are listed there rather than as targets.
		Site string
	}
	htmlLink struct {
		Text, Anchor string
	}
	htmlTarget struct {
		Name, URL, Server string
	}
	htmlColumn struct {
		Label    string
		Anchor   string
		RunNum   int
		Summary  []htmlSummaryRow
		Total    counts
		HasOther bool
		// MustFailed counts the failed MUST checks: what fails a build
		// under the default --fail-on.
		MustFailed int
		Problems   []htmlCheck
		Rest       []htmlCheck
	}
	htmlSummaryRow struct {
		Suite string
		Level htmlBadge
		counts
	}
	// htmlBadge is a word and the CSS class that colours it; the class is
	// always one of a fixed set, never text from the results.
	htmlBadge struct {
		Text, Class string
	}
	htmlCheck struct {
		Anchor string
		ID     string
		Suite  string
		Title  string
		Target string
		Level  htmlBadge
		State  htmlBadge
		Refs   []htmlRef
		// Requirement is the quoted sentence the check grades.
		Requirement string
		Message     string
		Duration    string
		Exchanges   []htmlExchange
		// ExchangeCount is every exchange of the check; MoreExchanges
		// those past maxHTMLExchanges, which only results.json holds.
		ExchangeCount, MoreExchanges int
		// Elided says why a check whose exchanges the page leaves out
		// shows none, or is "".
		Elided string
		// Baseline marks a check of a run with --baseline: "known
		// failure", "new failure" or "fixed"; Class is its badge's class.
		Baseline      string
		BaselineClass string
		// BaselineKey is the mark as the filter reads it: "known", "new",
		// "fixed" or "".
		BaselineKey string
	}
	htmlRef struct {
		Text string
		URL  string // "" when the reference has no page to link to
	}
	htmlExchange struct {
		Num             int
		Method          string
		URL             string
		Status          string
		RequestHeaders  string
		RequestBody     string
		ResponseHeaders string
		// Interim are the 1xx responses before the final one, each as it
		// went over the wire: its status, then its header lines.
		Interim  []htmlInterim
		Body     string
		Error    string
		Source   string
		Note     string
		Sent     string
		Received string
		Elapsed  string
	}
	htmlInterim struct {
		Status  string
		Headers string
	}
	htmlMatrixRow struct {
		ID    string
		Title string
		Level htmlBadge
		Cells []htmlCell
		// Differs says the columns do not all agree (a check that did not
		// run in a column differs from one that did).
		Differs bool
	}
	htmlCell struct {
		State  htmlBadge
		Anchor string // "" when the check did not run against this column
		// Note is the first line of the check's message, shown when the
		// pointer rests on the cell: why it failed or was skipped.
		Note string
	}
)

// newHTMLPage prepares rs for the template.
func newHTMLPage(rs []*Results) (*htmlPage, error) {
	cols, err := columnsOf(rs)
	if err != nil {
		return nil, err
	}
	page := &htmlPage{Multi: len(cols) > 1, ScriptHash: scriptHash}
	var labels []string
	for i, r := range rs {
		run := htmlRun{Num: i + 1, Tool: line(r.Tool), Duration: formatDuration(r.Duration), Verdict: r.Verdict()}
		run.VerdictClass = "v-failed"
		switch run.Verdict {
		case "passed":
			run.VerdictClass = "v-passed"
		case "errors":
			run.VerdictClass = "v-error"
		}
		if len(rs) == 1 {
			run.Failing = failingLinks(r)
		}
		if bl := r.Baseline; bl != nil {
			run.Baseline = line(fmt.Sprintf("Baseline %s: %d known, %d new, %d fixed, %d expired", bl.File, bl.Known, bl.New, bl.Fixed, len(bl.Expired)))
		}
		if r.Redaction == RedactionOff {
			run.Unredacted = Unredacted
		}
		if !r.Start.IsZero() {
			run.Start = r.Start.Format(time.RFC3339)
		}
		for _, t := range r.Targets {
			run.Targets = append(run.Targets, htmlTarget{
				Name:   line(t.Name),
				URL:    line(t.URL),
				Server: line(manifestServer(t)),
			})
		}
		page.Runs = append(page.Runs, run)
		if page.Tool == "" {
			page.Tool = run.Tool
		}
	}
	sorted := make([][]Check, len(cols))
	for i, col := range cols {
		labels = append(labels, col.label)
		sorted[i] = sortedChecks(col.checks, compareUrgency)
		page.Columns = append(page.Columns, newHTMLColumn(col, i+1, sorted[i]))
		page.HasOther = page.HasOther || page.Columns[i].HasOther
	}
	page.Title = line("httpcheck report: " + strings.Join(labels, ", "))
	var all []Check
	for _, col := range cols {
		all = append(all, col.checks...)
	}
	if len(rs) == 1 && rs[0].Crawl != nil {
		// A crawl has a column per URL, hundreds or thousands of them:
		// the site view takes the place of the matrix and the columns.
		anchors, err := checkAnchors(rs[0])
		if err != nil {
			return nil, err
		}
		page.Site = newHTMLSite(rs[0], anchors)
		page.Title = line("httpcheck report: site " + rs[0].Crawl.Start)
		page.Multi, page.Columns, all = false, nil, page.Site.Shown
		page.Runs[0].Targets, page.Runs[0].Site = nil, page.Site.Start
	}
	page.States, page.Levels, page.Suites, page.CheckCount = filterChoices(all)
	page.HasBaseline = slices.ContainsFunc(all, func(c Check) bool { return c.Baseline != "" })
	if page.Multi {
		page.Matrix = newHTMLMatrix(sorted)
		for _, r := range page.Matrix {
			if r.Differs {
				page.Differing++
			}
		}
	}
	return page, nil
}

// filterChoices lists what the page's filter offers: the states and
// levels of the checks it shows, most urgent first, and their suites by
// name.
func filterChoices(all []Check) (states, levels []htmlBadge, suites []string, n int) {
	for _, c := range sortedChecks(all, compareUrgency) {
		if b := stateBadge(c.State); !slices.ContainsFunc(states, sameKey(b)) {
			states = append(states, b)
		}
		if b := levelBadge(c.Level); !slices.ContainsFunc(levels, sameKey(b)) {
			levels = append(levels, b)
		}
		if s := line(suiteOf(&c)); !slices.Contains(suites, s) {
			suites = append(suites, s)
		}
	}
	slices.SortFunc(levels, func(a, b htmlBadge) int { return LevelRank(Level(a.Text)) - LevelRank(Level(b.Text)) })
	slices.Sort(suites)
	return states, levels, suites, len(all)
}

// newHTMLColumn prepares column n (1-based): its summary and its checks,
// given in urgency order, failures and errors first.
func newHTMLColumn(col column, n int, sorted []Check) htmlColumn {
	hc := htmlColumn{Label: line(col.label), Anchor: fmt.Sprintf("t%d", n), RunNum: col.runNum}
	hc.Summary, hc.Total = summaryRows(col.checks)
	hc.HasOther = hc.Total.Other > 0
	for i := range col.checks {
		if col.checks[i].State == Failed && col.checks[i].Level == Must {
			hc.MustFailed++
		}
	}
	for i, c := range sorted {
		v := newHTMLCheck(&c, checkAnchor(n, i+1))
		if isProblem(c.State) {
			hc.Problems = append(hc.Problems, v)
		} else {
			hc.Rest = append(hc.Rest, v)
		}
	}
	return hc
}

// summaryRows counts checks by suite x level, suites by name and levels
// strongest first, and in total. The counts come from the checks, not from
// Results.Summary, so the table cannot disagree with the list below it.
func summaryRows(checks []Check) ([]htmlSummaryRow, counts) {
	type key struct {
		suite string
		level Level
	}
	by := map[key]*counts{}
	var keys []key
	var total counts
	for i := range checks {
		c := &checks[i]
		k := key{suiteOf(c), c.Level}
		if by[k] == nil {
			by[k] = &counts{}
			keys = append(keys, k)
		}
		by[k].add(c.State)
		total.add(c.State)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.suite != b.suite {
			return strings.Compare(a.suite, b.suite)
		}
		if d := LevelRank(a.level) - LevelRank(b.level); d != 0 {
			return d
		}
		return strings.Compare(string(a.level), string(b.level))
	})
	rows := make([]htmlSummaryRow, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, htmlSummaryRow{Suite: line(k.suite), Level: levelBadge(k.level), counts: *by[k]})
	}
	return rows, total
}

// newHTMLCheck prepares one check.
func newHTMLCheck(c *Check, anchor string) htmlCheck {
	v := htmlCheck{
		Anchor:      anchor,
		ID:          line(c.ID),
		Suite:       line(suiteOf(c)),
		Title:       line(c.Title),
		Target:      line(c.Target),
		Level:       levelBadge(c.Level),
		State:       stateBadge(c.State),
		Message:     para(c.Message),
		Duration:    formatDuration(c.Duration),
		Requirement: para(c.Requirement),
	}
	v.BaselineKey = c.Baseline
	switch c.Baseline {
	case BaselineKnown:
		v.Baseline, v.BaselineClass = "known failure", "b-known"
	case BaselineNew:
		v.Baseline, v.BaselineClass = "new failure", "b-new"
	case BaselineFixed:
		v.Baseline, v.BaselineClass = "fixed", "b-fixed"
	}
	for _, ref := range c.Refs {
		v.Refs = append(v.Refs, htmlRef{Text: line(ref), URL: refURL(ref)})
	}
	for i, x := range c.Exchanges[:min(len(c.Exchanges), maxHTMLExchanges)] {
		v.Exchanges = append(v.Exchanges, newHTMLExchange(x, i+1))
	}
	v.ExchangeCount, v.MoreExchanges = len(c.Exchanges), len(c.Exchanges)-len(v.Exchanges)
	return v
}

// newHTMLExchange prepares one exchange of a check's evidence.
func newHTMLExchange(x Exchange, n int) htmlExchange {
	v := htmlExchange{
		Num:             n,
		Method:          line(x.Method),
		URL:             line(x.URL),
		RequestHeaders:  headerLines(x.RequestHeaders),
		RequestBody:     para(x.RequestBody),
		ResponseHeaders: headerLines(x.ResponseHeaders),
		Body:            para(x.BodyExcerpt),
		Error:           para(x.Error),
		Source:          line(x.Source),
		Note:            para(x.Note),
		Elapsed:         elapsed(x),
	}
	if x.Status != 0 {
		v.Status = strconv.Itoa(x.Status)
	}
	for _, in := range x.Interim {
		v.Interim = append(v.Interim, htmlInterim{Status: strconv.Itoa(in.Status), Headers: headerLines(in.Header)})
	}
	if !x.Sent.IsZero() {
		v.Sent = x.Sent.Format("2006-01-02T15:04:05.000Z07:00")
	}
	if !x.Received.IsZero() {
		v.Received = x.Received.Format("2006-01-02T15:04:05.000Z07:00")
	}
	return v
}

// headerLines shows headers as they were on the wire, one "Name: value"
// a line; a line break smuggled into a name or value shows as "␊" rather
// than as a header of its own.
func headerLines(hs [][2]string) string {
	var b strings.Builder
	for i, h := range hs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line(h[0]))
		b.WriteString(": ")
		b.WriteString(line(h[1]))
	}
	return b.String()
}

// newHTMLMatrix builds the checks x targets matrix: one row per check id
// across all columns, each cell linking to that check in its column. Rows
// whose columns disagree come first, since they are what a comparison is
// for (a framework beside the reference, a branch beside main); within
// each part rows are ordered by their worst state and then like the checks
// themselves. sorted holds each column's checks in the order newHTMLColumn
// numbered them.
func newHTMLMatrix(sorted [][]Check) []htmlMatrixRow {
	type row struct {
		key     Check // the first copy seen, with State set to the worst
		cells   []htmlCell
		differs bool
	}
	rows := map[string]*row{}
	var order []*row
	for n, checks := range sorted {
		for i, c := range checks {
			r := rows[c.ID]
			if r == nil {
				r = &row{key: c, cells: make([]htmlCell, len(sorted))}
				rows[c.ID] = r
				order = append(order, r)
			}
			if r.cells[n].Anchor != "" {
				continue // the same id twice in one column: link the first
			}
			r.cells[n] = htmlCell{State: stateBadge(c.State), Anchor: checkAnchor(n+1, i+1), Note: cellNote(c)}
			if stateRank(c.State) < stateRank(r.key.State) {
				r.key.State = c.State
			}
		}
	}
	for _, r := range order {
		for i := range r.cells {
			if r.cells[i].Anchor == "" {
				r.cells[i].State = htmlBadge{Text: "not run", Class: "s-none"}
			}
			r.differs = r.differs || r.cells[i].State != r.cells[0].State
		}
	}
	slices.SortStableFunc(order, func(a, b *row) int {
		if a.differs != b.differs {
			if a.differs {
				return -1
			}
			return 1
		}
		return compareUrgency(&a.key, &b.key)
	})
	out := make([]htmlMatrixRow, 0, len(order))
	for _, r := range order {
		out = append(out, htmlMatrixRow{
			ID:      line(r.key.ID),
			Title:   line(r.key.Title),
			Level:   levelBadge(r.key.Level),
			Cells:   r.cells,
			Differs: r.differs,
		})
	}
	return out
}

// cellNote is what a matrix cell says on hover: the first line of the
// check's message (why it failed or was skipped), cut to a readable length.
func cellNote(c Check) string {
	first, _, _ := strings.Cut(c.Message, "\n")
	if r := []rune(first); len(r) > 300 {
		first = string(r[:300]) + "…"
	}
	return line(first)
}

// checkAnchor is the id of check m (1-based, in urgency order) of column n.
// Anchors are numbered, so links within the page never carry text from the
// results.
func checkAnchor(n, m int) string { return fmt.Sprintf("t%d-c%d", n, m) }

// Key is the word the page's filter matches a badge by: its class without
// the prefix, so one of a fixed set ("failed", "must", "other").
func (b htmlBadge) Key() string {
	_, key, _ := strings.Cut(b.Class, "-")
	return key
}

// sameKey matches badges that the filter cannot tell apart.
func sameKey(b htmlBadge) func(htmlBadge) bool {
	return func(o htmlBadge) bool { return o.Key() == b.Key() }
}

// stateBadge is the badge of a state. The word is printed, so the badge
// reads without colour; the class comes from a fixed set.
func stateBadge(s State) htmlBadge {
	switch s {
	case Passed, Failed, Skipped, Error:
		return htmlBadge{Text: string(s), Class: "s-" + string(s)}
	}
	if s == "" {
		return htmlBadge{Text: "(no state)", Class: "s-other"}
	}
	return htmlBadge{Text: line(string(s)), Class: "s-other"}
}

// levelBadge is the badge of a level, like stateBadge.
func levelBadge(l Level) htmlBadge {
	switch l {
	case Must, Should, Advisory:
		return htmlBadge{Text: string(l), Class: "l-" + strings.ToLower(string(l))}
	}
	if l == "" {
		return htmlBadge{Text: "(no level)", Class: "l-other"}
	}
	return htmlBadge{Text: line(string(l)), Class: "l-other"}
}

// formatDuration shows d to the millisecond, or to the microsecond below
// one: checks against the in-process reference take well under a
// millisecond, and "0s" would read as "not measured".
func formatDuration(d time.Duration) string {
	if d >= time.Millisecond || d <= -time.Millisecond {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// rfcRef matches the references checks declare: "RFC9110 13.2.2",
// "RFC6265bis 5.7", "RFC9111 4.2.1", "RFC9110 A.1", also with a space
// after "RFC", a "§" or "section" before the number, or no section.
var rfcRef = regexp.MustCompile(`(?i)^RFC\s?([0-9]{3,5})(bis)?(?:\s*(?:§|section|sec\.)?\s*([0-9]+(?:\.[0-9]+)*|[A-Z](?:\.[0-9]+)*))?$`)

// rfc6265bisURL is the draft's latest revision on the datatracker.
// reference/cookie follows draft-ietf-httpbis-rfc6265bis-22; should a later
// revision renumber sections, pin this to "...-rfc6265bis-22" so a ref's
// section still lands where the check's author read it.
const rfc6265bisURL = "https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis"

// refURL is where a reference can be read: RFCs on rfc-editor.org, RFC
// 6265bis (a draft) on the IETF datatracker, each to the section. Anything
// else ("OWASP ASVS 3.4.1") has no link and returns "". The URL is built
// from the digits the pattern captured, never from the reference's text.
func refURL(ref string) string {
	m := rfcRef.FindStringSubmatch(strings.TrimSpace(ref))
	if m == nil {
		return ""
	}
	num, bis, sec := m[1], m[2] != "", m[3]
	var u string
	switch {
	case bis && num == "6265":
		u = rfc6265bisURL
	case bis:
		return "" // no other draft is referenced; don't guess its name
	default:
		u = "https://www.rfc-editor.org/rfc/rfc" + num
	}
	switch {
	case sec == "":
	case sec[0] >= '0' && sec[0] <= '9':
		u += "#section-" + sec
	default:
		u += "#appendix-" + strings.ToUpper(sec)
	}
	return u
}

// failingLinks lists the checks behind r's verdict: the failures at the
// verdict's level that are not known failures, at most ten, linked to
// their place on the page.
func failingLinks(r *Results) []htmlLink {
	level, ok := strings.CutPrefix(r.Verdict(), "failed at ")
	if !ok {
		return nil
	}
	anchors, err := checkAnchors(r)
	if err != nil {
		return nil
	}
	var out []htmlLink
	for _, c := range sortedChecks(r.Checks, compareUrgency) {
		if c.State == Failed && string(c.Level) == level && c.Baseline != BaselineKnown && len(out) < 10 {
			out = append(out, htmlLink{Text: line(c.ID), Anchor: anchors[checkKey(c)]})
		}
	}
	return out
}
