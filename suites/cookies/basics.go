package cookies

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// awkwardValues need encoding to travel as cookie-octets (RFC 6265bis
// §4.1.1): whitespace, the separators ',' ';' and '"', backslash, a
// percent sign and non-ASCII. The last looks like a framework's own
// encoding: Express's cookie-parser reads a value beginning "j:" as JSON.
var awkwardValues = []string{
	"hello world", "a,b", "a;b", `"quoted"`, `back\slash`, "100%", "=eq=", "ünïcødé ✓", " padded ", "j:[1]",
}

// The contract's four operations (docs/contract.md, Cookies).
var (
	setGet = suite.Must("basics/set-get", "a cookie set by cookies/set is sent back and read by cookies/get", "contract cookies", "RFC6265bis 5.7").
		Quoting(`"Answer 200 {"set": NAME} with the Set-Cookie header. The browser then sends the cookie back, and cookies/get reads the value that was set." (docs/contract.md, GET cookies/set)`)
	modify = suite.Must("basics/modify", "setting a cookie again replaces its value", "contract cookies", "RFC6265bis 5.7").
		Quoting(`"Setting the same name again (same path and domain) replaces the cookie: new value and new lifetime." (docs/contract.md, GET cookies/set)`)
	deleteCookie = suite.Must("basics/delete", "cookies/delete removes the cookie from the browser", "contract cookies", "RFC6265bis 3.1").
			Quoting(`"Deletes a cookie through the framework's API (Django delete_cookie, Rails cookies.delete, Express res.clearCookie)." (docs/contract.md, GET cookies/delete)`)
	getDefault = suite.Must("basics/get-default", "cookies/get of an absent cookie answers found false with the default", "contract cookies").
			Quoting(`"Parameters: name (required), and default, the value to report when the cookie is absent. Answer ... or {"name": NAME, "found": false, "value": DEFAULT}." (docs/contract.md, GET cookies/get)`)
	deleteAbsent = suite.Must("basics/delete-absent", "deleting a cookie the browser does not have is not an error", "contract cookies").
			Quoting(`"Answer 200 {"deleted": NAME}, and answer it the same way when the request carried no such cookie." (docs/contract.md, GET cookies/delete)`)
	allCookies = suite.Must("basics/all", "cookies/all lists every cookie the request carried", "contract cookies").
			Quoting(`"Every cookie of the request, as the server parsed its Cookie header, decoded: 200 {"cookies": {"NAME": "VALUE", ...}} ({} when there are none)." (docs/contract.md, GET cookies/all)`)
	encodingTrip = suite.Must("encoding/round-trip", "values with spaces, commas, semicolons, quotes, backslashes, non-ASCII, or a look of a framework's own encoding (j:[1]) round-trip exactly", "contract cookies", "RFC6265bis 4.1.1").
			Quoting(`"Values are arbitrary strings ... Encode on set and decode on get and all, and any string survives the trip." (docs/contract.md, Values: encode them)`)
	encodingOctet = suite.Should("encoding/cookie-octets", "values that need encoding are sent as cookie-octets, not raw", "RFC6265bis 4.1.1").
			Quoting(`"To maximize compatibility with user agents, servers that wish to store arbitrary data in a cookie-value SHOULD encode that data ..." (RFC 6265bis §4.1.1)`)
)

var _ = Describe("cookies", Label("suite:cookies"), func() {
	BeforeEach(func(ctx SpecContext) { check.NewEnv(ctx).Require(harness.FeatureCookies) })

	Describe("the contract's operations", func() {
		setGet.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("set")
			set(b, n, "value", "v1")
			Expect(len(stored(b, n)) == 1).To(verify.Hold(), "expected the browser to store %s after cookies/set, observed no cookie stored", n)
			expectSent(b, n, "v1", "after cookies/set")
		})

		modify.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("modify")
			set(b, n, "value", "before")
			set(b, n, "value", "after")
			Expect(len(stored(b, n)) == 1).To(verify.Hold(), "expected one cookie %s after setting it twice, observed %d", n, len(stored(b, n)))
			expectSent(b, n, "after", "after setting it again")
		})

		deleteCookie.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("delete")
			set(b, n, "value", "v")
			r := b.Get("cookies/delete", "name", n)
			Expect(r).To(verify.HaveStatus("cookies/delete", http.StatusOK))
			Expect(len(stored(b, n)) == 0).To(verify.Hold(), "expected the browser to drop %s after cookies/delete, but it still holds it", n)
			expectNotSent(b, n, "after cookies/delete")
		})

		getDefault.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("absent")
			r := b.Get("cookies/get", "name", n, "default", "fallback")
			Expect(r).To(verify.HaveStatus("cookies/get", http.StatusOK))
			var answer struct {
				Found bool `json:"found"`
				Value any  `json:"value"`
			}
			r.Decode(&answer)
			Expect(!answer.Found).To(verify.Hold(), "expected found false for a cookie never set, observed true")
			Expect(answer.Value == "fallback").To(verify.Hold(), "expected the default \"fallback\" as the value of an absent cookie, observed %v", answer.Value)
		})

		deleteAbsent.It(func(e *harness.Env) {
			b := e.NewBrowser()
			r := b.Get("cookies/delete", "name", uniqueName("never"))
			Expect(r).To(verify.HaveStatus("cookies/delete of a cookie the browser does not have", http.StatusOK))
		})

		allCookies.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n1, n2 := uniqueName("all"), uniqueName("all")
			set(b, n1, "value", "one")
			set(b, n2, "value", "two")
			r := b.Get("cookies/all")
			Expect(r).To(verify.HaveStatus("cookies/all", http.StatusOK))
			var answer struct {
				Cookies map[string]any `json:"cookies"`
			}
			r.Decode(&answer)
			Expect(answer.Cookies[n1] == "one" && answer.Cookies[n2] == "two").To(verify.Hold(), "expected cookies/all to list %s=one and %s=two, observed %v", n1, n2, answer.Cookies)
		})
	})

	Describe("values that need encoding", func() {
		encodingTrip.It(func(e *harness.Env) {
			b := e.NewBrowser()
			for _, v := range awkwardValues {
				n := uniqueName("enc")
				set(b, n, "value", v)
				expectSent(b, n, v, "after cookies/set stored it")
			}
		})

		encodingOctet.It(func(e *harness.Env) {
			b := e.NewBrowser()
			for _, v := range awkwardValues {
				n := uniqueName("enc")
				line, sc := theSetCookie(set(b, n, "value", v), n)
				_, err := setcookie.Cookie{Name: sc.Name, Value: rawValue(line)}.String()
				Expect(err == nil).To(verify.Hold(), "expected the value %q to be sent as cookie-octets, observed Set-Cookie %s", v, describeLine(line))
			}
		})
	})
})

// rawValue is the cookie-value of a Set-Cookie line exactly as sent,
// before any user-agent trimming.
func rawValue(line string) string {
	pair, _, _ := strings.Cut(line, ";")
	_, v, _ := strings.Cut(pair, "=")
	return v
}
