package sessions

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// exerciseCookie makes the target send the session cookie every way it
// does in ordinary use: a new session, an update, a new lifetime, a
// browser-close lifetime, a flush, and a cookie naming no session. It
// returns every Set-Cookie line for the session cookie.
func exerciseCookie(e *harness.Env) []string {
	GinkgoHelper()
	b := e.SessionBrowser()
	k := uniqueKey("grammar")
	var lines []string
	collect := func(r *harness.Response) { lines = append(lines, r.SetCookie(settings(e).CookieName)...) }
	collect(set(b, k, `"new"`))
	real := b.SessionKey()
	collect(set(b, k, `"updated"`))
	collect(b.PostJSON("session/expiry", map[string]int{"seconds": 600}))
	collect(b.PostJSON("session/expiry", map[string]int{"seconds": 0}))
	collect(b.PostJSON("session/flush", map[string]any{}))
	if real != "" {
		stale := settings(e).CookieName + "=" + inventKey(real)
		collect(b.Do(harness.Request{Method: http.MethodGet, Path: "session/get", Query: harness.Query("key", k),
			Cookie: &stale, NoStore: true, Note: "a session cookie that names no session"}))
	}
	return lines
}

// The session cookie as the manifest describes it, one attribute per
// check (RFC 6265bis §4.1.2).
var (
	cookieName = suite.Must("cookie/name", "the session cookie is named as the manifest's cookie_name says", "contract sessions").
			Quoting(`"The session cookie is what the manifest says: its name, ..." (docs/contract.md, What the sessions checks expect)`)
	cookieAge = suite.Must("cookie/max-age", "the session cookie lives cookie_age seconds: Max-Age, or Expires at Date plus cookie_age", "contract sessions", "RFC6265bis 4.1.2.2").
			Quoting(`"The session cookie is what the manifest says: ... Max-Age (or Expires at Date + cookie_age) ..." (docs/contract.md, What the sessions checks expect)`)
	cookieClose = suite.Must("cookie/expire-at-browser-close", "the session cookie lasts until the browser closes exactly when expire_at_browser_close is true", "contract sessions", "RFC6265bis 5.7").
			Quoting(`"The session cookie is what the manifest says: ... no lifetime exactly when expire_at_browser_close is true ..." (docs/contract.md, What the sessions checks expect)`)
	cookieHTTPOnly = suite.Must("cookie/httponly", "the session cookie carries HttpOnly exactly when cookie_httponly is true", "contract sessions", "RFC6265bis 4.1.2.6").
			Quoting(`"The session cookie is what the manifest says: ... HttpOnly, SameSite, Secure, Path and Domain as stated." (docs/contract.md, What the sessions checks expect)`)
	cookieSameSite = suite.Must("cookie/samesite", "the session cookie's SameSite is the manifest's cookie_samesite", "contract sessions", "RFC6265bis 4.1.2.7").
			Quoting(`"The session cookie is what the manifest says: ... HttpOnly, SameSite, Secure, Path and Domain as stated." (docs/contract.md, What the sessions checks expect)`)
	cookieSecure = suite.Must("cookie/secure", "the session cookie carries Secure exactly when cookie_secure is true", "contract sessions", "RFC6265bis 4.1.2.5").
			Quoting(`"The session cookie is what the manifest says: ... HttpOnly, SameSite, Secure, Path and Domain as stated." (docs/contract.md, What the sessions checks expect)`)
	cookiePath = suite.Must("cookie/path", "the session cookie's Path is the manifest's cookie_path", "contract sessions", "RFC6265bis 4.1.2.4").
			Quoting(`"The session cookie is what the manifest says: ... HttpOnly, SameSite, Secure, Path and Domain as stated." (docs/contract.md, What the sessions checks expect)`)
	cookieDomain = suite.Must("cookie/domain", "the session cookie's Domain is the manifest's cookie_domain, and absent when that is null", "contract sessions", "RFC6265bis 4.1.2.3").
			Quoting(`"The session cookie is what the manifest says: ... HttpOnly, SameSite, Secure, Path and Domain as stated." (docs/contract.md, What the sessions checks expect)`)
	cookieGrammar = suite.Should("cookie/grammar", "every session Set-Cookie (new, updated, deleted) follows the set-cookie-string grammar", "RFC6265bis 4.1.1")
)

