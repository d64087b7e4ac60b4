package httpcache

// Range requests answered from storage (RFC 9110 §14), shared cache only.
// A GET with one byte range (and at most If-Range among the preconditions)
// for a stored complete 200 that can be reused is answered from it: 206
// with the bytes and a Content-Range when the range is satisfiable and
// If-Range, if any, matches; the whole 200 when If-Range does not match
// ("the recipient SHOULD ignore the Range header field and send a 200",
// RFC 9110 §13.1.5, and the response is not changed otherwise). Anything
// else (several ranges, an unsatisfiable or unreadable one, a stored 206,
// a response that must be validated first) goes to the origin as before:
// "A server MAY ignore the Range header field" (§14.2), and so may a
// cache. This cache stores no partial responses, so it never combines
// them (RFC 9111 §3.4 is a MAY).

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/etag"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// rangeFromStorage answers a range request from storage, or returns nil
// when it cannot (the caller forwards it).
func (c *Cache) rangeFromStorage(req *http.Request, method string, reqCC cachecontrol.Directives) *http.Response {
	h := req.Header
	if !c.shared || method != http.MethodGet || len(h.Values("Range")) != 1 {
		return nil
	}
	for _, f := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if len(h.Values(f)) > 0 {
			return nil
		}
	}
	e := c.store.lookup(cacheKey(req.URL), h)
	// A body the transport decoded is not the representation the stored
	// ETag names (the transport drops Content-Encoding), so its bytes are
	// not the ones a range of that representation would carry.
	if e == nil || e.status != http.StatusOK || e.uncompressed || !c.canReuse(e, reqCC, c.clock.Now()) {
		return nil
	}
	first, last, ok := singleByteRange(h.Get("Range"), int64(len(e.body)))
	if !ok {
		return nil
	}
	resp := c.fromStorage(req, e, true)
	if ir := h.Values("If-Range"); len(ir) > 0 && !ifRangeMatches(ir, e.header) {
		return resp // the whole response: §13.1.5
	}
	part := e.body[first : last+1]
	resp.StatusCode, resp.Status = http.StatusPartialContent, "206 Partial Content"
	resp.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, len(e.body)))
	resp.Header.Set("Content-Length", strconv.Itoa(len(part)))
	// A digest of the whole content is wrong for a part (RFC 9530
	// Content-Digest, and the obsolete Content-MD5); Repr-Digest, of the
	// representation, stays true.
	resp.Header.Del("Content-Digest")
	resp.Header.Del("Content-MD5")
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(part)), int64(len(part))
	return resp
}

// singleByteRange reads a Range value of one satisfiable byte range (RFC
// 9110 §14.1.2): "bytes=first-last", "bytes=first-" or "bytes=-suffix",
// clipped to size. ok is false for anything else.
func singleByteRange(v string, size int64) (first, last int64, ok bool) {
	unit, spec, found := strings.Cut(v, "=")
	if !found || !strings.EqualFold(strings.TrimSpace(unit), "bytes") || strings.Contains(spec, ",") || size == 0 {
		return 0, 0, false
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false
	}
	if a == "" { // a suffix: the last b bytes
		n, ok := httpsyntax.Digits(b)
		if !ok || n == 0 {
			return 0, 0, false
		}
		return max(size-n, 0), size - 1, true
	}
	first, ok = httpsyntax.Digits(a)
	if !ok || first >= size {
		return 0, 0, false
	}
	if b == "" {
		return first, size - 1, true
	}
	last, ok = httpsyntax.Digits(b)
	if !ok || last < first {
		return 0, 0, false
	}
	return first, min(last, size-1), true
}

// ifRangeMatches evaluates If-Range against the stored response (RFC 9110
// §13.1.5): an entity-tag matches by the strong comparison. A date could
// match a strong Last-Modified (one at least a second before the stored
// Date, §8.8.2.2); this cache never lets a date match, since answering the
// whole 200 is what ignoring Range gives, and that is always allowed.
func ifRangeMatches(values []string, stored http.Header) bool {
	if len(values) != 1 {
		return false
	}
	v := strings.TrimSpace(values[0])
	if _, ok := httpdate.Parse(v); ok {
		return false
	}
	tag, ok := etag.Parse(v)
	have, ok2 := etag.Parse(stored.Get("ETag"))
	return ok && ok2 && etag.StrongMatch(tag, have)
}
