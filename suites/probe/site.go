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
	"github.com/httpcheck/httpcheck/syntax/httpdate"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// Site-level checks (issue 17): the caching policy of a site as a whole,
// graded over every URL of the run (httpcheck probe --crawl). RFC 9111
// and RFC 9110 require no lifetime policy, so these are ADVISORY, except
// validator stability, which RFC 9110 §8.8.1 asks of an origin.
var (
	siteHashedLong = suite.Advisory("site/hashed-assets-long-lived", "assets whose names carry a content hash are served with a lifetime of at least 30 days and immutable", "RFC9111 4.2.1", "RFC8246 2")
	siteUnhashed   = suite.Advisory("site/unhashed-assets-revalidable", "assets without a content hash are not given over a day's lifetime without an ETag or Last-Modified (a changed file would be stuck in caches)", "RFC9111 4.3.1", "RFC9110 8.8")
	siteHTML       = suite.Advisory("site/html-revalidated", "HTML documents are revalidated: no-cache, no-store, or at most 10 minutes' lifetime with a validator (none at all leaves caches a heuristic lifetime)", "RFC9111 5.2.2.4", "RFC9111 4.3", "RFC9111 4.2.2")
	siteStable     = suite.Should("site/validators-stable", "two GETs of an unchanged URL over different connections give the same ETag and Last-Modified", "RFC9110 8.8.1", "RFC9110 8.8.3").
			Quoting(`"... it is in the best interests of the origin server to only change the value when it is necessary to invalidate the stored responses held by remote caches and authoring tools." (RFC 9110 §8.8.1)`)
	siteCookies = suite.Advisory("site/cookie-attributes-consistent", "a cookie name is set with the same attributes on every URL of the site", "RFC6265bis 5.7")
	siteSession = suite.Advisory("site/session-cookies-hardened", "every cookie that looks like a session cookie, by its name or by a long random value, carries Secure, HttpOnly and SameSite=Lax or Strict (reasons scored as the Mozilla Observatory does)",
		"OWASP ASVS 3.4.1", "OWASP ASVS 3.4.2", "OWASP ASVS 3.4.3", "RFC6265bis 4.1.2.5", "RFC6265bis 4.1.2.6", "RFC6265bis 4.1.2.7")
	siteVariance = suite.Should("site/credential-variance-declared", "a response whose content changes with the site's cookies or with Authorization names them in Vary, or is private or no-store", "RFC9110 12.5.5", "RFC9111 4.1", "RFC9111 3.5").
			Quoting(qVarySelect)
	siteCodings = suite.Should("site/compressed-variants-distinct", "the compressed and uncompressed variants of one URL carry different strong ETags, and both carry Vary: Accept-Encoding", "RFC9110 8.8.3", "RFC9110 12.5.5").
			Quoting(`"Content codings are a property of the representation data, so a strong entity tag for a content-encoded representation has to be distinct from the entity tag of an unencoded representation to prevent potential conflicts during cache updates and range requests." (RFC 9110 §8.8.3) ` + qVarySelect)
)

// qVarySelect is the sentence that asks an origin to say in Vary what its
// choice of a response depends on.
const qVarySelect = `"An origin server SHOULD send a Vary header field when its algorithm for selecting a representation varies based on aspects of the request message other than the method and target URI, unless the variance cannot be crossed or the origin server has been deliberately configured to prevent cache transparency." (RFC 9110 §12.5.5)`

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
	variants
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