var _ = Describe("sessions", Label("suite:sessions"), func() {
	Describe("the session cookie", func() {
		cookieName.It(func(e *harness.Env) {
			s := settings(e)
			r := set(e.SessionBrowser(), uniqueKey("name"), `"v"`)
			_, _, ok := sessionCookie(e, r)
			Expect(ok).To(verify.Hold(), "expected the first session/set of a new browser to set a cookie named %s (manifest cookie_name), observed Set-Cookie %s", s.CookieName, describeLines(r.SetCookies))
		})

		cookieAge.It(func(e *harness.Env) {
			s := settings(e)
			if s.ExpireAtBrowserClose {
				e.Skipf("the manifest declares expire_at_browser_close true: the session cookie has no lifetime by design (%s grades that)", cookieClose.ID)
			}
			if s.CookieAge == nil {
				e.Skipf("the manifest gives no cookie_age: there is no lifetime to compare the cookie with")
			}
			age := *s.CookieAge
			line, sc, r := newSessionCookie(e)
			secs, how, ok := lifetime(r, sc, e.Clock().Now())
			Expect(ok).To(verify.Hold(), "expected the session cookie to live cookie_age = %d seconds, observed no Max-Age or Expires in %q", age, line)
			_, hasMaxAge := attribute(sc, "Max-Age")
			slack := 2 // Expires has one-second granularity, and Date is rounded down
			if hasMaxAge {
				slack = 0
			}
			Expect(secs >= age-slack && secs <= age+slack).To(verify.Hold(), "expected the session cookie to live cookie_age = %d seconds, observed %s in %q", age, how, line)
		})

		cookieClose.It(func(e *harness.Env) {
			s := settings(e)
			b := e.SessionBrowser()
			k := uniqueKey("close")
			r := set(b, k, `"v"`)
			line, sc := theSessionCookie(e, r, "the first session/set of a new browser")
			_, how, persistent := lifetime(r, sc, e.Clock().Now())
			By("closing the browser")
			b.EndSession()
			after := get(b, k)
			if s.ExpireAtBrowserClose {
				Expect(!persistent).To(verify.Hold(), "expected a session cookie without Max-Age or Expires (manifest expire_at_browser_close true), observed %s in %q", how, line)
				Expect(!after.Found).To(verify.Hold(), "expected no session after the browser closed (manifest expire_at_browser_close true), observed %s still readable", k)
				return
			}
			Expect(persistent).To(verify.Hold(), "expected the session cookie to outlive the browser (manifest expire_at_browser_close false), observed no Max-Age or Expires in %q", line)
			Expect(after.Found).To(verify.Hold(), "expected the session to survive the browser closing (manifest expire_at_browser_close false), observed %s gone", k)
		})

		cookieHTTPOnly.It(func(e *harness.Env) {
			s := settings(e)
			line, sc, _ := newSessionCookie(e)
			expectFlag(line, "HttpOnly", sc.HttpOnly, "cookie_httponly", s.CookieHTTPOnly)
		})

		cookieSameSite.It(func(e *harness.Env) {
			s := settings(e)
			line, sc, _ := newSessionCookie(e)
			got, has := attribute(sc, "SameSite")
			if s.CookieSameSite == "" {
				Expect(!has).To(verify.Hold(), "expected no SameSite on the session cookie (manifest cookie_samesite empty), observed %q", line)
				return
			}
			Expect(has && strings.EqualFold(got, s.CookieSameSite)).To(verify.Hold(), "expected SameSite=%s on the session cookie (manifest cookie_samesite), observed %q", s.CookieSameSite, line)
		})

		cookieSecure.It(func(e *harness.Env) {
			s := settings(e)
			line, sc, _ := newSessionCookie(e)
			expectFlag(line, "Secure", sc.Secure, "cookie_secure", s.CookieSecure)
		})

		cookiePath.It(func(e *harness.Env) {
			s := settings(e)
			line, sc, _ := newSessionCookie(e)
			got, has := attribute(sc, "Path")
			Expect(has && got == s.CookiePath).To(verify.Hold(), "expected Path=%s on the session cookie (manifest cookie_path), observed %q", s.CookiePath, line)
		})

		cookieDomain.It(func(e *harness.Env) {
			s := settings(e)
			line, sc, _ := newSessionCookie(e)
			got, has := attribute(sc, "Domain")
			if s.CookieDomain == nil {
				Expect(!has).To(verify.Hold(), "expected no Domain on the session cookie (manifest cookie_domain null: a host-only cookie), observed %q", line)
				return
			}
			want := strings.TrimPrefix(*s.CookieDomain, ".")
			Expect(has && strings.EqualFold(strings.TrimPrefix(got, "."), want)).To(verify.Hold(), "expected Domain=%s on the session cookie (manifest cookie_domain), observed %q", want, line)
		})

		cookieGrammar.It(func(e *harness.Env) {
			lines := exerciseCookie(e)
			Expect(len(lines) > 0).To(verify.Hold(), "expected the session endpoints to set the session cookie at least once, observed no Set-Cookie for it")
			for _, line := range lines {
				Expect(rules.SetCookieGrammar(line, setcookie.ProblemSyntax)).To(verify.Pass())
			}
		})
	})
})

// expectFlag grades a flag attribute (HttpOnly, Secure) of the session
// cookie line: present exactly when the manifest's setting says so.
func expectFlag(line, attr string, present bool, setting string, want bool) {
	GinkgoHelper()
	Expect(present == want).To(verify.Hold(), "expected %s %s on the session cookie (manifest %s %v), observed %q", attr, presence(want), setting, want, line)
}

func presence(want bool) string {
	if want {
		return "present"
	}
	return "absent"
}
