package cache

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/aliases"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// Timeouts in the shared wait: short ones expire within it, long ones
// outlive it by far. Entries expire on whole seconds of the target's
// clock, so the wait leaves a second of slack over the short timeout.
const (
	shortTimeout = 2    // seconds
	longTimeout  = 1000 // seconds
	sharedWait   = 3 * time.Second
)

// written is what a setup in the shared wait keeps: the responses it got,
// judged after the wait.
type written struct {
	c         *client
	key       string
	responses []*harness.Response
}

// write sends op with body and keeps the response, asserting nothing.
func (w *written) send(op string, body map[string]any) *harness.Response {
	r := w.c.send(op, body)
	w.responses = append(w.responses, r)
	return r
}

// expectSent fails unless every request of the setup answered 200.
func (w *written) expectSent() {
	GinkgoHelper()
	for _, r := range w.responses {
		Expect(r).To(verify.HaveStatus(r.URL.Path+" before the wait", http.StatusOK))
	}
}

// The operations whose answer or effect shows only once an entry's
// timeout has passed: they are checked in the shared wait below.
var (
	// Django's LocMemCache and FileBasedCache answer true for an entry
	// that expired but was not yet culled: the contract does not say, so
	// the reference's choice is graded as advice.
	deleteExpired = suite.Advisory("delete/expired-answers-false", "delete of a key whose entry expired answers deleted false: an expired entry is no entry", "contract cache")
	addExpired    = suite.Must("add/expired-is-absent", "add of a key whose entry expired answers added true: an expired entry is no entry", "contract cache").
			Quoting(`"add of a key whose entry has expired stores the value, as for an absent key." (docs/contract.md, Cache API)`)
	touchExtends = suite.Must("touch/extends", "touch gives an entry a new timeout: it outlives its old one", "contract cache").
			Quoting(qTouch)
)

// Timeouts: omitted is the alias default, null never expires, zero or
// less expires at once.
var (
	expiryDefault = suite.Must("expiry/default-timeout", "an entry set without a timeout expires after the alias's default timeout from the manifest", "contract cache").
			Quoting(`"When timeout is left out, the alias's default from the manifest applies." (docs/contract.md, Cache API)`)
	expiryExplicit = suite.Must("expiry/explicit-timeout", "an entry set with a timeout of 2 seconds is gone once they pass", "contract cache").
			Quoting(`"Timeouts are in seconds. ... Entries expire on the target's clock." (docs/contract.md, Cache API)`)
	expiryLives = suite.Must("expiry/lives-until-timeout", "an entry outlives a wait shorter than its timeout", "contract cache").
			Quoting(`"Timeouts are in seconds. ... Entries expire on the target's clock." (docs/contract.md, Cache API)`)
	expiryNull = suite.Must("expiry/null-never-expires", "an entry set with timeout null outlives the alias's default timeout", "contract cache").
			Quoting(`"null means the entry never expires." (docs/contract.md, Cache API)`)
	expiryZero = suite.Must("expiry/zero-expires-at-once", "set with timeout 0 leaves the key absent, even when it held a value", "contract cache").
			Quoting(`"Zero or less means it expires at once, so a set with timeout: 0 leaves the key absent." (docs/contract.md, Cache API)`)
	expiryNegative = suite.Must("expiry/negative-expires-at-once", "set with a negative timeout leaves the key absent, even when it held a value", "contract cache").
			Quoting(`"Zero or less means it expires at once ..." (docs/contract.md, Cache API)`)
)

