package conditional_test

import (
	"testing"

	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

func TestMain(m *testing.M) { ft.Main(m) }

// TestConditional runs the suite against the reference server: every
// check must pass there.
func TestConditional(t *testing.T) { ft.Suite{Name: "conditional"}.Passes(t) }
