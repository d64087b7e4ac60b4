package probe

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// fetched is the answer to the probe's plain GET of a URL, which every
// check on what a response says grades.
type fetched struct {
	b    *harness.Browser
	resp *harness.Response
	at   time.Time // when it arrived, on the harness's clock
}

func (f *fetched) header() http.Header { return f.resp.Header }

// cookies returns the Set-Cookie lines, skipping the check when there are
// none.
func (f *fetched) cookies(e *harness.Env) []string {
	if len(f.resp.SetCookies) == 0 {
		e.Skipf("the response sets no cookie")
	}
	return f.resp.SetCookies
}

// cookiesWhere returns the Set-Cookie lines keep selects, skipping the
// check when the response sets no cookie, or with the reason none when it
// sets none that keep selects: the checks on one kind of cookie (prefixed,
// SameSite=None, with both Max-Age and Expires) have nothing to grade then.
func (f *fetched) cookiesWhere(e *harness.Env, keep func(string) bool, none string) []string {
	var out []string
	for _, l := range f.cookies(e) {
		if keep(l) {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		e.Skipf("%s", none)
	}
	return out
}

// field returns the value of a header field, skipping the check when the
// response does not carry it.
func (f *fetched) field(e *harness.Env, name, why string) string {
	v := f.resp.Header.Get(name)
	if v == "" {
		e.Skipf("the response carries no %s%s", name, why)
	}
	return v
}

// lines returns every field line of a header field, skipping the check
// when the response does not carry it: the rules on Cache-Control, Age and
// Vary grade all of a field's lines, not only the first.
func (f *fetched) lines(e *harness.Env, name, why string) []string {
	f.field(e, name, why)
	return f.resp.Header.Values(name)
}

// eachLine grades every Set-Cookie line of the response with rule.
func eachLine(lines []string, rule func(string) string) {
	GinkgoHelper()
	for _, line := range lines {
		Expect(rule(line)).To(verify.Pass())
	}
}

// The Set-Cookie lines of the response (RFC 6265bis §4.1, and the limits
// user agents enforce).
var (
	cookieSyntax = suite.Should("set-cookie/valid-syntax", "every Set-Cookie follows the set-cookie-string grammar", "RFC6265bis 4.1.1").
			Quoting(`"Servers conforming to this profile MUST NOT send Set-Cookie header fields that deviate from the following grammar" (RFC 6265bis §4.1.1)`)
	cookieDupAttrs = suite.Should("set-cookie/no-duplicate-attributes", "no Set-Cookie carries the same attribute twice", "RFC6265bis 4.1.1").
			Quoting(`"To maximize compatibility with user agents, servers MUST NOT produce two attributes with the same name in the same set-cookie-string." (RFC 6265bis §4.1.1)`)
	cookieOnePerRes = suite.Should("set-cookie/one-cookie-per-name", "no response carries two Set-Cookie fields for one cookie name", "RFC6265bis 4.1.1").
			Quoting(`"Servers MUST NOT include more than one Set-Cookie header field in the same response with the same cookie-name." (RFC 6265bis §4.1.1)`)
	cookieSizes    = suite.Advisory("set-cookie/size-limits", "no cookie has over 4096 bytes of name and value, nor an attribute value over 1024 (browsers drop them)", "RFC6265bis 4.1.2", "RFC6265bis 5.6")
	cookieLifetime = suite.Advisory("set-cookie/lifetime-400-days", "no Max-Age or Expires promises more than 400 days (browsers cap it)", "RFC6265bis 4.1.2.1", "RFC6265bis 4.1.2.2")
	cookiePrefixes = suite.Advisory("set-cookie/prefixes", "a __Secure- or __Host- cookie carries what its prefix requires (browsers drop it otherwise)", "RFC6265bis 4.1.3")
	cookieSameSite = suite.Advisory("set-cookie/samesite-none-secure", "SameSite=None comes with Secure (browsers drop the cookie otherwise)", "RFC6265bis 5.7")
	cookieAgrees   = suite.Advisory("set-cookie/expires-agrees-with-max-age", "when both are sent, Expires is Date plus Max-Age, so old and new browsers agree", "RFC6265bis 4.1.2.1")
)

// Cookies that look like sessions, graded as the Mozilla HTTP Observatory
// grades them (suites/internal/rules, observatory.go).
var (
	sessionSecure   = suite.Advisory("cookie-security/session-secure", "cookies that look like sessions carry Secure (scored as the Mozilla Observatory does)", "OWASP ASVS 3.4.1", "OWASP WSTG SESS-02")
	sessionHTTPOnly = suite.Advisory("cookie-security/session-httponly", "cookies that look like sessions carry HttpOnly (scored as the Mozilla Observatory does)", "OWASP ASVS 3.4.2", "OWASP WSTG SESS-02")
	sessionSameSite = suite.Advisory("cookie-security/session-samesite", "cookies that look like sessions or anti-CSRF tokens carry SameSite=Strict or Lax (scored as the Mozilla Observatory does)", "OWASP ASVS 3.4.3", "OWASP WSTG SESS-02")
)

// Date, Cache-Control, Expires, Age and Vary (RFC 9110, RFC 9111).
var (
	datePresent = suite.Must("date/present", "the response carries a Date", "RFC9110 6.6.1").
			Quoting(`"An origin server with a clock (as defined in Section 5.6.7) MUST generate a Date header field in all 2xx (Successful), 3xx (Redirection), and 4xx (Client Error) responses ..." (RFC 9110 §6.6.1)`)
	dateFormat = suite.Must("date/imf-fixdate", "Date is an IMF-fixdate", "RFC9110 5.6.7").
			Quoting(qIMFFixdate)
	dateSingle = suite.Must("date/single", "the response carries one Date field line, never two", "RFC9110 5.3", "RFC9110 6.6.1").
			Quoting(`"... a sender MUST NOT generate multiple field lines with the same name in a message ... unless that field's definition allows multiple field line values to be recombined as a comma-separated list" (RFC 9110 §5.3)`)
	dateAccurate    = suite.Advisory("date/accurate", "Date is within 30 seconds of the harness's clock", "RFC9110 6.6.1")
	ccSyntax        = suite.Should("cache-control/valid-syntax", "Cache-Control follows the directive grammar, without duplicates or conflicts (public with private, no-store with max-age)", "RFC9111 5.2")
	cookieNotShared = suite.Advisory("cache-control/cookie-response-not-shared", "a response that sets a cookie is marked private or no-store, so no shared cache serves it to another user", "RFC9111 5.2.2.7", "OWASP WSTG SESS-02")
	expiresFormat   = suite.Must("expires/imf-fixdate", "Expires is an IMF-fixdate", "RFC9110 5.6.7", "RFC9111 5.3").
			Quoting(qIMFFixdate)
	expiresAgrees = suite.Advisory("expires/agrees-with-max-age", "when both are sent, Expires is Date plus max-age, so HTTP/1.0 caches agree", "RFC9111 5.3")
	ageValid      = suite.Must("age/delta-seconds", "Age, when sent, is one non-negative integer", "RFC9111 5.1").
			Quoting(`"The Age field value is a non-negative integer, representing time in seconds (see Section 1.2.2)." (RFC 9111 §5.1)`)
	varyNoStar = suite.Advisory("vary/no-star", "Vary is not *, which makes the response unusable by any cache", "RFC9110 12.5.5", "RFC9111 4.1")
	varyNarrow = suite.Advisory("vary/narrow", "Vary names at most four request fields", "RFC9111 4.1")
	varyNoUA   = suite.Advisory("vary/no-user-agent", "Vary does not name User-Agent, which keeps a variant per browser version", "RFC9111 4.1")
)

// A validator the one response shows (RFC 9110 §8.8.2.1), graded against
// the Date beside it.
var (
	lastModFuture = suite.Must("validators/last-modified-not-future", "Last-Modified is not later than Date", "RFC9110 8.8.2.1").
		Quoting(`"An origin server with a clock (as defined in Section 5.6.7) MUST NOT generate a Last-Modified date that is later than the server's time of message origination (Date, Section 6.6.1)." (RFC 9110 §8.8.2.1)`)
)

// qIMFFixdate is the sentence both HTTP-date format checks quote.
const qIMFFixdate = `"When a sender generates a field that contains one or more timestamps defined as HTTP-date, the sender MUST generate those timestamps in the IMF-fixdate format." (RFC 9110 §5.6.7)`

// describeResponse declares the checks on what the answer to one GET
// says. The GET is made once, before them, and each check adopts its
// exchange as evidence.
func describeResponse(t *harness.Target) {
	Describe("what the response says", Ordered, ContinueOnFailure, func() {
		var f *fetched
		var setup *check.Setup
		BeforeAll(func(ctx SpecContext) {
			setup = check.Prepare(ctx, t, func(e *harness.Env) {
				b := e.NewBrowser()
				resp := b.Do(harness.Request{Note: "the probe's GET: the checks on what the response says grade this answer"})
				f = &fetched{b: b, resp: resp, at: e.Clock().Now()}
			})
		})
		on := func(c *check.Check, body func(e *harness.Env)) {
			c.ItOn(t, func(e *harness.Env) {
				setup.Adopt(e) // the GET's exchange, or its error
				body(e)
			})
		}

		on(cookieSyntax, func(e *harness.Env) {
			eachLine(f.cookies(e), func(l string) string { return rules.SetCookieGrammar(l, setcookie.ProblemSyntax) })
		})
		on(cookieDupAttrs, func(e *harness.Env) { eachLine(f.cookies(e), rules.DuplicateAttributes) })
		on(cookieOnePerRes, func(e *harness.Env) {
			Expect(rules.OneCookiePerName(f.cookies(e), "the answer to GET "+f.resp.URL.String())).To(verify.Pass())
		})
		on(cookieSizes, func(e *harness.Env) {
			lines := f.cookies(e)
			eachLine(lines, rules.NameValueSize)
			eachLine(lines, rules.AttributeSize)
		})
		on(cookieLifetime, func(e *harness.Env) {
			eachLine(f.cookies(e), func(l string) string { return rules.LifetimeLimit(l, f.at) })
		})
		on(cookiePrefixes, func(e *harness.Env) {
			eachLine(f.cookiesWhere(e, isPrefixed, "no cookie name has the __Secure- or __Host- prefix"), rules.Prefix)
		})
		on(cookieSameSite, func(e *harness.Env) {
			eachLine(f.cookiesWhere(e, isSameSiteNone, "no cookie is set with SameSite=None"), rules.SameSiteNoneSecure)
		})
		on(cookieAgrees, func(e *harness.Env) {
			lines := f.cookiesWhere(e, rules.HasMaxAgeAndExpires, "no cookie is set with both Max-Age and Expires")
			date, ok := dateOf(f.resp)
			if !ok {
				date = f.at
			}
			eachLine(lines, func(l string) string { return rules.CookieExpiresAgrees(l, date) })
		})

		on(sessionSecure, func(e *harness.Env) {
			cs := observatoryCookies(e, f, func(c rules.ObservatoryCookie) bool { return c.Session })
			judgeObservatory(f, cs, "Secure", "cookies-session-without-secure-flag", "cookies-session-without-secure-flag-but-protected-by-hsts")
		})
		on(sessionHTTPOnly, func(e *harness.Env) {
			cs := observatoryCookies(e, f, func(c rules.ObservatoryCookie) bool { return c.Session })
			judgeObservatory(f, cs, "HttpOnly", "cookies-session-without-httponly-flag")
		})
		on(sessionSameSite, func(e *harness.Env) {
			cs := observatoryCookies(e, f, func(c rules.ObservatoryCookie) bool { return c.Session || c.AntiCSRF })
			for _, c := range cs {
				Expect(sameSiteVerdict(c, lineOf(f.resp.SetCookies, c.Name))).To(verify.Pass())
			}
		})

		on(datePresent, func(e *harness.Env) {
			if f.resp.Status >= 500 {
				e.Skipf("the response is a %d: a Date is optional on a 5xx (RFC 9110 §6.6.1)", f.resp.Status)
			}
			Expect(rules.DatePresent(f.header(), fmt.Sprintf("the %d", f.resp.Status))).To(verify.Pass())
		})
		on(dateFormat, func(e *harness.Env) {
			Expect(rules.IMFFixdate("Date", f.field(e, "Date", " (date/present grades that)"))).To(verify.Pass())
		})
		on(dateSingle, func(e *harness.Env) {
			Expect(rules.SingleField(f.header(), "Date", fmt.Sprintf("the %d", f.resp.Status))).To(verify.Pass())
		})
		on(dateAccurate, func(e *harness.Env) {
			Expect(rules.DateAccurate(f.field(e, "Date", " (date/present grades that)"), f.at)).To(verify.Pass())
		})
		on(ccSyntax, func(e *harness.Env) {
			Expect(rules.CacheControlSyntax(f.lines(e, "Cache-Control", ""))).To(verify.Pass())
		})
		on(cookieNotShared, func(e *harness.Env) {
			f.cookies(e)
			Expect(rules.CookieResponseNotShared(f.header())).To(verify.Pass())
		})
		on(expiresFormat, func(e *harness.Env) {
			Expect(rules.IMFFixdate("Expires", f.field(e, "Expires", ""))).To(verify.Pass())
		})
		on(expiresAgrees, func(e *harness.Env) {
			f.field(e, "Expires", "")
			if !strings.Contains(strings.ToLower(strings.Join(f.header().Values("Cache-Control"), ",")), "max-age") {
				e.Skipf("the response carries Expires but no Cache-Control max-age to agree with")
			}
			Expect(rules.ExpiresAgreesWithMaxAge(f.header())).To(verify.Pass())
		})
		on(ageValid, func(e *harness.Env) {
			Expect(rules.AgeDeltaSeconds(f.lines(e, "Age", " (caches add one to what they serve from storage)"))).To(verify.Pass())
		})
		on(varyNoStar, func(e *harness.Env) {
			Expect(rules.VaryNoStar(f.lines(e, "Vary", ""))).To(verify.Pass())
		})
		on(varyNarrow, func(e *harness.Env) {
			Expect(rules.VaryNarrow(f.lines(e, "Vary", ""))).To(verify.Pass())
		})
		on(varyNoUA, func(e *harness.Env) {
			Expect(rules.VaryNoUserAgent(f.lines(e, "Vary", ""))).To(verify.Pass())
		})
		on(lastModFuture, func(e *harness.Env) {
			f.field(e, "Last-Modified", "")
			f.field(e, "Date", " to compare Last-Modified with")
			Expect(rules.LastModifiedNotFuture(f.header())).To(verify.Pass())
		})
	})
}

func isPrefixed(line string) bool {
	sc, ok := setcookie.Parse(line)
	n := strings.ToLower(sc.Name)
	return ok && (strings.HasPrefix(n, "__secure-") || strings.HasPrefix(n, "__host-"))
}

func isSameSiteNone(line string) bool {
	sc, ok := setcookie.Parse(line)
	return ok && sc.SameSite == "None"
}

func dateOf(r *harness.Response) (time.Time, bool) {
	t, err := http.ParseTime(r.Header.Get("Date"))
	return t, err == nil
}

// lineOf returns the last Set-Cookie line for the cookie name.
func lineOf(lines []string, name string) string {
	var out string
	for _, l := range lines {
		if sc, ok := setcookie.Parse(l); ok && sc.Name == name {
			out = l
		}
	}
	return out
}

// observatoryCookies reads the response's cookies as the Mozilla
// Observatory does and keeps those keep selects, skipping the check when
// there are none.
func observatoryCookies(e *harness.Env, f *fetched, keep func(rules.ObservatoryCookie) bool) []rules.ObservatoryCookie {
	var out []rules.ObservatoryCookie
	for _, l := range f.cookies(e) {
		if c, ok := rules.ReadObservatoryCookie(l); ok && keep(c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		e.Skipf("no cookie looks like a session to the Mozilla Observatory (a name containing \"sess\" or \"login\", or \"csrf\" for SameSite)")
	}
	return out
}

// judgeObservatory fails the check when the Observatory finds one of
// results for the cookies cs.
func judgeObservatory(f *fetched, cs []rules.ObservatoryCookie, attribute string, results ...string) {
	GinkgoHelper()
	hsts := rules.ProtectedByHSTS(f.resp.URL.Scheme, f.header())
	for _, finding := range rules.ObservatoryFindings(cs, hsts) {
		for _, r := range results {
			Expect(finding.Result != r).To(verify.Hold(), "expected %s on %s, which looks like a session cookie, observed %q: the Mozilla Observatory scores this %s (%d)%s",
				attribute, finding.Cookie, lineOf(f.resp.SetCookies, finding.Cookie), finding.Result, finding.Modifier, overall(f, hsts, finding.Result))
		}
	}
}

// overall is the Observatory's result for all of the response's cookies,
// when it is not result: its score is the worst of the findings.
func overall(f *fetched, hsts bool, result string) string {
	var all []rules.ObservatoryCookie
	for _, l := range f.resp.SetCookies {
		if c, ok := rules.ReadObservatoryCookie(l); ok {
			all = append(all, c)
		}
	}
	worst, mod := rules.ObservatoryResult(all, hsts)
	if worst == result {
		return ""
	}
	return fmt.Sprintf("; its result for all the response's cookies is %s (%d)", worst, mod)
}

// sameSiteVerdict grades the SameSite of a session or anti-CSRF cookie as
// the Observatory reads it.
func sameSiteVerdict(c rules.ObservatoryCookie, line string) string {
	kind := "a session cookie"
	if !c.Session {
		kind = "an anti-CSRF token"
	}
	switch {
	case c.SameSite == "Strict" || c.SameSite == "Lax":
		return ""
	case c.SameSite == "invalid":
		return fmt.Sprintf("expected SameSite=Strict or Lax on %s, which looks like %s, observed %q: the Mozilla Observatory scores this cookies-samesite-flag-invalid (%d)",
			c.Name, kind, line, rules.ObservatoryModifiers["cookies-samesite-flag-invalid"])
	case c.AntiCSRF:
		return fmt.Sprintf("expected SameSite=Strict or Lax on %s, which looks like an anti-CSRF token, observed none in %q: the Mozilla Observatory scores this cookies-anticsrf-without-samesite-flag (%d)",
			c.Name, line, rules.ObservatoryModifiers["cookies-anticsrf-without-samesite-flag"])
	}
	return fmt.Sprintf("expected SameSite=Strict or Lax on %s, which looks like a session cookie, observed none in %q: the Mozilla Observatory withholds its +%d (cookies-secure-with-httponly-sessions-and-samesite)",
		c.Name, line, rules.ObservatoryModifiers["cookies-secure-with-httponly-sessions-and-samesite"])
}
