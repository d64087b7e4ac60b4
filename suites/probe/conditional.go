package probe

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// validated is the 200 a conditional check starts from: a fresh browser's
// GET of the URL, and the validators it carried.
type validated struct {
	b     *harness.Browser
	resp  *harness.Response
	etag  string
	lm    time.Time
	hasLM bool
}

// start GETs the URL with a fresh browser, skipping the check unless the
// answer is a 200: preconditions apply to what would otherwise be a 2xx
// (RFC 9110 §13.2.1).
func start(e *harness.Env) *validated {
	b := e.NewBrowser()
	r := b.Do(harness.Request{Note: "GET, for the validators the follow-up requests use"})
	if r.Status != http.StatusOK {
		e.Skipf("the URL answered %d, not 200: conditional requests are graded on a 200", r.Status)
	}
	v := &validated{b: b, resp: r, etag: r.Header.Get("ETag")}
	v.lm, v.hasLM = httpdate.Parse(r.Header.Get("Last-Modified"))
	return v
}

func (v *validated) needETag(e *harness.Env) {
	if v.etag == "" {
		e.Skipf("the URL gave no ETag")
	}
}

func (v *validated) needLastModified(e *harness.Env) {
	if lm := v.resp.Header.Get("Last-Modified"); lm == "" {
		e.Skipf("the URL gave no Last-Modified")
	} else if !v.hasLM {
		e.Skipf("the URL gave no Last-Modified HTTP-date (it sent %q)", lm)
	}
}

// needs skips the check unless the URL gave the validators p is built from.
func (v *validated) needs(e *harness.Env, p rules.Precondition) {
	if p.NeedsETag {
		v.needETag(e)
	}
	if p.NeedsLastModified {
		v.needLastModified(e)
	}
}

// send sends the conditional GET p.
func (v *validated) send(p rules.Precondition) *harness.Response {
	return v.b.Do(harness.Request{Header: p.Header(v.etag, v.lm), Note: p.What})
}

// notModified sends p and skips the check unless the answer is a 304:
// the checks on what a 304 carries need one (the check on p's status
// grades its absence).
func (v *validated) notModified(e *harness.Env, p rules.Precondition, grader string) *harness.Response {
	v.needs(e, p)
	r := v.send(p)
	if r.Status != http.StatusNotModified {
		e.Skipf("the URL answered %d, not 304, to %s (%s grades that)", r.Status, p.What, grader)
	}
	return r
}

// judgeStatus sends p and grades the status.
func judgeStatus(e *harness.Env, p rules.Precondition) {
	GinkgoHelper()
	v := start(e)
	v.needs(e, p)
	Expect(p.Judge(v.send(p).Status)).To(verify.Pass())
}

// judgeNoBody sends p on a raw connection and grades what follows the
// header section of the 304.
func judgeNoBody(e *harness.Env, p rules.Precondition, grader string) {
	GinkgoHelper()
	v := start(e)
	v.needs(e, p)
	raw := v.b.Raw(http.MethodGet, "", p.Header(v.etag, v.lm))
	if raw.Status != http.StatusNotModified {
		e.Skipf("the URL answered %q, not 304, to %s (%s grades that)", raw.StatusLine, p.What, grader)
	}
	Expect(rules.NotModifiedNoContent(raw.After)).To(verify.Pass())
}

// judgeFields sends p and grades the fields of the 304 against the 200.
func judgeFields(e *harness.Env, p rules.Precondition, grader string) {
	GinkgoHelper()
	v := start(e)
	nm := v.notModified(e, p, grader)
	var problems []string
	for _, f := range rules.NotModifiedFields {
		if s := rules.NotModifiedRepeats(f, v.resp.Header, nm.Header); s != "" {
			problems = append(problems, s)
		}
	}
	if v.resp.Header.Get("Date") != "" {
		if s := rules.NotModifiedDate(nm.Header); s != "" {
			problems = append(problems, s)
		}
	}
	Expect(strings.Join(problems, "; ")).To(verify.Pass())
}