var _ = Describe("cache expiry", Label("suite:cache"), func() {
	check.Waiting("timeouts, sharing one wait", sharedWait, func(w *check.WaitGroup) {
		// Entries on the default alias must outlive the run's shared wait;
		// when clear or culling would empty that alias, wait apart.
		w.OwnWaitWhen(aliases.Disturbed)
		w.Before(requireShared)

		// setUp writes key with a timeout on the default alias.
		setUp := func(e *harness.Env, topic string, timeout any) *written {
			x := &written{c: newClient(e, defaultAlias(e)), key: harness.Unique(topic)}
			x.send("set", map[string]any{"key": x.key, "value": topic, "timeout": timeout})
			return x
		}

		w.It(expiryExplicit, func(e *harness.Env) func(*harness.Env) {
			x := setUp(e, "explicit", shortTimeout)
			presentAtFirst := x.c.isPresent(x.key)
			return func(e *harness.Env) {
				x.expectSent()
				Expect(presentAtFirst).To(verify.Hold(), "expected %s to be found right after set with timeout %d, observed found false", x.key, shortTimeout)
				x.c.expectAbsent(x.key, fmt.Sprintf("once its timeout of %d s passed (waited %s)", shortTimeout, sharedWait))
			}
		})

		w.It(expiryLives, func(e *harness.Env) func(*harness.Env) {
			x := setUp(e, "lives", longTimeout)
			return func(e *harness.Env) {
				x.expectSent()
				x.c.expectValue(x.key, "lives", fmt.Sprintf("%s into its timeout of %d s", sharedWait, longTimeout))
			}
		})

		w.It(touchExtends, func(e *harness.Env) func(*harness.Env) {
			x := setUp(e, "touched", shortTimeout)
			touch := x.send("touch", map[string]any{"key": x.key, "timeout": longTimeout})
			return func(e *harness.Env) {
				x.expectSent()
				var answer struct {
					Touched *bool `json:"touched"`
				}
				_ = json.Unmarshal(touch.Body, &answer)
				Expect(answer.Touched != nil && *answer.Touched).To(verify.Hold(), "expected touch of a key just set to answer touched true, observed %.160s", touch.Body)
				x.c.expectValue(x.key, "touched", fmt.Sprintf("after touch gave it %d s, although its first timeout of %d s passed", longTimeout, shortTimeout))
			}
		})

		w.It(deleteExpired, func(e *harness.Env) func(*harness.Env) {
			x := setUp(e, "delexpired", shortTimeout)
			return func(e *harness.Env) {
				x.expectSent()
				Expect(!x.c.delete(x.key)).To(verify.Hold(), "expected delete of %s, whose %d s timeout passed, to answer deleted false, observed true", x.key, shortTimeout)
			}
		})

		w.It(addExpired, func(e *harness.Env) func(*harness.Env) {
			x := setUp(e, "addexpired", shortTimeout)
			return func(e *harness.Env) {
				x.expectSent()
				added := x.c.add(x.key, "again")
				Expect(added).To(verify.Hold(), "expected add to answer added true for %s, whose %d s timeout passed, observed false", x.key, shortTimeout)
				x.c.expectValue(x.key, "again", "after add over an expired entry")
			}
		})
	})

	expiryDefault.It(func(e *harness.Env) {
		requireShared(e)
		alias := defaultAlias(e)
		d, never := defaultTimeout(e)
		if never {
			e.Skipf("alias %s has timeout null: its entries never expire, so there is no default expiry to see", alias)
		}
		c := newClient(e, alias)
		k := harness.Unique("default")
		if d <= 0 {
			c.set(k, "v")
			c.expectAbsent(k, fmt.Sprintf("right after set, since alias %s's default timeout is %s", alias, seconds(d)))
			return
		}
		e.RequireWait(d + time.Second)
		c.set(k, "v")
		if d >= 2*time.Second {
			e.Advance(d - time.Second)
			c.expectValue(k, "v", fmt.Sprintf("a second before alias %s's default timeout of %s passes", alias, seconds(d)))
			e.Advance(2 * time.Second)
		} else {
			e.Advance(d + time.Second)
		}
		c.expectAbsent(k, fmt.Sprintf("once alias %s's default timeout of %s passed", alias, seconds(d)))
	})

	expiryNull.It(func(e *harness.Env) {
		requireShared(e)
		alias := defaultAlias(e)
		wait := 24 * time.Hour
		if d, never := defaultTimeout(e); !never {
			wait = max(d, 0) + time.Second
		}
		e.RequireWait(wait)
		c := newClient(e, alias)
		k := harness.Unique("null")
		c.set(k, "forever", nil)
		e.Advance(wait)
		c.expectValue(k, "forever", fmt.Sprintf("%s after set with timeout null, longer than alias %s's default timeout", seconds(wait), alias))
	})

	for _, tc := range []struct {
		c       *check.Check
		timeout int
	}{{expiryZero, 0}, {expiryNegative, -1}} {
		tc.c.It(func(e *harness.Env) {
			requireShared(e)
			c := newClient(e, defaultAlias(e))
			fresh, held := harness.Unique("expire"), harness.Unique("expireheld")
			c.set(held, "old")
			c.set(held, "new", tc.timeout)
			c.expectAbsent(held, fmt.Sprintf("after set with timeout %d, although it held a value before", tc.timeout))
			c.set(fresh, "new", tc.timeout)
			c.expectAbsent(fresh, fmt.Sprintf("right after set with timeout %d", tc.timeout))
		})
	}
})