// htmlPolicy grades the caching policy of an HTML document: no-cache or
// no-store, or an explicit lifetime (max-age, or else Expires) of at most
// 10 minutes with a validator. Without an explicit lifetime a cache may
// choose a heuristic one (RFC 9111 §4.2.2), commonly a tenth of the time
// since Last-Modified, which for a page unchanged for months is days.
func htmlPolicy(a answer) string {
	h := a.resp.Header
	cc := cachecontrol.Parse(h.Values("Cache-Control"))
	if cc.NoStore() || cc.Has("no-cache") {
		return ""
	}
	life, explicit := cc.MaxAge()
	if !explicit {
		exp, okE := httpdate.Parse(h.Get("Expires"))
		date, okD := httpdate.Parse(h.Get("Date"))
		life, explicit = exp.Sub(date), okE && okD
	}
	if !explicit {
		heuristic := ""
		lm, okL := httpdate.Parse(h.Get("Last-Modified"))
		if date, okD := httpdate.Parse(h.Get("Date")); okL && okD && date.After(lm) {
			heuristic = fmt.Sprintf(", such as a tenth of the %s since Last-Modified: %s", roughly(date.Sub(lm)), roughly(date.Sub(lm)/10))
		}
		return fmt.Sprintf("%s has %s and no Expires, so caches may give it a heuristic lifetime (RFC 9111 §4.2.2)%s", a.url, fieldOrNone(h, "Cache-Control"), heuristic)
	}
	if life > htmlLifetime || (life > 0 && !hasValidator(h)) {
		return fmt.Sprintf("%s has %s", a.url, fieldOrNone(h, "Cache-Control"))
	}
	return ""
}

// roughly writes a duration in days, hours or minutes.
func roughly(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return fmt.Sprintf("%d minutes", d/time.Minute)
}

func hasValidator(h http.Header) bool { return h.Get("ETag") != "" || h.Get("Last-Modified") != "" }

// describeSite declares the site checks once, over every URL of the run.
// Each URL is fetched once, by a fresh browser, and once more by another
// for validator stability; every site check grades those answers. The
// variance and coding checks fetch each URL again in setups of their own
// (site_variants.go), so that only they carry those exchanges as
// evidence.
func describeSite(ts []*harness.Target) {
	if len(ts) == 0 {
		return
	}
	Describe("site", Ordered, ContinueOnFailure, func() {
		var answers []answer
		var setup, variance, codings *check.Setup
		BeforeAll(func(ctx SpecContext) {
			setup = check.Prepare(ctx, ts[0], func(e *harness.Env) {
				answers = fetchSite(e, ts)
			})
			variance = check.Prepare(ctx, ts[0], func(e *harness.Env) { fetchVariance(e, ts, answers) })
			codings = check.Prepare(ctx, ts[0], func(e *harness.Env) { fetchCodings(e, ts, answers) })
		})
		on := func(c *check.Check, body func(e *harness.Env), more ...**check.Setup) {
			c.ItOn(ts[0], func(e *harness.Env) {
				setup.Adopt(e)
				for _, s := range more {
					(*s).Adopt(e)
				}
				body(e)
			})
		}
		on(siteHashedLong, func(e *harness.Env) {
			judgeEach(e, answers, func(a answer) bool { return isHashed(a.url) }, "no URL has a content hash in its name",
				"a max-age of at least 30 days and immutable on every asset with a content hash in its name", func(a answer) string {
					life, cc := lifetime(a.resp.Header)
					if life < hashedLifetime || !cc.Has("immutable") {
						return fmt.Sprintf("%s has %s", a.url, fieldOrNone(a.resp.Header, "Cache-Control"))
					}
					return ""
				})
		})
		on(siteUnhashed, func(e *harness.Env) {
			judgeEach(e, answers, func(a answer) bool { return !isHashed(a.url) && !a.isHTML() }, "every asset has a content hash in its name",
				"no lifetime over a day without an ETag or Last-Modified on the assets without a content hash", func(a answer) string {
					if life, _ := lifetime(a.resp.Header); life > unhashedLifetime && !hasValidator(a.resp.Header) {
						return fmt.Sprintf("%s has %s and neither ETag nor Last-Modified", a.url, fieldOrNone(a.resp.Header, "Cache-Control"))
					}
					return ""
				})
		})
		on(siteHTML, func(e *harness.Env) {
			judgeEach(e, answers, answer.isHTML, "no URL is an HTML document",
				"no-cache, no-store, or an explicit lifetime of at most 10 minutes with a validator on every HTML document", htmlPolicy)
		})
		on(siteStable, func(e *harness.Env) {
			judgeEach(e, answers, func(a answer) bool { return hasValidator(a.resp.Header) && a.second != nil }, "no URL sent an ETag or Last-Modified",
				"the same ETag and Last-Modified from two GETs of each URL over different connections", func(a answer) string {
					for _, f := range []string{"ETag", "Last-Modified"} {
						if x, y := a.resp.Header.Get(f), a.second.Header.Get(f); x != y {
							return fmt.Sprintf("%s gave %s %q then %q", a.url, f, x, y)
						}
					}
					return ""
				})
		})
		on(siteCookies, func(e *harness.Env) {
			problems := cookieInconsistencies(e, answers)
			Expect(problems).To(BeEmpty(), "expected each cookie name set with the same attributes across the site, observed %d names set differently: %s", len(problems), firstFew(problems))
		})
		on(siteSession, func(e *harness.Env) {
			found, problems := judgeSessionCookies(answers, e.Clock().Now())
			if found == 0 {
				e.Skipf("no cookie the site set looks like a session cookie (by a name such as sessionid, sid, PHPSESSID, JSESSIONID or connect.sid, or by a long random value)")
			}
			Expect(problems).To(BeEmpty(), "expected every cookie that looks like a session cookie to carry Secure, HttpOnly and SameSite=Lax or Strict (RFC 6265bis §4.1.2.5-§4.1.2.7, OWASP ASVS 3.4.1-3.4.3), observed %d of %d that do not: %s",
				len(problems), found, firstFew(problems))
		})
		on(siteVariance, func(e *harness.Env) {
			compared, varied, unstable, problems := judgeVariance(answers)
			if compared == 0 {
				e.Skipf("the site set no cookie the browser kept, and the run sends no Authorization (--header), so there was nothing to compare")
			}
			Expect(problems).To(BeEmpty(), "expected every response that changes with the site's cookies or Authorization to name them in Vary or to carry private or no-store, observed %d of the %d URLs that changed (of %d compared, %d more changing on every fetch) that do not: %s; RFC 9110 §12.5.5: an origin server SHOULD send Vary when its selection depends on the request",
				len(problems), varied, compared, unstable, firstFew(problems))
		}, &variance)
		on(siteCodings, func(e *harness.Env) {
			coded, problems := judgeCodings(answers)
			if coded == 0 {
				e.Skipf("no URL answered GET with Accept-Encoding: gzip with a content coding")
			}
			Expect(problems).To(BeEmpty(), "expected the compressed and uncompressed variants of each URL to carry different strong ETags and Vary: Accept-Encoding, observed %d of %d compressed URLs that do not: %s; RFC 9110 §8.8.3: a strong entity tag for a content-encoded representation has to be distinct from that of the unencoded one",
				len(problems), coded, firstFew(problems))
		}, &codings)
	})
}

