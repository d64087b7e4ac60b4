package views_test

import (
	"testing"

	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

func TestMain(m *testing.M) { ft.Main(m) }

// TestViews runs the suite against the reference server: every check must
// pass there.
func TestViews(t *testing.T) { ft.Suite{Name: "views"}.Passes(t) }

// TestBackends runs the suite against the reference server on each cache
// backend: every check must pass on each.
func TestBackends(t *testing.T) { ft.Suite{Name: "views"}.PassesOnCacheBackends(t) }
