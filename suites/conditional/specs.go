package conditional

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

const content = "the representation, version 1\n"

func expect304(r *harness.Response, what string) {
	GinkgoHelper()
	Expect(r.Status == http.StatusNotModified).To(verify.Hold(), "expected 304 for %s, observed %d", what, r.Status)
}

func expectFull200(r *harness.Response, body, what string) {
	GinkgoHelper()
	Expect(r.Status == http.StatusOK).To(verify.Hold(), "expected 200 for %s, observed %d", what, r.Status)
	expectBody(r, body, what)
}

func expectBody(r *harness.Response, body, what string) {
	GinkgoHelper()
	Expect(string(r.Body) == body).To(verify.Hold(), "expected the full body with the 200 for %s, observed %q", what, r.Body)
}

// weakForm and strongForm rewrite an entity-tag's weakness.
func weakForm(tag string) string   { return "W/" + strings.TrimPrefix(tag, "W/") }
func strongForm(tag string) string { return strings.TrimPrefix(tag, "W/") }

// If-None-Match, RFC 9110 §13.1.2.
var (
	inmMatch = suite.Must("if-none-match/match-gets-304", "GET with If-None-Match naming the current ETag gets 304", "RFC9110 13.1.2").
			Quoting(qINMFalse)
	inmNoMatch = suite.Must("if-none-match/no-match-gets-200", "GET with If-None-Match naming another ETag gets 200 with the full body", "RFC9110 13.1.2").
			Quoting(`"If the field value is a list of entity tags, the condition is false if one of the listed tags matches the entity tag of the selected representation." "Otherwise, the condition is true." (RFC 9110 §13.1.2)`)
	inmWeak = suite.Must("if-none-match/weak-comparison", "If-None-Match compares weakly: W/\"x\" matches the current \"x\"", "RFC9110 13.1.2", "RFC9110 8.8.3.2").
		Quoting(`"A recipient MUST use the weak comparison function when comparing entity tags for If-None-Match (Section 8.8.3.2), since weak entity tags can be used for cache validation even if there have been changes to the representation data." (RFC 9110 §13.1.2)`)
	inmStar = suite.Must("if-none-match/star", "GET with If-None-Match: * on an existing resource gets 304", "RFC9110 13.1.2").
		Quoting(`"If the field value is "*", the condition is false if the origin server has a current representation for the target resource." (RFC 9110 §13.1.2)` + " " + qINMFalse)
	inmList = suite.Must("if-none-match/list", "a list of entity-tags that contains the current one gets 304", "RFC9110 13.1.2").
		Quoting(`"If the field value is a list of entity tags, the condition is false if one of the listed tags matches the entity tag of the selected representation." (RFC 9110 §13.1.2) ` + qINMFalse)
	inmPutStar = suite.Must("if-none-match/put-star-is-create-only", "PUT with If-None-Match: * on an existing resource gets 412 and changes nothing", "RFC9110 13.1.2").
			Quoting(`"If the field value is "*", the condition is false if the origin server has a current representation for the target resource." (RFC 9110 §13.1.2)` + " " + qINMFalse)
	inmHead = suite.Must("if-none-match/head-gets-304", "HEAD with If-None-Match naming the current ETag gets 304", "RFC9110 13.1.2").
		Quoting(qINMFalse)
)

// If-Modified-Since, RFC 9110 §13.1.3.
var (
	imsEqual = suite.Should("if-modified-since/equal-gets-304", "If-Modified-Since equal to Last-Modified gets 304", "RFC9110 13.1.3").
			Quoting(qIMS304)
	imsLater = suite.Should("if-modified-since/later-gets-304", "If-Modified-Since later than Last-Modified (and not in the future) gets 304", "RFC9110 13.1.3").
			Quoting(qIMS304)
	imsEarlier = suite.Must("if-modified-since/earlier-gets-200", "If-Modified-Since earlier than Last-Modified gets 200 with the full body", "RFC9110 13.1.3").
			Quoting(`"If the selected representation's last modification date is earlier or equal to the date provided in the field value, the condition is false." "Otherwise, the condition is true." (RFC 9110 §13.1.3)`)
	imsInvalid = suite.Must("if-modified-since/invalid-ignored", "an If-Modified-Since that is not an HTTP-date is ignored (200)", "RFC9110 13.1.3").
			Quoting(qIMSIgnored)
	imsFuture  = suite.Advisory("if-modified-since/future-ignored", "an If-Modified-Since in the future is not trusted (200), so clock skew cannot hide a change", "RFC2616 14.25")
	imsOnlyGet = suite.Must("if-modified-since/ignored-on-put", "If-Modified-Since on a PUT is ignored: the PUT happens", "RFC9110 13.1.3").
			Quoting(qIMSIgnored)
	imsObsolete = suite.Must("if-modified-since/obsolete-date-formats", "If-Modified-Since in the RFC 850 and asctime formats is understood", "RFC9110 5.6.7").
			Quoting(`"A recipient that parses a timestamp value in an HTTP field MUST accept all three HTTP-date formats." (RFC 9110 §5.6.7)`)
)

