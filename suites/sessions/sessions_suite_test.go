package sessions_test

import (
	"testing"

	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

func TestMain(m *testing.M) { ft.Main(m) }

// TestSessions runs the suite against the reference server with the
// default SQLite store: every check must pass there.
func TestSessions(t *testing.T) { ft.Suite{Name: "sessions"}.Passes(t) }
