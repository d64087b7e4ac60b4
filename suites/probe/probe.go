package probe

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness/check"
)

var _ = Describe("probe", Label("suite:probe"), func() {
	for _, t := range check.Targets() {
		if session != nil && t == session.target {
			continue // the session probe's own target: it has its own checks
		}
		Describe(t.Name, func() {
			describeResponse(t)
			describeConditional(t)
		})
	}
	if session != nil {
		describeSession(session)
	}
})
