package auth

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// The lifetime of the logged-in session in the shared wait; set_expiry
// counts whole seconds, so the wait leaves a second of slack.
const (
	shortLifetime = 2 * time.Second
	sharedWait    = 3 * time.Second
)

// Login, OWASP WSTG SESS-03 (session fixation) and ASVS 4.0.3 §3.2.1.
var (
	anonymous = suite.Must("whoami/anonymous", "session/whoami answers user null before any login, whatever the session holds", "contract auth").
			Quoting(`"whoami is the protected endpoint. ... Before any login it answers {"user": null}, whatever data the session holds." (docs/contract.md, Login)`)
	loginWhoami = suite.Must("login/whoami", "after session/login as U, session/whoami answers U", "contract auth").
			Quoting(`"whoami is the protected endpoint. ... After session/login as U, which answers {"user": U}, it answers U." (docs/contract.md, Login)`)
	loginRotates = suite.Must("login/rotates-key", "session/login gives the session a new key", "contract auth", "OWASP WSTG SESS-03", "OWASP ASVS 3.2.1").
			Quoting(`"Login gives the session a new key (a new session cookie value) ..." (docs/contract.md, Login)`)
	loginKeeps = suite.Must("login/keeps-data", "session/login keeps the data stored before it", "contract auth").
			Quoting(`"Login gives the session a new key (a new session cookie value), and keeps the data already in the session." (docs/contract.md, Login)`)
	// Django's cycle_key keeps the expiry with the data; the contract
	// names only the data, so a login that forgets a shorter lifetime is
	// graded as advice: the session then outlives what the user chose.
	loginExpiry  = suite.Advisory("login/keeps-expiry", "session/login keeps a lifetime session/expiry set before it: the server still reports it afterwards", "contract auth", "OWASP ASVS 3.3.1")
	oldKeyNoAuth = suite.Must("login/old-key-unauthenticated", "a session key planted before login, replayed by hand afterwards, is not logged in", "contract auth", "OWASP WSTG SESS-03", "OWASP ASVS 3.2.1").
			Quoting(`"The key the client held before must no longer work, because a key planted before login must never name a logged-in session (session fixation)." (docs/contract.md, Login)`)
	oldKeyNoData = suite.Must("login/old-key-no-data", "the pre-login session key, replayed by hand after login, reads none of the session's data", "contract auth", "OWASP ASVS 3.2.1").
			Quoting(`"The key the client held before must no longer work ..." (docs/contract.md, Login)`)
)

// Logout, OWASP WSTG SESS-06 and ASVS 4.0.3 §3.3.1: logout ends the session
// on the server, not only in the browser.
var (
	logoutWhoami = suite.Must("logout/whoami", "after session/logout, session/whoami answers user null", "contract auth").
			Quoting(`"Logout ends the session on the server, not just in the browser." (docs/contract.md, Login)`)
	logoutServer = suite.Must("logout/server-side", "the pre-logout session key, replayed by hand, gets user null: logout ends the session on the server", "contract auth", "OWASP WSTG SESS-06", "OWASP ASVS 3.3.1").
			Quoting(`"Logout ends the session on the server, not just in the browser. Replaying the pre-logout cookie must give {"user": null}." (docs/contract.md, Login)`)
	logoutClears = suite.Must("logout/clears-data", "after session/logout the browser's session holds none of the data from before", "contract auth", "OWASP WSTG SESS-06").
			Quoting(`"Logout ends the session on the server, not just in the browser." (docs/contract.md, Login)`)
)

// A logged-in session's lifetime, ASVS 4.0.3 §3.3.1: once it ends, the
// login ends with it, whatever cookie a client keeps.
var (
	expiryLogsOut = suite.Must("expiry/ends-login", "a logged-in session given N seconds, replayed by hand once they pass, gets user null", "contract auth", "OWASP ASVS 3.3.1").
		Quoting(`"session/expiry with seconds N > 0 makes this session end N seconds from now ... the server must stop honouring the session after that, even if a client keeps the cookie." (docs/contract.md, Sessions)`)
)

