// Package aliases picks the cache aliases of a target's manifest that the
// cache and views suites use: the default one most checks share, the one
// culling fills, and a spare one that clear may empty. One implementation,
// so every suite agrees on which alias a check may disturb.
package aliases

import (
	"slices"

	"github.com/httpcheck/httpcheck/harness"
)

// Names returns the aliases of the manifest, sorted.
func Names(m *harness.Manifest) []string {
	var names []string
	if m != nil && m.Cache != nil {
		for name := range m.Cache.Aliases {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Default is "default" when the manifest lists it, else the first alias:
// the one most checks, and cached views, use.
func Default(m *harness.Manifest) string {
	names := Names(m)
	if slices.Contains(names, "default") || len(names) == 0 {
		return "default"
	}
	return names[0]
}

// Smallest is the alias with the fewest max_entries (ties: the first by
// name), "" when none says: culling fills it.
func Smallest(m *harness.Manifest) string {
	best, bestN := "", 0
	for _, name := range Names(m) {
		n := m.Cache.Aliases[name].MaxEntries
		if n > 0 && (best == "" || n < bestN) {
			best, bestN = name, n
		}
	}
	return best
}

// Spare is an alias other than the default and, when possible, other
// than the one culling fills: clear and isolation use it.
func Spare(m *harness.Manifest) (string, bool) {
	def, small := Default(m), Smallest(m)
	var fallback string
	for _, name := range Names(m) {
		if name == def {
			continue
		}
		if name != small {
			return name, true
		}
		fallback = name
	}
	return fallback, fallback != ""
}

// Disturbed reports whether the checks that clear or fill an alias would
// touch the default alias, where other checks keep entries across the
// run's shared wait: the manifest has no spare alias, or culling would
// fill the default one. Groups that keep entries there then wait on
// their own (check.WaitGroup.OwnWaitWhen).
func Disturbed(t *harness.Target) bool {
	if t == nil || t.Manifest == nil {
		return false
	}
	m := t.Manifest
	_, spare := Spare(m)
	return !spare || Smallest(m) == Default(m)
}