// Conditional requests, sent as follow-ups (RFC 9110 §13, §15.4.5).
var (
	inmMatch = suite.Must("if-none-match/match-gets-304", "GET with If-None-Match naming the current ETag gets 304", "RFC9110 13.1.2").
			Quoting(qINMFalse)
	inmNoBody = suite.Must("if-none-match/304-no-body", "the 304 to If-None-Match has no content", "RFC9110 15.4.5").
			Quoting(q304NoBody)
	inmFields = suite.Must("if-none-match/304-headers", "the 304 to If-None-Match carries the ETag, Cache-Control, Expires, Vary, Content-Location and Date the 200 had", "RFC9110 15.4.5").
			Quoting(q304Fields)
	inmStar = suite.Must("if-none-match/star", "GET with If-None-Match: * gets 304 from a URL that has validators", "RFC9110 13.1.2").
		Quoting(`"If the field value is "*", the condition is false if the origin server has a current representation for the target resource." (RFC 9110 §13.1.2) ` + qINMFalse)
	imsEqual = suite.Should("if-modified-since/equal-gets-304", "GET with If-Modified-Since equal to Last-Modified gets 304", "RFC9110 13.1.3").
			Quoting(`"If the selected representation's last modification date is earlier or equal to the date provided in the field value, the condition is false." ... "An origin server that evaluates an If-Modified-Since condition SHOULD NOT perform the requested method if the condition evaluates to false; instead, the origin server SHOULD generate a 304 (Not Modified) response ..." (RFC 9110 §13.1.3)`)
	imsNoBody = suite.Must("if-modified-since/304-no-body", "the 304 to If-Modified-Since has no content", "RFC9110 15.4.5").
			Quoting(q304NoBody)
	imsFields = suite.Must("if-modified-since/304-headers", "the 304 to If-Modified-Since carries the ETag, Cache-Control, Expires, Vary, Content-Location and Date the 200 had", "RFC9110 15.4.5").
			Quoting(q304Fields)
	inmOverIMS = suite.Must("precedence/inm-mismatch-beats-current-ims", "a non-matching If-None-Match with a current If-Modified-Since gets 200: If-Modified-Since is ignored", "RFC9110 13.2.2", "RFC9110 13.1.3").
			Quoting(`"A recipient MUST ignore If-Modified-Since if the request contains an If-None-Match header field; the condition in If-None-Match is considered to be a more accurate replacement for the condition in If-Modified-Since ..." (RFC 9110 §13.1.3)`)
	inmMatchOld = suite.Must("precedence/inm-match-beats-old-ims", "a matching If-None-Match with an old If-Modified-Since gets 304", "RFC9110 13.2.2").
			Quoting(`"A recipient cache or origin server MUST evaluate the request preconditions defined by this specification in the following order: ... When If-None-Match is present, evaluate the If-None-Match precondition: ... if false for GET/HEAD, respond 304 (Not Modified)" (RFC 9110 §13.2.2)`)
	etagStable = suite.Should("validators/etag-stable", "two fetches of the same body get the same ETag", "RFC9110 8.8.3").
			Quoting(`"... it is in the best interests of the origin server to only change the value when it is necessary to invalidate the stored responses held by remote caches and authoring tools." (RFC 9110 §8.8.1)`)
	etagChanges = suite.Must("validators/etag-changes-with-content", "two fetches of different bodies get different strong ETags", "RFC9110 8.8.3").
			Quoting(`"A strong validator is representation metadata that changes value whenever a change occurs to the representation data that would be observable in the content of a 200 (OK) response to GET." (RFC 9110 §8.8.1)`)
	headMatches = suite.Should("validators/head-matches-get", "HEAD carries the ETag and Last-Modified GET does", "RFC9110 9.3.2").
			Quoting(`"The server SHOULD send the same header fields in response to a HEAD request as it would have sent if the request method had been GET." (RFC 9110 §9.3.2)`)
)

