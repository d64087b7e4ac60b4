package probe

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// sessionProbe is the session probe a run was given.
type sessionProbe struct {
	target *harness.Target
	recipe *Recipe
}

var session *sessionProbe

// UseSession makes the run probe the session the recipe describes, with t
// (a Target for the recipe's protected URL, which the run lists among its
// targets). The CLI calls it before the runner, as it does
// check.UseTargets.
func UseSession(t *harness.Target, r *Recipe) { session = &sessionProbe{target: t, recipe: r} }

// minEntropyBits is what the entropy check asks of session ids (OWASP ASVS
// 5.0 §7.2.3 asks 128 bits; 4.0.3 §3.2.2 asked 64).
const minEntropyBits = 128

// sessionRun is what the session probe saw, logging in and out once; the
// checks judge it.
type sessionRun struct {
	b    *harness.Browser
	name string // the session cookie
	// before is the session cookie's value before login: the site's, or
	// one the probe planted as an attacker would; "" when there was
	// none. beforeHeader is the whole Cookie header of then.
	before, beforeHeader string
	planted              bool
	login                *harness.Response // nil for a pre-issued cookie
	after, afterHeader   string            // the same, once logged in
	protected            *harness.Response // the protected page, logged in
	preReplay            *harness.Response // it again, with the cookies of before login
	logoutReplay         *harness.Response // it again after logout, with the cookies of before logout
}

// The session probe, driven by a recipe (--session FILE).
var (
	sessRotates    = suite.Advisory("session/rotates-on-login", "the session cookie changes on login (no session fixation)", "OWASP WSTG SESS-03", "OWASP ASVS 3.2.1")
	sessPreLogin   = suite.Advisory("session/pre-login-cookie-rejected", "the cookies from before login, replayed by hand after it, are not logged in", "OWASP WSTG SESS-03", "OWASP ASVS 3.2.1")
	sessLogout     = suite.Advisory("session/logout-invalidates", "the session cookie from before logout, replayed by hand, is not logged in: logout ends the session on the server", "OWASP WSTG SESS-06", "OWASP ASVS 3.3.1")
	sessEntropy    = suite.Advisory("session/id-entropy", "session ids from separate logins carry at least 128 bits of entropy", "OWASP ASVS 3.2.2", "OWASP WSTG SESS-01")
	sessAttributes = suite.Advisory("session/cookie-attributes", "the session cookie set at login carries Secure, HttpOnly and SameSite=Strict or Lax (scored as the Mozilla Observatory does)", "OWASP ASVS 3.4.1", "OWASP ASVS 3.4.2", "OWASP ASVS 3.4.3", "OWASP WSTG SESS-02")
	sessNotStored  = suite.Advisory("session/protected-page-not-stored", "the logged-in page carries Cache-Control no-store or private", "OWASP WSTG SESS-04", "RFC9111 5.2.2.7")
)

