package proxy

import (
	"net/http"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
	. "github.com/onsi/gomega"
)

// validatable is the stored response of the validation checks: fresh for a
// second, with both validators.
func validatable() origin.Response {
	return respond("v1", "Cache-Control: max-age=1", `ETag: "v1"`, "Last-Modified: {date-3600}")
}

// validation returns the origin's request that validated the stale
// response (the second to reach it), skipping the check when the cache
// fetched it anew or did not ask at all: RFC 9111 lets a cache do either.
func validation(e *harness.Env, r *resource) origin.Hit {
	hits := r.waitHits(2, time.Second)
	if len(hits) < 2 {
		e.Skipf("the cache did not ask the origin about the stale response (see the freshness checks)")
	}
	if !hits[1].IsConditional() {
		e.Skipf("the cache fetched the stale response anew without a conditional request, which RFC 9111 allows; nothing to grade")
	}
	return hits[1]
}

// afterNotModified GETs the stale r (note says how the origin answers),
// skips unless the cache validated it and got a 304, and returns the
// response to the GET that follows.
func afterNotModified(e *harness.Env, r *resource, note string) *harness.Response {
	r.get(note)
	validation(e, r)
	if !slicesContainsStatus(r.hits(), http.StatusNotModified) {
		e.Skipf("the origin answered no validation request with 304")
	}
	return r.get("once the 304 has been received")
}

// req304Update is RFC 9111 §4.3.4's rule on freshening stored responses.
const req304Update = `"For each stored response identified, the cache MUST update its header fields with the header fields provided in the 304 (Not Modified) response, as per Section 3.2." (RFC 9111 §4.3.4)`

// updateCase is a field the 304 carries with a new value: stored is the
// stored response's value for it (none when empty; for Cache-Control,
// validatable's own), updated the 304's.
type updateCase struct {
	check           *check.Check
	name            string
	stored, updated string
}

var updateCases = []updateCase{
	{notModUpdates, "HC-Updated", "", "by-the-304"},
	{notModUpdatesCC, "Cache-Control", "max-age=1", "max-age=600"},
	{notModUpdatesField, "Content-HC-Note", "from-the-200", "from-the-304"},
}

// responses are the case's stored response, fresh for a second, and the
// origin's next one, which it answers a validation with as a 304.
func (c updateCase) responses() []origin.Response {
	stored := validatable()
	if c.stored != "" && c.name != "Cache-Control" {
		stored.Header = append(stored.Header, [2]string{c.name, c.stored})
	}
	next := respond("v1", `ETag: "v1"`, "Last-Modified: {date-3600}", c.name+": "+c.updated)
	if c.name != "Cache-Control" {
		next.Header = append(next.Header, [2]string{"Cache-Control", "max-age=600"})
	}
	return []origin.Response{stored, next}
}

// reqValidationSent is what RFC 9111 §4.3.1 asks of a validation request,
// quoted by the checks on both validators.
const reqValidationSent = `"When generating a conditional request for validation, a cache: MUST send the relevant entity tags (using If-Match, If-None-Match, or If-Range) if the entity tags were provided in the stored response(s) being validated; SHOULD send the Last-Modified value (using If-Modified-Since) if the request is not for a subrange, a single stored response is being validated, and that response contains a Last-Modified value" (RFC 9111 §4.3.1)`

