package auth_test

import (
	"testing"

	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

func TestMain(m *testing.M) { ft.Main(m) }

// TestAuth runs the suite against the reference server with the default
// SQLite store: every check must pass there.
func TestAuth(t *testing.T) { ft.Suite{Name: "auth"}.Passes(t) }
