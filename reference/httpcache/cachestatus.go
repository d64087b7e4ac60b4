package httpcache

// Cache-Status: RFC 9211. With Options.CacheStatus the cache appends its
// member to every response it returns, after any member a cache upstream
// added ("caches add their member to the end", RFC 9211 §2):
//
//	Cache-Status: httpcheck; hit; ttl=540; key="GET http://a.test/p"
//	Cache-Status: httpcheck; fwd=stale; fwd-status=304; stored; ttl=600; key="..."
//
// The member is worked out from what storage held before the request and
// after it, and from the Source, so that the cache's paths stay as they are.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
)

// storedBefore is what storage held for a request when it arrived.
type storedBefore struct {
	entry *entry // the stored response the request selects, if any
	// otherVariants: the primary key has stored responses, none of
	// which the request's Vary fields select (RFC 9211 fwd=vary-miss).
	otherVariants bool
	// fresh: entry could be reused as far as the response is concerned;
	// the request's own directives aside (fwd=request when it was not).
	fresh bool
	// whileRevalidating: entry may be served stale while revalidated in
	// the background, which RFC 9211 counts as a hit.
	whileRevalidating bool
}

// observe records what storage holds for req.
func (c *Cache) observe(req *http.Request) storedBefore {
	key := cacheKey(req.URL)
	e := c.store.lookup(key, req.Header)
	if e == nil {
		return storedBefore{otherVariants: c.store.hasKey(key)}
	}
	now := c.clock.Now()
	reqCC := cachecontrol.Parse(req.Header.Values("Cache-Control"))
	return storedBefore{
		entry:             e,
		fresh:             c.canReuse(e, cachecontrol.Directives{}, now),
		whileRevalidating: c.mayServeWhileRevalidating(e, reqCC, now),
	}
}

// cacheStatus is this cache's Cache-Status member for resp, the answer to
// req from src.
func (c *Cache) cacheStatus(req *http.Request, resp *http.Response, src Source, b storedBefore) string {
	params := []string{c.statusName}
	hit := src == SourceCache || src == SourceStale && b.whileRevalidating
	switch {
	case hit:
		params = append(params, "hit")
	case src == SourceGenerated && b.entry == nil:
		// only-if-cached with nothing stored: not forwarded, not a hit.
		params = append(params, `detail="only-if-cached"`)
	default:
		params = append(params, "fwd="+forwardReason(req, b))
		if status := forwardStatus(resp, src); status != 0 {
			params = append(params, "fwd-status="+strconv.Itoa(status))
		}
	}
	after := c.store.lookup(cacheKey(req.URL), req.Header)
	stored := after != nil && after != b.entry && (src == SourceNetwork || src == SourceReplaced || src == SourceRevalidated)
	if stored {
		params = append(params, "stored")
	}
	if served := c.servedEntry(src, b, after, stored); served != nil {
		params = append(params, "ttl="+strconv.FormatInt(int64(c.remainingFreshness(served)/time.Second), 10))
	}
	params = append(params, "key="+sfString(cacheKey(req.URL)))
	return strings.Join(params, "; ")
}

// forwardReason is fwd (RFC 9211 §2.2): why the request went to the origin.
func forwardReason(req *http.Request, b storedBefore) string {
	switch {
	case req.Method != "" && req.Method != http.MethodGet && req.Method != http.MethodHead:
		return "method"
	case !isValidationRequest(req.Header) && (hasPreconditions(req.Header) || len(req.Header.Values("Range")) > 0):
		return "bypass" // forwarded as it is (Do)
	case b.entry == nil && b.otherVariants:
		return "vary-miss"
	case b.entry == nil:
		return "uri-miss"
	case b.fresh:
		return "request" // fresh, but the request's directives wanted more
	}
	return "stale"
}

// forwardStatus is fwd-status: the status the origin answered, when known.
func forwardStatus(resp *http.Response, src Source) int {
	switch src {
	case SourceNetwork, SourceReplaced:
		return resp.StatusCode
	case SourceRevalidated:
		return http.StatusNotModified
	}
	return 0 // served stale on an error, or generated: not recorded
}

// servedEntry is the stored response the answer came from or went into,
// for ttl; nil when the answer has nothing to do with storage.
func (c *Cache) servedEntry(src Source, b storedBefore, after *entry, stored bool) *entry {
	switch {
	case stored, src == SourceCache && after != nil:
		return after
	case src == SourceStale:
		return b.entry
	}
	return nil
}

// remainingFreshness is ttl (RFC 9211 §2.5): freshness lifetime less
// current age, negative once stale.
func (c *Cache) remainingFreshness(e *entry) time.Duration {
	return -c.staleness(e, c.clock.Now())
}

// sfString writes s as a Structured Fields String (RFC 8941 §3.3.3).
func sfString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c > 0x7e:
			fmt.Fprintf(&b, "%%%02X", c) // a URI has none; escaped all the same
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
