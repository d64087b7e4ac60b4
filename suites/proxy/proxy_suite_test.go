package proxy_test

import (
	"testing"

	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

func TestMain(m *testing.M) { ft.Main(m) }

// TestProxy runs the suite against the reference proxy in front of the
// harness origin, on a virtual clock: every check must pass there.
func TestProxy(t *testing.T) { ft.Suite{Name: "proxy", Against: ft.AgainstProxy}.Passes(t) }
