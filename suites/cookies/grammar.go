package cookies

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reference/cookie"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// exercise makes the target emit the Set-Cookie headers a real application
// would: plain, with every attribute, a value that needs encoding, a
// modification, a lifetime by date, and a deletion. The grammar checks
// judge every header in every response.
func exercise(e *harness.Env) []*harness.Response {
	b := e.NewBrowser()
	n := uniqueName("grammar")
	expires := e.Clock().Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	return []*harness.Response{
		set(b, n, "value", "plain"),
		set(b, uniqueName("grammar"), "value", "attrs", "max_age", "600", "path", contractPath(b, "cookies"), "httponly", "1", "samesite", "Lax"),
		set(b, uniqueName("grammar"), "value", "needs encoding; really, \"yes\""),
		set(b, n, "value", "modified"),
		set(b, uniqueName("grammar"), "value", "dated", "expires", expires),
		b.Get("cookies/delete", "name", n),
	}
}

// Set-Cookie grammar, RFC 6265bis §4.1.1: servers SHOULD stay within it.
var (
	grammarValid = define("grammar/valid-syntax", should, "every Set-Cookie the target sends follows the set-cookie-string grammar", "RFC6265bis 4.1.1").
			Quoting(`"Servers conforming to this profile MUST NOT send Set-Cookie header fields that deviate from the following grammar" (RFC 6265bis §4.1.1)`)
	grammarDupAttrs = define("grammar/no-duplicate-attributes", should, "no Set-Cookie carries the same attribute twice", "RFC6265bis 4.1.1").
			Quoting(`"To maximize compatibility with user agents, servers MUST NOT produce two attributes with the same name in the same set-cookie-string." (RFC 6265bis §4.1.1)`)
	grammarOnePerRes = define("grammar/one-cookie-per-name", should, "no response carries two Set-Cookie fields for one cookie name", "RFC6265bis 4.1.1").
				Quoting(`"Servers MUST NOT include more than one Set-Cookie header field in the same response with the same cookie-name." (RFC 6265bis §4.1.1)`)
	grammarDate = define("grammar/expires-imf-fixdate", should, "Expires is written as an IMF-fixdate (sane-cookie-date)", "RFC6265bis 4.1.1")
)

var _ = Describe("cookies", Label("suite:cookies"), func() {
	BeforeEach(func(ctx SpecContext) { check.NewEnv(ctx).Require(harness.FeatureCookies) })

	Describe("Set-Cookie grammar", func() {
		grammarValid.It(func(e *harness.Env) {
			for _, r := range exercise(e) {
				for _, line := range r.SetCookies {
					// Syntax only: duplicates, sizes and prefixes are
					// checks of their own, at their own levels.
					verify.Rule(rules.SetCookieGrammar(line, cookie.ProblemSyntax))
				}
			}
		})

		grammarDupAttrs.It(func(e *harness.Env) {
			for _, r := range exercise(e) {
				for _, line := range r.SetCookies {
					verify.Rule(rules.DuplicateAttributes(line))
				}
			}
		})

		grammarOnePerRes.It(func(e *harness.Env) {
			for _, r := range exercise(e) {
				verify.Rule(rules.OneCookiePerName(r.SetCookies, "the answer to "+r.URL.Path))
			}
		})

		grammarDate.It(func(e *harness.Env) {
			dated := 0
			for _, r := range exercise(e) {
				for _, line := range r.SetCookies {
					sc, _ := cookie.ParseSetCookie(line)
					if hasAttribute(sc, "Expires") {
						dated++
					}
					verify.Rule(rules.ExpiresFormat(line))
				}
			}
			verify.That(dated > 0, "expected at least one Expires attribute (a cookie set with expires, a deletion), observed none")
		})
	})
})
