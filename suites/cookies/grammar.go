package cookies

import (
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reference/cookie"
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

var _ = Describe("cookies", Label("suite:cookies"), func() {
	Describe("Set-Cookie grammar", func() {
		grammarValid.It(func(e *harness.Env) {
			for _, r := range exercise(e) {
				for _, line := range r.SetCookies {
					problems := cookie.Problems(line)
					verify.That(len(problems) == 0, "expected Set-Cookie in the set-cookie-string grammar, observed %s: %s",
						describeLine(line), strings.Join(problems, "; "))
				}
			}
		})

		grammarDupAttrs.It(func(e *harness.Env) {
			for _, r := range exercise(e) {
				for _, line := range r.SetCookies {
					sc, _ := cookie.ParseSetCookie(line)
					seen := map[string]bool{}
					for _, a := range sc.Attributes {
						name := strings.ToLower(a.Name)
						verify.That(!seen[name], "expected each attribute at most once, observed %s twice in %s", a.Name, describeLine(line))
						seen[name] = true
					}
				}
			}
		})

		grammarOnePerRes.It(func(e *harness.Env) {
			for _, r := range exercise(e) {
				seen := map[string]bool{}
				for _, line := range r.SetCookies {
					sc, ok := cookie.ParseSetCookie(line)
					if !ok {
						continue
					}
					verify.That(!seen[sc.Name], "expected one Set-Cookie per cookie name in a response, observed two for %s in the answer to %s", sc.Name, r.URL.Path)
					seen[sc.Name] = true
				}
			}
		})

		grammarDate.It(func(e *harness.Env) {
			dated := 0
			for _, r := range exercise(e) {
				for _, line := range r.SetCookies {
					sc, _ := cookie.ParseSetCookie(line)
					for _, a := range sc.Attributes {
						if !strings.EqualFold(a.Name, "Expires") {
							continue
						}
						dated++
						_, err := time.Parse(http.TimeFormat, a.Value)
						verify.That(err == nil, "expected Expires as an IMF-fixdate like \"Sun, 06 Nov 1994 08:49:37 GMT\", observed %q in %s", a.Value, describeLine(line))
					}
				}
			}
			verify.That(dated > 0, "expected at least one Expires attribute (a cookie set with expires, a deletion), observed none")
		})
	})
})
