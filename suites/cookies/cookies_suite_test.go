package cookies_test

import (
	"testing"

	"github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

func TestMain(m *testing.M) { faulttest.Main(m) }

// TestCookies runs the suite against the reference server: every check
// must pass there.
func TestCookies(t *testing.T) { faulttest.Suite{Name: "cookies"}.Passes(t) }
