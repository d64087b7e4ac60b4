package sessions

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// Lifetimes in the shared wait: the short one ends within it, the long one
// outlives it by far. set_expiry counts whole seconds, so the wait leaves a
// second of slack over the short lifetime.
const (
	shortLifetime = 2 * time.Second
	sharedWait    = 3 * time.Second
	longLifetime  = 1000 * time.Second
)

// expiryAnswer is what session/expiry answers.
type expiryAnswer struct {
	SecondsLeft    *float64 `json:"seconds_left"`
	AtBrowserClose *bool    `json:"at_browser_close"`
}

// setExpiry asks for a lifetime of d (0: at browser close) and returns the
// answer, which sets the cookie anew; it does not assert.
func trySetExpiry(b *harness.Browser, d time.Duration) *harness.Response {
	return b.PostJSON("session/expiry", map[string]int{"seconds": int(d / time.Second)})
}

func setExpiry(b *harness.Browser, d time.Duration) *harness.Response {
	GinkgoHelper()
	r := trySetExpiry(b, d)
	Expect(r).To(verify.HaveStatus("session/expiry", http.StatusOK))
	return r
}

func readExpiry(b *harness.Browser) expiryAnswer {
	GinkgoHelper()
	r := b.Get("session/expiry")
	Expect(r).To(verify.HaveStatus("GET session/expiry", http.StatusOK))
	var a expiryAnswer
	r.Decode(&a)
	// seconds_left may be null: a server that keeps a browser-session
	// cookie's session without limit (express-session's MemoryStore with
	// cookie.maxAge null) has no number to give.
	Expect(a.AtBrowserClose != nil).To(verify.Hold(), "expected GET session/expiry to answer at_browser_close, observed %s", r.Body)
	return a
}

// timed is a session set up before the shared wait.
type timed struct {
	b        *harness.Browser
	key      string // the session key the browser held
	dataKey  string
	readable bool // the data read back before the wait
}

// startTimed stores a value, gives the session lifetime d and reads the
// value back, without asserting: a setup must not fail the whole group.
func startTimed(e *harness.Env, d time.Duration) *timed {
	x := &timed{b: e.SessionBrowser(), dataKey: uniqueKey("timed")}
	trySet(x.b, x.dataKey, `"alive"`)
	trySetExpiry(x.b, d)
	x.key = x.b.SessionKey()
	a, ok := tryGet(x.b, x.dataKey)
	x.readable = ok && a.Found
	return x
}

func (x *timed) expectReadableAtFirst(what string) {
	GinkgoHelper()
	Expect(x.readable && x.key != "").To(verify.Hold(), "expected %s to hold its data and a session cookie right after it was set up, observed neither (see the first exchanges)", what)
}

// Lifetimes: set_expiry, cookie_age and browser close, enforced by the
// server as well as by the cookie (OWASP ASVS 4.0.3 §3.3.1). The checks
// that need time to pass share one wait, or move a virtual clock.
var (
	expiryCookie = suite.Must("expiry/set-expiry-cookie", "session/expiry with N seconds sends the cookie with Max-Age N, and GET session/expiry reports N seconds left", "contract sessions", "RFC6265bis 4.1.2.2").
			Quoting(`"session/expiry with seconds N > 0 makes this session end N seconds from now ... The cookie gets the matching lifetime ... seconds_left is how long the server will keep the session from now ..." (docs/contract.md, Sessions)`)
	expiryServer = suite.Must("expiry/set-expiry-server", "a session given N seconds holds no data once they pass, even when its old cookie is replayed by hand", "contract sessions", "OWASP ASVS 3.3.1").
			Quoting(`"After session/expiry N seconds ... the session holds no data even when the old cookie is replayed by hand." (docs/contract.md, What the sessions checks expect)`)
	expiryLives = suite.Must("expiry/lives-until-expiry", "a session given N seconds still holds its data while they run", "contract sessions").
			Quoting(`"session/expiry with seconds N > 0 makes this session end N seconds from now ..." (docs/contract.md, Sessions)`)
	expiryAge = suite.Must("expiry/cookie-age-server", "a session left alone for cookie_age seconds holds no data, even when its old cookie is replayed by hand", "contract sessions", "OWASP ASVS 3.3.1").
			Quoting(`"After session/expiry N seconds, or cookie_age seconds without use, the session holds no data even when the old cookie is replayed by hand." (docs/contract.md, What the sessions checks expect)`)
	expiryAtClose = suite.Must("expiry/zero-at-browser-close", "session/expiry with 0 makes the cookie last until the browser closes: no Max-Age or Expires, no session after a restart", "contract sessions", "RFC6265bis 5.7").
			Quoting(`"N = 0 makes the cookie last until the browser closes (no Max-Age or Expires)." (docs/contract.md, Sessions)`)
)

