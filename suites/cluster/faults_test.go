package cluster_test

import (
	"strings"
	"testing"

	"github.com/httpcheck/httpcheck/internal/storetest"
	"github.com/httpcheck/httpcheck/reports"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

// TestMemoryInstances: three instances that each keep their own sessions
// and cache in memory fail every check, each with its own id: the proof
// that each check can fail.
func TestMemoryInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	res := ft.RunOn(t, ft.Deployment(instances(3, "memory", "memory")), "cluster")
	expect(t, res, func(string) (reports.State, string) { return reports.Failed, "instance " })
}

// TestPerInstanceCaches: instances sharing their sessions through Redis
// whose manifests say each has its own cache: the session checks pass,
// and the cache and views checks are skipped, saying so, rather than
// failed.
func TestPerInstanceCaches(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	refs := instances(3, storetest.Redis(t), "memory")
	for i := range refs {
		refs[i].Wrap = ft.WithManifest(func(m map[string]any) {
			m["cache"].(map[string]any)["per_instance"] = true
		})
	}
	expect(t, ft.RunOn(t, ft.Deployment(refs), "cluster"), func(id string) (reports.State, string) {
		if strings.HasPrefix(id, "cluster/sessions/") {
			return reports.Passed, ""
		}
		return reports.Skipped, "each instance has its own cache (manifest cache.per_instance)"
	})
}