// Validation, RFC 9111 §4.3.
var (
	inmSent            = suite.Must("validation/if-none-match-sent", "a stale response with an ETag is validated with If-None-Match naming it", "RFC9111 4.3.1").Quoting(reqValidationSent)
	imsSent            = suite.Should("validation/if-modified-since-sent", "a stale response with Last-Modified is validated with If-Modified-Since carrying it", "RFC9111 4.3.1").Quoting(reqValidationSent)
	notModUpdates      = suite.Must("validation/304-updates-stored", "after a 304, the stored response is served as a 200 with the 304's header fields", "RFC9111 4.3.4", "RFC9111 3.2").Quoting(req304Update)
	notModUpdatesCC    = suite.Must("validation/304-updates-cache-control", "after a 304 with Cache-Control: max-age=600, the stored response is served with that Cache-Control, not its own", "RFC9111 4.3.4", "RFC9111 3.2").Quoting(req304Update)
	notModUpdatesField = suite.Must("validation/304-updates-content-named-field", "after a 304, a field whose name starts with Content- but is no content metadata is updated like any other", "RFC9111 4.3.4", "RFC9111 3.2").Quoting(req304Update)
	notModKeeps        = suite.Must("validation/304-keeps-stored-fields", "after a 304 that omits a stored field, the stored response is served with that field", "RFC9111 3.2", "RFC9111 4.3.4").
				Quoting(`"Caches MUST include all received response header fields -- including unrecognized ones -- when storing a response" (RFC 9111 §3.1); "the cache MUST add each header field in the provided response to the stored response, replacing field values that are already present" (RFC 9111 §3.2)`)
	notModMismatch = suite.Must("validation/304-other-etag-not-used", "a 304 with another strong ETag neither updates nor revalidates the stored response", "RFC9111 4.3.4").
			Quoting(`"If none of the initial set contains at least one of the same strong validators, then the cache MUST NOT use the new response to update any stored responses." (RFC 9111 §4.3.4)`)
	fullResponseUsed = suite.Must("validation/full-response-used", "a 200 to a validation request is what the client gets", "RFC9111 4.3.3").
				Quoting(`"A full response (i.e., one containing content) indicates that none of the stored responses nominated in the conditional request are suitable. Instead, the cache MUST use the full response to satisfy the request." (RFC 9111 §4.3.3)`)
	clientTag = suite.Must("validation/other-client-tag-gets-200", "a client validating another tag gets the stored response as a 200, never the cache's 304", "RFC9111 4.3.2").
			Quoting(`"If the response to the forwarded request is 304 (Not Modified) and has an ETag field value with an entity tag that is not in the client's list, the cache MUST generate a 200 (OK) response for the client by reusing its corresponding stored response, as updated by the 304 response metadata (Section 4.3.4)." (RFC 9111 §4.3.2)`)
)

