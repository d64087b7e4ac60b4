package faulttest

import (
	"net/http"
	"slices"
	"testing"

	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reference/session"
	"github.com/httpcheck/httpcheck/reports"
)

// Allowed is a variant of the reference server that does what the texts a
// suite's checks cite allow, the way a real framework does it (Werkzeug's
// 304 without Last-Modified, express-session's destroy without a
// Set-Cookie). It is the opposite of a Fault: a check that fails at MUST
// against it is a false alarm.
type Allowed struct {
	Name         string
	Wrap         func(http.Handler) http.Handler
	WrapSessions func(session.Store) session.Store
	// Pass lists the checks the variant is about: they must pass, not
	// merely not fail, so that a check skipped for a wrong reason is
	// caught too.
	Pass []*check.Check
	// Skip lists checks that must be skipped: the variant declares
	// nothing for them to grade.
	Skip []*check.Check
	// Fail lists the checks below MUST that may grade the variant down:
	// the texts they cite recommend what the variant leaves out. Every
	// other check must pass or be skipped.
	Fail []*check.Check
}

// NoFalseMust runs the suite against each allowed variant and fails on
// every check that fails or errs there, unless the variant lists it in
// Fail, and on every check in Pass that does not pass.
func (s Suite) NoFalseMust(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	for _, v := range s.Allowed {
		t.Run(v.Name, func(t *testing.T) {
			res := RunOn(t, Reference{Wrap: v.Wrap, WrapSessions: v.WrapSessions}, s.Name)
			listed := func(cs []*check.Check, id string) bool {
				return slices.ContainsFunc(cs, func(c *check.Check) bool { return c.ID == id })
			}
			states := map[string]reports.State{}
			for _, c := range res.Checks {
				states[c.ID] = c.State
				switch {
				case c.State == reports.Failed && listed(v.Fail, c.ID):
					if c.Level == reports.Must {
						t.Errorf("%s is MUST, so it cannot be in Fail: %s", c.ID, c.Message)
					}
				case c.State == reports.Failed || c.State == reports.Error:
					t.Errorf("%s (%s) %s against %q, which the cited text allows: %s", c.ID, c.Level, c.State, v.Name, c.Message)
				}
			}
			for _, c := range v.Pass {
				if states[c.ID] != reports.Passed {
					t.Errorf("%s: %s against %q, want passed", c.ID, states[c.ID], v.Name)
				}
			}
			for _, c := range v.Skip {
				if states[c.ID] != reports.Skipped {
					t.Errorf("%s: %s against %q, want skipped", c.ID, states[c.ID], v.Name)
				}
			}
		})
	}
}
