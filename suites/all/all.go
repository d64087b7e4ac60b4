// Package all links every suite into a binary: importing it registers
// their checks and specs. The CLI imports it; so do the tests that need the
// whole catalogue (docs/checks.md).
package all

import (
	_ "github.com/httpcheck/httpcheck/suites/auth"
	_ "github.com/httpcheck/httpcheck/suites/cache"
	_ "github.com/httpcheck/httpcheck/suites/cluster"
	_ "github.com/httpcheck/httpcheck/suites/conditional"
	_ "github.com/httpcheck/httpcheck/suites/cookies"
	_ "github.com/httpcheck/httpcheck/suites/freshness"
	_ "github.com/httpcheck/httpcheck/suites/probe"
	_ "github.com/httpcheck/httpcheck/suites/proxy"
	_ "github.com/httpcheck/httpcheck/suites/sessions"
	_ "github.com/httpcheck/httpcheck/suites/views"
)