// Sentences quoted by several conditional checks: what an origin does when
// If-None-Match is false, and what the 304s to both preconditions carry.
const (
	qINMFalse  = `"An origin server that evaluates an If-None-Match condition MUST NOT perform the requested method if the condition evaluates to false; instead, the origin server MUST respond with either a) the 304 (Not Modified) status code if the request method is GET or HEAD or b) the 412 (Precondition Failed) status code for all other request methods." (RFC 9110 §13.1.2)`
	q304NoBody = `"A 304 response is terminated by the end of the header section; it cannot contain content or trailers." (RFC 9110 §15.4.5)`
	q304Fields = `"The server generating a 304 response MUST generate any of the following header fields that would have been sent in a 200 (OK) response to the same request: Content-Location, Date, ETag, and Vary ... Cache-Control and Expires (see [CACHING])" (RFC 9110 §15.4.5)`
)

// describeConditional declares the checks that send follow-up requests.
// Each starts from its own GET with a fresh browser, so its evidence is
// the 200 and what followed.
func describeConditional(t *harness.Target) {
	Describe("conditional requests", func() {
		inmMatch.ItOn(t, func(e *harness.Env) { judgeStatus(e, rules.IfNoneMatchCurrent) })
		inmNoBody.ItOn(t, func(e *harness.Env) { judgeNoBody(e, rules.IfNoneMatchCurrent, inmMatch.ID) })
		inmFields.ItOn(t, func(e *harness.Env) { judgeFields(e, rules.IfNoneMatchCurrent, inmMatch.ID) })
		inmStar.ItOn(t, func(e *harness.Env) {
			v := start(e)
			if v.etag == "" && v.resp.Header.Get("Last-Modified") == "" {
				e.Skipf("the URL gave neither an ETag nor a Last-Modified, so it evidently does not answer conditional requests")
			}
			Expect(rules.IfNoneMatchStar.Judge(v.send(rules.IfNoneMatchStar).Status)).To(verify.Pass())
		})
		imsEqual.ItOn(t, func(e *harness.Env) { judgeStatus(e, rules.IfModifiedSinceEqual) })
		imsNoBody.ItOn(t, func(e *harness.Env) { judgeNoBody(e, rules.IfModifiedSinceEqual, imsEqual.ID) })
		imsFields.ItOn(t, func(e *harness.Env) { judgeFields(e, rules.IfModifiedSinceEqual, imsEqual.ID) })
		inmOverIMS.ItOn(t, func(e *harness.Env) { judgeStatus(e, rules.INMMismatchWithCurrentIMS) })
		inmMatchOld.ItOn(t, func(e *harness.Env) { judgeStatus(e, rules.INMMatchWithOldIMS) })
	})

	Describe("validators", func() {
		etagStable.ItOn(t, func(e *harness.Env) {
			v := start(e)
			v.needETag(e)
			again := v.b.Do(harness.Request{Note: "the same GET again"})
			if !bytes.Equal(again.Body, v.resp.Body) {
				e.Skipf("the body changed between two fetches (%s grades that)", etagChanges.ID)
			}
			Expect(rules.ETagStable(v.etag, again.Header.Get("ETag"))).To(verify.Pass())
		})
		etagChanges.ItOn(t, func(e *harness.Env) {
			v := start(e)
			v.needETag(e)
			again := v.b.Do(harness.Request{Note: "the same GET again"})
			if bytes.Equal(again.Body, v.resp.Body) {
				e.Skipf("the body did not change between two fetches, so there was no change to see")
			}
			if strings.HasPrefix(v.etag, "W/") || strings.HasPrefix(again.Header.Get("ETag"), "W/") {
				e.Skipf("the ETag is weak, and a weak ETag may stay the same across changes that keep the meaning (RFC 9110 §8.8.3)")
			}
			Expect(rules.ETagChanged(v.etag, again.Header.Get("ETag"))).To(verify.Pass())
		})
		headMatches.ItOn(t, func(e *harness.Env) {
			v := start(e)
			if v.etag == "" && v.resp.Header.Get("Last-Modified") == "" {
				e.Skipf("the URL gave neither an ETag nor a Last-Modified to compare")
			}
			h := v.b.Do(harness.Request{Method: http.MethodHead, Note: "HEAD, for its validators"})
			Expect(h.Status == http.StatusOK).To(verify.Hold(), "expected 200 for HEAD, as GET got, observed %d", h.Status)
			Expect(rules.HeadCarriesValidators(v.resp.Header, h.Header)).To(verify.Pass())
		})
	})
}