// closeConn makes the first GET close its connection, so that the second
// comes over another one, as behind a load balancer.
var closeConn = http.Header{"Connection": {"close"}}

// fetchSite GETs every URL with one browser, then again with another over
// a new connection, and keeps both answers, with the cookies the first
// browser sent and those its jar holds for the URL once every URL was
// fetched (the site's cookies, for the variance and coding checks).
func fetchSite(e *harness.Env, ts []*harness.Target) []answer {
	first, second := e.NewBrowser(), e.NewBrowser()
	var out []answer
	for _, t := range ts {
		u := t.Base.String()
		a := answer{url: u}
		a.cookieSent = first.Jar().Header(t.Base)
		a.resp = first.Do(harness.Request{URL: t.Base, Header: closeConn, Note: "the site checks' GET, closing its connection"})
		if a.resp.Status >= 200 && a.resp.Status < 300 && hasValidator(a.resp.Header) {
			a.second = second.Do(harness.Request{URL: t.Base, Note: "the same GET over another connection, for validator stability"})
		}
		out = append(out, a)
	}
	for i, t := range ts {
		out[i].siteCookies = first.Jar().Header(t.Base)
	}
	return out
}

// judgeEach applies bad to the answers applies selects (want says what
// they should show), skipping the check when it selects none, and fails
// with the first few bad ones.
func judgeEach(e *harness.Env, answers []answer, applies func(answer) bool, none, want string, bad func(answer) string) {
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
	Expect(problems).To(BeEmpty(), "expected %s, observed %d of %d URLs that do not: %s", want, len(problems), graded, firstFew(problems))
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
