package cookies

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
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
	grammarValid = suite.Should("grammar/valid-syntax", "every Set-Cookie the target sends follows the set-cookie-string grammar", "RFC6265bis 4.1.1").
			Quoting(`"Servers conforming to this profile MUST NOT send Set-Cookie header fields that deviate from the following grammar" (RFC 6265bis §4.1.1)`)
	grammarDupAttrs = suite.Should("grammar/no-duplicate-attributes", "no Set-Cookie carries the same attribute twice", "RFC6265bis 4.1.1").
			Quoting(`"To maximize compatibility with user agents, servers MUST NOT produce two attributes with the same name in the same set-cookie-string." (RFC 6265bis §4.1.1)`)
	grammarOnePerRes = suite.Should("grammar/one-cookie-per-name", "no response carries two Set-Cookie fields for one cookie name", "RFC6265bis 4.1.1").
				Quoting(`"Servers MUST NOT include more than one Set-Cookie header field in the same response with the same cookie-name." (RFC 6265bis §4.1.1)`)
	grammarDate = suite.Should("grammar/expires-imf-fixdate", "Expires is written as an IMF-fixdate (sane-cookie-date)", "RFC6265bis 4.1.1")
)

var _ = Describe("cookies", Label("suite:cookies"), func() {
	BeforeEach(func(ctx SpecContext) { check.NewEnv(ctx).Require(harness.FeatureCookies) })

	Describe("Set-Cookie grammar", func() {
		grammarValid.It(func(e *harness.Env) {
			for _, r := range exercise(e) {
				for _, line := range r.SetCookies {
					// Syntax only: duplicates, sizes and prefixes are
					// checks of their own, at their own levels.
					Expect(rules.SetCookieGrammar(line, setcookie.ProblemSyntax)).To(verify.Pass())
				}
			}
		})

		grammarDupAttrs.It(func(e *harness.Env) {
			for _, r := range exercise(e) {
				for _, line := range r.SetCookies {
					Expect(rules.DuplicateAttributes(line)).To(verify.Pass())
				}
			}
		})

		grammarOnePerRes.It(func(e *harness.Env) {
			for _, r := range exercise(e) {
				Expect(rules.OneCookiePerName(r.SetCookies, "the answer to "+r.URL.Path)).To(verify.Pass())
			}
		})

		grammarDate.It(func(e *harness.Env) {
			dated := 0
			for _, r := range exercise(e) {
				for _, line := range r.SetCookies {
					sc, _ := setcookie.Parse(line)
					if hasAttribute(sc, "Expires") {
						dated++
					}
					Expect(rules.ExpiresFormat(line)).To(verify.Pass())
				}
			}
			Expect(dated > 0).To(verify.Hold(), "expected at least one Expires attribute (a cookie set with expires, a deletion), observed none")
		})
	})
})
