package probe

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
)

var _ = Describe("probe", Label("suite:probe"), func() {
	if check.Target().Mode() != harness.ModeProbe {
		return // a run of another kind: it probes no URL
	}
	var urls []*harness.Target
	for _, t := range check.Target().Instances() {
		if session != nil && t == session.target {
			continue // the session probe's own target: it has its own checks
		}
		urls = append(urls, t)
		Describe(t.Name, func() {
			describeResponse(t)
			describeConditional(t)
		})
	}
	describeSite(urls)
	if session != nil {
		describeSession(session)
	}
})
