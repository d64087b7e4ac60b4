// Package check declares httpcheck's checks and turns them into Ginkgo
// specs, the way Kubernetes wraps conformance tests: every check has a
// stable id (suite/topic/name), a level, the references it enforces and a
// one-line title, declared once at package level, so `httpcheck list` and
// docs/checks.md read them without building a spec tree.
//
// A suite declares each check in the topic file that holds its body, and
// writes the body with Check.It inside its Ginkgo containers. The wrapper
// gives the body a harness.Env, labels the spec (suite:NAME, level:MUST,
// rfc:9110, sec:13.2.2), names the spec by the check's id, and leaves the
// check, its target and its evidence in the run's Record (run.go), where
// the runner reads them.
package check

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reports"
)

// Check is one requirement httpcheck grades.
type Check struct {
	ID    string        // suite/topic/name, stable forever
	Level reports.Level // MUST, SHOULD or ADVISORY
	Title string        // one line: what a conforming target does
	Refs  []string      // "RFC6265bis 5.7", "RFC9110 13.2.2", "OWASP ASVS 3.2.1", "contract cookies"
	// Requirement quotes the rule in its source's words, when there is
	// one short enough to quote.
	Requirement string
}

// Suite is the first segment of the id.
func (c *Check) Suite() string { s, _, _ := strings.Cut(c.ID, "/"); return s }

var (
	mu       sync.Mutex
	registry = map[string]*Check{}
	order    []*Check
)

// idPattern: lower-case words of letters, digits and dashes, three
// segments. Ids are selectors and file names in CI; keep them boring.
var idPattern = regexp.MustCompile(`^[a-z][a-z0-9-]*/[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$`)

// refPattern: a source, a space, a section or an identifier.
var refPattern = regexp.MustCompile(`^(RFC[0-9]+(bis)?|RFC6265bis|RFC5861|OWASP (ASVS|WSTG)|contract) [A-Za-z0-9.\-]+$`)

// Define declares a check. It panics on a malformed or duplicate id, at
// program start, so a broken table never ships.
func Define(c Check) *Check {
	if err := c.validate(); err != nil {
		panic(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[c.ID]; dup {
		panic(fmt.Sprintf("check %s is defined twice", c.ID))
	}
	p := &c
	registry[c.ID] = p
	order = append(order, p)
	return p
}

// Quoting sets the sentence of the RFC or contract the check grades, in
// its source's words, and returns c: define(...).Quoting("..."). Reports
// show it under a failure, so that a reader sees which sentence broke.
// It is called while the package initialises, before any run reads it.
func (c *Check) Quoting(requirement string) *Check {
	c.Requirement = requirement
	return c
}

func (c *Check) validate() error {
	if !idPattern.MatchString(c.ID) {
		return fmt.Errorf("check id %q is not suite/topic/name in lower-case words", c.ID)
	}
	if !slices.Contains(reports.Levels, c.Level) {
		return fmt.Errorf("check %s: level %q is not one of %v", c.ID, c.Level, reports.Levels)
	}
	if strings.TrimSpace(c.Title) == "" || strings.Contains(c.Title, "\n") {
		return fmt.Errorf("check %s: the title must be one non-empty line", c.ID)
	}
	if len(c.Refs) == 0 {
		return fmt.Errorf("check %s: no references", c.ID)
	}
	for _, r := range c.Refs {
		if !refPattern.MatchString(r) {
			return fmt.Errorf("check %s: reference %q is not like \"RFC9110 13.2.2\" or \"OWASP ASVS 3.2.1\"", c.ID, r)
		}
	}
	return nil
}

// Lookup returns the check with id.
func Lookup(id string) (*Check, bool) {
	mu.Lock()
	defer mu.Unlock()
	c, ok := registry[id]
	return c, ok
}

// All returns every defined check, sorted by id.
func All() []*Check {
	mu.Lock()
	defer mu.Unlock()
	out := slices.Clone(order)
	slices.SortFunc(out, func(a, b *Check) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Suites returns the names of the suites that define checks, sorted.
func Suites() []string {
	var out []string
	for _, c := range All() {
		if !slices.Contains(out, c.Suite()) {
			out = append(out, c.Suite())
		}
	}
	return out
}

// modes records the kind of target each suite tests (ForMode); a suite
// that declares nothing tests contracts.
var modes = map[string]harness.Mode{}

// ForMode declares that suite tests targets of mode m; call it at package
// level (var _ = check.ForMode(...)). The runner runs a suite only for its
// mode.
func ForMode(suite string, m harness.Mode) bool {
	mu.Lock()
	defer mu.Unlock()
	modes[suite] = m
	return true
}

// ModeOf returns the kind of target suite tests.
func ModeOf(suite string) harness.Mode {
	mu.Lock()
	defer mu.Unlock()
	if m, ok := modes[suite]; ok {
		return m
	}
	return harness.ModeContract
}

// SuitesFor returns the suites that test targets of mode m, sorted.
func SuitesFor(m harness.Mode) []string {
	var out []string
	for _, s := range Suites() {
		if ModeOf(s) == m {
			out = append(out, s)
		}
	}
	return out
}

// Labels returns the Ginkgo labels of the check: suite, level, and the
// RFC number and section of each RFC reference.
func (c *Check) Labels() []string {
	labels := []string{"suite:" + c.Suite(), "level:" + string(c.Level)}
	for _, r := range c.Refs {
		src, sec, _ := strings.Cut(r, " ")
		if num, ok := strings.CutPrefix(src, "RFC"); ok {
			labels = appendNew(labels, "rfc:"+strings.ToLower(num))
			labels = appendNew(labels, "sec:"+sec)
		}
	}
	return labels
}

func appendNew(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// Suite declares the checks of one suite, one call per check at its
// level, in the topic file that holds the check's body:
//
//	var suite = check.NewSuite("cookies")
//	var setGet = suite.Must("basics/set-get", "a cookie set by cookies/set is sent back", "contract cookies")
//
// Ids are written without the suite's name, which it prefixes.
type Suite struct{ name string }

// NewSuite returns the declarer of suite name's checks.
func NewSuite(name string) Suite { return Suite{name} }

// Must declares a check of an RFC MUST or MUST NOT, or of the contract's
// own semantics.
func (s Suite) Must(id, title string, refs ...string) *Check {
	return s.declare(id, reports.Must, title, refs)
}

// Should declares a check of an RFC SHOULD or SHOULD NOT.
func (s Suite) Should(id, title string, refs ...string) *Check {
	return s.declare(id, reports.Should, title, refs)
}

// Advisory declares a check of a security baseline (OWASP ASVS, WSTG) or
// a browser's limit.
func (s Suite) Advisory(id, title string, refs ...string) *Check {
	return s.declare(id, reports.Advisory, title, refs)
}

func (s Suite) declare(id string, level reports.Level, title string, refs []string) *Check {
	return Define(Check{ID: s.name + "/" + id, Level: level, Title: title, Refs: refs})
}

// Definer returns the define function of one suite's table: ids are
// written without the suite's name, which it prefixes.
func Definer(suite string) func(id string, level reports.Level, title string, refs ...string) *Check {
	return func(id string, level reports.Level, title string, refs ...string) *Check {
		return Define(Check{ID: suite + "/" + id, Level: level, Title: title, Refs: refs})
	}
}
