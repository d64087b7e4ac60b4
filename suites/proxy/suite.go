package proxy

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness/check"
)

// The suite's tree: one container per RFC section, then one group of the
// checks whose responses must go stale, sharing one wait.
var _ = Describe("caches in the middle", Label("suite:proxy"), func() {
	storingSpecs()
	forwardingSpecs()
	reuseSpecs()
	varySpecs()
	freshnessSpecs()
	staleSpecs()
	conditionalSpecs()
	unsafeSpecs()
	requestSpecs()
	directiveSpecs()

	check.Waiting("responses that go stale (one shared wait)", sharedWait, func(w *check.WaitGroup) {
		freshnessWaiting(w)
		ageWaiting(w)
		staleWaiting(w)
		validationWaiting(w)
		requestWaiting(w)
	})
})