var _ = Describe("sessions", Label("suite:sessions"), func() {
	check.Waiting("session lifetimes, sharing one wait", sharedWait, func(w *check.WaitGroup) {
		w.Before(func(e *harness.Env) { settings(e) })

		w.It(expiryServer, func(e *harness.Env) func(*harness.Env) {
			x := startTimed(e, shortLifetime)
			return func(e *harness.Env) {
				x.expectReadableAtFirst("a session given " + shortLifetime.String())
				got := replayGet(e, x.key, x.dataKey)
				Expect(!got.Found).To(verify.Hold(), "expected no data once the session's %s passed, observed %s = %s when its old cookie was replayed by hand", shortLifetime, x.dataKey, got.value())
			}
		})

		w.It(expiryLives, func(e *harness.Env) func(*harness.Env) {
			x := startTimed(e, longLifetime)
			return func(e *harness.Env) {
				x.expectReadableAtFirst("a session given " + longLifetime.String())
				got := get(x.b, x.dataKey)
				Expect(got.Found).To(verify.Hold(), "expected the session to hold %s while its %s run, observed it gone after %s", x.dataKey, longLifetime, sharedWait)
			}
		})
	})

	Describe("lifetimes", func() {
		expiryCookie.It(func(e *harness.Env) {
			const n = 60
			b := e.SessionBrowser()
			set(b, uniqueKey("expiry"), `"v"`)
			r := setExpiry(b, n*time.Second)
			line, sc := theSessionCookie(e, r, "session/expiry")
			secs, how, ok := lifetime(r, sc, e.Clock().Now())
			Expect(ok && secs >= n-2 && secs <= n).To(verify.Hold(), "expected the session cookie to get a lifetime of %d seconds after session/expiry %d, observed %s in %q", n, n, how, line)
			a := readExpiry(b)
			Expect(a.SecondsLeft != nil).To(verify.Hold(), "expected GET session/expiry to report about %d seconds left after session/expiry %d, observed seconds_left null", n, n)
			Expect(*a.SecondsLeft >= n-3 && *a.SecondsLeft <= n && !*a.AtBrowserClose).To(verify.Hold(), "expected GET session/expiry to report about %d seconds left, not at browser close, observed %v seconds, at_browser_close %v", n, *a.SecondsLeft, *a.AtBrowserClose)
		})

		expiryAtClose.It(func(e *harness.Env) {
			b := e.SessionBrowser()
			k := uniqueKey("atclose")
			set(b, k, `"v"`)
			r := setExpiry(b, 0)
			if line, sc, sent := sessionCookie(e, r); sent {
				_, how, persistent := lifetime(r, sc, e.Clock().Now())
				Expect(!persistent).To(verify.Hold(), "expected session/expiry 0 to send the cookie without Max-Age or Expires, observed %s in %q", how, line)
			} else {
				// No new Set-Cookie is fine when the browser's cookie
				// already has no lifetime (express-session's default
				// cookie): what the contract asks of is the cookie the
				// browser holds.
				held, ok := b.SessionCookie()
				Expect(ok && !held.Persistent).To(verify.Hold(), "expected session/expiry 0 to leave the browser a session cookie without Max-Age or Expires, observed no Set-Cookie and the browser holding %s", describeHeld(held, ok))
			}
			a := readExpiry(b)
			Expect(*a.AtBrowserClose).To(verify.Hold(), "expected GET session/expiry to report at_browser_close true after session/expiry 0, observed false")
			Expect(get(b, k).Found).To(verify.Hold(), "expected the session to keep %s until the browser closes, observed it gone at once", k)
			By("closing the browser")
			b.EndSession()
			after := get(b, k)
			Expect(!after.Found).To(verify.Hold(), "expected no session after the browser closed, observed %s = %s", k, after.value())
		})

		expiryAge.It(func(e *harness.Env) {
			s := settings(e)
			if s.CookieAge == nil {
				e.Skipf("the manifest gives no cookie_age (null or absent): it declares no server-side lifetime to grade")
			}
			age := time.Duration(*s.CookieAge) * time.Second
			wait := age + 2*time.Second
			e.RequireWait(wait)
			b := e.SessionBrowser()
			k := uniqueKey("age")
			set(b, k, `"v"`)
			key := b.SessionKey()
			Expect(key != "").To(verify.Hold(), "expected the first session/set to give the browser a session cookie, observed none")
			By("letting cookie_age pass: " + wait.String())
			e.Advance(wait)
			got := replayGet(e, key, k)
			Expect(!got.Found).To(verify.Hold(), "expected no data once cookie_age (%d s) passed without a save, observed %s = %s when the old cookie was replayed by hand", *s.CookieAge, k, got.value())
		})
	})
})
