// Package proxy is the suite for caches in the middle: reverse proxies and
// CDNs (nginx, Varnish, Squid, Apache httpd, Traffic Server, a CDN's edge),
// graded against RFC 9111 as a shared cache, RFC 5861, RFC 9213 (targeted
// cache-control fields) and the parts of RFC 9110 an intermediary owes the
// messages it forwards.
//
// The harness is the client; the cache under test sits between it and the
// harness origin (harness/origin), which answers each check from a script
// of its own. A check sees both sides: what the cache served, and what
// reached the origin. `httpcheck run --cache URL --origin-listen ADDR`
// runs it; a contract run does not.
//
// Where the RFC lets a cache choose (it MAY store, MAY serve stale, MAY
// validate or fetch anew), the checks accept every conforming outcome and
// skip, with the reason, when the cache's choice leaves nothing to grade.
// Request directives are advisory (RFC 9111 §5.2.1: "caches MAY implement
// them, but are not required to"), so their checks are SHOULD whatever
// keyword the directive's own text uses.
//
// Checks whose responses must go stale share one wait (docs/decisions.md, "Shared waits"):
// their lifetimes are a second, the wait three, so a real cache costs the
// suite three seconds of waiting in all.
package proxy

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
)

var _ = check.ForMode("proxy", harness.ModeProxy)

var suite = check.NewSuite("proxy")

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
	targetedSpecs()
	interimSpecs()

	check.Waiting("responses that go stale (one shared wait)", sharedWait, func(w *check.WaitGroup) {
		storingWaiting(w)
		freshnessWaiting(w)
		ageWaiting(w)
		staleWaiting(w)
		validationWaiting(w)
		requestWaiting(w)
	})
})