// validationWaiting: validating stale responses, RFC 9111 §4.3.
func validationWaiting(w *check.WaitGroup) {
	w.It(inmSent, func(e *harness.Env) func(*harness.Env) {
		r := newResource(e, validatable())
		r.get("before the wait: ETag \"v1\", max-age=1")
		return func(e *harness.Env) {
			r.get("after the wait")
			h := validation(e, r)
			inm, ok := h.Value("If-None-Match")
			Expect(ok && strings.Contains(inm, `"v1"`)).To(verify.Hold(), "expected the validation request to carry If-None-Match: \"v1\", observed %q", inm)
		}
	})
	w.It(imsSent, func(e *harness.Env) func(*harness.Env) {
		r := newResource(e, validatable())
		first := r.get("before the wait: Last-Modified an hour back, max-age=1")
		return func(e *harness.Env) {
			r.get("after the wait")
			h := validation(e, r)
			ims, _ := h.Value("If-Modified-Since")
			got, ok1 := httpdate.Parse(ims)
			want, ok2 := httpdate.Parse(first.Header.Get("Last-Modified"))
			Expect(ok1 && ok2 && got.Equal(want)).To(verify.Hold(), "expected the validation request to carry If-Modified-Since: %s (the stored Last-Modified), observed %q", first.Header.Get("Last-Modified"), ims)
		}
	})
	for _, c := range updateCases {
		w.It(c.check, func(e *harness.Env) func(*harness.Env) {
			r := newResource(e, c.responses()...)
			r.get("before the wait")
			return func(e *harness.Env) {
				after := afterNotModified(e, r, "after the wait: the origin answers a validation with a 304 carrying "+c.name+": "+c.updated)
				Expect(after.Status == http.StatusOK && string(after.Body) == "v1").To(verify.Hold(), "expected the stored response (200 \"v1\") after the 304, observed %s", served(after))
				Expect(after.Header.Get(c.name) == c.updated).To(verify.Hold(), "expected the stored response updated with the 304's %s: %s, observed %q", c.name, c.updated, after.Header.Get(c.name))
			}
		})
	}
	w.It(notModKeeps, func(e *harness.Env) func(*harness.Env) {
		// One fixed Last-Modified on both: a 304 whose Last-Modified
		// moved says the representation changed, and a cache may then
		// drop what it stored (httpd does), which is not what this
		// check grades.
		const lastModified = "Last-Modified: Thu, 01 Jan 2026 00:00:00 GMT"
		stored := respond("v1", "Cache-Control: max-age=1", `ETag: "v1"`, lastModified, "HC-Kept: from-the-200")
		r := newResource(e, stored, respond("v1", "Cache-Control: max-age=600", `ETag: "v1"`, lastModified))
		r.get("before the wait: a response with HC-Kept")
		return func(e *harness.Env) {
			after := afterNotModified(e, r, "after the wait: the origin answers a validation with a 304 without HC-Kept")
			Expect(after.Header.Get("HC-Kept") == "from-the-200").To(verify.Hold(), "expected the stored HC-Kept: from-the-200 kept after a 304 that omits it, observed %q", after.Header.Get("HC-Kept"))
		}
	})
	w.It(notModMismatch, func(e *harness.Env) func(*harness.Env) {
		other := status(http.StatusNotModified, "", `ETag: "v2"`, "Cache-Control: max-age=600", "HC-Updated: by-the-304")
		r := newResource(e, validatable(), other, status(http.StatusOK, "v3", "Cache-Control: max-age=600", `ETag: "v3"`))
		r.get("before the wait")
		return func(e *harness.Env) {
			r.get("after the wait: the origin answers the validation with a 304 for ETag \"v2\"")
			validation(e, r)
			after := r.get("once that 304 has been received")
			Expect(after.Header.Get("HC-Updated") == "").To(verify.Hold(), "expected the stored response not updated by a 304 for another entity-tag, observed HC-Updated: %q", after.Header.Get("HC-Updated"))
			Expect(!(after.Status == http.StatusOK && string(after.Body) == "v1")).To(verify.Hold(), "expected the stored \"v1\" not treated as validated by a 304 for \"v2\", observed it served")
		}
	})
	w.It(fullResponseUsed, func(e *harness.Env) func(*harness.Env) {
		r := newResource(e, validatable(), respond("v2", "Cache-Control: max-age=600", `ETag: "v2"`))
		r.get("before the wait")
		return func(e *harness.Env) {
			resp := r.get("after the wait: the origin answers the validation with a 200 for \"v2\"")
			validation(e, r)
			// A cache that served the stale "v1" while validating in the
			// background is graded by freshness/max-age; here what counts
			// is that the 200 is what it serves from then on.
			Expect(string(resp.Body) == "v2" || string(resp.Body) == "v1").To(verify.Hold(), "expected the 200 the origin sent to the validation request (\"v2\"), observed %s", served(resp))
			// The origin has answered; a cache validating in the background
			// may take a moment more to store the answer, so ask again for
			// up to a second before judging.
			var after *harness.Response
			note := "once the validation has been answered"
			verify.Within(time.Second, 100*time.Millisecond, func() bool {
				after = r.get(note)
				note = "again, while the cache may still be storing the answer"
				return string(after.Body) == "v2"
			})
			Expect(string(after.Body) == "v2").To(verify.Hold(), "expected the 200 the origin sent to the validation request (\"v2\") to be used, observed %s a second after it", served(after))
		}
	})
	w.It(clientTag, func(e *harness.Env) func(*harness.Env) {
		r := newResource(e, validatable())
		r.get("before the wait")
		return func(e *harness.Env) {
			resp := r.get(`after the wait, a client validating its own "v0"`, "If-None-Match", `"v0"`)
			Expect(resp.Status == http.StatusOK && string(resp.Body) == "v1").To(verify.Hold(), "expected the stored response as a 200 for a client holding \"v0\", observed %s", served(resp))
		}
	})
}

func slicesContainsStatus(hits []origin.Hit, code int) bool {
	for _, h := range hits {
		if h.Status == code {
			return true
		}
	}
	return false
}
