package freshness

import (
	"net/http"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reference/httpcache"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

const (
	shortMaxAge = 2 * time.Second
	sharedWait  = 3 * time.Second
	longMaxAge  = 600 * time.Second
)

// resource is a representation put on the target, fetched through the
// browser's cache.
type resource struct {
	b  *harness.Browser
	id string
}

// put creates a resource with the query (max_age, expires, validators,
// cache_control); it does not assert, so shared setups may use it.
func put(e *harness.Env, query ...string) (*resource, *harness.Response) {
	r := &resource{b: e.NewBrowser(), id: harness.Unique("fresh")}
	resp := r.b.Do(harness.Request{Method: http.MethodPut, Path: "resources/" + r.id, Query: harness.Query(query...),
		Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("cacheable\n")})
	return r, resp
}

// fetch GETs the resource through the browser cache.
func (r *resource) fetch(note string) *harness.Response {
	return r.b.Do(harness.Request{Method: http.MethodGet, Path: "resources/" + r.id, Cache: true, Note: note})
}

func expectCreated(resp *harness.Response) {
	GinkgoHelper()
	verify.Status(resp, "PUT of a new resource", http.StatusCreated, http.StatusOK)
}

// expectSource fails unless resp came from where want says; the message
// says what went over the wire, so that a 304 the cache did not use is
// not hidden behind the 200 that followed it.
func expectSource(resp *harness.Response, want, what string) {
	GinkgoHelper()
	wire := ""
	if resp.Wire != "" {
		wire = ": the browser cache sent " + resp.Wire
	}
	verify.That(resp.Source == want, "expected %s to be %s, observed %s (status %d%s)", what, describeSource(want), describeSource(resp.Source), resp.Status, wire)
}

func describeSource(s string) string {
	switch s {
	case "cache":
		return "served from the browser cache without a request"
	case "revalidated":
		return "revalidated with a 304"
	case "network":
		return "fetched from the target"
	case "replaced":
		return "revalidated and replaced with a new 200"
	}
	return s
}

func seconds(d time.Duration) string { return strconv.Itoa(int(d.Seconds())) }

var _ = Describe("HTTP caching", Label("suite:freshness"), func() {
	BeforeEach(func(ctx SpecContext) { check.NewEnv(ctx).Require(harness.FeatureResources) })

	Describe("Date and Expires (RFC 9110 6.6.1, RFC 9111 5.3)", func() {
		datePresent.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge))
			expectCreated(p)
			verify.Rule(rules.DatePresent(r.fetch("").Header, "the 200"))
		})
		dateFormat.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge))
			expectCreated(p)
			verify.Rule(rules.IMFFixdate("Date", r.fetch("").Header.Get("Date")))
		})
		dateSingle.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge), "validators", "etag")
			expectCreated(p)
			g := r.fetch("")
			verify.Rule(rules.SingleField(g.Header, "Date", "the 200"))
			etag := g.Header.Get("ETag")
			verify.That(etag != "", "expected an ETag on a resource put with validators=etag, observed none")
			nm := r.b.Do(harness.Request{Method: http.MethodGet, Path: "resources/" + r.id, Header: http.Header{"If-None-Match": {etag}}, Note: "conditional GET with the current ETag"})
			verify.Status(nm, "a GET with If-None-Match of the current ETag", http.StatusNotModified)
			verify.Rule(rules.SingleField(nm.Header, "Date", "the 304"))
		})
		dateAccurate.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge))
			expectCreated(p)
			g := r.fetch("")
			verify.Rule(rules.DateAccurate(g.Header.Get("Date"), e.Clock().Now()))
		})
		expiresFormat.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge), "expires", "1")
			expectCreated(p)
			v := r.fetch("").Header.Get("Expires")
			verify.That(v != "", "expected an Expires on a resource put with expires=1, observed none")
			verify.Rule(rules.IMFFixdate("Expires", v))
		})
		expiresAgrees.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge), "expires", "1")
			expectCreated(p)
			verify.Rule(rules.ExpiresAgreesWithMaxAge(r.fetch("").Header))
		})
		maxAgeAsAsked.It(func(e *harness.Env) {
			r, p := put(e, "max_age", "123")
			expectCreated(p)
			d := httpcache.ParseCacheControl(r.fetch("").Header.Values("Cache-Control"))
			got, ok := d.MaxAge()
			verify.That(ok && got == 123*time.Second, "expected Cache-Control max-age=123, observed %q", d.String())
		})
		ccSyntax.It(func(e *harness.Env) {
			for _, q := range [][]string{{"max_age", "60"}, {"cache_control", "no-cache"}, {"cache_control", "no-store"}, {"max_age", "60", "cache_control", "private"}} {
				r, p := put(e, q...)
				expectCreated(p)
				verify.Rule(rules.CacheControlSyntax(r.fetch("").Header.Values("Cache-Control")))
			}
		})
	})

	Describe("the strong cache (RFC 9111 4.2)", func() {
		freshReused.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge))
			expectCreated(p)
			expectSource(r.fetch("first GET"), "network", "the first GET")
			expectSource(r.fetch("second GET, within max-age"), "cache", "a second GET within max-age")
		})
	})

	check.Waiting("stale responses, sharing one wait", sharedWait, func(w *check.WaitGroup) {
		w.Before(func(e *harness.Env) { e.Require(harness.FeatureResources) })

		// fetchedOnce puts a resource and fetches it through the cache
		// before the wait.
		fetchedOnce := func(e *harness.Env, query ...string) (*resource, *harness.Response, *harness.Response) {
			r, p := put(e, query...)
			return r, p, r.fetch("before max-age passes")
		}

		w.It(staleNotReused, func(e *harness.Env) func(*harness.Env) {
			r, p, first := fetchedOnce(e, "max_age", seconds(shortMaxAge))
			return func(e *harness.Env) {
				expectCreated(p)
				expectSource(first, "network", "the first GET")
				after := r.fetch("after max-age passed")
				verify.That(after.Source != "cache", "expected the browser to ask the target once max-age=%s passed, but it reused the stored response", seconds(shortMaxAge))
			}
		})

		w.It(staleRevalETag, func(e *harness.Env) func(*harness.Env) {
			r, p, _ := fetchedOnce(e, "max_age", seconds(shortMaxAge), "validators", "etag")
			return func(e *harness.Env) {
				expectCreated(p)
				after := r.fetch("after max-age passed")
				expectSource(after, "revalidated", "a GET of the stale response")
			}
		})

		w.It(staleRevalLM, func(e *harness.Env) func(*harness.Env) {
			r, p, _ := fetchedOnce(e, "max_age", seconds(shortMaxAge), "validators", "last-modified")
			return func(e *harness.Env) {
				expectCreated(p)
				after := r.fetch("after max-age passed")
				expectSource(after, "revalidated", "a GET of the stale response")
			}
		})

		w.It(notModRefreshes, func(e *harness.Env) func(*harness.Env) {
			r, p, _ := fetchedOnce(e, "max_age", seconds(shortMaxAge))
			return func(e *harness.Env) {
				expectCreated(p)
				expectSource(r.fetch("after max-age passed"), "revalidated", "a GET of the stale response")
				expectSource(r.fetch("right after the 304"), "cache", "a GET right after the 304 refreshed the response")
			}
		})
	})

	Describe("directives (RFC 9111 5.2.2)", func() {
		noStore.It(func(e *harness.Env) {
			r, p := put(e, "cache_control", "no-store")
			expectCreated(p)
			for i := 0; i < 2; i++ {
				g := r.fetch("GET of a no-store response")
				verify.That(g.Source == "network", "expected every GET of a no-store response to reach the target, observed %s", describeSource(g.Source))
			}
		})
		noCache.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge), "cache_control", "no-cache")
			expectCreated(p)
			expectSource(r.fetch("first GET"), "network", "the first GET")
			second := r.fetch("second GET of a no-cache response")
			verify.That(second.Source == "revalidated" || second.Source == "replaced", "expected the browser to revalidate a no-cache response before reuse, observed %s", describeSource(second.Source))
		})
		cookieNotShared.It(func(e *harness.Env) {
			e.Require(harness.FeatureCookies)
			b := e.NewBrowser()
			resp := b.Get("cookies/set", "name", "hc_fresh_"+harness.Unique("fresh"), "value", "v")
			verify.Status(resp, "cookies/set", http.StatusOK)
			verify.Rule(rules.CookieResponseNotShared(resp.Header))
		})
	})
})
