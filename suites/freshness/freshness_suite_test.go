package freshness_test

import (
	"testing"

	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

func TestMain(m *testing.M) { ft.Main(m) }

// TestFreshness runs the suite against the reference server: every check
// must pass there.
func TestFreshness(t *testing.T) { ft.Suite{Name: "freshness"}.Passes(t) }