// Precedence, RFC 9110 §13.2.2.
var (
	inmOverIMS = suite.Must("precedence/inm-mismatch-beats-current-ims", "a non-matching If-None-Match with a current If-Modified-Since gets 200: If-Modified-Since is ignored", "RFC9110 13.2.2", "RFC9110 13.1.3").
			Quoting(`"A recipient MUST ignore If-Modified-Since if the request contains an If-None-Match header field; the condition in If-None-Match is considered to be a more accurate replacement for the condition in If-Modified-Since ..." (RFC 9110 §13.1.3)`)
	inmMatchOldIMS = suite.Must("precedence/inm-match-beats-old-ims", "a matching If-None-Match with an old If-Modified-Since gets 304", "RFC9110 13.2.2").
			Quoting(`"A recipient cache or origin server MUST evaluate the request preconditions defined by this specification in the following order: ... When If-None-Match is present, evaluate the If-None-Match precondition: ... if false for GET/HEAD, respond 304 (Not Modified)" (RFC 9110 §13.2.2)`)
	ifMatchOverIUS = suite.Must("precedence/if-match-beats-ius", "a matching If-Match with an old If-Unmodified-Since lets the PUT happen", "RFC9110 13.2.2", "RFC9110 13.1.4").
			Quoting(`"A recipient MUST ignore If-Unmodified-Since if the request contains an If-Match header field; the condition in If-Match is considered to be a more accurate replacement for the condition in If-Unmodified-Since ..." (RFC 9110 §13.1.4)`)
)

// What a 304 carries, RFC 9110 §15.4.5.
var (
	nmNoBody = suite.Must("not-modified/no-body", "a 304 has no content", "RFC9110 15.4.5").
			Quoting(`"A 304 response is terminated by the end of the header section; it cannot contain content or trailers." (RFC 9110 §15.4.5)`)
	nmETag = suite.Must("not-modified/etag", "a 304 carries the ETag the 200 would", "RFC9110 15.4.5").
		Quoting(q304Fields)
	nmCacheControl = suite.Must("not-modified/cache-control", "a 304 carries the Cache-Control the 200 would", "RFC9110 15.4.5").
			Quoting(q304Fields)
	nmExpires = suite.Must("not-modified/expires", "a 304 carries the Expires the 200 would", "RFC9110 15.4.5").
			Quoting(q304Fields)
	nmVary = suite.Must("not-modified/vary", "a 304 carries the Vary the 200 would", "RFC9110 15.4.5").
		Quoting(q304Fields)
	nmDate = suite.Must("not-modified/date", "a 304 carries Date", "RFC9110 15.4.5", "RFC9110 6.6.1").
		Quoting(q304Fields)
	nmContentLocation = suite.Must("not-modified/content-location", "a 304 carries the Content-Location the 200 would", "RFC9110 15.4.5").
				Quoting(q304Fields)
)

