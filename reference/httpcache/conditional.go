package httpcache

// Handling a received validation request: RFC 9111 §4.3.2. A shared cache
// receives conditional requests from the caches of its clients; when it
// holds a response it can answer them itself.

import (
	"net/http"
	"time"

	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/etag"
)

// isValidationRequest reports whether a request's preconditions are ones a
// cache evaluates (RFC 9111 §4.3.2): If-None-Match or If-Modified-Since,
// without If-Match, If-Unmodified-Since, If-Range or Range. "the If-Match
// and If-Unmodified-Since conditional header fields are not applicable to a
// cache", and a cache that does not implement ranges cannot evaluate
// If-Range: a request carrying any of them is forwarded as it is.
func isValidationRequest(h http.Header) bool {
	for _, f := range []string{"If-Match", "If-Unmodified-Since", "If-Range", "Range"} {
		if len(h.Values(f)) > 0 {
			return false
		}
	}
	return len(h.Values("If-None-Match")) > 0 || len(h.Values("If-Modified-Since")) > 0
}

// answerValidation answers a validation request (see isValidationRequest)
// in a shared cache. With no stored response for the target the request is
// forwarded untouched: "A cache MUST NOT evaluate conditional header fields
// that ... occur in a request with a target resource for which it has no
// stored responses". Otherwise the cache obtains the response it would send
// to the request without its preconditions (from storage, or by validating
// or replacing what it stores), and, when that is a 200, evaluates the
// preconditions against it: "the cache SHOULD evaluate any applicable
// conditional header field preconditions received in that request with
// respect to the corresponding validators contained within the stored
// response". A 304 for the client is generated from it.
//
// The cache validates with its own validators, never the client's: the
// union of both lists is only a MAY, and keeping them apart means a 304
// from the origin always describes a response this cache holds (the MUST
// about a 304 for a tag "not in the client's list" never arises).
func (c *Cache) answerValidation(req *http.Request, reqCC cachecontrol.Directives) (*http.Response, Source, error) {
	if c.store.lookup(cacheKey(req.URL), req.Header) == nil {
		return c.fetch(req, nil, reqCC)
	}
	plain := req.Clone(req.Context())
	plain.Header.Del("If-None-Match")
	plain.Header.Del("If-Modified-Since")
	resp, src, err := c.do(plain)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, src, err
	}
	now := c.clock.Now()
	conditions := http.Header{
		"If-None-Match":     req.Header.Values("If-None-Match"),
		"If-Modified-Since": req.Header.Values("If-Modified-Since"),
	}
	if EvaluatePreconditions(req.Method, conditions, validatorsOf(resp.Header, now), now) != NotModified {
		return resp, src, nil
	}
	discard(resp)
	return notModified(req, resp), src, nil
}

// validatorsOf describes the representation in a response with header h for
// EvaluatePreconditions. Without Last-Modified, the modification date is the
// response's Date: "If a request contains an If-Modified-Since header field
// and the Last-Modified header field is not present in a stored response, a
// cache SHOULD use the stored response's Date field value (or, if no Date
// field is present, the time that the stored response was received) to
// evaluate the conditional" (RFC 9111 §4.3.2).
func validatorsOf(h http.Header, now time.Time) Validators {
	v := Validators{Exists: true}
	if t, ok := etag.Parse(h.Get("ETag")); ok {
		v.ETag = &t
	}
	if lm, ok := lastModified(h, now); ok {
		v.LastModified = lm
	} else {
		v.LastModified = dateValue(h, now)
	}
	return v
}

// notModifiedFields are the header fields a generated 304 carries: those
// RFC 9110 §15.4.5 requires ("Content-Location, Date, ETag, and Vary;
// Cache-Control and Expires"), Last-Modified, which guides cache updates,
// and the Age of a response served from storage.
var notModifiedFields = []string{"Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Vary", "Last-Modified", "Age"}

// notModified is the 304 (Not Modified) a cache generates for a request
// whose preconditions the 200 it would have sent fails.
func notModified(req *http.Request, full *http.Response) *http.Response {
	h := http.Header{}
	for _, f := range notModifiedFields {
		if v := full.Header.Values(f); len(v) > 0 {
			h[http.CanonicalHeaderKey(f)] = v
		}
	}
	return &http.Response{
		Status:     "304 Not Modified",
		StatusCode: http.StatusNotModified,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Body:       http.NoBody,
		Request:    req,
	}
}
