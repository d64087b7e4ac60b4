package httpcache

// Conditional requests as an origin server evaluates them: RFC 9110 §13.
//
// If-Range (RFC 9110 §13.1.5, step 5 of §13.2.2) is out of scope: the
// reference server does not implement range requests, and a server MUST
// ignore If-Range without Range.

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
	"github.com/httpcheck/httpcheck/syntax/etag"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// Validators describes the target resource's current state, against which
// preconditions are evaluated.
type Validators struct {
	// Exists reports whether the target resource has a current
	// representation. If-Match: * and If-None-Match: * test exactly this.
	Exists bool
	// ETag is the entity-tag of the selected representation (RFC 9110
	// §8.8.3), nil if it has none.
	ETag *etag.Tag
	// LastModified is the selected representation's modification time
	// (RFC 9110 §8.8.2), zero if it has none. It is compared at the
	// one-second resolution of HTTP-date, as the Last-Modified field would
	// carry it.
	LastModified time.Time
}

// Outcome is the result of evaluating preconditions.
type Outcome int

const (
	// Proceed: every condition held (or none applied); perform the method.
	Proceed Outcome = iota
	// NotModified: respond 304 (Not Modified).
	NotModified
	// PreconditionFailed: respond 412 (Precondition Failed).
	PreconditionFailed
)

