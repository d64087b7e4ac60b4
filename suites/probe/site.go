package probe

import (
	"fmt"
	"mime"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// Site-level checks (issue 17): the caching policy of a site as a whole,
// graded over every URL of the run (httpcheck probe --crawl). RFC 9111
// and RFC 9110 require no lifetime policy, so these are ADVISORY, except
// validator stability, which RFC 9110 §8.8.1 asks of an origin.
var (
	siteHashedLong = suite.Advisory("site/hashed-assets-long-lived", "assets whose names carry a content hash are served with a lifetime of at least 30 days and immutable", "RFC9111 4.2.1", "RFC8246 2")
	siteUnhashed   = suite.Advisory("site/unhashed-assets-revalidable", "assets without a content hash are not given over a day's lifetime without an ETag or Last-Modified (a changed file would be stuck in caches)", "RFC9111 4.3.1", "RFC9110 8.8")
	siteHTML       = suite.Advisory("site/html-revalidated", "HTML documents are revalidated: no-cache, no-store, or at most 10 minutes' lifetime with a validator", "RFC9111 5.2.2.4", "RFC9111 4.3")
	siteStable     = suite.Should("site/validators-stable", "two GETs of an unchanged URL over different connections give the same ETag and Last-Modified", "RFC9110 8.8.1", "RFC9110 8.8.3").
			Quoting(`"... it is in the best interests of the origin server to only change the value when it is necessary to invalidate the stored responses held by remote caches and authoring tools." (RFC 9110 §8.8.1)`)
	siteCookies = suite.Advisory("site/cookie-attributes-consistent", "a cookie name is set with the same attributes on every URL of the site", "RFC6265bis 5.7")
)

// Thresholds of the lifetime checks.
const (
	hashedLifetime   = 30 * 24 * time.Hour
	unhashedLifetime = 24 * time.Hour
	htmlLifetime     = 10 * time.Minute
)

// hashedName matches a file name carrying a content hash, as bundlers
// write them: app.3f9a1c2e.js, app-3f9a1c2e.css, main.BQ7x9LkM.js.
var hashedName = regexp.MustCompile(`[.-]([0-9a-f]{8,}|[A-Za-z0-9_]{8,})\.[a-z0-9]+$`)

// isHashed reports whether the URL's file name carries a content hash: a
// run of 8 or more hex digits, or of letters and digits mixing both.
func isHashed(u string) bool {
	m := hashedName.FindStringSubmatch(path.Base(u))
	if m == nil {
		return false
	}
	h := m[1]
	return strings.ContainsAny(h, "0123456789") && strings.ContainsAny(strings.ToLower(h), "abcdefghijklmnopqrstuvwxyz")
}

// answer is a URL's GET as the site checks see it.
type answer struct {
	url    string
	resp   *harness.Response
	second *harness.Response // the same GET with another browser, for stability
}

func (a answer) isHTML() bool {
	mt, _, _ := mime.ParseMediaType(a.resp.Header.Get("Content-Type"))
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// lifetime is the freshness lifetime max-age gives (RFC 9111 §4.2.1),
// and whether the response may be stored at all.
func lifetime(h http.Header) (time.Duration, cachecontrol.Directives) {
	cc := cachecontrol.Parse(h.Values("Cache-Control"))
	life, _ := cc.MaxAge()
	if cc.NoStore() || cc.Has("no-cache") {
		life = 0
	}
	return life, cc
}

func hasValidator(h http.Header) bool { return h.Get("ETag") != "" || h.Get("Last-Modified") != "" }

// describeSite declares the site checks once, over every URL of the run.
// Each URL is fetched once, by a fresh browser, and once more by another
// for validator stability; every site check grades those answers.
func describeSite(ts []*harness.Target) {
	if len(ts) == 0 {
		return
	}
	Describe("site", Ordered, ContinueOnFailure, func() {
		var answers []answer
		var setup *check.Setup
		BeforeAll(func(ctx SpecContext) {
			setup = check.Prepare(ctx, ts[0], func(e *harness.Env) {
				answers = fetchSite(e, ts)
			})
		})
		on := func(c *check.Check, body func(e *harness.Env)) {
			c.ItOn(ts[0], func(e *harness.Env) {
				setup.Adopt(e)
				body(e)
			})
		}
		on(siteHashedLong, func(e *harness.Env) {
			judgeEach(e, answers, func(a answer) bool { return isHashed(a.url) }, "no URL has a content hash in its name", func(a answer) string {
				life, cc := lifetime(a.resp.Header)
				if life < hashedLifetime || !cc.Has("immutable") {
					return fmt.Sprintf("%s has Cache-Control %q", a.url, a.resp.Header.Get("Cache-Control"))
				}
				return ""
			})
		})
		on(siteUnhashed, func(e *harness.Env) {
			judgeEach(e, answers, func(a answer) bool { return !isHashed(a.url) && !a.isHTML() }, "every asset has a content hash in its name", func(a answer) string {
				if life, _ := lifetime(a.resp.Header); life > unhashedLifetime && !hasValidator(a.resp.Header) {
					return fmt.Sprintf("%s has Cache-Control %q and neither ETag nor Last-Modified", a.url, a.resp.Header.Get("Cache-Control"))
				}
				return ""
			})
		})
		on(siteHTML, func(e *harness.Env) {
			judgeEach(e, answers, answer.isHTML, "no URL is an HTML document", func(a answer) string {
				life, _ := lifetime(a.resp.Header)
				if life > htmlLifetime || (life > 0 && !hasValidator(a.resp.Header)) {
					return fmt.Sprintf("%s has Cache-Control %q", a.url, a.resp.Header.Get("Cache-Control"))
				}
				return ""
			})
		})
		on(siteStable, func(e *harness.Env) {
			judgeEach(e, answers, func(a answer) bool { return hasValidator(a.resp.Header) && a.second != nil }, "no URL sent an ETag or Last-Modified", func(a answer) string {
				for _, f := range []string{"ETag", "Last-Modified"} {
					if x, y := a.resp.Header.Get(f), a.second.Header.Get(f); x != y {
						return fmt.Sprintf("%s gave %s %q then %q", a.url, f, x, y)
					}
				}
				return ""
			})
		})
		on(siteCookies, func(e *harness.Env) {
			Expect(cookieInconsistencies(e, answers)).To(BeEmpty(), "expected each cookie name set with the same attributes across the site")
		})
	})
}

// closeConn makes the first GET close its connection, so that the second
// comes over another one, as behind a load balancer.
var closeConn = http.Header{"Connection": {"close"}}

// fetchSite GETs every URL with one browser, then again with another over
// a new connection, and keeps both answers.
func fetchSite(e *harness.Env, ts []*harness.Target) []answer {
	first, second := e.NewBrowser(), e.NewBrowser()
	var out []answer
	for _, t := range ts {
		u := t.Base.String()
		a := answer{url: u, resp: first.Do(harness.Request{URL: t.Base, Header: closeConn, Note: "the site checks' GET, closing its connection"})}
		if a.resp.Status >= 200 && a.resp.Status < 300 && hasValidator(a.resp.Header) {
			a.second = second.Do(harness.Request{URL: t.Base, Note: "the same GET over another connection, for validator stability"})
		}
		out = append(out, a)
	}
	return out
}

// judgeEach applies bad to the answers applies selects, skipping the check
// when it selects none, and fails with the first few bad ones.
func judgeEach(e *harness.Env, answers []answer, applies func(answer) bool, none string, bad func(answer) string) {
	GinkgoHelper()
	var graded int
	var problems []string
	for _, a := range answers {
		if a.resp.Status < 200 || a.resp.Status >= 300 || !applies(a) {
			continue
		}
		graded++
		if p := bad(a); p != "" {
			problems = append(problems, p)
		}
	}
	if graded == 0 {
		e.Skipf("%s", none)
	}
	Expect(problems).To(BeEmpty(), "expected every one of %d URLs to hold, observed %d that do not: %s", graded, len(problems), firstFew(problems))
}

// cookieInconsistencies lists the cookie names set with different
// attributes on different URLs.
func cookieInconsistencies(e *harness.Env, answers []answer) []string {
	seen := map[string]string{} // name -> "attributes (on URL)"
	var out []string
	for _, a := range answers {
		for _, line := range a.resp.SetCookies {
			sc, ok := setcookie.Parse(line)
			if !ok {
				continue
			}
			_, attrs, _ := strings.Cut(line, ";")
			attrs = normaliseAttributes(attrs)
			if prev, ok := seen[sc.Name]; !ok {
				seen[sc.Name] = attrs + " (on " + a.url + ")"
			} else if !strings.HasPrefix(prev, attrs+" (") {
				out = append(out, fmt.Sprintf("%s with %q on %s but %s", sc.Name, attrs, a.url, prev))
			}
		}
	}
	if len(seen) == 0 {
		e.Skipf("no URL sets a cookie")
	}
	return out
}

// normaliseAttributes sorts a cookie's attributes, dropping Expires,
// whose value changes with time.
func normaliseAttributes(attrs string) string {
	var keep []string
	for _, a := range strings.Split(attrs, ";") {
		a = strings.TrimSpace(a)
		if a != "" && !strings.HasPrefix(strings.ToLower(a), "expires=") {
			keep = append(keep, a)
		}
	}
	slices.Sort(keep)
	return strings.Join(keep, "; ")
}

func firstFew(s []string) string {
	if len(s) > 3 {
		return strings.Join(s[:3], "; ") + fmt.Sprintf("; and %d more", len(s)-3)
	}
	return strings.Join(s, "; ")
}
