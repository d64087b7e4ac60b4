package cookies

import (
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"

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
	verify.That(len(stored(b, name)) == 0, "expected the browser to reject %s (Set-Cookie %s), but it stored it", name, strings.Join(r.SetCookie(name), " | "))
	for _, h := range hosts {
		expectNotSent(b.On(h), name, "to "+h)
	}
}

var _ = Describe("cookies", Label("suite:cookies"), func() {
	BeforeEach(func(ctx SpecContext) { check.NewEnv(ctx).Require(harness.FeatureCookies) })

	Describe("deletion", func() {
		deleteExpired.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("del")
			set(b, n, "value", "v", "max_age", seconds(longLifetime))
			r := b.Get("cookies/delete", "name", n)
			verify.Status(r, "cookies/delete", http.StatusOK)
			line, sc := theSetCookie(r, n)
			now := e.Clock().Now()
			if d, err := http.ParseTime(r.Header.Get("Date")); err == nil {
				now = d
			}
			expired := (sc.HasMaxAge && sc.MaxAge <= 0) || (!sc.HasMaxAge && sc.HasExpires && !sc.Expires.After(now))
			verify.That(expired, "expected the deletion to carry Max-Age=0 or an Expires in the past, observed %s", describeLine(line))
		})

		deleteSamePath.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("delpath")
			p := contractPath(b, "cookies")
			set(b, n, "value", "v", "path", p)
			r := b.Get("cookies/delete", "name", n, "path", p)
			verify.Status(r, "cookies/delete", http.StatusOK)
			line, sc := theSetCookie(r, n)
			verify.That(sc.HasPath && sc.Path == p, "expected the deletion to carry Path=%s, observed %s", p, describeLine(line))
			expectNotSent(b, n, "after deleting it with its Path")
		})

		deleteSameDomain.It(func(e *harness.Env) {
			e.RequireVirtualHosts()
			b := e.NewBrowser().On(hostA)
			n := uniqueName("deldom")
			set(b, n, "value", "v", "domain", parentHost)
			r := b.Get("cookies/delete", "name", n, "domain", parentHost)
			verify.Status(r, "cookies/delete", http.StatusOK)
			line, sc := theSetCookie(r, n)
			verify.That(sc.HasDomain && sc.Domain == parentHost, "expected the deletion to carry Domain=%s, observed %s", parentHost, describeLine(line))
			expectNotSent(b, n, "after deleting it with its Domain")
			expectNotSent(b.On(hostB), n, "to "+hostB+" after deleting it with its Domain")
		})
	})

	Describe("domain scoping", func() {
		hostOnlyNoDomain.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("hostonly")
			line, sc := theSetCookie(set(b, n, "value", "v"), n)
			verify.That(!hasAttribute(sc, "Domain"), "expected no Domain attribute on a cookie set without domain, observed %s", describeLine(line))
		})

		hostOnlySibling.It(func(e *harness.Env) {
			e.RequireVirtualHosts()
			b := e.NewBrowser()
			n := uniqueName("sibling")
			set(b.On(hostA), n, "value", "v")
			expectSent(b.On(hostA), n, "v", "to "+hostA+", where it was set")
			expectNotSent(b.On(hostB), n, "to the sibling "+hostB)
		})

		hostOnlyParent.It(func(e *harness.Env) {
			e.RequireVirtualHosts()
			b := e.NewBrowser()
			n := uniqueName("parent")
			set(b.On(hostA), n, "value", "v")
			expectNotSent(b.On(parentHost), n, "to the parent "+parentHost)
		})

		hostOnlySubdomain.It(func(e *harness.Env) {
			e.RequireVirtualHosts()
			b := e.NewBrowser()
			n := uniqueName("subdomain")
			set(b.On(hostA), n, "value", "v")
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
			verify.Status(r, "cookies/all", http.StatusOK)
			var answer struct {
				Cookies map[string]any `json:"cookies"`
			}
			r.Decode(&answer)
			_, leaked := answer.Cookies[n]
			verify.That(!leaked, "expected cookies/all on %s not to show %s, set host-only on %s; observed it", hostB, n, hostA)
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
			verify.That(len(stored(b, n)) == 1, "expected the browser to store %s with Path=%s, observed no cookie stored", n, p)
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
			verify.That(len(stored(b, n)) == 1, "expected the browser to store the Secure cookie %s set over https, observed none", n)
			expectNotSent(b.Over("http"), n, "over http")
		})

		secureFromHTTP.It(func(e *harness.Env) {
			e.RequireScheme("https", "http")
			b := e.NewBrowser()
			n := uniqueName("secure")
			r := trySet(b.Over("http"), n, "value", "v", "secure", "1")
			refusedOrSent(r, "cookies/set")
			verify.That(len(stored(b, n)) == 0, "expected the browser to reject a Secure cookie set over http, but it stored %s", n)
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
			verify.Status(r, "cookies/delete", http.StatusOK)
			verify.That(len(stored(b, n)) == 0, "expected the deletion of %s to remove it, but the browser rejected it (Set-Cookie %s)", n, strings.Join(r.SetCookie(n), " | "))
		})
	})

	Describe("attributes as asked", func() {
		httpOnlyAsSet.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n1, n2 := uniqueName("httponly"), uniqueName("plain")
			line, sc := theSetCookie(set(b, n1, "value", "v", "httponly", "1"), n1)
			verify.That(sc.HttpOnly, "expected HttpOnly on a cookie set with httponly=1, observed %s", describeLine(line))
			line, sc = theSetCookie(set(b, n2, "value", "v"), n2)
			verify.That(!sc.HttpOnly, "expected no HttpOnly on a cookie set without it, observed %s", describeLine(line))
		})

		sameSiteAsSet.It(func(e *harness.Env) {
			b := e.NewBrowser()
			for _, v := range []string{"Strict", "Lax"} {
				n := uniqueName("samesite")
				line, sc := theSetCookie(set(b, n, "value", "v", "samesite", v), n)
				verify.That(sc.SameSite == v, "expected SameSite=%s, observed %s", v, describeLine(line))
			}
			if e.Target.HasScheme("https") {
				// SameSite=None needs Secure, or browsers reject it.
				n := uniqueName("samesite")
				line, sc := theSetCookie(set(b.Over("https"), n, "value", "v", "samesite", "None", "secure", "1"), n)
				verify.That(sc.SameSite == "None", "expected SameSite=None, observed %s", describeLine(line))
			}
		})
	})

	Describe("browser limits", func() {
		limitNameValue.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("big")
			r := trySet(b, n, "value", strings.Repeat("a", 4100))
			refusedOrSent(r, "cookies/set with a 4100-byte value")
			for _, line := range r.SetCookies {
				verify.Rule(rules.NameValueSize(line))
			}
		})

		limitAttribute.It(func(e *harness.Env) {
			b := e.NewBrowser()
			n := uniqueName("longattr")
			p := contractPath(b, "cookies/") + strings.Repeat("p", 1100)
			r := trySet(b, n, "value", "v", "path", p)
			refusedOrSent(r, "cookies/set with an 1100-byte path")
			for _, line := range r.SetCookies {
				verify.Rule(rules.AttributeSize(line))
			}
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
			verify.Rule(rules.LifetimeLimit(line, e.Clock().Now()))
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
