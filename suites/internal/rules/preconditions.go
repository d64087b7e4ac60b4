package rules

// Conditional GETs whose answer RFC 9110 §13 fixes: each is a request to
// send, built from the resource's current validators, and the status a
// conforming origin server answers it with. The order of evaluation of
// §13.2.2 decides the precedence cases.

import (
	"fmt"
	"net/http"
	"time"

	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// A Precondition is one conditional GET and its answer.
type Precondition struct {
	// What describes the request, for messages.
	What string
	// Want is the status a conforming origin server answers: 304, or 200
	// with the full representation.
	Want int
	// NeedsETag and NeedsLastModified say which validators the request is
	// built from; without them it cannot be sent.
	NeedsETag, NeedsLastModified bool
	build                        func(etag string, lastModified time.Time) http.Header
}

// Header returns the request's precondition fields for a representation
// with the given ETag and Last-Modified.
func (p Precondition) Header(etag string, lastModified time.Time) http.Header {
	return p.build(etag, lastModified)
}

// Judge grades the status the target answered.
func (p Precondition) Judge(status int) string {
	if status != p.Want {
		return fmt.Sprintf("expected %d for %s, observed %d", p.Want, p.What, status)
	}
	return ""
}

// NonMatchingETag is an entity-tag no representation has.
const NonMatchingETag = `"not-the-current-tag"`

func fields(pairs ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(pairs); i += 2 {
		h.Add(pairs[i], pairs[i+1])
	}
	return h
}

// The conditional GETs.
var (
	// IfNoneMatchCurrent: If-None-Match naming the current ETag is false,
	// so GET gets 304 (RFC 9110 §13.1.2, §13.2.2 step 3).
	IfNoneMatchCurrent = Precondition{What: "If-None-Match with the current ETag", Want: http.StatusNotModified, NeedsETag: true,
		build: func(etag string, _ time.Time) http.Header { return fields("If-None-Match", etag) }}
	// IfNoneMatchStar: If-None-Match: * is false for a resource that has a
	// current representation (RFC 9110 §13.1.2).
	IfNoneMatchStar = Precondition{What: "If-None-Match: * on an existing resource", Want: http.StatusNotModified,
		build: func(string, time.Time) http.Header { return fields("If-None-Match", "*") }}
	// IfModifiedSinceEqual: a Last-Modified not later than the date is
	// "not modified" (RFC 9110 §13.1.3, §13.2.2 step 4).
	IfModifiedSinceEqual = Precondition{What: "If-Modified-Since equal to Last-Modified", Want: http.StatusNotModified, NeedsLastModified: true,
		build: func(_ string, lm time.Time) http.Header {
			return fields("If-Modified-Since", httpdate.Format(lm))
		}}
	// INMMismatchWithCurrentIMS: a true If-None-Match goes to step 5 of
	// RFC 9110 §13.2.2, skipping If-Modified-Since: the answer is 200.
	INMMismatchWithCurrentIMS = Precondition{What: "a non-matching If-None-Match with a current If-Modified-Since", Want: http.StatusOK,
		NeedsETag: true, NeedsLastModified: true,
		build: func(_ string, lm time.Time) http.Header {
			return fields("If-None-Match", NonMatchingETag, "If-Modified-Since", httpdate.Format(lm))
		}}
	// INMMatchWithOldIMS: a false If-None-Match answers 304 at step 3 of
	// RFC 9110 §13.2.2; the old If-Modified-Since is never evaluated.
	INMMatchWithOldIMS = Precondition{What: "a matching If-None-Match with an old If-Modified-Since", Want: http.StatusNotModified,
		NeedsETag: true, NeedsLastModified: true,
		build: func(etag string, lm time.Time) http.Header {
			return fields("If-None-Match", etag, "If-Modified-Since", httpdate.Format(lm.Add(-time.Hour)))
		}}
)
