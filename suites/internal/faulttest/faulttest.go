// Package faulttest proves that checks can fail, and only when they
// should. A suite's tests describe it once (Suite: its name, what it runs
// against, its faults and its allowed variants) and call three methods:
//
//   - Passes: the suite runs against the reference (the reference server,
//     or the reference proxy for a cache in the middle) and every check
//     passes there;
//   - EveryCheckBreaks: each fault, a deliberately broken variant of that
//     reference made in test code, makes the checks it names fail with
//     their own ids, and every check of the suite is named by some fault;
//   - NoFalseMust: each allowed variant, which does what the cited texts
//     allow the way a real framework does, fails no check at MUST.
//
// Ginkgo builds one spec tree per process and cannot be reset, so Passes
// runs in the test's own process and every other run happens in a child:
// the suite's own test binary, run again with what to test in its
// environment. The suite's TestMain calls Main, which turns such a child
// into a runner and leaves ordinary test runs alone. RunOn starts one child
// against any Target (a reference variant, a deployment, a real cache, URLs
// to probe) for tests that grade something else.
package faulttest

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reference/embedded"
	"github.com/httpcheck/httpcheck/reference/proxy"
	"github.com/httpcheck/httpcheck/reference/session"
	"github.com/httpcheck/httpcheck/reports"
)

// Suite is one suite under test: its name, what it runs against, the
// faults that must break each of its checks, and the allowed variants on
// which no check may fail at MUST.
type Suite struct {
	Name string
	// Against is the reference the suite runs against, and that its faults
	// break: the reference server (the zero value) or the reference proxy
	// (AgainstProxy).
	Against Against
	Faults  []Fault
	Allowed []Allowed
	// Broken, when set, is the target a fault makes, for a suite whose
	// targets its tests build themselves (the probe's URLs).
	Broken func(t *testing.T, f Fault) Target
}

// Against is the reference a suite runs against.
type Against int

const (
	// AgainstServer is the reference server on its virtual clock.
	AgainstServer Against = iota
	// AgainstProxy is the reference proxy, a cache in the middle, in
	// front of the harness origin, on one virtual clock with it.
	AgainstProxy
)

// Fault is one deliberately broken variant of the reference.
type Fault struct {
	Name string
	// Breaks are the checks this fault must make fail (state failed, not
	// error): each check's own id proves that check can fail.
	Breaks []*check.Check
	// Wrap breaks the reference's handler: the server's, or the proxy's
	// (what the client sends and gets).
	Wrap func(http.Handler) http.Handler
	// WrapSessions, when set, breaks the reference server's session store:
	// for faults inside the server (a Delete that does nothing, a store
	// that adopts any key), which no handler wrapper can reach. Wrap and
	// WrapSessions may work together through the request's context, which
	// the store sees.
	WrapSessions func(session.Store) session.Store
	// Configure changes the reference proxy's options: Private, or a
	// Transport that breaks what the cache sends to or receives from the
	// origin (Transport is nil when Configure runs; wrap
	// http.DefaultTransport).
	Configure func(o *proxy.Options)
}

// target is the broken variant f makes of the suite's reference.
func (s Suite) target(t *testing.T, f Fault) Target {
	switch {
	case s.Broken != nil:
		return s.Broken(t, f)
	case s.Against == AgainstProxy:
		return BrokenProxy(f)
	}
	return Reference(embedded.Options{Wrap: f.Wrap, WrapSessions: f.WrapSessions})
}

// EveryCheckBreaks runs the suite against every fault and checks that the
// checks each one breaks fail with their ids. It also fails when some
// check of the suite is broken by no fault: every check must be shown able
// to fail.
func (s Suite) EveryCheckBreaks(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	broken := map[string]bool{}
	for _, f := range s.Faults {
		for _, c := range f.Breaks {
			broken[c.ID] = true
		}
	}
	for _, c := range check.All() {
		if c.Suite() == s.Name && !broken[c.ID] {
			t.Errorf("check %s is broken by no fault: add a fault that makes it fail", c.ID)
		}
	}
	for _, f := range s.Faults {
		t.Run(f.Name, func(t *testing.T) {
			res := RunOn(t, s.target(t, f), s.Name)
			failed, ran := map[string]bool{}, map[string]string{}
			for _, c := range res.Checks {
				ran[c.ID] += string(c.State) + " " + c.Message + "; "
				if c.State == reports.Failed {
					failed[c.ID] = true
				}
			}
			for _, c := range f.Breaks {
				switch {
				case ran[c.ID] == "":
					t.Errorf("%s did not run against fault %s", c.ID, f.Name)
				case !failed[c.ID]:
					t.Errorf("%s: want failed against fault %s, got %s", c.ID, f.Name, ran[c.ID])
				}
			}
			var others []string
			for _, c := range res.Checks {
				if c.State != reports.Passed && c.State != reports.Skipped && !slices.ContainsFunc(f.Breaks, func(b *check.Check) bool { return b.ID == c.ID }) {
					others = append(others, c.ID+" ("+string(c.State)+")")
				}
			}
			if len(others) > 0 {
				slices.Sort(others)
				others = slices.Compact(others)
				t.Logf("fault %s also breaks: %s", f.Name, strings.Join(others, ", "))
			}
		})
	}
}

// Checks looks up checks of suite by the rest of their ids, for a
// Fault's Breaks.
func Checks(t *testing.T, suite string, ids ...string) []*check.Check {
	t.Helper()
	var out []*check.Check
	for _, id := range ids {
		c, ok := check.Lookup(suite + "/" + id)
		if !ok {
			t.Fatalf("no check %s/%s", suite, id)
		}
		out = append(out, c)
	}
	return out
}
