package conditional

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

const content = "the representation, version 1\n"

func expect304(r *harness.Response, what string) {
	GinkgoHelper()
	verify.That(r.Status == http.StatusNotModified, "expected 304 for %s, observed %d", what, r.Status)
}

func expectFull200(r *harness.Response, body, what string) {
	GinkgoHelper()
	verify.That(r.Status == http.StatusOK, "expected 200 for %s, observed %d", what, r.Status)
	expectBody(r, body, what)
}

func expectBody(r *harness.Response, body, what string) {
	GinkgoHelper()
	verify.That(string(r.Body) == body, "expected the full body with the 200 for %s, observed %q", what, r.Body)
}

// weakForm and strongForm rewrite an entity-tag's weakness.
func weakForm(tag string) string   { return "W/" + strings.TrimPrefix(tag, "W/") }
func strongForm(tag string) string { return strings.TrimPrefix(tag, "W/") }

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
			verify.That(p.Status == http.StatusPreconditionFailed, "expected 412 for PUT with If-None-Match: * on an existing resource, observed %d", p.Status)
			verify.That(r.body() == content, "expected the resource unchanged after the refused PUT, observed %q", r.body())
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
					verify.Status(put, "PUT of a new resource", http.StatusCreated, http.StatusOK)
					verify.Status(r.first, "GET of the resource just put", http.StatusOK)
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
			verify.Status(p, "PUT with an If-Modified-Since (which only applies to GET and HEAD)", http.StatusOK, http.StatusCreated, http.StatusNoContent)
			verify.That(r.body() == "changed\n", "expected the PUT to have replaced the body, observed %q", r.body())
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
			verify.Status(p, "PUT with a matching If-Match and an old If-Unmodified-Since", http.StatusOK, http.StatusCreated, http.StatusNoContent)
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
				verify.Rule(rules.NotModifiedRepeats(field, r.first.Header, nm.Header))
			}
		}
		nmNoBody.It(func(e *harness.Env) {
			// net/http never shows bytes after a 304, so read the wire.
			r := create(e, content, full...)
			raw := r.b.Raw(http.MethodGet, r.path(), rules.IfNoneMatchCurrent.Header(r.etag(), time.Time{}))
			verify.That(raw.Status == http.StatusNotModified, "expected 304 for If-None-Match with the current ETag, observed %q", raw.StatusLine)
			verify.Rule(rules.NotModifiedNoContent(raw.After))
		})
		nmETag.It(repeats("ETag"))
		nmCacheControl.It(repeats("Cache-Control"))
		nmExpires.It(repeats("Expires"))
		nmVary.It(repeats("Vary"))
		nmContentLocation.It(repeats("Content-Location"))
		nmDate.It(func(e *harness.Env) {
			_, nm := notModified(e)
			verify.Rule(rules.NotModifiedDate(nm.Header))
		})
	})

	Describe("state-changing requests (RFC 9110 13.1.1, 13.1.4)", func() {
		ifMatchStale.It(func(e *harness.Env) {
			r := create(e, content)
			old := r.etag()
			verify.Status(r.put("second writer\n", nil), "PUT of a new version", http.StatusOK, http.StatusCreated, http.StatusNoContent)
			p := r.put("first writer, late\n", header("If-Match", old))
			verify.That(p.Status == http.StatusPreconditionFailed, "expected 412 for a PUT with If-Match naming the replaced ETag, observed %d", p.Status)
			verify.That(r.body() == "second writer\n", "expected the second writer's version to survive, observed %q", r.body())
		})
		ifMatchFresh.It(func(e *harness.Env) {
			r := create(e, content)
			p := r.put("changed\n", header("If-Match", r.etag()))
			verify.Status(p, "PUT with If-Match naming the current ETag", http.StatusOK, http.StatusCreated, http.StatusNoContent)
			verify.That(r.body() == "changed\n", "expected the PUT to replace the body, observed %q", r.body())
		})
		ifMatchStrong.It(func(e *harness.Env) {
			r := create(e, content, "weak", "1")
			tag := r.etag()
			verify.That(strings.HasPrefix(tag, "W/"), "expected a weak ETag for a resource put with weak=1, observed %s", tag)
			p := r.put("changed\n", header("If-Match", tag))
			verify.That(p.Status == http.StatusPreconditionFailed, "expected 412: If-Match %s uses the strong comparison, which a weak tag never passes; observed %d", tag, p.Status)
		})
		ifMatchStar.It(func(e *harness.Env) {
			e.Require(harness.FeatureResources)
			r := &resource{b: e.NewBrowser(), id: harness.Unique("cond")}
			p := r.put(content, header("If-Match", "*"))
			verify.That(p.Status == http.StatusPreconditionFailed, "expected 412 for PUT with If-Match: * where no resource exists, observed %d", p.Status)
		})
		ifMatchDelete.It(func(e *harness.Env) {
			r := create(e, content)
			old := r.etag()
			verify.Status(r.put("newer\n", nil), "PUT of a new version", http.StatusOK, http.StatusCreated, http.StatusNoContent)
			d := r.delete(header("If-Match", old))
			verify.That(d.Status == http.StatusPreconditionFailed, "expected 412 for DELETE with If-Match naming a replaced ETag, observed %d", d.Status)
			verify.That(r.get(nil).Status == http.StatusOK, "expected the resource to survive the refused DELETE, but it is gone")
		})
		iusStale.It(func(e *harness.Env) {
			r := create(e, content, "validators", "last-modified")
			p := r.put("changed\n", header("If-Unmodified-Since", httpDate(r.lastModified().Add(-time.Hour))))
			verify.That(p.Status == http.StatusPreconditionFailed, "expected 412 for PUT with If-Unmodified-Since an hour before Last-Modified, observed %d", p.Status)
			verify.That(r.body() == content, "expected the resource unchanged after the refused PUT, observed %q", r.body())
		})
	})

	Describe("validators (RFC 9110 8.8)", func() {
		etagChanges.It(func(e *harness.Env) {
			r := create(e, content)
			before := r.etag()
			r.put("version 2\n", nil)
			verify.Rule(rules.ETagChanged(before, r.get(nil).Header.Get("ETag")))
		})
		etagStable.It(func(e *harness.Env) {
			r := create(e, content)
			verify.Rule(rules.ETagStable(r.etag(), r.get(nil).Header.Get("ETag")))
		})
		etagSameSecond.It(func(e *harness.Env) {
			r := create(e, content)
			before, lm := r.etag(), r.first.Header.Get("Last-Modified")
			r.put("changed within the second\n", nil)
			g := r.get(nil)
			verify.That(g.Header.Get("ETag") != before, "expected two changes in quick succession to get different ETags, observed %s both times (Last-Modified %q then %q)", before, lm, g.Header.Get("Last-Modified"))
			expectFull200(r.get(header("If-None-Match", before)), "changed within the second\n", "If-None-Match with the ETag of the first version")
		})
		headValidators.It(func(e *harness.Env) {
			r := create(e, content)
			h := r.head(nil)
			verify.That(h.Status == http.StatusOK, "expected 200 for HEAD, observed %d", h.Status)
			verify.Rule(rules.HeadCarriesValidators(r.first.Header, h.Header))
		})
		lastModSane.It(func(e *harness.Env) {
			r := create(e, content)
			r.lastModified()
			verify.Rule(rules.LastModifiedNotFuture(r.first.Header))
		})
	})
})
