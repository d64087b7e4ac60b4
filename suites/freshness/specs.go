package freshness

import (
	"net/http"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
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
	Expect(resp).To(verify.HaveStatus("PUT of a new resource", http.StatusCreated, http.StatusOK))
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
	Expect(resp.Source == want).To(verify.Hold(), "expected %s to be %s, observed %s (status %d%s)", what, describeSource(want), describeSource(resp.Source), resp.Status, wire)
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

// What the target sends: Date, Expires and Cache-Control
// (RFC 9110 §6.6.1, RFC 9111 §5.2 and §5.3).
var (
	datePresent = suite.Must("date/present", "responses carry a Date", "RFC9110 6.6.1").
			Quoting(`"An origin server with a clock (as defined in Section 5.6.7) MUST generate a Date header field in all 2xx (Successful), 3xx (Redirection), and 4xx (Client Error) responses ..." (RFC 9110 §6.6.1)`)
	dateFormat = suite.Must("date/imf-fixdate", "Date is an IMF-fixdate", "RFC9110 5.6.7").
			Quoting(qIMFFixdate)
	dateSingle = suite.Must("date/single", "a response carries one Date field line, never two, on a 200 and on a 304", "RFC9110 5.3", "RFC9110 6.6.1").
			Quoting(`"... a sender MUST NOT generate multiple field lines with the same name in a message ... unless that field's definition allows multiple field line values to be recombined as a comma-separated list" (RFC 9110 §5.3)`)
	dateAccurate  = suite.Advisory("date/accurate", "Date is within 30 seconds of the harness's clock", "RFC9110 6.6.1")
	expiresFormat = suite.Must("expires/imf-fixdate", "Expires is an IMF-fixdate", "RFC9110 5.6.7", "RFC9111 5.3").
			Quoting(qIMFFixdate)
	expiresAgrees = suite.Advisory("expires/agrees-with-max-age", "when both are sent, Expires is Date plus max-age, so HTTP/1.0 caches agree", "RFC9111 5.3")
	maxAgeAsAsked = suite.Must("max-age/as-asked", "Cache-Control carries the max-age the resource was put with", "contract resources", "RFC9111 5.2.2.1").
			Quoting(`"A resource put with max_age=S is served with Cache-Control: max-age=S." (docs/contract.md, GET and HEAD resources/{id})`)
	ccSyntax = suite.Should("cache-control/valid-syntax", "Cache-Control follows the directive grammar, without duplicates or conflicts", "RFC9111 5.2")
)

// What those fields make the browser's cache do: reuse while fresh,
// revalidate once stale, obey the directives (RFC 9111 §4, §5.2.2).
var (
	freshReused = suite.Must("strong-cache/fresh-reused", "a fresh response is reused by the browser without a request", "RFC9111 4.2", "RFC9111 4").
			Quoting(`"When a response is fresh, it can be used to satisfy subsequent requests without contacting the origin server, thereby improving efficiency." (RFC 9111 §4.2)`)
	staleNotReused = suite.Must("strong-cache/stale-not-reused", "once max-age has passed, the browser no longer reuses the response without asking", "RFC9111 4.2").
			Quoting(`"When presented with a request, a cache MUST NOT reuse a stored response unless: ... the stored response is one of the following: fresh (see Section 4.2), or allowed to be served stale (see Section 4.2.4), or successfully validated (see Section 4.3)." (RFC 9111 §4)`)
	staleRevalETag = suite.Must("negotiation/stale-revalidated-with-etag", "a stale response is revalidated with If-None-Match and answered 304", "RFC9111 4.3.1", "RFC9110 13.1.2").
			Quoting(`"An origin server that evaluates an If-None-Match condition MUST NOT perform the requested method if the condition evaluates to false; instead, the origin server MUST respond with either a) the 304 (Not Modified) status code if the request method is GET or HEAD or b) the 412 (Precondition Failed) status code for all other request methods." (RFC 9110 §13.1.2)`)
	staleRevalLM = suite.Must("negotiation/stale-revalidated-with-last-modified", "a stale response with only Last-Modified is revalidated with If-Modified-Since and answered 304", "RFC9111 4.3.1", "RFC9110 13.1.3").
			Quoting(`"An origin server that evaluates an If-Modified-Since condition SHOULD NOT perform the requested method if the condition evaluates to false; instead, the origin server SHOULD generate a 304 (Not Modified) response ..." (RFC 9110 §13.1.3); a 304 need not repeat Last-Modified (RFC 9110 §15.4.5)`)
	notModRefreshes = suite.Must("negotiation/304-refreshes", "after a 304, the stored response is fresh again and reused without a request", "RFC9111 4.3.4").
			Quoting(`"For each stored response identified, the cache MUST update its header fields with the header fields provided in the 304 (Not Modified) response, as per Section 3.2." (RFC 9111 §4.3.4)`)
	noStore = suite.Must("directives/no-store-never-reused", "a no-store response is never reused: every GET reaches the target", "RFC9111 5.2.2.5").
		Quoting(`"The no-store response directive indicates that a cache MUST NOT store any part of either the immediate request or the response and MUST NOT use the response to satisfy any other request." (RFC 9111 §5.2.2.5)`)
	noCache = suite.Must("directives/no-cache-revalidates", "a no-cache response is revalidated before every reuse", "RFC9111 5.2.2.4").
		Quoting(`"The no-cache response directive, in its unqualified form (without an argument), indicates that the response MUST NOT be used to satisfy any other request without forwarding it for validation and receiving a successful response; see Section 4.3." (RFC 9111 §5.2.2.4)`)
	cookieNotShared = suite.Advisory("directives/cookie-response-not-shared", "a response that sets a cookie is marked private or no-store, so no shared cache serves it to another user", "RFC9111 5.2.2.7", "OWASP WSTG SESS-02")
)

// Sentences quoted by several checks, in the RFCs' words.
const (
	qIMFFixdate = `"When a sender generates a field that contains one or more timestamps defined as HTTP-date, the sender MUST generate those timestamps in the IMF-fixdate format." (RFC 9110 §5.6.7)`
)

var _ = Describe("HTTP caching", Label("suite:freshness"), func() {
	BeforeEach(func(ctx SpecContext) { check.NewEnv(ctx).Require(harness.FeatureResources) })

	Describe("Date and Expires (RFC 9110 6.6.1, RFC 9111 5.3)", func() {
		datePresent.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge))
			expectCreated(p)
			Expect(rules.DatePresent(r.fetch("").Header, "the 200")).To(verify.Pass())
		})
		dateFormat.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge))
			expectCreated(p)
			Expect(rules.IMFFixdate("Date", r.fetch("").Header.Get("Date"))).To(verify.Pass())
		})
		dateSingle.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge), "validators", "etag")
			expectCreated(p)
			g := r.fetch("")
			Expect(rules.SingleField(g.Header, "Date", "the 200")).To(verify.Pass())
			etag := g.Header.Get("ETag")
			Expect(etag != "").To(verify.Hold(), "expected an ETag on a resource put with validators=etag, observed none")
			nm := r.b.Do(harness.Request{Method: http.MethodGet, Path: "resources/" + r.id, Header: http.Header{"If-None-Match": {etag}}, Note: "conditional GET with the current ETag"})
			Expect(nm).To(verify.HaveStatus("a GET with If-None-Match of the current ETag", http.StatusNotModified))
			Expect(rules.SingleField(nm.Header, "Date", "the 304")).To(verify.Pass())
		})
		dateAccurate.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge))
			expectCreated(p)
			g := r.fetch("")
			Expect(rules.DateAccurate(g.Header.Get("Date"), e.Clock().Now())).To(verify.Pass())
		})
		expiresFormat.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge), "expires", "1")
			expectCreated(p)
			v := r.fetch("").Header.Get("Expires")
			Expect(v != "").To(verify.Hold(), "expected an Expires on a resource put with expires=1, observed none")
			Expect(rules.IMFFixdate("Expires", v)).To(verify.Pass())
		})
		expiresAgrees.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge), "expires", "1")
			expectCreated(p)
			Expect(rules.ExpiresAgreesWithMaxAge(r.fetch("").Header)).To(verify.Pass())
		})
		maxAgeAsAsked.It(func(e *harness.Env) {
			r, p := put(e, "max_age", "123")
			expectCreated(p)
			d := cachecontrol.Parse(r.fetch("").Header.Values("Cache-Control"))
			got, ok := d.MaxAge()
			Expect(ok && got == 123*time.Second).To(verify.Hold(), "expected Cache-Control max-age=123, observed %q", d.String())
		})
		ccSyntax.It(func(e *harness.Env) {
			for _, q := range [][]string{{"max_age", "60"}, {"cache_control", "no-cache"}, {"cache_control", "no-store"}, {"max_age", "60", "cache_control", "private"}} {
				r, p := put(e, q...)
				expectCreated(p)
				Expect(rules.CacheControlSyntax(r.fetch("").Header.Values("Cache-Control"))).To(verify.Pass())
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
				Expect(after.Source != "cache").To(verify.Hold(), "expected the browser to ask the target once max-age=%s passed, but it reused the stored response", seconds(shortMaxAge))
			}
		})

		// revalidatedOnceStale is the body of the two negotiation checks,
		// which differ only in the one validator the resource carries
		// (validators=etag or last-modified): once max-age has passed, the
		// browser's next GET must be answered 304 (RFC 9111 §4.3.1).
		revalidatedOnceStale := func(validators string) func(*harness.Env) func(*harness.Env) {
			return func(e *harness.Env) func(*harness.Env) {
				r, p, _ := fetchedOnce(e, "max_age", seconds(shortMaxAge), "validators", validators)
				return func(e *harness.Env) {
					expectCreated(p)
					after := r.fetch("after max-age passed")
					expectSource(after, "revalidated", "a GET of the stale response")
				}
			}
		}
		w.It(staleRevalETag, revalidatedOnceStale("etag"))
		w.It(staleRevalLM, revalidatedOnceStale("last-modified"))

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
				Expect(g.Source == "network").To(verify.Hold(), "expected every GET of a no-store response to reach the target, observed %s", describeSource(g.Source))
			}
		})
		noCache.It(func(e *harness.Env) {
			r, p := put(e, "max_age", seconds(longMaxAge), "cache_control", "no-cache")
			expectCreated(p)
			expectSource(r.fetch("first GET"), "network", "the first GET")
			second := r.fetch("second GET of a no-cache response")
			Expect(second.Source == "revalidated" || second.Source == "replaced").To(verify.Hold(), "expected the browser to revalidate a no-cache response before reuse, observed %s", describeSource(second.Source))
		})
		cookieNotShared.It(func(e *harness.Env) {
			e.Require(harness.FeatureCookies)
			b := e.NewBrowser()
			resp := b.Get("cookies/set", "name", "hc_fresh_"+harness.Unique("fresh"), "value", "v")
			Expect(resp).To(verify.HaveStatus("cookies/set", http.StatusOK))
			Expect(rules.CookieResponseNotShared(resp.Header)).To(verify.Pass())
		})
	})
})
