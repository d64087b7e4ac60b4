package views

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/aliases"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// TTLs in the shared wait: short ones expire within it, long ones outlive
// it by far. Expiry has whole-second granularity, so the wait leaves a
// second of slack over the short ttl.
const (
	shortTTL   = 2    // seconds
	longTTL    = 1000 // seconds
	sharedWait = 3 * time.Second
	// defaultFragmentTTL is the contract's default for views/fragment.
	defaultFragmentTTL = 500 * time.Second
)

// The per-view cache: views/cached?ttl=T.
var (
	cachedOnce = suite.Must("cached/renders-once", "a second GET of views/cached within its ttl is a hit: the same renders and rendered_at", "contract views").
			Quoting(`"A hit within T shows the same renders and rendered_at." (docs/contract.md, What the views checks expect)`)
	cachedShared = suite.Must("cached/shared-across-clients", "another client with another User-Agent gets the same cached render: the key is the URL", "contract views").
			Quoting(`"The key is the URL, and only the URL. A second client with another User-Agent gets the same cached render ..." (docs/contract.md, What the views checks expect)`)
	cachedAfterTTL = suite.Must("cached/renders-after-ttl", "once the ttl passes, views/cached renders again", "contract views").
			Quoting(`"Once T has passed the view renders again." (docs/contract.md, What the views checks expect)`)
	cachedLives = suite.Must("cached/lives-until-ttl", "views/cached stays cached through a wait shorter than its ttl", "contract views").
			Quoting(`"GET views/cached?ttl=T[&anything=else] is wrapped in the framework's whole-response cache with a lifetime of T seconds ..." (docs/contract.md, Cached views)`)
	cachedQueryKey = suite.Must("cached/query-string-is-key", "URLs that differ only in their query string are different entries", "contract views").
			Quoting(`"The key is the URL, and only the URL. ... URLs that differ only in their query string are separate entries." (docs/contract.md, What the views checks expect)`)
	cachedMaxAge = suite.Must("cached/max-age-is-ttl", "views/cached answers Cache-Control max-age equal to its ttl", "contract views", "RFC9111 5.2.2.1").
			Quoting(`"views/cached carries Cache-Control: max-age=T ..., as Django's cache_page sets them (MUST)." (docs/contract.md, What the views checks expect)`)
	cachedExpires = suite.Must("cached/expires-is-date-plus-ttl", "views/cached answers an Expires of Date plus its ttl", "contract views", "RFC9111 5.3", "RFC9110 6.6.1").
			Quoting(`"views/cached carries ... Expires = Date + T, as Django's cache_page sets them (MUST)." (docs/contract.md, What the views checks expect)`)
	cachedBadTTL = suite.Must("cached/bad-ttl-is-400", "a ttl that is not a positive integer answers 400 with a JSON error", "contract views", "contract general").
			Quoting(`"T is a positive whole number of seconds, and a missing or malformed ttl gets 400." (docs/contract.md, Cached views)`)
	uncachedEvery = suite.Must("uncached/renders-every-time", "views/uncached renders on every request: renders grows each time", "contract views").
			Quoting(`"views/uncached renders on every request." (docs/contract.md, What the views checks expect)`)
)

// The fragment cache: views/fragment?user=U[&ttl=T].
var (
	fragmentPage = suite.Must("fragment/page-structure", "views/fragment is an HTML page with one section#sidebar (data-user, data-renders) and one main#content (data-renders)", "contract views").
			Quoting(`"views/fragment is one section#sidebar with data-user and data-renders, and one main#content with data-renders." (docs/contract.md, What the views checks expect)`)
	fragmentCached = suite.Must("fragment/sidebar-cached", "a second request for the same user serves the stored sidebar: the same data-renders", "contract views").
			Quoting(`"The sidebar goes through the template fragment cache, one entry per user, kept T seconds (500 when ttl is absent) ..." (docs/contract.md, Cached views)`)
	fragmentContent = suite.Must("fragment/content-renders-every-time", "main#content renders on every request, while the sidebar is cached", "contract views").
			Quoting(`"main is rendered on every request, and its data-renders counts those renders." (docs/contract.md, Cached views)`)
	fragmentPerUser = suite.Must("fragment/per-user", "two users see two sidebars, each with its own data-user", "contract views").
			Quoting(`"The sidebar is kept per user ..." (docs/contract.md, What the views checks expect)`)
	fragmentAfterTTL = suite.Must("fragment/renders-after-ttl", "once the fragment's ttl passes, the sidebar renders again", "contract views").
				Quoting(`"The sidebar goes through the template fragment cache, one entry per user, kept T seconds ..." (docs/contract.md, Cached views)`)
	fragmentLives = suite.Must("fragment/lives-until-ttl", "the sidebar stays cached through a wait shorter than its ttl", "contract views").
			Quoting(`"The sidebar goes through the template fragment cache, one entry per user, kept T seconds ..." (docs/contract.md, Cached views)`)
	fragmentDefaultTTL = suite.Must("fragment/default-ttl", "without ttl the sidebar is cached for 500 seconds, and renders again after them", "contract views").
				Quoting(`"The sidebar is kept per user, for 500 seconds when ttl is absent ..." (docs/contract.md, What the views checks expect)`)
	fragmentEscaped = suite.Advisory("fragment/user-escaped", "a user name full of markup comes back as the data-user text, never as markup", "OWASP ASVS 5.3.3", "contract views")
	fragmentNoUser  = suite.Must("fragment/missing-user-is-400", "views/fragment without a user answers 400 with a JSON error", "contract views", "contract general").
			Quoting(`"A missing user gets 400." (docs/contract.md, Cached views)`)
)

