package reports_test

import (
	"bytes"
	"encoding/xml"
	"slices"
	"strings"
	"testing"

	"github.com/httpcheck/httpcheck/reports"
)

// The JUnit format as a CI server reads it, declared here rather than
// borrowed from the package so the test checks the file, not the structs.
type (
	xTestsuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Suites   []xTestsuite `xml:"testsuite"`
	}
	xTestsuite struct {
		Name       string      `xml:"name,attr"`
		Tests      int         `xml:"tests,attr"`
		Failures   int         `xml:"failures,attr"`
		Errors     int         `xml:"errors,attr"`
		Skipped    int         `xml:"skipped,attr"`
		Time       string      `xml:"time,attr"`
		Properties []xProperty `xml:"properties>property"`
		Cases      []xTestcase `xml:"testcase"`
	}
	xProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	xTestcase struct {
		Classname  string      `xml:"classname,attr"`
		Name       string      `xml:"name,attr"`
		Time       string      `xml:"time,attr"`
		Properties []xProperty `xml:"properties>property"`
		Failure    *xOutcome   `xml:"failure"`
		Error      *xOutcome   `xml:"error"`
		Skipped    *xOutcome   `xml:"skipped"`
	}
	xOutcome struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
)

// parseJUnit renders rs and parses the file with encoding/xml, which
// rejects what XML 1.0 forbids (control characters, invalid UTF-8).
func parseJUnit(t *testing.T, rs ...*reports.Results) (xTestsuites, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := reports.WriteJUnit(&buf, rs...); err != nil {
		t.Fatalf("WriteJUnit: %v", err)
	}
	var doc xTestsuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("junit.xml does not parse: %v\n%s", err, buf.String())
	}
	// Unmarshal stops at the root's end; walk every token to the end too.
	d := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("junit.xml: %v", err)
			}
			break
		}
	}
	return doc, buf.String()
}

func TestJUnitCounts(t *testing.T) {
	doc, _ := parseJUnit(t, countedResults())
	if doc.Tests != 7 || doc.Failures != 1 || doc.Errors != 1 || doc.Skipped != 1 {
		t.Errorf("testsuites counts tests/failures/errors/skipped = %d/%d/%d/%d, want 7/1/1/1",
			doc.Tests, doc.Failures, doc.Errors, doc.Skipped)
	}
	var names []string
	for _, s := range doc.Suites {
		names = append(names, s.Name)
	}
	if want := []string{"conditional", "cookies"}; !slices.Equal(names, want) {
		t.Fatalf("testsuites = %q, want %q (one per suite)", names, want)
	}
	cookies := doc.Suites[1]
	if cookies.Tests != 4 || cookies.Failures != 1 || cookies.Skipped != 1 || cookies.Errors != 0 || cookies.Time != "0.006" {
		t.Errorf("cookies suite = %+v", cookies)
	}
	byName := map[string]xTestcase{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Classname != s.Name {
				t.Errorf("testcase %q classname = %q, want the suite %q", c.Name, c.Classname, s.Name)
			}
			byName[c.Name] = c
		}
	}
	failed := byName["cookies/delete/expired title of cookies/delete/expired"]
	if failed.Failure == nil || failed.Failure.Type != "MUST" || failed.Failure.Message != "expected the cookie gone, observed a=1 still sent" {
		t.Errorf("failed check = %+v, want <failure type=MUST> with the message", failed)
	}
	if failed.Time != "0.002" {
		t.Errorf("time = %q, want seconds to the millisecond", failed.Time)
	}
	wantProps := []xProperty{{"level", "MUST"}, {"ref", "RFC9110 13.2.2"}}
	if !slices.Equal(failed.Properties, wantProps) {
		t.Errorf("properties = %v, want %v", failed.Properties, wantProps)
	}
	errored := byName["conditional/transport/reset title of conditional/transport/reset"]
	if errored.Error == nil || errored.Failure != nil || !strings.Contains(errored.Error.Text, "connection reset by peer") {
		t.Errorf("error check = %+v, want <error> only", errored)
	}
	skipped := byName["cookies/limits/4096 title of cookies/limits/4096"]
	if skipped.Skipped == nil || skipped.Skipped.Message != "target declares no cookies/limits" {
		t.Errorf("skipped check = %+v, want <skipped> with the reason", skipped)
	}
	passed := byName["cookies/parse/expires title of cookies/parse/expires"]
	if passed.Failure != nil || passed.Error != nil || passed.Skipped != nil {
		t.Errorf("passed check has an outcome element: %+v", passed)
	}
}

