package cookies

import (
	"net/http"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// Lifetimes in the shared wait: short ones expire within it, long ones
// outlive it by far. Expires has one-second granularity, so the wait
// leaves a second of slack over the short lifetime.
const (
	shortLifetime = 2 * time.Second
	sharedWait    = 3 * time.Second
	longLifetime  = 1000 * time.Second
)

func seconds(d time.Duration) string { return strconv.Itoa(int(d.Seconds())) }

// expiry is the state a lifetime check keeps across the wait.
type expiry struct {
	b           *harness.Browser
	name        string
	sentAtFirst bool
}

// setAndProbe sets a cookie and asks the target whether it came back at
// once, without asserting: a setup must not fail the whole group.
func setAndProbe(e *harness.Env, topic string, params ...string) *expiry {
	x := &expiry{b: e.NewBrowser(), name: uniqueName(topic)}
	x.b.Get("cookies/set", append([]string{"name", x.name, "value", "v"}, params...)...)
	r := x.b.Get("cookies/get", "name", x.name)
	var answer struct {
		Found bool `json:"found"`
	}
	if r.Status == http.StatusOK {
		r.Decode(&answer)
	}
	x.sentAtFirst = answer.Found
	return x
}

func (x *expiry) expectSetAtFirst() {
	GinkgoHelper()
	Expect(x.sentAtFirst).To(verify.Hold(), "expected %s to be sent back right after cookies/set, but it was not (see the first exchanges)", x.name)
}

// Lifetime: Max-Age, Expires, session cookies (RFC 6265bis §4.1.2.1,
// §4.1.2.2, §5.6.1, §5.6.2, §5.7). The expiry checks share one wait.
var (
	maxAgeExpires = suite.Must("lifetime/max-age-expires", "a cookie set with max_age is gone once that many seconds pass", "RFC6265bis 5.6.2", "contract cookies").
			Quoting(`"If delta-seconds is less than or equal to zero (0), let expiry-time be the earliest representable date and time. Otherwise, let the expiry-time be the current date and time plus delta-seconds seconds." (RFC 6265bis §5.6.2) "A cookie is "expired" if the cookie has an expiry date in the past." "The user agent MUST evict all expired cookies from the cookie store if, at any time, an expired cookie exists in the cookie store." (RFC 6265bis §5.7)`)
	expiresDate = suite.Must("lifetime/expires-date", "a cookie set with expires is gone once that date passes", "RFC6265bis 5.6.1", "contract cookies").
			Quoting(`"A cookie is "expired" if the cookie has an expiry date in the past." "The user agent MUST evict all expired cookies from the cookie store if, at any time, an expired cookie exists in the cookie store." (RFC 6265bis §5.7)`)
	maxAgeWins = suite.Must("lifetime/max-age-over-expires", "with both, Max-Age decides the lifetime, not Expires", "RFC6265bis 5.7", "contract cookies").
			Quoting(`"If the cookie-attribute-list contains an attribute with an attribute-name of "Max-Age": ... Set the cookie's expiry-time to attribute-value of the last attribute in the cookie-attribute-list with an attribute-name of "Max-Age". Otherwise, if the cookie-attribute-list contains an attribute with an attribute-name of "Expires" (and does not contain an attribute with an attribute-name of "Max-Age"): ..." (RFC 6265bis §5.7)`)
	livesUntilMaxAge = suite.Must("lifetime/lives-until-max-age", "a cookie outlives a wait shorter than its max_age", "RFC6265bis 5.6.2", "contract cookies").
				Quoting(`"If delta-seconds is less than or equal to zero (0), let expiry-time be the earliest representable date and time. Otherwise, let the expiry-time be the current date and time plus delta-seconds seconds." (RFC 6265bis §5.6.2)`)
	modifyLifetime = suite.Must("lifetime/modify-replaces-lifetime", "setting a cookie again replaces its lifetime", "RFC6265bis 5.7", "contract cookies").
			Quoting(`"If the cookie store contains a cookie with the same name, domain, host-only-flag, and path as the newly-created cookie: ... Remove the old-cookie from the cookie store." "Insert the newly-created cookie into the cookie store." (RFC 6265bis §5.7)`)
	sessionCookie = suite.Must("lifetime/session-cookie", "a cookie set without a lifetime is a session cookie, gone when the browser closes", "RFC6265bis 5.7", "contract cookies").
			Quoting(qSessionOver)
	persistentSurvive = suite.Must("lifetime/persistent-survives-end-session", "a cookie with a lifetime survives the browser closing", "RFC6265bis 5.7", "contract cookies").
				Quoting(qSessionOver)
	expiresAgrees = suite.Advisory("lifetime/expires-agrees-with-max-age", "when both are sent, Expires is Date plus Max-Age, so old and new browsers agree", "RFC6265bis 4.1.2.1")
)

// qSessionOver is the sentence both session-cookie checks quote, in the RFC's words.
const qSessionOver = `"When "the current session is over" (as defined by the user agent), the user agent MUST remove from the cookie store all cookies with the persistent-flag set to false." (RFC 6265bis §5.7)`

var _ = Describe("cookies", Label("suite:cookies"), func() {
	BeforeEach(func(ctx SpecContext) { check.NewEnv(ctx).Require(harness.FeatureCookies) })

	check.Waiting("lifetimes, sharing one wait", sharedWait, func(w *check.WaitGroup) {
		w.Before(func(e *harness.Env) { e.Require(harness.FeatureCookies) })

		w.It(maxAgeExpires, func(e *harness.Env) func(*harness.Env) {
			x := setAndProbe(e, "maxage", "max_age", seconds(shortLifetime))
			return func(e *harness.Env) {
				x.expectSetAtFirst()
				expectNotSent(x.b, x.name, "after its max_age of "+shortLifetime.String()+" passed")
			}
		})

		w.It(expiresDate, func(e *harness.Env) func(*harness.Env) {
			at := e.Clock().Now().Add(shortLifetime).UTC().Format(http.TimeFormat)
			x := setAndProbe(e, "expires", "expires", at)
			return func(e *harness.Env) {
				x.expectSetAtFirst()
				expectNotSent(x.b, x.name, "after its expires date "+at+" passed")
			}
		})

		w.It(maxAgeWins, func(e *harness.Env) func(*harness.Env) {
			far := e.Clock().Now().Add(24 * time.Hour).UTC().Format(http.TimeFormat)
			x := setAndProbe(e, "maxagewins", "max_age", seconds(shortLifetime), "expires", far)
			return func(e *harness.Env) {
				x.expectSetAtFirst()
				expectNotSent(x.b, x.name, "after its max_age passed, although its Expires is a day away")
			}
		})

		w.It(livesUntilMaxAge, func(e *harness.Env) func(*harness.Env) {
			x := setAndProbe(e, "lives", "max_age", seconds(longLifetime))
			return func(e *harness.Env) {
				x.expectSetAtFirst()
				expectSent(x.b, x.name, "v", "while its max_age of "+longLifetime.String()+" runs")
			}
		})

		w.It(modifyLifetime, func(e *harness.Env) func(*harness.Env) {
			x := setAndProbe(e, "relife", "max_age", seconds(shortLifetime))
			x.b.Get("cookies/set", "name", x.name, "value", "v", "max_age", seconds(longLifetime))
			return func(e *harness.Env) {
				x.expectSetAtFirst()
				expectSent(x.b, x.name, "v", "after it was set again with max_age "+seconds(longLifetime)+" and the first max_age passed")
			}
		})
	})

	Describe("session and persistent cookies", func() {
		sessionCookie.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("session")
			_, sc := theSetCookie(set(b, n, "value", "v"), n)
			Expect(!sc.HasMaxAge && !sc.HasExpires).To(verify.Hold(), "expected no Max-Age or Expires on a cookie set without a lifetime, observed Max-Age=%v Expires=%v", sc.HasMaxAge, sc.HasExpires)
			expectSent(b, n, "v", "before the browser closes")
			b.EndSession()
			expectNotSent(b, n, "after the browser closed")
		})

		persistentSurvive.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("persist")
			set(b, n, "value", "v", "max_age", seconds(longLifetime))
			b.EndSession()
			expectSent(b, n, "v", "after the browser closed")
		})

		expiresAgrees.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("agree")
			r := set(b, n, "value", "v", "max_age", seconds(longLifetime))
			line, sc := theSetCookie(r, n)
			if !sc.HasExpires {
				return // Max-Age alone cannot disagree with anything
			}
			date, err := http.ParseTime(r.Header.Get("Date"))
			if err != nil {
				date = e.Clock().Now()
			}
			Expect(rules.CookieExpiresAgrees(line, date)).To(verify.Pass())
		})
	})
})