var _ = Describe("auth", Label("suite:auth"), func() {
	Describe("login", func() {
		anonymous.It(func(e *harness.Env) {
			b := newBrowser(e)
			user, null := whoami(b)
			Expect(null).To(verify.Hold(), "expected session/whoami to answer user null for a browser that never logged in, observed %q", user)
			store(b, unique("anon"))
			user, null = whoami(b)
			Expect(null).To(verify.Hold(), "expected session/whoami to answer user null for a session with data but no login, observed %q", user)
		})

		loginWhoami.It(func(e *harness.Env) {
			b := newBrowser(e)
			u := unique("alice")
			r := login(b, u)
			answered, _ := userOf(r)
			Expect(answered == u).To(verify.Hold(), "expected session/login to answer user %q, observed %s", u, r.Body)
			user, null := whoami(b)
			Expect(!null && user == u).To(verify.Hold(), "expected session/whoami to answer %q after session/login as %q, observed %s", u, u, describeUser(user, null))
		})

		loginRotates.It(func(e *harness.Env) {
			b := newBrowser(e)
			store(b, unique("before"))
			before := b.SessionKey()
			Expect(before != "").To(verify.Hold(), "expected session/set to give the browser a session cookie before login, observed none")
			login(b, unique("alice"))
			after := b.SessionKey()
			Expect(after != "" && after != before).To(verify.Hold(), "expected session/login to give the session a new key, observed the browser holding %q before and after", before)
		})

		loginKeeps.It(func(e *harness.Env) {
			b := newBrowser(e)
			k := unique("cart")
			store(b, k)
			login(b, unique("alice"))
			Expect(found(b, k)).To(verify.Hold(), "expected %s, stored before session/login, to be kept after it, observed it gone", k)
		})

		loginExpiry.It(func(e *harness.Env) {
			const n = 600
			b := newBrowser(e)
			store(b, unique("cart"))
			r := b.PostJSON("session/expiry", map[string]int{"seconds": n})
			Expect(r).To(verify.HaveStatus("session/expiry 600", http.StatusOK))
			login(b, unique("alice"))
			g := b.Get("session/expiry")
			Expect(g).To(verify.HaveStatus("GET session/expiry after login", http.StatusOK))
			var a struct {
				SecondsLeft    *float64 `json:"seconds_left"`
				AtBrowserClose *bool    `json:"at_browser_close"`
			}
			g.Decode(&a)
			Expect(a.SecondsLeft != nil && *a.SecondsLeft > 0 && *a.SecondsLeft <= n && a.AtBrowserClose != nil && !*a.AtBrowserClose).To(verify.Hold(), "expected GET session/expiry after login to report at most %d seconds left, as session/expiry %d set before login, observed %.160s", n, n, g.Body)
		})

		oldKeyNoAuth.It(func(e *harness.Env) {
			By("the attacker gets a session key from the target")
			attacker := newBrowser(e)
			store(attacker, unique("attacker"))
			planted := attacker.SessionKey()
			Expect(planted != "").To(verify.Hold(), "expected session/set to give the attacker's browser a session cookie, observed none")
			By("the victim logs in with the attacker's key in their browser")
			header := settings(e).CookieName + "=" + planted
			victim := newBrowser(e)
			u := unique("victim")
			r := victim.Do(harness.Request{Method: http.MethodPost, Path: "session/login", JSON: map[string]string{"user": u},
				Cookie: &header, Note: "the victim's browser carries the planted key"})
			Expect(r).To(verify.HaveStatus("session/login", http.StatusOK))
			user, null := replayWhoami(e, planted)
			Expect(null).To(verify.Hold(), "expected the key planted before login to be logged in as nobody, observed it logged in as %s: the attacker who planted it is now the victim (session fixation)", describeUser(user, null))
		})

		oldKeyNoData.It(func(e *harness.Env) {
			b := newBrowser(e)
			k := unique("cart")
			store(b, k)
			before := b.SessionKey()
			Expect(before != "").To(verify.Hold(), "expected session/set to give the browser a session cookie before login, observed none")
			login(b, unique("alice"))
			Expect(!replayFound(e, before, k)).To(verify.Hold(), "expected the pre-login key, replayed by hand after login, to read nothing, observed it still reading %s%s", k, signedNote(e))
		})
	})

	Describe("logout", func() {
		logoutWhoami.It(func(e *harness.Env) {
			b := newBrowser(e)
			login(b, unique("alice"))
			logout(b)
			user, null := whoami(b)
			Expect(null).To(verify.Hold(), "expected session/whoami to answer user null after session/logout, observed %q", user)
		})

		logoutServer.It(func(e *harness.Env) {
			b := newBrowser(e)
			u := unique("alice")
			login(b, u)
			key := b.SessionKey()
			Expect(key != "").To(verify.Hold(), "expected session/login to give the browser a session cookie, observed none")
			logout(b)
			user, null := replayWhoami(e, key)
			note := signedNote(e)
			if note == "" {
				note = ": logout only made the browser drop its cookie, and the session lives on on the server"
			}
			Expect(null).To(verify.Hold(), "expected the pre-logout session key, replayed by hand, to get user null, observed user %s%s", describeUser(user, null), note)
		})

		logoutClears.It(func(e *harness.Env) {
			b := newBrowser(e)
			k := unique("private")
			store(b, k)
			login(b, unique("alice"))
			logout(b)
			Expect(!found(b, k)).To(verify.Hold(), "expected the session to hold none of the data from before session/logout, observed %s still there", k)
		})
	})

	check.Waiting("a logged-in session's lifetime", sharedWait, func(w *check.WaitGroup) {
		w.Before(func(e *harness.Env) { settings(e) })

		w.It(expiryLogsOut, func(e *harness.Env) func(*harness.Env) {
			b := newBrowser(e)
			u := unique("alice")
			tryLogin(b, u)
			b.PostJSON("session/expiry", map[string]int{"seconds": int(shortLifetime / time.Second)})
			key := b.SessionKey()
			loggedIn := false
			if r := b.Get("session/whoami"); r.Status == http.StatusOK {
				user, _ := userOf(r)
				loggedIn = user == u
			}
			return func(e *harness.Env) {
				Expect(key != "" && loggedIn).To(verify.Hold(), "expected session/login to log the browser in with a session cookie before the wait, observed otherwise (see the first exchanges)")
				user, null := replayWhoami(e, key)
				Expect(null).To(verify.Hold(), "expected a logged-in session to end once its %s passed, observed user %s when its cookie was replayed by hand", shortLifetime, describeUser(user, null))
			}
		})
	})
})
