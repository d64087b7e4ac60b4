package cache_test

import (
	"testing"

	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

func TestMain(m *testing.M) { ft.Main(m) }

// TestCache runs the suite against the reference server: every check must
// pass there.
func TestCache(t *testing.T) { ft.Suite{Name: "cache"}.Passes(t) }

// TestBackends runs the suite against the reference server on each cache
// backend: every check must pass on each.
func TestBackends(t *testing.T) { ft.Suite{Name: "cache"}.PassesOnCacheBackends(t) }
