package auth

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// The attributes that keep a logged-in user's session key to its owner,
// judged on the cookie session/login sets. They are baselines (OWASP ASVS
// 4.0.3 §3.4), not the manifest's word: the sessions suite checks that the
// cookie matches the manifest, this one that the manifest is safe.
var (
	cookieSecure   = suite.Advisory("cookie/secure", "the session cookie of a logged-in user carries Secure", "OWASP ASVS 3.4.1", "OWASP WSTG SESS-02")
	cookieHTTPOnly = suite.Advisory("cookie/httponly", "the session cookie of a logged-in user carries HttpOnly", "OWASP ASVS 3.4.2", "OWASP WSTG SESS-02")
	cookieSameSite = suite.Advisory("cookie/samesite", "the session cookie of a logged-in user carries SameSite=Lax or Strict", "OWASP ASVS 3.4.3", "OWASP WSTG SESS-02")
)

var _ = Describe("auth", Label("suite:auth"), func() {
	Describe("the session cookie of a logged-in user", func() {
		cookieSecure.It(func(e *harness.Env) {
			if !e.Target.HasScheme("https") {
				e.Skipf("the target serves no https (manifest urls), so a Secure session cookie could not work there; serve the site over https only, then set Secure")
			}
			line, sc := loggedInCookie(e)
			Expect(sc.Secure).To(verify.Hold(), "expected Secure on the session cookie, so that it never travels over plain http, observed %q (manifest cookie_secure %v): the target serves https, so set it", line, settings(e).CookieSecure)
		})

		cookieHTTPOnly.It(func(e *harness.Env) {
			line, sc := loggedInCookie(e)
			Expect(sc.HttpOnly).To(verify.Hold(), "expected HttpOnly on the session cookie, so that no script (an XSS) can read the key, observed %q", line)
		})

		cookieSameSite.It(func(e *harness.Env) {
			line, sc := loggedInCookie(e)
			v, has := "", false
			for _, a := range sc.Attributes {
				if strings.EqualFold(a.Name, "SameSite") {
					v, has = a.Value, true
				}
			}
			ok := has && (strings.EqualFold(v, "Lax") || strings.EqualFold(v, "Strict"))
			Expect(ok).To(verify.Hold(), "expected SameSite=Lax or Strict on the session cookie, so that cross-site requests do not carry it, observed %q", line)
		})
	})
})
