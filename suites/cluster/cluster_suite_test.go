package cluster_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/internal/storetest"
	"github.com/httpcheck/httpcheck/reports"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"

	"github.com/httpcheck/httpcheck/reference/embedded"
	_ "github.com/httpcheck/httpcheck/suites/all" // the whole catalogue, for TestDefaultSuiteOnSharedStores
)

func TestMain(m *testing.M) { ft.Main(m) }

// instances returns n references, each opening the stores urls name.
func instances(n int, sessions, cache string) []embedded.Options {
	refs := make([]embedded.Options, n)
	for i := range refs {
		refs[i] = embedded.Options{Sessions: sessions, Cache: cache}
	}
	return refs
}

// clusterChecks are the checks of the suite.
func clusterChecks() []*check.Check {
	var out []*check.Check
	for _, c := range check.All() {
		if c.Suite() == "cluster" {
			out = append(out, c)
		}
	}
	return out
}

// expect checks that every cluster check ran and ended as want says
// (passed when it says nothing), its message containing the text given.
func expect(t *testing.T, res *reports.Results, want func(id string) (reports.State, string)) {
	t.Helper()
	byID := map[string]reports.Check{}
	for _, c := range res.Checks {
		byID[c.ID] = c
	}
	for _, c := range clusterChecks() {
		got, ok := byID[c.ID]
		state, says := want(c.ID)
		switch {
		case !ok:
			t.Errorf("%s did not run", c.ID)
		case got.State != state:
			t.Errorf("%s: %s, want %s: %s", c.ID, got.State, state, got.Message)
		case !strings.Contains(got.Message, says):
			t.Errorf("%s: %s as expected, but the message does not say %q: %s", c.ID, got.State, says, got.Message)
		default:
			t.Logf("%s: %s %s", c.ID, got.State, got.Message)
		}
	}
}

func passes(string) (reports.State, string) { return reports.Passed, "" }

// onSharedStores runs f as a subtest for each store that several
// instances can share, Redis and PostgreSQL, with the store's name and
// URL: the two places a deployment's sessions and cache can live.
func onSharedStores(t *testing.T, f func(t *testing.T, store, url string)) {
	for _, s := range []struct {
		name string
		url  func(testing.TB) string
	}{{"redis", storetest.Redis}, {"postgres", storetest.Postgres}} {
		t.Run(s.name, func(t *testing.T) { f(t, s.name, s.url(t)) })
	}
}

// TestSharedStores: three instances sharing one Redis, and three sharing
// one PostgreSQL, for their sessions and caches, pass every check.
func TestSharedStores(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	onSharedStores(t, func(t *testing.T, _, url string) {
		expect(t, ft.RunOn(t, ft.Deployment(instances(3, url, url)), "cluster"), passes)
	})
}

// TestOneInstance: with one target, the suite runs nothing.
func TestOneInstance(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in a child process")
	}
	res := ft.RunOn(t, ft.Reference{}, "cluster")
	for _, c := range res.Checks {
		t.Errorf("%s ran against one target: %s %s", c.ID, c.State, c.Message)
	}
}

// TestDefaultSuiteOnSharedStores: the reference passes every check of the
// default run (every suite of a contract target) with its sessions and
// cache in Redis, and in PostgreSQL.
func TestDefaultSuiteOnSharedStores(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suites in child processes")
	}
	suites := slices.DeleteFunc(check.SuitesFor(harness.ModeContract), func(s string) bool { return s == "cluster" })
	onSharedStores(t, func(t *testing.T, store, url string) {
		res := ft.RunOn(t, ft.Reference{Sessions: url, Cache: url}, suites...)
		if len(res.Checks) < 100 {
			t.Errorf("only %d checks ran", len(res.Checks))
		}
		for _, c := range res.Checks {
			if c.State != reports.Passed {
				t.Errorf("%s: %s with %s sessions and cache: %s", c.ID, c.State, store, c.Message)
			}
		}
		t.Logf("%d checks of %s passed", len(res.Checks), strings.Join(suites, ", "))
	})
}
