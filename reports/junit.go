package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The JUnit XML elements, as CI servers (Jenkins, GitLab, GitHub Actions
// reporters) read them. There is no single standard; this is the common
// subset of the Ant/Surefire format, plus <properties> in <testcase>,
// which Jenkins and pytest's record_property use and other readers ignore.
type (
	junitTestsuites struct {
		XMLName  xml.Name         `xml:"testsuites"`
		Name     string           `xml:"name,attr"`
		Tests    int              `xml:"tests,attr"`
		Failures int              `xml:"failures,attr"`
		Errors   int              `xml:"errors,attr"`
		Skipped  int              `xml:"skipped,attr"`
		Time     string           `xml:"time,attr"`
		Suites   []junitTestsuite `xml:"testsuite"`
	}
	junitTestsuite struct {
		Name       string           `xml:"name,attr"`
		Tests      int              `xml:"tests,attr"`
		Failures   int              `xml:"failures,attr"`
		Errors     int              `xml:"errors,attr"`
		Skipped    int              `xml:"skipped,attr"`
		Time       string           `xml:"time,attr"`
		Timestamp  string           `xml:"timestamp,attr,omitempty"`
		Properties *junitProperties `xml:"properties,omitempty"`
		Cases      []junitTestcase  `xml:"testcase"`
	}
	junitProperties struct {
		Property []junitProperty `xml:"property"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitTestcase struct {
		Classname  string           `xml:"classname,attr"`
		Name       string           `xml:"name,attr"`
		Time       string           `xml:"time,attr"`
		Properties *junitProperties `xml:"properties,omitempty"`
		Failure    *junitOutcome    `xml:"failure,omitempty"`
		Error      *junitOutcome    `xml:"error,omitempty"`
		Skipped    *junitSkipped    `xml:"skipped,omitempty"`
	}
	junitOutcome struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		// CDATA keeps the text's lines readable in the raw file; visible has
		// made it legal XML, and encoding/xml splits any "]]>".
		Text string `xml:",cdata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr,omitempty"`
	}
)

// WriteJUnit writes junit.xml for CI: one <testsuite> per suite, and per
// target when rs holds several targets or runs (named "suite [target]", so
// each target's failures stay apart), one <testcase> per check with
// classname = suite and name = id + " " + title.
//
// A failed check is a <failure type="LEVEL"> whose text is the message and
// a summary of the evidence, since CI logs are often all a reader opens; a
// transport error is an <error>; a skipped check is <skipped> with the
// reason; a state this version does not know is an <error> too, so it can
// never pass unseen. Every string from the results goes through visible
// first: targets can send control characters and invalid UTF-8, which XML
// 1.0 cannot carry, and the file must still parse.
func WriteJUnit(w io.Writer, rs ...*Results) error {
	cols, err := columnsOf(rs)
	if err != nil {
		return err
	}
	doc := junitTestsuites{Name: "httpcheck"}
	var total time.Duration
	for _, col := range cols {
		for _, ts := range junitSuites(col, len(cols) > 1) {
			doc.Tests += ts.Tests
			doc.Failures += ts.Failures
			doc.Errors += ts.Errors
			doc.Skipped += ts.Skipped
			doc.Suites = append(doc.Suites, ts)
		}
		for _, c := range col.checks {
			total += c.Duration
		}
	}
	doc.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("reports: writing JUnit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("reports: writing JUnit: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("reports: writing JUnit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("reports: writing JUnit: %w", err)
	}
	return nil
}

// junitSuites turns one column into its <testsuite>s, suites by name and
// checks by id, so the file diffs cleanly between runs.
func junitSuites(col column, nameTarget bool) []junitTestsuite {
	bySuite := map[string][]Check{}
	for _, c := range sortedChecks(col.checks, compareID) {
		s := suiteOf(&c)
		bySuite[s] = append(bySuite[s], c)
	}
	names := make([]string, 0, len(bySuite))
	for s := range bySuite {
		names = append(names, s)
	}
	slices.Sort(names)

	var props []junitProperty
	prop := func(name, value string) {
		if value != "" {
			props = append(props, junitProperty{Name: name, Value: line(value)})
		}
	}
	if col.run.Redaction == RedactionOff {
		prop("redaction", Unredacted)
	}
	prop("target", col.label)
	for _, t := range col.run.Targets {
		if col.target == "" || t.Name == col.target {
			prop("target.url", t.URL)
			prop("target.server", manifestServer(t))
		}
	}
	prop("tool", col.run.Tool)

	var out []junitTestsuite
	for _, name := range names {
		ts := junitTestsuite{Name: line(name)}
		if nameTarget {
			ts.Name = line(name + " [" + col.label + "]")
		}
		if !col.run.Start.IsZero() {
			// JUnit's timestamp is ISO 8601 without a zone; say UTC.
			ts.Timestamp = col.run.Start.UTC().Format("2006-01-02T15:04:05")
		}
		if len(props) > 0 {
			ts.Properties = &junitProperties{Property: props}
		}
		var d time.Duration
		for _, c := range bySuite[name] {
			tc := junitCase(&c)
			ts.Tests++
			switch {
			case tc.Failure != nil:
				ts.Failures++
			case tc.Error != nil:
				ts.Errors++
			case tc.Skipped != nil:
				ts.Skipped++
			}
			d += c.Duration
			ts.Cases = append(ts.Cases, tc)
		}
		ts.Time = seconds(d)
		out = append(out, ts)
	}
	return out
}

// junitCase is the <testcase> of one check.
func junitCase(c *Check) junitTestcase {
	tc := junitTestcase{
		Classname: line(suiteOf(c)),
		Name:      line(c.ID + " " + c.Title),
		Time:      seconds(c.Duration),
	}
	props := []junitProperty{{Name: "level", Value: line(string(c.Level))}}
	for _, ref := range c.Refs {
		props = append(props, junitProperty{Name: "ref", Value: line(ref)})
	}
	if c.Target != "" {
		props = append(props, junitProperty{Name: "target", Value: line(c.Target)})
	}
	tc.Properties = &junitProperties{Property: props}

	switch c.State {
	case Passed:
	case Skipped:
		tc.Skipped = &junitSkipped{Message: para(c.Message)}
	case Failed:
		tc.Failure = &junitOutcome{Message: para(c.Message), Type: line(string(c.Level)), Text: junitText(c)}
	case Error:
		tc.Error = &junitOutcome{Message: para(c.Message), Type: line(string(c.Level)), Text: junitText(c)}
	default:
		msg := fmt.Sprintf("unknown state %q: %s", c.State, c.Message)
		tc.Error = &junitOutcome{Message: para(msg), Type: line(string(c.Level)), Text: junitText(c)}
	}
	return tc
}

// junitText is the body of a <failure> or <error>: the message, then one
// paragraph per exchange with its request line, outcome and headers (where
// cookies and cache validators show), without bodies, which the HTML
// report has.
func junitText(c *Check) string {
	var b strings.Builder
	b.WriteString(c.Message)
	if c.Requirement != "" {
		fmt.Fprintf(&b, "\nRequirement: %s", c.Requirement)
	}
	if len(c.Refs) > 0 {
		fmt.Fprintf(&b, "\nRefs: %s", strings.Join(c.Refs, ", "))
	}
	if len(c.Exchanges) > 0 {
		fmt.Fprintf(&b, "\n\nEvidence (%d exchanges):", len(c.Exchanges))
	}
	for i, x := range c.Exchanges {
		fmt.Fprintf(&b, "\n%d. %s %s", i+1, line(x.Method), line(x.URL))
		if x.Status != 0 {
			fmt.Fprintf(&b, " -> %d", x.Status)
		}
		if x.Source != "" {
			fmt.Fprintf(&b, " [%s]", line(x.Source))
		}
		if d := elapsed(x); d != "" {
			fmt.Fprintf(&b, " (%s)", d)
		}
		if x.Note != "" {
			fmt.Fprintf(&b, "\n   note: %s", line(x.Note))
		}
		for _, h := range x.RequestHeaders {
			fmt.Fprintf(&b, "\n   > %s: %s", line(h[0]), line(h[1]))
		}
		for _, h := range x.ResponseHeaders {
			fmt.Fprintf(&b, "\n   < %s: %s", line(h[0]), line(h[1]))
		}
		if x.Error != "" {
			fmt.Fprintf(&b, "\n   error: %s", line(x.Error))
		}
	}
	return para(b.String())
}

// seconds formats d as JUnit wants times: seconds, here to the millisecond.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(max(d, 0).Seconds(), 'f', 3, 64)
}

// elapsed is how long an exchange took, or "" when a timestamp is missing.
func elapsed(x Exchange) string {
	if x.Sent.IsZero() || x.Received.IsZero() {
		return ""
	}
	return x.Received.Sub(x.Sent).Round(time.Microsecond).String()
}

// manifestServer is the manifest's "server" string (docs/contract.md: product
// and version, free text). A target can send any JSON there, so anything
// other than a string is shown as its JSON.
func manifestServer(t Target) string {
	v, ok := t.Manifest["server"]
	switch s := v.(type) {
	case string:
		return s
	case nil:
		if ok {
			return "null"
		}
		return ""
	default:
		return compactJSON(v)
	}
}