// String returns "proceed", "304 Not Modified" or "412 Precondition Failed".
func (o Outcome) String() string {
	switch o {
	case Proceed:
		return "proceed"
	case NotModified:
		return "304 Not Modified"
	case PreconditionFailed:
		return "412 Precondition Failed"
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// StatusCode returns 304 or 412, or 0 for Proceed.
func (o Outcome) StatusCode() int {
	switch o {
	case NotModified:
		return http.StatusNotModified
	case PreconditionFailed:
		return http.StatusPreconditionFailed
	}
	return 0
}

// EvaluatePreconditions evaluates the conditional request header fields of
// RFC 9110 §13.1 in the order RFC 9110 §13.2.2 prescribes, as the origin
// server for the target resource described by v. now is the server's clock.
//
// The caller is expected to have made its normal request checks first: RFC
// 9110 §13.2.1 says preconditions are ignored when the response without them
// would not have been 2xx or 412 (a redirect, a 404, a 401), and only then is
// this function consulted.
//
// Choices where the RFC leaves room, each a deliberate finding:
//   - A field value that is not a valid list of entity-tags falls to the
//     "Otherwise" step of the field's evaluation: If-Match is false (412),
//     If-None-Match is true (proceed). An empty If-Match list matches
//     nothing, so it too fails.
//   - If-Unmodified-Since against a representation without a modification
//     date (or no representation) is false: its condition holds only when
//     the date "is earlier than or equal to" the field value (RFC 9110
//     §13.1.4). Go's net/http ignores the field in that case instead.
//   - An If-Modified-Since date later than now is ignored. RFC 9110 §13.1.3
//     does not say so; RFC 2616 §14.25 did ("A date which is later than the
//     server's current time is invalid"). The effect is to answer 200 where
//     a literal reading would answer 304; a check must accept either.
//   - A failed If-Match or If-Unmodified-Since always gives 412: the RFC's
//     alternative, a 2xx when "the state-changing request has already
//     succeeded", needs knowledge of the change that this function does not
//     have.
func EvaluatePreconditions(method string, h http.Header, v Validators, now time.Time) Outcome {
	switch method {
	case http.MethodConnect, http.MethodOptions, http.MethodTrace:
		// RFC 9110 §13.2.1: a server MUST ignore the conditional request
		// header fields with a method that does not involve the selection
		// or modification of a selected representation.
		return Proceed
	}
	getOrHead := method == http.MethodGet || method == http.MethodHead

	if im, ok := fieldValue(h, "If-Match"); ok {
		// RFC 9110 §13.2.2 step 1.
		if !ifMatch(im, v) {
			return PreconditionFailed
		}
	} else if _, ok := fieldValue(h, "If-Unmodified-Since"); ok {
		// RFC 9110 §13.2.2 step 2: If-Match is not present. RFC 9110
		// §13.1.4: ignore the field if the value is not a valid HTTP-date
		// (including when it appears to be a list of dates).
		if t, valid := singleHTTPDate(h.Values("If-Unmodified-Since"), now); valid && !ifUnmodifiedSince(t, v) {
			return PreconditionFailed
		}
	}

	if inm, ok := fieldValue(h, "If-None-Match"); ok {
		// RFC 9110 §13.2.2 step 3. When true, continue to step 5: step 4 is
		// skipped, since a recipient MUST ignore If-Modified-Since when
		// If-None-Match is present (RFC 9110 §13.1.3).
		if !ifNoneMatch(inm, v) {
			if getOrHead {
				return NotModified
			}
			return PreconditionFailed
		}
	} else if _, ok := fieldValue(h, "If-Modified-Since"); ok && getOrHead {
		// RFC 9110 §13.2.2 step 4. RFC 9110 §13.1.3: ignore the field if
		// the value is not a valid HTTP-date or has more than one member.
		t, valid := singleHTTPDate(h.Values("If-Modified-Since"), now)
		if valid && !t.After(now) && !ifModifiedSince(t, v) {
			return NotModified
		}
	}

	// RFC 9110 §13.2.2 step 5 (If-Range) is out of scope; step 6: all
	// conditions are met.
	return Proceed
}

// ifMatch evaluates If-Match, RFC 9110 §13.1.1.
func ifMatch(value string, v Validators) bool {
	tags, star, ok := etag.ParseList(value)
	switch {
	case !ok:
		return false // 3. Otherwise, the condition is false.
	case star:
		// 1. If the field value is "*", the condition is true if the origin
		// server has a current representation for the target resource.
		return v.Exists
	}
	// 2. If the field value is a list of entity-tags, the condition is true
	// if any of the listed tags match the entity-tag of the selected
	// representation, using the strong comparison function.
	return anyTagMatches(tags, v, etag.StrongMatch)
}

// ifNoneMatch evaluates If-None-Match, RFC 9110 §13.1.2.
func ifNoneMatch(value string, v Validators) bool {
	tags, star, ok := etag.ParseList(value)
	switch {
	case !ok:
		return true // 3. Otherwise, the condition is true.
	case star:
		// 1. If the field value is "*", the condition is false if the
		// origin server has a current representation for the target
		// resource.
		return !v.Exists
	}
	// 2. If the field value is a list of entity-tags, the condition is false
	// if one of the listed tags matches the entity-tag of the selected
	// representation, using the weak comparison function.
	return !anyTagMatches(tags, v, etag.WeakMatch)
}

// anyTagMatches reports whether one of tags matches the entity-tag of the
// selected representation under the comparison function match; never when
// the representation has none.
func anyTagMatches(tags []etag.Tag, v Validators, match func(a, b etag.Tag) bool) bool {
	if cur, has := currentETag(v); has {
		for _, t := range tags {
			if match(t, cur) {
				return true
			}
		}
	}
	return false
}

// ifModifiedSince evaluates If-Modified-Since, RFC 9110 §13.1.3: false if
// the selected representation's last modification date is earlier or equal
// to the date provided; otherwise true (so true when there is no date).
func ifModifiedSince(date time.Time, v Validators) bool {
	lm, has := currentLastModified(v)
	return !has || lm.After(date)
}

// ifUnmodifiedSince evaluates If-Unmodified-Since, RFC 9110 §13.1.4: true
// if the selected representation's last modification date is earlier than
// or equal to the date provided; otherwise false (so false when there is no
// date).
func ifUnmodifiedSince(date time.Time, v Validators) bool {
	lm, has := currentLastModified(v)
	return has && !lm.After(date)
}

func currentETag(v Validators) (etag.Tag, bool) {
	if !v.Exists || v.ETag == nil {
		return etag.Tag{}, false
	}
	return *v.ETag, true
}

func currentLastModified(v Validators) (time.Time, bool) {
	if !v.Exists || v.LastModified.IsZero() {
		return time.Time{}, false
	}
	return v.LastModified.Truncate(time.Second), true
}

// fieldValue joins the field's lines as a list (RFC 9110 §5.3) and reports
// whether the field is present at all.
func fieldValue(h http.Header, name string) (string, bool) {
	vs := h.Values(name)
	if len(vs) == 0 {
		return "", false
	}
	return strings.Join(vs, ", "), true
}

// singleHTTPDate parses a field that must hold exactly one HTTP-date. Origin
// servers parse strictly (RFC 9110 §5.6.7: HTTP-date is case-sensitive).
func singleHTTPDate(lines []string, now time.Time) (time.Time, bool) {
	if len(lines) != 1 {
		return time.Time{}, false
	}
	return httpdate.ParseAt(httpsyntax.TrimOWS(lines[0]), now)
}
