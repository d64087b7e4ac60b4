package httpcache

// Serving stale responses: RFC 9111 §4.2.4 and RFC 5861 (the
// stale-while-revalidate and stale-if-error Cache-Control extensions), for
// shared caches only. A private cache, the harness's, never serves stale
// content without the client's max-stale: a check must see what the target
// does now, not what it did.

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
)

// backgroundTimeout bounds a revalidation nobody waits for.
const backgroundTimeout = 30 * time.Second

// isStaleProhibited reports whether an explicit in-protocol directive
// forbids serving e stale: "A cache MUST NOT generate a stale response if it
// is prohibited by an explicit in-protocol directive (e.g., by a no-cache
// response directive, a must-revalidate response directive, or an
// applicable s-maxage or proxy-revalidate response directive" (RFC 9111
// §4.2.4). A stored response a HEAD response found outdated (RFC 9111
// §4.3.5) is not served stale either: it is known to be replaced.
func (c *Cache) isStaleProhibited(e *entry) bool {
	if noCache, fields := e.cc.NoCache(); noCache && fields == nil {
		return true
	}
	return e.stale || c.mustRevalidate(e)
}

// staleness is how long e has been stale at now; zero or less while fresh.
func (c *Cache) staleness(e *entry, now time.Time) time.Duration {
	return currentAge(e.header, e.requestTime, e.responseTime, now) - c.freshnessLifetime(e)
}

// mayServeWhileRevalidating reports whether a shared cache may answer the
// request with e, stale, while it revalidates e in the background: "caches
// MAY serve the response in which it appears after it becomes stale, up to
// the indicated number of seconds" (RFC 5861 §3). A request that asks for
// validation (no-cache) or limits the age it accepts (max-age, min-fresh)
// does not "wish to receive a stale response" (RFC 9111 §5.2.1.1) and is
// validated as usual.
func (c *Cache) mayServeWhileRevalidating(e *entry, reqCC cachecontrol.Directives, now time.Time) bool {
	if !c.shared || c.isStaleProhibited(e) {
		return false
	}
	if reqCC.Has("no-cache") || reqCC.Has("max-age") || reqCC.Has("min-fresh") {
		return false
	}
	window, ok := e.cc.StaleWhileRevalidate()
	if !ok {
		return false
	}
	s := c.staleness(e, now)
	return s > 0 && s <= window
}

// mayServeStaleOnError reports whether a shared cache may answer with e,
// stale, because the origin failed (a transport error or a 5xx): "when an
// error is encountered, a cached stale response MAY be used to satisfy the
// request, regardless of other freshness information", up to the
// stale-if-error value of the response or of the request, beyond which it
// "SHOULD NOT be used" (RFC 5861 §4).
func (c *Cache) mayServeStaleOnError(e *entry, reqCC cachecontrol.Directives, now time.Time) bool {
	if !c.shared || c.isStaleProhibited(e) {
		return false
	}
	window, ok := e.cc.StaleIfError()
	if w, reqOK := reqCC.StaleIfError(); reqOK && (!ok || w > window) {
		window, ok = w, true
	}
	if !ok {
		return false
	}
	return c.staleness(e, now) <= window
}

// revalidations are the background revalidations in flight, one per stored
// response at most: RFC 5861 §3 asks the cache to revalidate "while still
// serving stale responses (i.e., without blocking)", and a busy resource
// must not start one per request.
type revalidations struct {
	mu       sync.Mutex
	inFlight map[*entry]bool
	wg       sync.WaitGroup
}

// revalidateInBackground starts validating e, on behalf of req, unless that
// is already under way. The answer updates or replaces e in storage as any
// validation would; nobody reads it.
func (c *Cache) revalidateInBackground(req *http.Request, e *entry) {
	r := &c.background
	r.mu.Lock()
	if r.inFlight == nil {
		r.inFlight = map[*entry]bool{}
	}
	if r.inFlight[e] {
		r.mu.Unlock()
		return
	}
	r.inFlight[e] = true
	r.wg.Add(1)
	r.mu.Unlock()

	// The client's request ends when its stale response is sent; the
	// revalidation must outlive it, and is the cache's own request: it
	// takes nothing of the client's context, whose values may carry
	// hooks for the client's exchange (a proxy forwarding 1xx responses,
	// RFC 9110 §15.2, must not forward those of a request it made
	// itself). It is a GET even for a HEAD, so that a full answer can be
	// stored.
	ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
	breq := req.Clone(ctx)
	breq.Method = http.MethodGet
	go func() {
		defer func() {
			cancel()
			r.mu.Lock()
			delete(r.inFlight, e)
			r.mu.Unlock()
			r.wg.Done()
		}()
		reqCC := cachecontrol.Parse(breq.Header.Values("Cache-Control"))
		var resp *http.Response
		var err error
		if hasValidators(e.header, e.responseTime) {
			resp, _, err = c.validate(breq, e, reqCC)
		} else {
			resp, _, err = c.fetch(breq, e, reqCC)
		}
		if err == nil {
			discard(resp)
		}
	}()
}

// Wait blocks until the background revalidations started so far have
// ended. Tests and a proxy shutting down use it.
func (c *Cache) Wait() { c.background.wg.Wait() }