func TestJUnitHostileStrings(t *testing.T) {
	doc, raw := parseJUnit(t, hostileResults())
	if doc.Tests != 5 || doc.Failures != 1 || doc.Errors != 2 || doc.Skipped != 1 {
		t.Errorf("counts tests/failures/errors/skipped = %d/%d/%d/%d, want 5/1/2/1 (an unknown state is an error)",
			doc.Tests, doc.Failures, doc.Errors, doc.Skipped)
	}
	known := []string{"testsuites", "testsuite", "properties", "property", "testcase", "failure", "error", "skipped"}
	d := xml.NewDecoder(strings.NewReader(raw))
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok && !slices.Contains(known, se.Name.Local) {
			t.Errorf("junit.xml has element <%s>, which came from the data", se.Name.Local)
		}
	}
	var failure *xOutcome
	for _, c := range doc.Suites[0].Cases {
		if c.Failure != nil {
			failure = c.Failure
		}
	}
	if failure == nil {
		t.Fatal("no <failure>")
	}
	for _, want := range []string{xssScript, xssAttr, xssURL, "bad\uFFFD\uFFFDutf8", "nul\u2400byte"} {
		if !strings.Contains(failure.Message, want) {
			t.Errorf("failure message lacks %q", want)
		}
		if !strings.Contains(failure.Text, want) {
			t.Errorf("failure text lacks %q", want)
		}
	}
	// The evidence summary: one paragraph per exchange with its headers.
	for _, want := range []string{"Evidence (2 exchanges):", "1. GET" + xssScript + " " + xssURL + " -> 200 [network", "   < Location: " + xssURL, "   > Cookie: "} {
		if !strings.Contains(failure.Text, want) {
			t.Errorf("failure text lacks %q:\n%s", want, failure.Text)
		}
	}
	var props []string
	for _, p := range doc.Suites[0].Properties {
		props = append(props, p.Name+"="+p.Value)
	}
	if !slices.Contains(props, "target.url="+xssURL) {
		t.Errorf("suite properties %q lack the target URL", props)
	}
}

// "]]>" in the data must not end the CDATA section early.
func TestJUnitCDATAEnd(t *testing.T) {
	r := countedResults()
	r.Checks[6].Message = "a ]]> b <c/> ]]]]>"
	doc, _ := parseJUnit(t, r)
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil && !strings.HasPrefix(c.Failure.Text, "a ]]> b <c/> ]]]]>") {
				t.Errorf("failure text = %q", c.Failure.Text)
			}
		}
	}
}

// Several results: one testsuite per suite and per target.
func TestJUnitSeveralTargets(t *testing.T) {
	staging := countedResults()
	staging.Targets[0].Name = "staging"
	doc, _ := parseJUnit(t, countedResults(), staging)
	var names []string
	for _, s := range doc.Suites {
		names = append(names, s.Name)
	}
	want := []string{"conditional [reference]", "cookies [reference]", "conditional [staging]", "cookies [staging]"}
	if !slices.Equal(names, want) {
		t.Errorf("testsuites = %q, want %q", names, want)
	}
	if doc.Tests != 14 || doc.Failures != 2 {
		t.Errorf("tests/failures = %d/%d, want 14/2", doc.Tests, doc.Failures)
	}
}