// describeSession declares the session checks. One setup logs in and out
// and keeps what it saw; the checks judge it, and the entropy check logs
// in on its own.
func describeSession(s *sessionProbe) {
	Describe("the session recipe", Ordered, ContinueOnFailure, func() {
		var run *sessionRun
		var setup *check.Setup
		BeforeAll(func(ctx SpecContext) {
			setup = check.Prepare(ctx, s.target, func(e *harness.Env) { run = s.run(e) })
		})
		on := func(c *check.Check, body func(e *harness.Env)) {
			c.ItOn(s.target, func(e *harness.Env) {
				setup.Adopt(e) // the recipe's exchanges, or what stopped it
				body(e)
			})
		}
		noLogin := func(e *harness.Env) {
			if run.login == nil {
				e.Skipf("the recipe logs in with a pre-issued cookie: there is no login to watch")
			}
		}

		on(sessRotates, func(e *harness.Env) {
			noLogin(e)
			if run.before == "" {
				e.Skipf("there was no %s cookie before login, and the probe could not plant one", run.name)
			}
			Expect(run.after != run.before).To(verify.Hold(), "expected the session cookie %s to change on login, observed the value %s before it (%s) kept after it", run.name, run.before, run.origin())
		})
		on(sessPreLogin, func(e *harness.Env) {
			noLogin(e)
			if run.preReplay == nil {
				e.Skipf("there was no %s cookie before login, and the probe could not plant one", run.name)
			}
			Expect(!s.loggedIn(run.preReplay)).To(verify.Hold(), "expected the cookies from before login (%s), replayed by hand after it, not to be logged in; %s answered as logged in (status %d)", run.beforeHeader, s.recipe.ProtectedURL(), run.preReplay.Status)
		})
		on(sessLogout, func(e *harness.Env) {
			if run.logoutReplay == nil {
				e.Skipf("the recipe has no logout")
			}
			Expect(!s.loggedIn(run.logoutReplay)).To(verify.Hold(), "expected the session cookie from before logout, replayed by hand, not to be logged in, since logout must end the session on the server; %s answered as logged in (status %d)", s.recipe.ProtectedURL(), run.logoutReplay.Status)
		})
		on(sessAttributes, func(e *harness.Env) {
			noLogin(e)
			lines := run.login.SetCookie(run.name)
			if len(lines) == 0 {
				e.Skipf("the login response did not set the session cookie %s", run.name)
			}
			line := lines[len(lines)-1]
			Expect(sessionCookieVerdict(line, rules.ProtectedByHSTS(run.login.URL.Scheme, run.login.Header))).To(verify.Pass())
		})
		on(sessNotStored, func(e *harness.Env) {
			Expect(rules.PrivateOrNoStore(run.protected.Header, "the logged-in page")).To(verify.Pass())
		})
		on(sessEntropy, func(e *harness.Env) {
			if run.login == nil {
				e.Skipf("the recipe logs in with a pre-issued cookie, which gives one id")
			}
			ids := []string{run.after}
			for i := 1; i < s.recipe.Logins; i++ {
				b := e.NewBrowser()
				s.before(b)
				b.Do(s.recipe.Login.request(fmt.Sprintf("login %d of %d, for the entropy estimate", i+1, s.recipe.Logins)))
				id := sentValue(b, s.recipe.Protected.url, run.name)
				Expect(id != "").To(verify.Hold(), "expected login %d to set the session cookie %s, observed none", i+1, run.name)
				ids = append(ids, id)
			}
			est := rules.EstimateEntropy(ids)
			By("estimated " + est.String())
			Expect(est.AtLeast(minEntropyBits)).To(verify.Pass())
		})
	})
}

func (run *sessionRun) origin() string {
	if run.planted {
		return "planted by the probe, as an attacker would"
	}
	return "set by the site before login"
}

func (s *sessionProbe) loggedIn(r *harness.Response) bool {
	return s.recipe.Protected.LoggedIn.matches(r)
}

// before sends the recipe's before steps.
func (s *sessionProbe) before(b *harness.Browser) {
	for i, st := range s.recipe.Before {
		b.Do(st.request(fmt.Sprintf("before step %d", i+1)))
	}
}

// visit requests the protected page, with the jar's cookies or, when
// cookieHeader is not nil, exactly those (a replay by hand).
func (s *sessionProbe) visit(b *harness.Browser, cookieHeader *string, note string) *harness.Response {
	p := s.recipe.Protected
	req := (&Step{Method: "GET", url: p.url, Headers: p.Headers}).request(note)
	req.Cookie, req.NoStore = cookieHeader, cookieHeader != nil
	return b.Do(req)
}

// run logs in and out once, as the recipe says, and keeps what it saw. A
// recipe that does not work against the target ends every check as error.
func (s *sessionProbe) run(e *harness.Env) *sessionRun {
	r, prot := s.recipe, s.recipe.Protected.url
	run := &sessionRun{b: e.NewBrowser(), name: r.SessionCookie}
	b := run.b
	s.before(b)
	if run.name != "" {
		run.before = sentValue(b, prot, run.name)
		if run.before == "" && r.Login.Cookie == "" {
			run.before, run.planted = plant(b, prot, run.name), true
		}
	}
	run.beforeHeader = b.Jar().Header(prot)

	if resp := s.visit(b, nil, "the protected page before login"); s.loggedIn(resp) {
		e.Errorf("the recipe cannot tell a logged-in answer: %s answers %s before login", r.ProtectedURL(), r.Protected.LoggedIn)
	}
	if r.Login.Cookie != "" {
		plantHeader(b, prot, r.Login.Cookie)
	} else {
		run.login = b.Do(r.Login.request("the recipe's login"))
	}
	if run.name == "" {
		run.name = inferSessionCookie(run.beforeHeader, b.Jar().Header(prot), run.login)
		if run.name == "" {
			e.Errorf("cannot tell which cookie holds the session: the login set or changed none that the protected page is sent; name it in the recipe (session_cookie)")
		}
		run.before = valueIn(run.beforeHeader, run.name)
	}
	run.after, run.afterHeader = sentValue(b, prot, run.name), b.Jar().Header(prot)
	run.protected = s.visit(b, nil, "the protected page, logged in")
	if !s.loggedIn(run.protected) {
		e.Errorf("after the recipe's login, %s does not answer as logged in (%s); observed status %d: check the recipe and the credentials",
			r.ProtectedURL(), r.Protected.LoggedIn, run.protected.Status)
	}
	if run.after == "" {
		e.Errorf("after the recipe's login, the browser holds no %s cookie for %s", run.name, r.ProtectedURL())
	}
	if run.login != nil && run.before != "" {
		run.preReplay = s.visit(b, &run.beforeHeader, "the protected page, with the cookies from before login replayed by hand")
	}
	if r.Logout != nil {
		b.Do(r.Logout.request("the recipe's logout"))
		run.logoutReplay = s.visit(b, &run.afterHeader, "the protected page, with the cookies from before logout replayed by hand")
	}
	return run
}

