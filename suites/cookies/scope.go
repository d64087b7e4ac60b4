package cookies

import (
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// Virtual hosts the domain checks use (harness.VirtualHosts).
const (
	hostA      = "a.example.test"
	hostB      = "b.example.test"
	parentHost = "example.test"
	subOfA     = "sub.a.example.test"
)

// expectNeverStored fails if a cookie the target was asked to set (and
// either refused or sent so that browsers reject it) is stored or sent to
// any of the hosts.
func expectNeverStored(b *harness.Browser, r *harness.Response, name string, hosts ...string) {
	GinkgoHelper()
	refusedOrSent(r, "cookies/set")
	Expect(len(stored(b, name)) == 0).To(verify.Hold(), "expected the browser to reject %s (Set-Cookie %s), but it stored it", name, strings.Join(r.SetCookie(name), " | "))
	for _, h := range hosts {
		expectNotSent(b.On(h), name, "to "+h)
	}
}

// setHostOnlyOnA sets a cookie without Domain on hostA, for the checks of
// where such a host-only cookie may go (RFC 6265bis §5.8.3), and returns
// the browser that holds it and the cookie's name.
func setHostOnlyOnA(e *harness.Env, topic string) (*harness.Browser, string) {
	GinkgoHelper()
	e.RequireVirtualHosts()
	b := e.NewBrowser()
	n := uniqueName(topic)
	set(b.On(hostA), n, "value", "v")
	return b, n
}

// expectWithinLimit grades the answer to a request for a cookie over a
// browser limit (RFC 6265bis §5.6): the target may refuse it (4xx) or send
// it, and every Set-Cookie it sends must pass rule, since browsers drop or
// ignore what goes over.
func expectWithinLimit(r *harness.Response, what string, rule func(line string) string) {
	GinkgoHelper()
	refusedOrSent(r, what)
	for _, line := range r.SetCookies {
		Expect(rule(line)).To(verify.Pass())
	}
}

// Deletion, RFC 6265bis §3.1: a server deletes a cookie by sending it
// again, expired, with the same Path and Domain.
var (
	deleteExpired = suite.Must("delete/expired", "the deletion is a Set-Cookie with Max-Age=0 or an Expires in the past", "contract cookies", "RFC6265bis 3.1").
			Quoting(`"Finally, to remove a cookie, the server returns a Set-Cookie header field with an expiration date in the past." (RFC 6265bis §3.1)`)
	deleteSamePath = suite.Must("delete/same-path", "deleting a cookie set with a Path carries that Path and removes it", "RFC6265bis 3.1", "RFC6265bis 5.7").
			Quoting(qDeleteMatch)
	deleteSameDomain = suite.Must("delete/same-domain", "deleting a cookie set with a Domain carries that Domain and removes it", "RFC6265bis 3.1", "RFC6265bis 5.7").
				Quoting(qDeleteMatch)
)

// Domain scoping, RFC 6265bis §4.1.2.3 and §5.7.
var (
	hostOnlyNoDomain = suite.Must("domain/host-only-has-no-domain", "a cookie set without domain carries no Domain attribute", "contract cookies", "RFC6265bis 4.1.2.3").
				Quoting(`"Without domain the cookie is host-only, and the header carries no Domain attribute." (docs/contract.md, GET cookies/set)`)
	hostOnlySibling = suite.Must("domain/host-only-not-sibling", "a host-only cookie set on a.example.test is not sent to b.example.test", "RFC6265bis 5.7").
			Quoting(qHostOnly)
	hostOnlyParent = suite.Must("domain/host-only-not-parent", "a host-only cookie set on a.example.test is not sent to example.test", "RFC6265bis 5.7").
			Quoting(qHostOnly)
	hostOnlySubdomain = suite.Must("domain/host-only-not-subdomain", "a host-only cookie set on a.example.test is not sent to sub.a.example.test", "RFC6265bis 5.7").
				Quoting(qHostOnly)
	domainSubdomains = suite.Must("domain/domain-cookie-to-subdomains", "a cookie with Domain=example.test is sent to example.test and every host under it", "RFC6265bis 5.7", "RFC6265bis 5.8.3").
				Quoting(`"Let cookie-list be the set of cookies from the cookie store that meets all of the following requirements: ... The cookie's host-only-flag is false and retrieval-host-canonical domain-matches ... the cookie's domain." (RFC 6265bis §5.8.3)`)
	foreignDomain = suite.Must("domain/foreign-domain-rejected", "a Domain that does not cover the request host is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7").
			Quoting(`"If the domain-attribute is non-empty: If request-host-canonical does not domain-match ... the domain-attribute: Abort this algorithm and ignore the cookie entirely." (RFC 6265bis §5.7)`)
	suffixCoUK = suite.Must("domain/public-suffix-co-uk", "Domain=co.uk set from shop.example.co.uk is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7").
			Quoting(qPublicSuffix)
	suffixGithubIO = suite.Must("domain/public-suffix-github-io", "Domain=github.io set from x.github.io is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7").
			Quoting(qPublicSuffix)
	suffixTest = suite.Must("domain/public-suffix-test", "Domain=test set from a.example.test is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7").
			Quoting(qPublicSuffix)
	serverIsolation = suite.Must("domain/server-isolation", "cookies/all on b.example.test never shows a host-only cookie set on a.example.test", "RFC6265bis 5.7", "contract cookies").
			Quoting(qHostOnly)
)

// Path scoping, RFC 6265bis §5.1.4 and §5.8.3.
var (
	pathInside = suite.Must("path/sent-inside", "a cookie with Path=/cookies is sent to /cookies/get", "RFC6265bis 5.1.4").
			Quoting(qPathMatch)
	pathOutside = suite.Must("path/not-sent-outside", "a cookie with Path=/elsewhere is not sent to /cookies/get", "RFC6265bis 5.1.4").
			Quoting(qPathMatch + ` A cookie is sent only when "The retrieval's URI's path path-matches the cookie's path." (RFC 6265bis §5.8.3)`)
)

// Secure, RFC 6265bis §4.1.2.5, §5.7 and §5.8.3.
var (
	secureNotHTTP = suite.Must("secure/not-sent-over-http", "a Secure cookie is not sent over http", "RFC6265bis 5.8.3").
			Quoting(qSecureOnly)
	secureHTTPS = suite.Must("secure/sent-over-https", "a Secure cookie is sent over https", "RFC6265bis 5.8.3").
			Quoting(qSecureOnly)
	secureFromHTTP = suite.Must("secure/not-set-from-http", "a Secure cookie set over http is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7").
			Quoting(`"If the request-uri does not denote a "secure" connection (as defined by the user agent), and the cookie's secure-only-flag is true, then abort these steps and ignore the cookie entirely." (RFC 6265bis §5.7)`)
)

// Cookie prefixes, RFC 6265bis §4.1.3.
var (
	hostPrefixOK = suite.Must("prefix/host-accepted", "__Host- with Secure, Path=/ and no Domain over https is stored and read back", "RFC6265bis 4.1.3.2").
			Quoting(qHostPrefix)
	hostPrefixDomain = suite.Must("prefix/host-with-domain-rejected", "__Host- with a Domain attribute is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 4.1.3.2").
				Quoting(qHostPrefix + ` "If the cookie-name begins with a case-insensitive match for the string "__Host-", abort this algorithm and ignore the cookie entirely unless the cookie meets all the following criteria: ... The cookie's host-only-flag is true." (RFC 6265bis §5.7)`)
	securePrefixOK = suite.Must("prefix/secure-accepted", "__Secure- with Secure over https is stored and read back", "RFC6265bis 4.1.3.1").
			Quoting(qSecurePrefix)
	securePrefixNoSec = suite.Must("prefix/secure-without-secure-rejected", "__Secure- without Secure is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 4.1.3.1").
				Quoting(qSecurePrefix + ` "If the cookie-name begins with a case-insensitive match for the string "__Secure-", abort this algorithm and ignore the cookie entirely unless the cookie's secure-only-flag is true." (RFC 6265bis §5.7)`)
	hostPrefixDeletion = suite.Must("prefix/host-delete", "deleting a __Host- cookie works (the deletion keeps Secure and Path=/)", "RFC6265bis 4.1.3.2", "contract cookies").
				Quoting(qHostPrefix)
)

// Attributes as asked, RFC 6265bis §4.1.2.6 and §4.1.2.7.
var (
	httpOnlyAsSet = suite.Must("attributes/httponly", "HttpOnly is present exactly when httponly=1 was asked", "RFC6265bis 4.1.2.6", "contract cookies").
			Quoting(qAsAsked)
	sameSiteAsSet = suite.Must("attributes/samesite", "SameSite carries the value asked (Strict, Lax, None)", "RFC6265bis 4.1.2.7", "contract cookies").
			Quoting(qAsAsked)
)

// Browser limits: cookies over them are silently dropped or capped.
var (
	limitNameValue = suite.Advisory("limits/name-value-4096", "no cookie whose name and value exceed 4096 bytes is sent (browsers drop it)", "RFC6265bis 5.6")
	limitAttribute = suite.Advisory("limits/attribute-1024", "no attribute value over 1024 bytes is sent (browsers ignore it)", "RFC6265bis 5.6")
	limit400Days   = suite.Advisory("limits/lifetime-400-days", "no lifetime beyond 400 days is promised (browsers cap it)", "RFC6265bis 4.1.2.1", "RFC6265bis 4.1.2.2")
)

// Sentences quoted by several checks, in the RFCs' words.
const (
	qDeleteMatch  = `"The server will be successful in removing the cookie only if the Path and the Domain attribute in the Set-Cookie header field match the values used when the cookie was created." (RFC 6265bis §3.1)`
	qHostOnly     = `"Let cookie-list be the set of cookies from the cookie store that meets all of the following requirements: ... The cookie's host-only-flag is true and retrieval-host-canonical is identical to the cookie's domain." (RFC 6265bis §5.8.3)`
	qPublicSuffix = `"If the user agent is configured to reject "public suffixes" and the domain-attribute is a public suffix: ... Abort this algorithm and ignore the cookie entirely." (RFC 6265bis §5.7)`
	qPathMatch    = `"A request-path path-matches a given cookie-path if at least one of the following conditions holds: ... The cookie-path is a prefix of the request-path, and the first character of the request-path that is not included in the cookie-path is a %x2F ("/") character." (RFC 6265bis §5.1.4)`
	qSecureOnly   = `"If the cookie's secure-only-flag is true, then the retrieval's URI must denote a "secure" connection (as defined by the user agent)." (RFC 6265bis §5.8.3)`
	qHostPrefix   = `"If a cookie's name begins with a case-sensitive match for the string __Host-, then the cookie will have been set with a Secure attribute, a Path attribute with a value of /, and no Domain attribute." (RFC 6265bis §4.1.3.2)`
	qAsAsked      = `"Beyond the endpoints themselves: ... HttpOnly and SameSite exactly as asked." (docs/contract.md, What the cookies checks look at)`
	qSecurePrefix = `"If a cookie's name begins with a case-sensitive match for the string __Secure-, then the cookie will have been set with a Secure attribute." (RFC 6265bis §4.1.3.1)`
)

var _ = Describe("cookies", Label("suite:cookies"), func() {
	BeforeEach(func(ctx SpecContext) { check.NewEnv(ctx).Require(harness.FeatureCookies) })

	Describe("deletion", func() {
		deleteExpired.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("del")
			set(b, n, "value", "v", "max_age", seconds(longLifetime))
			r := b.Get("cookies/delete", "name", n)
			Expect(r).To(verify.HaveStatus("cookies/delete", http.StatusOK))
			line, sc := theSetCookie(r, n)
			now := e.Clock().Now()
			if d, err := http.ParseTime(r.Header.Get("Date")); err == nil {
				now = d
			}
			expired := (sc.HasMaxAge && sc.MaxAge <= 0) || (!sc.HasMaxAge && sc.HasExpires && !sc.Expires.After(now))
			Expect(expired).To(verify.Hold(), "expected the deletion to carry Max-Age=0 or an Expires in the past, observed %s", describeLine(line))
		})

		deleteSamePath.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("delpath")
			p := contractPath(b, "cookies")
			set(b, n, "value", "v", "path", p)
			r := b.Get("cookies/delete", "name", n, "path", p)
			Expect(r).To(verify.HaveStatus("cookies/delete", http.StatusOK))
			line, sc := theSetCookie(r, n)
			Expect(sc.HasPath && sc.Path == p).To(verify.Hold(), "expected the deletion to carry Path=%s, observed %s", p, describeLine(line))
			expectNotSent(b, n, "after deleting it with its Path")
		})

		deleteSameDomain.It(func(e *harness.Env) {
			e.RequireVirtualHosts()
			b := e.NewBrowser().On(hostA)
			n := uniqueName("deldom")
			set(b, n, "value", "v", "domain", parentHost)
			r := b.Get("cookies/delete", "name", n, "domain", parentHost)
			Expect(r).To(verify.HaveStatus("cookies/delete", http.StatusOK))
			line, sc := theSetCookie(r, n)
			Expect(sc.HasDomain && sc.Domain == parentHost).To(verify.Hold(), "expected the deletion to carry Domain=%s, observed %s", parentHost, describeLine(line))
			expectNotSent(b, n, "after deleting it with its Domain")
			expectNotSent(b.On(hostB), n, "to "+hostB+" after deleting it with its Domain")
		})
	})

	Describe("domain scoping", func() {
		hostOnlyNoDomain.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("hostonly")
			line, sc := theSetCookie(set(b, n, "value", "v"), n)
			Expect(!hasAttribute(sc, "Domain")).To(verify.Hold(), "expected no Domain attribute on a cookie set without domain, observed %s", describeLine(line))
		})

		hostOnlySibling.It(func(e *harness.Env) {
			b, n := setHostOnlyOnA(e, "sibling")
			expectSent(b.On(hostA), n, "v", "to "+hostA+", where it was set")
			expectNotSent(b.On(hostB), n, "to the sibling "+hostB)
		})

		hostOnlyParent.It(func(e *harness.Env) {
			b, n := setHostOnlyOnA(e, "parent")
			expectNotSent(b.On(parentHost), n, "to the parent "+parentHost)
		})

		hostOnlySubdomain.It(func(e *harness.Env) {
			b, n := setHostOnlyOnA(e, "subdomain")
			expectNotSent(b.On(subOfA), n, "to the subdomain "+subOfA)
		})

		domainSubdomains.It(func(e *harness.Env) {
			e.RequireVirtualHosts()
			b := e.NewBrowser()
			n := uniqueName("domain")
			set(b.On(hostA), n, "value", "v", "domain", parentHost)
			for _, h := range []string{parentHost, hostA, hostB, subOfA} {
				expectSent(b.On(h), n, "v", "to "+h+" under Domain="+parentHost)
			}
		})

		foreignDomain.It(func(e *harness.Env) {
			e.RequireVirtualHosts()
			b := e.NewBrowser()
			n := uniqueName("foreign")
			r := trySet(b.On(hostA), n, "value", "v", "domain", hostB)
			expectNeverStored(b, r, n, hostA, hostB)
		})

		// Domain set to a public suffix: one check per suffix, one table.
		for _, c := range []suffixCase{
			{suffixCoUK, "shop.example.co.uk", "co.uk", "example.co.uk"},
			{suffixGithubIO, "x.github.io", "github.io", "y.github.io"},
			{suffixTest, hostA, "test", hostB},
		} {
			c.check.It(func(e *harness.Env) {
				e.RequireVirtualHosts()
				b := e.NewBrowser()
				n := uniqueName("suffix")
				r := trySet(b.On(c.host), n, "value", "v", "domain", c.suffix)
				expectNeverStored(b, r, n, c.host, c.sibling)
			})
		}

		serverIsolation.It(func(e *harness.Env) {
			e.RequireVirtualHosts()
			b := e.NewBrowser()
			n := uniqueName("isolate")
			set(b.On(hostA), n, "value", "secret")
			r := b.On(hostB).Get("cookies/all")
			Expect(r).To(verify.HaveStatus("cookies/all", http.StatusOK))
			var answer struct {
				Cookies map[string]any `json:"cookies"`
			}
			r.Decode(&answer)
			_, leaked := answer.Cookies[n]
			Expect(!leaked).To(verify.Hold(), "expected cookies/all on %s not to show %s, set host-only on %s; observed it", hostB, n, hostA)
		})
	})

	Describe("path scoping", func() {
		pathInside.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("pathin")
			set(b, n, "value", "v", "path", contractPath(b, "cookies"))
			expectSent(b, n, "v", "to "+contractPath(b, "cookies/get"))
		})

		pathOutside.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("pathout")
			p := contractPath(b, "elsewhere")
			set(b, n, "value", "v", "path", p)
			Expect(len(stored(b, n)) == 1).To(verify.Hold(), "expected the browser to store %s with Path=%s, observed no cookie stored", n, p)
			expectNotSent(b, n, "to "+contractPath(b, "cookies/get")+" with Path="+p)
		})
	})

	Describe("Secure", func() {
		secureHTTPS.It(func(e *harness.Env) {
			e.RequireScheme("https")
			b := e.NewBrowser().Over("https")
			n := uniqueName("secure")
			set(b, n, "value", "v", "secure", "1")
			expectSent(b, n, "v", "over https")
		})

		secureNotHTTP.It(func(e *harness.Env) {
			e.RequireScheme("https", "http")
			b := e.NewBrowser()
			n := uniqueName("secure")
			set(b.Over("https"), n, "value", "v", "secure", "1")
			Expect(len(stored(b, n)) == 1).To(verify.Hold(), "expected the browser to store the Secure cookie %s set over https, observed none", n)
			expectNotSent(b.Over("http"), n, "over http")
		})

		secureFromHTTP.It(func(e *harness.Env) {
			e.RequireScheme("https", "http")
			b := e.NewBrowser()
			n := uniqueName("secure")
			r := trySet(b.Over("http"), n, "value", "v", "secure", "1")
			refusedOrSent(r, "cookies/set")
			Expect(len(stored(b, n)) == 0).To(verify.Hold(), "expected the browser to reject a Secure cookie set over http, but it stored %s", n)
			expectNotSent(b.Over("http"), n, "over http")
			expectNotSent(b.Over("https"), n, "over https")
		})
	})

	Describe("cookie prefixes", func() {
		hostPrefixOK.It(func(e *harness.Env) {
			e.RequireScheme("https")
			b := e.NewBrowser().Over("https")
			n := "__Host-" + uniqueName("hp")
			set(b, n, "value", "v", "secure", "1", "path", "/")
			expectSent(b, n, "v", "over https")
		})

		hostPrefixDomain.It(func(e *harness.Env) {
			e.RequireScheme("https")
			e.RequireVirtualHosts()
			b := e.NewBrowser().Over("https").On(hostA)
			n := "__Host-" + uniqueName("hp")
			r := trySet(b, n, "value", "v", "secure", "1", "path", "/", "domain", parentHost)
			expectNeverStored(b, r, n, hostA, hostB)
		})

		securePrefixOK.It(func(e *harness.Env) {
			e.RequireScheme("https")
			b := e.NewBrowser().Over("https")
			n := "__Secure-" + uniqueName("sp")
			set(b, n, "value", "v", "secure", "1")
			expectSent(b, n, "v", "over https")
		})

		securePrefixNoSec.It(func(e *harness.Env) {
			e.RequireScheme("https")
			b := e.NewBrowser().Over("https")
			n := "__Secure-" + uniqueName("sp")
			r := trySet(b, n, "value", "v")
			expectNeverStored(b, r, n)
		})

		hostPrefixDeletion.It(func(e *harness.Env) {
			e.RequireScheme("https")
			b := e.NewBrowser().Over("https")
			n := "__Host-" + uniqueName("hp")
			set(b, n, "value", "v", "secure", "1", "path", "/")
			r := b.Get("cookies/delete", "name", n)
			Expect(r).To(verify.HaveStatus("cookies/delete", http.StatusOK))
			Expect(len(stored(b, n)) == 0).To(verify.Hold(), "expected the deletion of %s to remove it, but the browser rejected it (Set-Cookie %s)", n, strings.Join(r.SetCookie(n), " | "))
		})
	})

	Describe("attributes as asked", func() {
		httpOnlyAsSet.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n1, n2 := uniqueName("httponly"), uniqueName("plain")
			line, sc := theSetCookie(set(b, n1, "value", "v", "httponly", "1"), n1)
			Expect(sc.HttpOnly).To(verify.Hold(), "expected HttpOnly on a cookie set with httponly=1, observed %s", describeLine(line))
			line, sc = theSetCookie(set(b, n2, "value", "v"), n2)
			Expect(!sc.HttpOnly).To(verify.Hold(), "expected no HttpOnly on a cookie set without it, observed %s", describeLine(line))
		})

		sameSiteAsSet.It(func(e *harness.Env) {
			b := e.NewBrowser()
			for _, v := range []string{"Strict", "Lax"} {
				n := uniqueName("samesite")
				line, sc := theSetCookie(set(b, n, "value", "v", "samesite", v), n)
				Expect(sc.SameSite == v).To(verify.Hold(), "expected SameSite=%s, observed %s", v, describeLine(line))
			}
			if e.Target.HasScheme("https") {
				// SameSite=None needs Secure, or browsers reject it.
				n := uniqueName("samesite")
				line, sc := theSetCookie(set(b.Over("https"), n, "value", "v", "samesite", "None", "secure", "1"), n)
				Expect(sc.SameSite == "None").To(verify.Hold(), "expected SameSite=None, observed %s", describeLine(line))
			}
		})
	})

	Describe("browser limits", func() {
		limitNameValue.It(func(e *harness.Env) {
			b := e.NewBrowser()
			r := trySet(b, uniqueName("big"), "value", strings.Repeat("a", 4100))
			expectWithinLimit(r, "cookies/set with a 4100-byte value", rules.NameValueSize)
		})

		limitAttribute.It(func(e *harness.Env) {
			b := e.NewBrowser()
			p := contractPath(b, "cookies/") + strings.Repeat("p", 1100)
			r := trySet(b, uniqueName("longattr"), "value", "v", "path", p)
			expectWithinLimit(r, "cookies/set with an 1100-byte path", rules.AttributeSize)
		})

		limit400Days.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("forever")
			const fiveHundredDays = 500 * 24 * time.Hour
			r := trySet(b, n, "value", "v", "max_age", seconds(fiveHundredDays))
			refusedOrSent(r, "cookies/set with max_age of 500 days")
			if r.Status != http.StatusOK {
				return
			}
			line, _ := theSetCookie(r, n)
			Expect(rules.LifetimeLimit(line, e.Clock().Now())).To(verify.Pass())
		})
	})
})

// suffixCase is one public-suffix check: a cookie set from host with
// Domain=suffix must reach neither host nor its sibling.
type suffixCase struct {
	check        *check.Check
	host, suffix string
	sibling      string
}