// State-changing requests, RFC 9110 §13.1.1 and §13.1.4.
var (
	ifMatchStale = suite.Must("if-match/stale-put-gets-412", "PUT with If-Match naming an old ETag gets 412 and the resource is unchanged (no lost update)", "RFC9110 13.1.1").
			Quoting(qIfMatchFalse)
	ifMatchFresh = suite.Must("if-match/current-put-succeeds", "PUT with If-Match naming the current ETag succeeds", "RFC9110 13.1.1").
			Quoting(`"If the field value is a list of entity tags, the condition is true if any of the listed tags match the entity tag of the selected representation." (RFC 9110 §13.1.1)`)
	ifMatchStrong = suite.Must("if-match/strong-comparison", "If-Match compares strongly: W/\"x\" never matches", "RFC9110 13.1.1", "RFC9110 8.8.3.2").
			Quoting(`"An origin server MUST use the strong comparison function when comparing entity tags for If-Match (Section 8.8.3.2), since the client intends this precondition to prevent the method from being applied if there have been any changes to the representation data." (RFC 9110 §13.1.1)`)
	ifMatchStar = suite.Must("if-match/star-on-absent-gets-412", "PUT with If-Match: * on an absent resource gets 412", "RFC9110 13.1.1").
			Quoting(`"If the field value is "*", the condition is true if the origin server has a current representation for the target resource." ... "Otherwise, the condition is false." ` + qIfMatchFalse)
	ifMatchDelete = suite.Must("if-match/stale-delete-gets-412", "DELETE with If-Match naming an old ETag gets 412 and the resource stays", "RFC9110 13.1.1").
			Quoting(qIfMatchFalse)
	iusStale = suite.Must("if-unmodified-since/stale-put-gets-412", "PUT with If-Unmodified-Since before Last-Modified gets 412 and the resource is unchanged", "RFC9110 13.1.4").
			Quoting(`"An origin server that evaluates an If-Unmodified-Since condition MUST NOT perform the requested method if the condition evaluates to false." (RFC 9110 §13.1.4)`)
)

// Validators, RFC 9110 §8.8.
var (
	etagChanges = suite.Must("validators/etag-changes-with-content", "the ETag changes when the representation changes", "RFC9110 8.8.3").
			Quoting(qStrongValidator)
	etagStable = suite.Should("validators/etag-stable", "the ETag stays the same while the representation does", "RFC9110 8.8.3").
			Quoting(`"... it is in the best interests of the origin server to only change the value when it is necessary to invalidate the stored responses held by remote caches and authoring tools." (RFC 9110 §8.8.1)`)
	etagSameSecond = suite.Must("validators/etag-sees-same-second-changes", "two changes within one second have different ETags, although Last-Modified cannot tell them apart", "RFC9110 8.8.3", "RFC9110 8.8.2").
			Quoting(qStrongValidator)
	headValidators = suite.Should("validators/head-matches-get", "HEAD carries the ETag and Last-Modified GET does", "RFC9110 9.3.2").
			Quoting(`"The server SHOULD send the same header fields in response to a HEAD request as it would have sent if the request method had been GET." (RFC 9110 §9.3.2)`)
	lastModSane = suite.Must("validators/last-modified-not-future", "Last-Modified is not later than Date", "RFC9110 8.8.2.1").
			Quoting(`"An origin server with a clock (as defined in Section 5.6.7) MUST NOT generate a Last-Modified date that is later than the server's time of message origination (Date, Section 6.6.1)." (RFC 9110 §8.8.2.1)`)
)

// Sentences quoted by several checks, in the RFCs' words.
const (
	qINMFalse        = `"An origin server that evaluates an If-None-Match condition MUST NOT perform the requested method if the condition evaluates to false; instead, the origin server MUST respond with either a) the 304 (Not Modified) status code if the request method is GET or HEAD or b) the 412 (Precondition Failed) status code for all other request methods." (RFC 9110 §13.1.2)`
	qIMS304          = `"If the selected representation's last modification date is earlier or equal to the date provided in the field value, the condition is false." ... "An origin server that evaluates an If-Modified-Since condition SHOULD NOT perform the requested method if the condition evaluates to false; instead, the origin server SHOULD generate a 304 (Not Modified) response ..." (RFC 9110 §13.1.3)`
	qIMSIgnored      = `"A recipient MUST ignore the If-Modified-Since header field if the received field value is not a valid HTTP-date, the field value has more than one member, or if the request method is neither GET nor HEAD." (RFC 9110 §13.1.3)`
	q304Fields       = `"The server generating a 304 response MUST generate any of the following header fields that would have been sent in a 200 (OK) response to the same request: Content-Location, Date, ETag, and Vary ... Cache-Control and Expires (see [CACHING])" (RFC 9110 §15.4.5)`
	qIfMatchFalse    = `"An origin server that evaluates an If-Match condition MUST NOT perform the requested method if the condition evaluates to false." (RFC 9110 §13.1.1)`
	qStrongValidator = `"A strong validator is representation metadata that changes value whenever a change occurs to the representation data that would be observable in the content of a 200 (OK) response to GET." (RFC 9110 §8.8.1)`
)