// sentValue is the value of cookie name that b sends to u, or "".
func sentValue(b *harness.Browser, u *url.URL, name string) string {
	return valueIn(b.Jar().Header(u), name)
}

// valueIn is the value of cookie name in a Cookie header value, or "".
func valueIn(header, name string) string {
	for _, p := range setcookie.ParseCookieHeader(header) {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// plant stores an invented value for cookie name in b's jar, as an
// attacker who fixes a victim's session id would, and returns it ("" if
// the jar refused it).
func plant(b *harness.Browser, u *url.URL, name string) string {
	raw := make([]byte, 16)
	rand.Read(raw)
	v := hex.EncodeToString(raw)
	line := name + "=" + v + "; Path=/"
	if u.Scheme == "https" {
		line += "; Secure"
	}
	for _, d := range b.Jar().SetCookies(u, []string{line}) {
		if d.Stored {
			return v
		}
	}
	return ""
}

// plantHeader stores each name=value pair of a Cookie header value.
func plantHeader(b *harness.Browser, u *url.URL, header string) {
	var lines []string
	for _, p := range setcookie.ParseCookieHeader(header) {
		line := p.Name + "=" + p.Value + "; Path=/"
		if u.Scheme == "https" {
			line += "; Secure"
		}
		lines = append(lines, line)
	}
	b.Jar().SetCookies(u, lines)
}

// inferSessionCookie picks the cookie a login set or changed: the one
// whose name looks like a session if there are several, else the first.
func inferSessionCookie(before, after string, login *harness.Response) string {
	var changed []string
	for _, p := range setcookie.ParseCookieHeader(after) {
		if valueIn(before, p.Name) != p.Value {
			changed = append(changed, p.Name)
		}
	}
	if len(changed) == 0 && login != nil {
		for _, l := range login.SetCookies {
			if sc, ok := setcookie.Parse(l); ok && valueIn(after, sc.Name) != "" {
				changed = append(changed, sc.Name)
			}
		}
	}
	for _, n := range changed {
		if rules.LooksLikeSession(n) {
			return n
		}
	}
	if len(changed) > 0 {
		return changed[0]
	}
	return ""
}

// sessionCookieVerdict grades the session cookie's attributes as the
// Mozilla Observatory grades a session cookie, whatever its name.
func sessionCookieVerdict(line string, hsts bool) string {
	c, ok := rules.ReadObservatoryCookie(line)
	if !ok {
		return fmt.Sprintf("expected a session cookie a browser accepts, observed %q", line)
	}
	c.Session = true
	var problems []string
	for _, f := range rules.ObservatoryFindings([]rules.ObservatoryCookie{c}, hsts) {
		switch f.Result {
		case "cookies-session-without-secure-flag", "cookies-session-without-secure-flag-but-protected-by-hsts":
			problems = append(problems, fmt.Sprintf("no Secure (the Mozilla Observatory scores this %s, %d)", f.Result, f.Modifier))
		case "cookies-session-without-httponly-flag":
			problems = append(problems, fmt.Sprintf("no HttpOnly (%s, %d)", f.Result, f.Modifier))
		}
	}
	switch c.SameSite {
	case "Strict", "Lax":
	case "invalid":
		problems = append(problems, fmt.Sprintf("SameSite other than Strict or Lax (cookies-samesite-flag-invalid, %d)", rules.ObservatoryModifiers["cookies-samesite-flag-invalid"]))
	default:
		problems = append(problems, fmt.Sprintf("no SameSite (no penalty, but no +%d bonus: cookies-secure-with-httponly-sessions-and-samesite)", rules.ObservatoryModifiers["cookies-secure-with-httponly-sessions-and-samesite"]))
	}
	if len(problems) == 0 {
		return ""
	}
	return fmt.Sprintf("expected the session cookie to carry Secure, HttpOnly and SameSite=Strict or Lax, observed %q: %s", line, strings.Join(problems, "; "))
}
