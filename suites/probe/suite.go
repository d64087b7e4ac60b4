// Package probe is the probe suite: checks on any deployed URL, with no
// contract (httpcheck probe URL...). It fetches each URL with a fresh
// browser and grades what the service really sends: its cookies, its
// Date, Cache-Control, Expires, Age and Vary, and how it answers
// conditional requests. A session recipe (docs/probe.md) adds checks on
// logging in and out.
//
// The rules are the contract suites' own (suites/internal/rules): a probe
// verdict and a contract verdict on the same header are the same verdict.
// Where a rule needs something the URL does not give (an ETag, a
// Last-Modified, a cookie), the check is skipped with that reason, never
// passed unseen.
//
// The checks are declared once per target that the run gives
// (check.Targets); `httpcheck run`, which gives none, runs none of them.
package probe

import (
	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
)

var suite = check.NewSuite("probe")

// The probe suite grades URLs without a contract: `httpcheck probe` runs
// it, `httpcheck run` never does.
var _ = check.ForMode("probe", harness.ModeProbe)