var _ = Describe("conditional requests", Label("suite:conditional"), func() {
	Describe("If-None-Match (RFC 9110 13.1.2)", func() {
		inmMatch.It(func(e *harness.Env) {
			r := create(e, content)
			r.conditional(rules.IfNoneMatchCurrent)
		})
		inmNoMatch.It(func(e *harness.Env) {
			r := create(e, content)
			expectFull200(r.get(header("If-None-Match", `"not-the-current-tag"`)), content, "If-None-Match with another ETag")
		})
		inmWeak.It(func(e *harness.Env) {
			r := create(e, content)
			expect304(r.get(header("If-None-Match", weakForm(r.etag()))), "If-None-Match: "+weakForm(r.etag())+" against "+r.etag())
		})
		inmStar.It(func(e *harness.Env) {
			r := create(e, content)
			r.conditional(rules.IfNoneMatchStar)
		})
		inmList.It(func(e *harness.Env) {
			r := create(e, content)
			list := `"older-1", ` + r.etag() + `, "older-2"`
			expect304(r.get(header("If-None-Match", list)), "If-None-Match: "+list)
		})
		inmPutStar.It(func(e *harness.Env) {
			r := create(e, content)
			p := r.put("overwritten\n", header("If-None-Match", "*"))
			Expect(p.Status == http.StatusPreconditionFailed).To(verify.Hold(), "expected 412 for PUT with If-None-Match: * on an existing resource, observed %d", p.Status)
			Expect(r.body() == content).To(verify.Hold(), "expected the resource unchanged after the refused PUT, observed %q", r.body())
		})
		inmHead.It(func(e *harness.Env) {
			r := create(e, content)
			expect304(r.head(header("If-None-Match", r.etag())), "HEAD with If-None-Match with the current ETag")
		})
	})

	Describe("If-Modified-Since (RFC 9110 13.1.3)", func() {
		imsEqual.It(func(e *harness.Env) {
			r := create(e, content)
			r.conditional(rules.IfModifiedSinceEqual)
		})
		// A date after Last-Modified that is not in the future needs a
		// second to pass: the check shares the run's one wait.
		check.Waiting("a date after Last-Modified", 2*time.Second, func(w *check.WaitGroup) {
			w.Before(func(e *harness.Env) { e.Require(harness.FeatureResources) })
			w.It(imsLater, func(e *harness.Env) func(*harness.Env) {
				r := &resource{b: e.NewBrowser(), id: harness.Unique("cond")}
				put := r.put(content, nil, "validators", "last-modified")
				r.first = r.get(nil)
				return func(e *harness.Env) {
					Expect(put).To(verify.HaveStatus("PUT of a new resource", http.StatusCreated, http.StatusOK))
					Expect(r.first).To(verify.HaveStatus("GET of the resource just put", http.StatusOK))
					lm := r.lastModified()
					expect304(r.get(header("If-Modified-Since", httpDate(lm.Add(time.Second)))), "If-Modified-Since a second after Last-Modified")
				}
			})
		})
		imsEarlier.It(func(e *harness.Env) {
			r := create(e, content, "validators", "last-modified")
			expectFull200(r.get(header("If-Modified-Since", httpDate(r.lastModified().Add(-time.Hour)))), content, "If-Modified-Since an hour before Last-Modified")
		})
		imsInvalid.It(func(e *harness.Env) {
			r := create(e, content, "validators", "last-modified")
			expectFull200(r.get(header("If-Modified-Since", "yesterday, around noon")), content, "an If-Modified-Since that is not a date")
		})
		imsFuture.It(func(e *harness.Env) {
			r := create(e, content, "validators", "last-modified")
			expectFull200(r.get(header("If-Modified-Since", httpDate(e.Clock().Now().Add(24*time.Hour)))), content, "an If-Modified-Since a day in the future")
		})
		imsOnlyGet.It(func(e *harness.Env) {
			r := create(e, content, "validators", "last-modified")
			p := r.put("changed\n", header("If-Modified-Since", httpDate(e.Clock().Now().Add(time.Hour))))
			Expect(p).To(verify.HaveStatus("PUT with an If-Modified-Since (which only applies to GET and HEAD)", http.StatusOK, http.StatusCreated, http.StatusNoContent))
			Expect(r.body() == "changed\n").To(verify.Hold(), "expected the PUT to have replaced the body, observed %q", r.body())
		})
		imsObsolete.It(func(e *harness.Env) {
			r := create(e, content, "validators", "last-modified")
			lm := r.lastModified().UTC()
			for _, v := range []string{lm.Format("Monday, 02-Jan-06 15:04:05 GMT"), lm.Format(time.ANSIC)} {
				expect304(r.get(header("If-Modified-Since", v)), "If-Modified-Since: "+v)
			}
		})
	})

	Describe("precedence (RFC 9110 13.2.2)", func() {
		inmOverIMS.It(func(e *harness.Env) {
			r := create(e, content)
			p := rules.INMMismatchWithCurrentIMS
			expectBody(r.conditional(p), content, p.What)
		})
		inmMatchOldIMS.It(func(e *harness.Env) {
			r := create(e, content)
			r.conditional(rules.INMMatchWithOldIMS)
		})
		ifMatchOverIUS.It(func(e *harness.Env) {
			r := create(e, content)
			p := r.put("changed\n", header("If-Match", r.etag(), "If-Unmodified-Since", httpDate(r.lastModified().Add(-time.Hour))))
			Expect(p).To(verify.HaveStatus("PUT with a matching If-Match and an old If-Unmodified-Since", http.StatusOK, http.StatusCreated, http.StatusNoContent))
		})
	})

	Describe("what a 304 carries (RFC 9110 15.4.5)", func() {
		// The resource has every field a 304 must repeat.
		full := []string{"max_age", "60", "expires", "1"}
		notModified := func(e *harness.Env) (*resource, *harness.Response) {
			GinkgoHelper()
			r := create(e, content, full...)
			return r, r.conditional(rules.IfNoneMatchCurrent)
		}
		repeats := func(field string) func(e *harness.Env) {
			return func(e *harness.Env) {
				r, nm := notModified(e)
				want := r.first.Header.Get(field)
				if want == "" {
					e.Skipf("the 200 carries no %s, so the 304 need not", field)
				}
				Expect(rules.NotModifiedRepeats(field, r.first.Header, nm.Header)).To(verify.Pass())
			}
		}
		nmNoBody.It(func(e *harness.Env) {
			// net/http never shows bytes after a 304, so read the wire.
			r := create(e, content, full...)
			raw := r.b.Raw(http.MethodGet, r.path(), rules.IfNoneMatchCurrent.Header(r.etag(), time.Time{}))
			Expect(raw.Status == http.StatusNotModified).To(verify.Hold(), "expected 304 for If-None-Match with the current ETag, observed %q", raw.StatusLine)
			Expect(rules.NotModifiedNoContent(raw.After)).To(verify.Pass())
		})
		nmETag.It(repeats("ETag"))
		nmCacheControl.It(repeats("Cache-Control"))
		nmExpires.It(repeats("Expires"))
		nmVary.It(repeats("Vary"))
		nmContentLocation.It(repeats("Content-Location"))
		nmDate.It(func(e *harness.Env) {
			_, nm := notModified(e)
			Expect(rules.NotModifiedDate(nm.Header)).To(verify.Pass())
		})
	})

	Describe("state-changing requests (RFC 9110 13.1.1, 13.1.4)", func() {
		ifMatchStale.It(func(e *harness.Env) {
			r := create(e, content)
			old := r.etag()
			Expect(r.put("second writer\n", nil)).To(verify.HaveStatus("PUT of a new version", http.StatusOK, http.StatusCreated, http.StatusNoContent))
			p := r.put("first writer, late\n", header("If-Match", old))
			Expect(p.Status == http.StatusPreconditionFailed).To(verify.Hold(), "expected 412 for a PUT with If-Match naming the replaced ETag, observed %d", p.Status)
			Expect(r.body() == "second writer\n").To(verify.Hold(), "expected the second writer's version to survive, observed %q", r.body())
		})
		ifMatchFresh.It(func(e *harness.Env) {
			r := create(e, content)
			p := r.put("changed\n", header("If-Match", r.etag()))
			Expect(p).To(verify.HaveStatus("PUT with If-Match naming the current ETag", http.StatusOK, http.StatusCreated, http.StatusNoContent))
			Expect(r.body() == "changed\n").To(verify.Hold(), "expected the PUT to replace the body, observed %q", r.body())
		})
		ifMatchStrong.It(func(e *harness.Env) {
			r := create(e, content, "weak", "1")
			tag := r.etag()
			Expect(strings.HasPrefix(tag, "W/")).To(verify.Hold(), "expected a weak ETag for a resource put with weak=1, observed %s", tag)
			p := r.put("changed\n", header("If-Match", tag))
			Expect(p.Status == http.StatusPreconditionFailed).To(verify.Hold(), "expected 412: If-Match %s uses the strong comparison, which a weak tag never passes; observed %d", tag, p.Status)
		})
		ifMatchStar.It(func(e *harness.Env) {
			e.Require(harness.FeatureResources)
			r := &resource{b: e.NewBrowser(), id: harness.Unique("cond")}
			p := r.put(content, header("If-Match", "*"))
			Expect(p.Status == http.StatusPreconditionFailed).To(verify.Hold(), "expected 412 for PUT with If-Match: * where no resource exists, observed %d", p.Status)
		})
		ifMatchDelete.It(func(e *harness.Env) {
			r := create(e, content)
			old := r.etag()
			Expect(r.put("newer\n", nil)).To(verify.HaveStatus("PUT of a new version", http.StatusOK, http.StatusCreated, http.StatusNoContent))
			d := r.delete(header("If-Match", old))
			Expect(d.Status == http.StatusPreconditionFailed).To(verify.Hold(), "expected 412 for DELETE with If-Match naming a replaced ETag, observed %d", d.Status)
			Expect(r.get(nil).Status == http.StatusOK).To(verify.Hold(), "expected the resource to survive the refused DELETE, but it is gone")
		})
		iusStale.It(func(e *harness.Env) {
			r := create(e, content, "validators", "last-modified")
			p := r.put("changed\n", header("If-Unmodified-Since", httpDate(r.lastModified().Add(-time.Hour))))
			Expect(p.Status == http.StatusPreconditionFailed).To(verify.Hold(), "expected 412 for PUT with If-Unmodified-Since an hour before Last-Modified, observed %d", p.Status)
			Expect(r.body() == content).To(verify.Hold(), "expected the resource unchanged after the refused PUT, observed %q", r.body())
		})
	})

	Describe("validators (RFC 9110 8.8)", func() {
		etagChanges.It(func(e *harness.Env) {
			r := create(e, content)
			before := r.etag()
			r.put("version 2\n", nil)
			Expect(rules.ETagChanged(before, r.get(nil).Header.Get("ETag"))).To(verify.Pass())
		})
		etagStable.It(func(e *harness.Env) {
			r := create(e, content)
			Expect(rules.ETagStable(r.etag(), r.get(nil).Header.Get("ETag"))).To(verify.Pass())
		})
		etagSameSecond.It(func(e *harness.Env) {
			r := create(e, content)
			before, lm := r.etag(), r.first.Header.Get("Last-Modified")
			r.put("changed within the second\n", nil)
			g := r.get(nil)
			Expect(g.Header.Get("ETag") != before).To(verify.Hold(), "expected two changes in quick succession to get different ETags, observed %s both times (Last-Modified %q then %q)", before, lm, g.Header.Get("Last-Modified"))
			expectFull200(r.get(header("If-None-Match", before)), "changed within the second\n", "If-None-Match with the ETag of the first version")
		})
		headValidators.It(func(e *harness.Env) {
			r := create(e, content)
			h := r.head(nil)
			Expect(h.Status == http.StatusOK).To(verify.Hold(), "expected 200 for HEAD, observed %d", h.Status)
			Expect(rules.HeadCarriesValidators(r.first.Header, h.Header)).To(verify.Pass())
		})
		lastModSane.It(func(e *harness.Env) {
			r := create(e, content)
			r.lastModified()
			Expect(rules.LastModifiedNotFuture(r.first.Header)).To(verify.Pass())
		})
	})
})