var _ = Describe("cached views", Label("suite:views"), func() {
	Describe("the per-view cache", func() {
		cachedOnce.It(func(e *harness.Env) {
			requireShared(e)
			b, q := e.NewBrowser(), cachedQuery(longTTL, harness.Unique("view"))
			first, _ := getRender(b, "views/cached", q, "first GET: a miss")
			second, _ := getRender(b, "views/cached", q, "second GET within the ttl: a hit")
			Expect(second.sameRender(first)).To(verify.Hold(), "expected a second GET of views/cached within its ttl of %d s to answer the stored render (%s), observed %s", longTTL, first, second)
		})

		cachedShared.It(func(e *harness.Env) {
			requireShared(e)
			q := cachedQuery(longTTL, harness.Unique("view"))
			first, r := getRender(e.NewBrowser(), "views/cached", q, "first client")
			if vary := strings.ToLower(strings.Join(r.Header.Values("Vary"), ",")); strings.Contains(vary, "user-agent") {
				e.Skipf("views/cached varies on User-Agent (Vary: %s), so clients with other User-Agents may get other entries", vary)
			}
			other := fetch(e.NewBrowser(), "views/cached", q, http.Header{"User-Agent": {"httpcheck second client"}}, "a second client, another User-Agent")
			second := readRender(other)
			Expect(second.sameRender(first)).To(verify.Hold(), "expected a second client to get the render the first one caused (%s), since the key is the URL, observed %s", first, second)
		})

		cachedMaxAge.It(func(e *harness.Env) {
			requireViews(e)
			ttl := 600
			_, r := getRender(e.NewBrowser(), "views/cached", cachedQuery(ttl, harness.Unique("view")), "")
			d := cachecontrol.Parse(r.Header.Values("Cache-Control"))
			got, ok := d.MaxAge()
			Expect(ok && got == time.Duration(ttl)*time.Second).To(verify.Hold(), "expected Cache-Control max-age=%d on views/cached?ttl=%d, observed %q", ttl, ttl, strings.Join(r.Header.Values("Cache-Control"), ", "))
		})

		cachedExpires.It(func(e *harness.Env) {
			requireViews(e)
			ttl := 600
			_, r := getRender(e.NewBrowser(), "views/cached", cachedQuery(ttl, harness.Unique("view")), "")
			date, ok1 := httpdate.Parse(r.Header.Get("Date"))
			exp, ok2 := httpdate.Parse(r.Header.Get("Expires"))
			Expect(ok1).To(verify.Hold(), "expected a Date on views/cached, observed %q", r.Header.Get("Date"))
			Expect(ok2).To(verify.Hold(), "expected an Expires HTTP-date on views/cached?ttl=%d, observed %q", ttl, r.Header.Get("Expires"))
			want := date.Add(time.Duration(ttl) * time.Second)
			diff := exp.Sub(want)
			Expect(diff >= -time.Second && diff <= time.Second).To(verify.Hold(), "expected Expires to be Date + ttl (%s), observed %s (%s off)", httpdate.Format(want), r.Header.Get("Expires"), diff)
		})

		cachedBadTTL.It(func(e *harness.Env) {
			requireViews(e)
			b := e.NewBrowser()
			for _, ttl := range []string{"", "ten", "-5", "0", "1.5"} {
				q := []string{"probe", harness.Unique("view")}
				what := "views/cached without a ttl"
				if ttl != "" {
					q = append(q, "ttl", ttl)
					what = fmt.Sprintf("views/cached?ttl=%s", ttl)
				}
				Expect(fetch(b, "views/cached", q, nil, "")).To(verify.HaveJSONError(what, http.StatusBadRequest))
			}
		})

		uncachedEvery.It(func(e *harness.Env) {
			requireViews(e)
			b, q := e.NewBrowser(), []string{"probe", harness.Unique("view")}
			prev, _ := getRender(b, "views/uncached", q, "first GET")
			for i := 2; i <= 3; i++ {
				next, _ := getRender(b, "views/uncached", q, fmt.Sprintf("GET number %d", i))
				Expect(next.Renders > prev.Renders).To(verify.Hold(), "expected views/uncached to render on every request, but GET number %d answered renders %d after %d", i, next.Renders, prev.Renders)
				prev = next
			}
		})
	})

	Describe("the fragment cache", func() {
		fragmentPage.It(func(e *harness.Env) {
			requireViews(e)
			user := harness.Unique("view")
			p := getPage(e.NewBrowser(), user, 0, "")
			Expect(p.user == user).To(verify.Hold(), "expected the sidebar's data-user to be %q, observed %q", user, p.user)
		})

		fragmentCached.It(func(e *harness.Env) {
			requireShared(e)
			b, user := e.NewBrowser(), harness.Unique("view")
			first := getPage(b, user, longTTL, "first request: the sidebar renders")
			second := getPage(b, user, longTTL, "second request: the sidebar is cached")
			Expect(second.sidebar == first.sidebar).To(verify.Hold(), "expected the second page for %s to carry the cached sidebar (data-renders %d), observed data-renders %d", user, first.sidebar, second.sidebar)
		})

		fragmentContent.It(func(e *harness.Env) {
			requireShared(e)
			b, user := e.NewBrowser(), harness.Unique("view")
			prev := getPage(b, user, longTTL, "first request")
			for i := 2; i <= 3; i++ {
				next := getPage(b, user, longTTL, fmt.Sprintf("request number %d", i))
				Expect(next.content > prev.content).To(verify.Hold(), "expected main#content to render on every request, but request number %d carried data-renders %d after %d", i, next.content, prev.content)
				prev = next
			}
		})

		fragmentPerUser.It(func(e *harness.Env) {
			requireShared(e)
			b, ann, bob := e.NewBrowser(), harness.Unique("view")+"-ann", harness.Unique("view")+"-bob"
			for _, step := range []struct{ user, note string }{
				{ann, "ann's first page"}, {bob, "bob's first page"}, {ann, "ann's page again"}, {bob, "bob's page again"},
			} {
				p := getPage(b, step.user, longTTL, step.note)
				Expect(p.user == step.user).To(verify.Hold(), "expected %s to carry a sidebar with data-user %q, observed %q", step.note, step.user, p.user)
			}
		})

		fragmentDefaultTTL.It(func(e *harness.Env) {
			requireShared(e)
			e.RequireWait(defaultFragmentTTL + time.Second)
			b, user := e.NewBrowser(), harness.Unique("view")
			first := getPage(b, user, 0, "no ttl: the sidebar renders")
			e.Advance(defaultFragmentTTL - 2*time.Second)
			before := getPage(b, user, 0, "2 s before the default ttl passes")
			Expect(before.sidebar == first.sidebar).To(verify.Hold(), "expected the sidebar to stay cached for the default 500 s, but 498 s after the first render it carried data-renders %d instead of %d", before.sidebar, first.sidebar)
			e.Advance(3 * time.Second)
			after := getPage(b, user, 0, "1 s after the default ttl passed")
			Expect(after.sidebar != first.sidebar).To(verify.Hold(), "expected the sidebar to render again once the default 500 s passed, observed the cached data-renders %d", after.sidebar)
		})

		fragmentEscaped.It(func(e *harness.Env) {
			requireViews(e)
			user := harness.Unique("view") + `"><script>alert(1)</script><b x='`
			r := fetch(e.NewBrowser(), "views/fragment", fragmentQuery(user, 0), nil, "a user name full of markup")
			Expect(r).To(verify.HaveStatus("views/fragment with a user name full of markup", http.StatusOK))
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.Body))
			Expect(err == nil).To(verify.Hold(), "expected views/fragment to be HTML, observed a body that does not parse: %v", err)
			scripts := doc.Find("script").Length()
			Expect(scripts == 0).To(verify.Hold(), "expected the user name %q never to become markup, observed %d script elements in the page", user, scripts)
			p := readPage(r)
			Expect(p.user == user).To(verify.Hold(), "expected the sidebar's data-user to be the user name %q as text, observed %q", user, p.user)
		})

		fragmentNoUser.It(func(e *harness.Env) {
			requireViews(e)
			Expect(fetch(e.NewBrowser(), "views/fragment", nil, nil, "")).To(verify.HaveJSONError("views/fragment without a user", http.StatusBadRequest))
		})
	})

	check.Waiting("expiry, sharing one wait", sharedWait, func(w *check.WaitGroup) {
		// Entries on the default alias must outlive the run's shared wait;
		// when clear or culling would empty that alias, wait apart.
		w.OwnWaitWhen(aliases.Disturbed)
		w.Before(requireShared)

		// cachedBefore GETs views/cached before the wait, asserting
		// nothing.
		cachedBefore := func(e *harness.Env, ttl int, extra ...string) (*harness.Browser, []string, *harness.Response) {
			b, q := e.NewBrowser(), cachedQuery(ttl, harness.Unique("view"), extra...)
			return b, q, fetch(b, "views/cached", q, nil, "before the wait")
		}
		fragmentBefore := func(e *harness.Env, ttl int) (*harness.Browser, string, *harness.Response) {
			b, user := e.NewBrowser(), harness.Unique("view")
			return b, user, fetch(b, "views/fragment", fragmentQuery(user, ttl), nil, "before the wait")
		}

		w.It(cachedAfterTTL, func(e *harness.Env) func(*harness.Env) {
			b, q, r := cachedBefore(e, shortTTL)
			return func(e *harness.Env) {
				first := readRender(r)
				after, _ := getRender(b, "views/cached", q, "after the ttl passed")
				Expect(after.Renders > first.Renders).To(verify.Hold(), "expected views/cached?ttl=%d to render again once %s passed, observed the stored render (%s)", shortTTL, sharedWait, after)
			}
		})

		w.It(cachedLives, func(e *harness.Env) func(*harness.Env) {
			b, q, r := cachedBefore(e, longTTL)
			return func(e *harness.Env) {
				first := readRender(r)
				after, _ := getRender(b, "views/cached", q, "within the ttl")
				Expect(after.sameRender(first)).To(verify.Hold(), "expected views/cached?ttl=%d to stay cached %s later (%s), observed %s", longTTL, sharedWait, first, after)
			}
		})

		w.It(cachedQueryKey, func(e *harness.Env) func(*harness.Env) {
			b, q, r := cachedBefore(e, longTTL, "variant", "a")
			return func(e *harness.Env) {
				a := readRender(r)
				other := slices.Clone(q)
				other[len(other)-1] = "b"
				fresh, _ := getRender(b, "views/cached", other, "the same URL with variant=b")
				Expect(fresh.RenderedAt.After(a.RenderedAt)).To(verify.Hold(), "expected variant=b to be an entry of its own, rendered now, observed the render of variant=a (%s): %s", a, fresh)
				again, _ := getRender(b, "views/cached", q, "variant=a again")
				Expect(again.sameRender(a)).To(verify.Hold(), "expected variant=a to stay cached (%s) beside variant=b, observed %s", a, again)
			}
		})

		w.It(fragmentAfterTTL, func(e *harness.Env) func(*harness.Env) {
			b, user, r := fragmentBefore(e, shortTTL)
			return func(e *harness.Env) {
				first := readPage(r)
				after := getPage(b, user, shortTTL, "after the ttl passed")
				Expect(after.sidebar > first.sidebar).To(verify.Hold(), "expected the sidebar cached for %d s to render again once %s passed, observed the stored data-renders %d", shortTTL, sharedWait, after.sidebar)
			}
		})

		w.It(fragmentLives, func(e *harness.Env) func(*harness.Env) {
			b, user, r := fragmentBefore(e, longTTL)
			return func(e *harness.Env) {
				first := readPage(r)
				after := getPage(b, user, longTTL, "within the ttl")
				Expect(after.sidebar == first.sidebar).To(verify.Hold(), "expected the sidebar cached for %d s to stay cached %s later (data-renders %d), observed data-renders %d", longTTL, sharedWait, first.sidebar, after.sidebar)
			}
		})
	})
})
