package faulttest

// Temporary, while the suites move to Suite (issue 15); removed before the
// issue closes.

import (
	"net/http"
	"os"
	"testing"

	"github.com/httpcheck/httpcheck/reference/embedded"
	"github.com/httpcheck/httpcheck/reports"
)

type CacheFault = Fault

func Run(t *testing.T, suite string, faults []Fault) {
	t.Helper()
	Suite{Name: suite, Faults: faults}.EveryCheckBreaks(t)
}
func RunAgainst(t *testing.T, suite string, wrap func(http.Handler) http.Handler) *reports.Results {
	return RunOn(t, Reference{Wrap: wrap}, suite)
}
func RunAgainstReference(t *testing.T, ref embedded.Options, suites ...string) *reports.Results {
	return RunOn(t, Reference(ref), suites...)
}
func RunAgainstDeployment(t *testing.T, refs []embedded.Options, suites ...string) *reports.Results {
	return RunOn(t, Deployment(refs), suites...)
}
func RunAllowed(t *testing.T, suite string, v []Allowed) {
	Suite{Name: suite, Allowed: v}.NoFalseMust(t)
}
func PassesAgainstReference(t *testing.T, suite string) { Suite{Name: suite}.Passes(t) }
func PassesAgainstReferenceProxy(t *testing.T, suite string) {
	Suite{Name: suite, Against: AgainstProxy}.Passes(t)
}
func PassesOnCacheBackends(t *testing.T, suite string) { Suite{Name: suite}.PassesOnCacheBackends(t) }
func RunCache(t *testing.T, suite string, faults []Fault) {
	Suite{Name: suite, Against: AgainstProxy, Faults: faults}.EveryCheckBreaks(t)
}
func RunAgainstCache(t *testing.T, suite, cacheURL, originURL string) *reports.Results {
	return RunOn(t, Cache{URL: cacheURL, Origin: originURL}, suite)
}
func RunFaults(t *testing.T, suite string, faults []Fault, run func(t *testing.T, f Fault) *reports.Results) {
	t.Fatal("RunFaults is gone: use Suite.Broken")
}
func DeploymentMain(m *testing.M) { Main(m) }
func RunChild(t *testing.T, env ...string) *reports.Results {
	t.Fatal("RunChild is gone: use RunOn with ProbeRun")
	return nil
}
func WriteResults(res *reports.Results) error { _ = os.Getenv; return nil }
