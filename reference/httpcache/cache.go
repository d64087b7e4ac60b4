package httpcache

// The cache: RFC 9111 §3 (what may be stored), §4 (constructing responses
// from storage), §4.3 (validation) and §4.4 (invalidation).

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/etag"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// DefaultMaxBodySize is the largest response body the cache stores. Larger
// responses are passed through whole and not stored.
const DefaultMaxBodySize = 8 << 20

// Options configure a Cache.
type Options struct {
	// Transport sends the requests the cache cannot answer itself; nil means
	// http.DefaultTransport.
	Transport http.RoundTripper
	// Clock is the cache's clock (RFC 9111 §4.2.3 "now"); nil means the
	// wall clock.
	Clock clock.Clock
	// Shared selects a shared cache, such as a proxy's (RFC 9111 §1). The
	// zero value is a private cache, dedicated to a single user, as in a
	// browser. Shared caches honour s-maxage and proxy-revalidate, refuse
	// private responses, and store responses to requests with
	// Authorization only when the response allows it. A shared cache also
	// does what a proxy is for: it serves stale responses where RFC 5861
	// allows it (stale.go), and answers its clients' conditional requests
	// from storage (RFC 9111 §4.3.2, conditional.go).
	Shared bool
	// MaxStorage caps the bytes of stored responses (content and header
	// fields); the least recently used responses are evicted to stay under
	// it. Zero means no cap.
	MaxStorage int64
	// CacheStatus, when set, names this cache in the Cache-Status member
	// it appends to every response it returns (RFC 9211): hit, or fwd
	// with its reason and fwd-status, stored, ttl and key.
	CacheStatus string
	// TargetList names the targeted cache-control fields this cache obeys
	// over Cache-Control, most applicable first (RFC 9213 §2.1), such as
	// CDN-Cache-Control for a CDN. Empty: none, as for a browser.
	TargetList []string
}

// Source says where a response returned by Do came from.
type Source string

const (
	// SourceNetwork: the response came from the origin and nothing stored
	// was used (it may have been stored for later).
	SourceNetwork Source = "network"
	// SourceCache: the response was served from storage without contacting
	// the origin, fresh or, when the request allowed it with max-stale,
	// stale.
	SourceCache Source = "cache"
	// SourceRevalidated: a conditional request was sent, the origin
	// answered 304 (Not Modified), and the stored response, updated from
	// the 304, was served.
	SourceRevalidated Source = "revalidated"
	// SourceReplaced: a conditional request was sent and the origin
	// answered with a full response, which was served and took the stored
	// response's place (or removed it, when not storable itself).
	SourceReplaced Source = "replaced"
	// SourceGenerated: the cache answered 504 (Gateway Timeout) itself,
	// because the request asked for only-if-cached and nothing stored was
	// usable (RFC 9111 §5.2.1.7), or because a stale response with
	// must-revalidate could not be validated (RFC 9111 §5.2.2.2).
	SourceGenerated Source = "generated"
	// SourceStale: a shared cache served a stale response from storage
	// because the origin allowed it: within stale-while-revalidate, while
	// revalidating it in the background, or within stale-if-error, because
	// the origin failed (RFC 5861).
	SourceStale Source = "stale"
)

// Cache is an HTTP cache (RFC 9111) usable as an http.RoundTripper. It is
// safe for concurrent use. It keeps everything in memory and never evicts;
// Clear empties it.
type Cache struct {
	transport   http.RoundTripper
	clock       clock.Clock
	shared      bool
	maxBodySize int64
	store       storage
	background  revalidations // stale-while-revalidate in flight (stale.go)
	targetList  []string      // RFC 9213 (targeted.go)
	statusName  string        // RFC 9211 (cachestatus.go)
}

// New returns an empty cache.
func New(o Options) *Cache {
	c := &Cache{transport: o.Transport, clock: o.Clock, shared: o.Shared, maxBodySize: DefaultMaxBodySize, targetList: o.TargetList, statusName: o.CacheStatus}
	c.store.maxBytes = o.MaxStorage
	if c.transport == nil {
		c.transport = http.DefaultTransport
	}
	if c.clock == nil {
		c.clock = clock.Real{}
	}
	return c
}

// RoundTrip implements http.RoundTripper; it is Do without the Source.
func (c *Cache) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, _, err := c.Do(req)
	return resp, err
}

// Clear removes every stored response.
func (c *Cache) Clear() { c.store.clear() }

// Len returns the number of stored responses.
func (c *Cache) Len() int { return c.store.len() }

// Do answers req from storage or through the transport and reports how. The
// request is never modified. On error the Source is empty.
//
// Only GET responses are stored; a HEAD request can be answered from a
// stored GET response and updates it (RFC 9111 §4.3.5). Requests with other
// safe methods pass through, and requests with unsafe ones pass through and
// invalidate (RFC 9111 §4.4). In a private cache, a GET or HEAD request
// carrying its own preconditions (If-None-Match, If-Modified-Since,
// If-Match, If-Unmodified-Since, If-Range) or a Range passes through
// untouched and is not stored, as a browser does for such requests (the
// Fetch standard sets the cache mode to "no-store" then): the caller is
// validating or asking for something this cache does not hold, and wants
// the origin's answer. A shared cache answers If-None-Match and
// If-Modified-Since itself when it holds a response (conditional.go).
//
// With Options.CacheStatus the response carries this cache's Cache-Status
// member (RFC 9211, cachestatus.go).
func (c *Cache) Do(req *http.Request) (*http.Response, Source, error) {
	if req.URL == nil {
		return nil, "", errors.New("httpcache: request has no URL")
	}
	if c.statusName == "" {
		return c.do(req)
	}
	before := c.observe(req)
	resp, src, err := c.do(req)
	if err == nil {
		resp.Header.Add("Cache-Status", c.cacheStatus(req, resp, src, before))
	}
	return resp, src, err
}

// do is Do without Cache-Status.
func (c *Cache) do(req *http.Request) (*http.Response, Source, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	reqCC := cachecontrol.Parse(req.Header.Values("Cache-Control"))

	if !isSafe(method) {
		return c.writeThrough(req)
	}
	if method != http.MethodGet && method != http.MethodHead {
		return c.forward(req)
	}
	if c.shared && isValidationRequest(req.Header) {
		return c.answerValidation(req, reqCC)
	}
	if resp := c.rangeFromStorage(req, method, reqCC); resp != nil {
		return resp, SourceCache, nil
	}
	if hasPreconditions(req.Header) || len(req.Header.Values("Range")) > 0 {
		if reqCC.OnlyIfCached() {
			return c.gatewayTimeout(req, "only-if-cached: a conditional or range request cannot be answered from storage"), SourceGenerated, nil
		}
		return c.forward(req)
	}

	now := c.clock.Now()
	e := c.store.lookup(cacheKey(req.URL), req.Header)
	if e != nil && c.canReuse(e, reqCC, now) {
		return c.fromStorage(req, e, true), SourceCache, nil
	}
	if reqCC.OnlyIfCached() {
		// RFC 9111 §5.2.1.7: respond with a stored response consistent
		// with the other constraints of the request or a 504.
		return c.gatewayTimeout(req, "only-if-cached: no stored response can be used"), SourceGenerated, nil
	}
	if e != nil && c.mayServeWhileRevalidating(e, reqCC, now) {
		c.revalidateInBackground(req, e)
		return c.fromStorage(req, e, true), SourceStale, nil
	}
	if e != nil && hasValidators(e.header, e.responseTime) {
		return c.validate(req, e, reqCC)
	}
	return c.fetch(req, e, reqCC)
}

// isSafe reports whether a method is safe (RFC 9110 §9.2.1). Methods whose
// safety is unknown count as unsafe (RFC 9111 §4.4).
func isSafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

func hasPreconditions(h http.Header) bool {
	for _, f := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range"} {
		if len(h.Values(f)) > 0 {
			return true
		}
	}
	return false
}

func (c *Cache) forward(req *http.Request) (*http.Response, Source, error) {
	resp, err := c.transport.RoundTrip(req)
	if err != nil {
		return nil, "", err
	}
	return resp, SourceNetwork, nil
}

// writeThrough forwards a request with an unsafe method (RFC 9111 §4: a
// cache MUST write through such requests) and invalidates what it may have
// changed (RFC 9111 §4.4).
func (c *Cache) writeThrough(req *http.Request) (*http.Response, Source, error) {
	resp, err := c.transport.RoundTrip(req)
	if err != nil {
		return nil, "", err
	}
	// RFC 9111 §4.4: a "non-error response" is one with a 2xx or 3xx status.
	if resp.StatusCode >= 200 && resp.StatusCode < 400 {
		// "A cache MUST invalidate the target URI".
		c.store.invalidate(req.URL)
		// The URIs in Location and Content-Location are candidates, but a
		// cache "MUST NOT trigger an invalidation ... if the origin of the
		// URI to be invalidated differs from that of the target URI".
		for _, f := range []string{"Location", "Content-Location"} {
			v := resp.Header.Get(f)
			if v == "" {
				continue
			}
			if u, err := req.URL.Parse(v); err == nil && sameOrigin(u, req.URL) {
				c.store.invalidate(u)
			}
		}
	}
	return resp, SourceNetwork, nil
}

// canReuse reports whether e may answer the request without contacting the
// origin (RFC 9111 §4), taking the request's Cache-Control into account
// (RFC 9111 §5.2.1).
func (c *Cache) canReuse(e *entry, reqCC cachecontrol.Directives, now time.Time) bool {
	if e.stale {
		return false
	}
	// RFC 9111 §4: the stored response does not contain the no-cache
	// directive, unless it is successfully validated. The qualified form
	// allows reuse without the listed fields (see fromStorage).
	if noCache, fields := e.cc.NoCache(); noCache && fields == nil {
		return false
	}
	// RFC 9111 §5.2.1.4: the client prefers validation.
	if reqCC.Has("no-cache") {
		return false
	}
	lifetime := c.freshnessLifetime(e)
	age := currentAge(e.header, e.requestTime, e.responseTime, now)
	// RFC 9111 §5.2.1.1: the client prefers a response whose age is less
	// than or equal to max-age.
	if maxAge, ok := reqCC.MaxAge(); ok && age > maxAge {
		return false
	}
	// RFC 9111 §5.2.1.3: freshness lifetime no less than current age plus
	// min-fresh.
	if minFresh, ok := reqCC.MinFresh(); ok && lifetime < addAge(age, minFresh) {
		return false
	}
	if isFresh(lifetime, age) {
		return true
	}
	// Stale. RFC 9111 §4.2.4: a cache MUST NOT generate a stale response if
	// an explicit directive prohibits it, and otherwise only when the
	// client allows it; here, with max-stale (RFC 9111 §5.2.1.2).
	if c.mustRevalidate(e) {
		return false
	}
	maxStale, ok := reqCC.MaxStale()
	return ok && age-lifetime <= maxStale
}

// mustRevalidate reports whether e, once stale, must not be used without
// successful validation: must-revalidate (RFC 9111 §5.2.2.2), and in a
// shared cache proxy-revalidate (RFC 9111 §5.2.2.8) and s-maxage
// (RFC 9111 §5.2.2.10).
func (c *Cache) mustRevalidate(e *entry) bool {
	if e.cc.MustRevalidate() {
		return true
	}
	if c.shared {
		_, sMaxAge := e.cc.SMaxAge()
		return e.cc.ProxyRevalidate() || sMaxAge
	}
	return false
}

func (c *Cache) freshnessLifetime(e *entry) time.Duration {
	return freshnessLifetime(e.status, e.policy().freshnessHeader(e.header), e.cc, c.shared, e.responseTime)
}

// fromStorage constructs the response to req from e. A response used without
// validation gets an Age field with its current_age (RFC 9111 §4: "replacing
// any present in the response"), and loses the fields a qualified no-cache
// names (RFC 9111 §5.2.2.4). A HEAD request gets no content.
func (c *Cache) fromStorage(req *http.Request, e *entry, withoutValidation bool) *http.Response {
	h := e.header.Clone()
	if withoutValidation {
		age := currentAge(e.header, e.requestTime, e.responseTime, c.clock.Now())
		h.Set("Age", cachecontrol.FormatDeltaSeconds(age))
		if _, fields := e.cc.NoCache(); fields != nil {
			for _, f := range fields {
				h.Del(f)
			}
		}
	}
	var body io.ReadCloser = http.NoBody
	if req.Method != http.MethodHead {
		body = io.NopCloser(bytes.NewReader(e.body))
	}
	return &http.Response{
		Status:        e.statusText,
		StatusCode:    e.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          body,
		ContentLength: int64(len(e.body)),
		Request:       req,
		Uncompressed:  e.uncompressed,
	}
}

// gatewayTimeout is the 504 (Gateway Timeout) the cache generates itself.
func (c *Cache) gatewayTimeout(req *http.Request, reason string) *http.Response {
	body := "httpcache: " + reason + "\n"
	return &http.Response{
		Status:     "504 Gateway Timeout",
		StatusCode: http.StatusGatewayTimeout,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header: http.Header{
			"Content-Type": {"text/plain; charset=utf-8"},
			"Date":         {httpdate.Format(c.clock.Now())},
		},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// hasValidators reports whether a stored response can be validated: it has
// an entity-tag or a modification date (RFC 9111 §4.3.1).
func hasValidators(h http.Header, now time.Time) bool {
	if _, ok := etag.Parse(h.Get("ETag")); ok {
		return true
	}
	_, ok := parseCacheDate(h.Get("Last-Modified"), now)
	return ok
}

// validate sends a conditional request for the stored response e
// (RFC 9111 §4.3.1) and handles the answer (RFC 9111 §4.3.3).
func (c *Cache) validate(req *http.Request, e *entry, reqCC cachecontrol.Directives) (*http.Response, Source, error) {
	creq := req.Clone(req.Context())
	// RFC 9111 §4.3.1: a cache MUST send the entity tag if the stored
	// response has one, and SHOULD send Last-Modified (using
	// If-Modified-Since) when validating a single stored response.
	if t, ok := etag.Parse(e.header.Get("ETag")); ok {
		creq.Header.Set("If-None-Match", t.String())
	}
	if lm := e.header.Get("Last-Modified"); lm != "" {
		if _, ok := parseCacheDate(lm, e.responseTime); ok {
			creq.Header.Set("If-Modified-Since", httpsyntax.TrimOWS(lm))
		}
	}
	requestTime := c.clock.Now()
	resp, err := c.transport.RoundTrip(creq)
	if err != nil {
		return c.failedValidation(req, e, err)
	}
	responseTime := c.clock.Now()

	switch {
	case resp.StatusCode == http.StatusNotModified:
		discard(resp)
		if !isSelectedForUpdate(e.header, resp.Header, responseTime) {
			// RFC 9111 §4.3.4: the 304 MUST NOT update this stored
			// response; its validators name something this cache does
			// not hold.
			// The stored response is dropped and the request repeated
			// without the conditional (as RFC 2616 §10.3.5 required).
			c.store.remove(e)
			return c.fetch(req, nil, reqCC)
		}
		fresh := c.freshened(e, req.Header, resp.Header, requestTime, responseTime)
		c.store.replace(e, fresh)
		return c.fromStorage(req, fresh, false), SourceRevalidated, nil
	case resp.StatusCode >= 500:
		// RFC 9111 §4.3.3: on a 5xx the cache can forward the response
		// or act as if the server failed to respond. This cache forwards
		// it and keeps the stored response, unless stale-if-error lets a
		// shared cache serve the stored one (RFC 5861 §4).
		if c.mayServeStaleOnError(e, reqCC, responseTime) {
			discard(resp)
			return c.fromStorage(req, e, true), SourceStale, nil
		}
		return resp, SourceNetwork, nil
	}
	// RFC 9111 §4.3.3: a full response means none of the stored responses
	// is suitable; it MUST be used, and MAY be stored.
	return c.fromNetwork(req, resp, e, reqCC, requestTime, responseTime, SourceReplaced)
}

// failedValidation handles a request that could not reach the origin while
// e needed validation. A response with must-revalidate gets a generated 504:
// "if a cache is disconnected, the cache MUST generate an error response
// rather than reuse the stale response. The generated status code SHOULD be
// 504 (Gateway Timeout)" (RFC 9111 §5.2.2.2). A shared cache serves the
// stale response when stale-if-error allows it (RFC 5861 §4). Otherwise the
// error is returned: serving stale while disconnected is permitted (RFC 9111
// §4.2.4) but not done without the origin's permission, since a harness
// must see a target that fails and a proxy's client must see the origin's
// failure.
func (c *Cache) failedValidation(req *http.Request, e *entry, err error) (*http.Response, Source, error) {
	if c.mayServeStaleOnError(e, cachecontrol.Parse(req.Header.Values("Cache-Control")), c.clock.Now()) {
		return c.fromStorage(req, e, true), SourceStale, nil
	}
	if c.mustRevalidate(e) {
		return c.gatewayTimeout(req, "must-revalidate: the stored response could not be validated: "+err.Error()), SourceGenerated, nil
	}
	return nil, "", err
}

// fetch forwards req unchanged; old is the stored response it replaces, if
// any (a stale response without validators).
func (c *Cache) fetch(req *http.Request, old *entry, reqCC cachecontrol.Directives) (*http.Response, Source, error) {
	requestTime := c.clock.Now()
	resp, err := c.transport.RoundTrip(req)
	if err != nil {
		if old != nil {
			return c.failedValidation(req, old, err)
		}
		return nil, "", err
	}
	responseTime := c.clock.Now()
	if resp.StatusCode >= 500 && old != nil {
		// As in validate: keep the stored response, and serve it where
		// stale-if-error allows.
		if c.mayServeStaleOnError(old, reqCC, responseTime) {
			discard(resp)
			return c.fromStorage(req, old, true), SourceStale, nil
		}
		return resp, SourceNetwork, nil
	}
	return c.fromNetwork(req, resp, old, reqCC, requestTime, responseTime, SourceNetwork)
}

// fromNetwork handles a full response from the origin: it supersedes old
// (the stored response the request would have used, if any), and is stored
// if it may be (RFC 9111 §3).
func (c *Cache) fromNetwork(req *http.Request, resp *http.Response, old *entry, reqCC cachecontrol.Directives, requestTime, responseTime time.Time, src Source) (*http.Response, Source, error) {
	if req.Method == http.MethodHead {
		// RFC 9111 §4.3.5: a 200 response to HEAD updates or invalidates
		// the stored GET response that could have been chosen. HEAD
		// responses themselves are not stored.
		if old != nil && resp.StatusCode == http.StatusOK {
			c.freshenWithHead(old, req.Header, resp.Header, requestTime, responseTime)
		}
		return resp, SourceNetwork, nil
	}
	if old != nil {
		c.store.remove(old)
	}
	pol := c.policyOf(resp.Header)
	respCC := pol.cc
	if !c.isStorable(req, resp, reqCC, pol) {
		return resp, src, nil
	}
	body, complete, err := readBody(resp.Body, c.maxBodySize)
	if err != nil {
		resp.Body.Close()
		return nil, "", err
	}
	if !complete {
		// Too large to store: pass it through whole.
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
		return resp, src, nil
	}
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))

	vary, _ := varyFields(resp.Header)
	e := &entry{
		key:          cacheKey(req.URL),
		status:       resp.StatusCode,
		statusText:   resp.Status,
		header:       storedHeader(resp.Header, respCC, c.shared, responseTime),
		body:         body,
		uncompressed: resp.Uncompressed,
		vary:         vary,
		varyValue:    captureVary(vary, req.Header),
		requestTime:  requestTime,
		responseTime: responseTime,
	}
	e.setPolicy(c.policyOf(e.header))
	c.store.put(e, req.Header)
	return resp, src, nil
}

// understoodStatus lists the status codes whose caching requirements this
// cache implements (RFC 9111 §3: "understood"): those RFC 9110 §15 defines,
// except 206 (this cache does not implement ranges) and 304 (a validation
// answer, never stored itself). Understanding is required only of 206, 304
// and responses with must-understand; any other final status, 299 or 599
// included, may be stored when the response allows it explicitly
// (isStorable).
var understoodStatus = map[int]bool{
	200: true, 201: true, 202: true, 203: true, 204: true, 205: true,
	300: true, 301: true, 302: true, 303: true, 305: true, 307: true, 308: true,
	400: true, 401: true, 402: true, 403: true, 404: true, 405: true, 406: true,
	407: true, 408: true, 409: true, 410: true, 411: true, 412: true, 413: true,
	414: true, 415: true, 416: true, 417: true, 421: true, 422: true, 426: true,
	500: true, 501: true, 502: true, 503: true, 504: true, 505: true,
}

// isStorable applies RFC 9111 §3: a cache MUST NOT store a response unless
// every condition below holds.
func (c *Cache) isStorable(req *http.Request, resp *http.Response, reqCC cachecontrol.Directives, pol policy) bool {
	respCC := pol.cc
	h := pol.freshnessHeader(resp.Header)
	// "the request method is understood by the cache": this cache stores
	// responses to GET only.
	if req.Method != http.MethodGet && req.Method != "" {
		return false
	}
	// "the response status code is final".
	if resp.StatusCode < 200 {
		return false
	}
	// "if the response status code is 206 or 304, or the must-understand
	// cache directive is present: the cache understands the response status
	// code". No other status has to be understood: a 299 or a 599 with
	// max-age is stored like a 200, and without explicit freshness it is
	// not, since only the codes RFC 9110 §15.1 names are heuristically
	// cacheable (the "at least one of" list below).
	if (resp.StatusCode == http.StatusPartialContent || resp.StatusCode == http.StatusNotModified || respCC.MustUnderstand()) &&
		!understoodStatus[resp.StatusCode] {
		return false
	}
	// RFC 9111 §5.2.1.5: no-store in the request forbids storing "any
	// response to it".
	if reqCC.NoStore() {
		return false
	}
	// "the no-store cache directive is not present in the response"; a cache
	// that understands the status code SHOULD ignore no-store when
	// must-understand is present (RFC 9111 §5.2.2.3).
	if respCC.NoStore() && !respCC.MustUnderstand() {
		return false
	}
	private, privateFields := respCC.Private()
	_, sMaxAge := respCC.SMaxAge()
	if c.shared {
		// "if the cache is shared: the private response directive is either
		// not present or allows a shared cache to store a modified response"
		if private && privateFields == nil {
			return false
		}
		// "if the cache is shared: the Authorization header field is not
		// present in the request or a response directive is present that
		// explicitly allows shared caching" (RFC 9111 §3.5: must-revalidate,
		// public, s-maxage).
		if len(req.Header.Values("Authorization")) > 0 &&
			!respCC.MustRevalidate() && !respCC.Public() && !sMaxAge {
			return false
		}
	}
	// "the response contains at least one of" the following.
	_, maxAge := respCC.MaxAge()
	if !(respCC.Public() ||
		private && !c.shared ||
		len(h.Values("Expires")) > 0 ||
		maxAge ||
		sMaxAge && c.shared ||
		heuristicallyCacheable[resp.StatusCode]) {
		return false
	}
	// Beyond the MUST NOTs, this cache does not store what it could never
	// use: responses whose Vary contains "*", which "always fails to match"
	// (RFC 9111 §4.1), and responses with neither a validator nor an
	// explicit expiration time ("some caches will not store" them, RFC 9111
	// §3).
	if _, star := varyFields(resp.Header); star {
		return false
	}
	return hasValidators(resp.Header, c.clock.Now()) || hasExplicitExpiration(h, respCC, c.shared)
}

// isSelectedForUpdate reports whether a 304 response to the conditional
// request this cache sent for the stored response stored identifies it for
// update (RFC 9111 §4.3.4), by the first match of:
//   - the 304 has a strong validator: the stored response has the same one;
//   - the 304 has weak validators (a weak entity-tag, a Last-Modified date,
//     which is implicitly weak, RFC 9110 §8.8.2.2): each corresponds to the
//     stored response's;
//   - the 304 has no validator at all: it answers the one stored response
//     the request was built from, which it identifies.
//
// The last rule departs from a literal reading of §4.3.4's third case ("and
// that stored response also lacks a validator"), which speaks of a cache
// holding several stored responses and a client's own If-Modified-Since. A
// 304 is not required to repeat Last-Modified (RFC 9110 §15.4.5 lists
// Content-Location, Date, ETag, Vary, Cache-Control and Expires), and
// §4.3.3 says a 304 "indicates that the stored response can be updated and
// reused". A cache that validated exactly one stored response, with that
// response's own validators, therefore uses it: Werkzeug answers 304
// without Last-Modified, and nginx, squid, Varnish, Apache httpd and
// Traffic Server all use the stored response there (docs/decisions.md).
func isSelectedForUpdate(stored, h304 http.Header, now time.Time) bool {
	storedTag, storedHasTag := etag.Parse(stored.Get("ETag"))
	tag, hasTag := etag.Parse(h304.Get("ETag"))
	if hasTag && !tag.Weak {
		return storedHasTag && etag.StrongMatch(tag, storedTag)
	}
	if hasTag && !(storedHasTag && etag.WeakMatch(tag, storedTag)) {
		return false
	}
	if lm, hasLM := parseCacheDate(h304.Get("Last-Modified"), now); hasLM {
		storedLM, ok := parseCacheDate(stored.Get("Last-Modified"), now)
		return ok && storedLM.Equal(lm)
	}
	return true // weak validators that all correspond, or none at all
}

// freshened returns e updated by a 304 (RFC 9111 §4.3.4) received at
// responseTime for a request with header reqHeader. The 304's header fields
// update the stored ones (RFC 9111 §3.2); a 304 without Date is given one,
// as RFC 9110 §6.6.1 requires of a recipient that caches it.
func (c *Cache) freshened(e *entry, reqHeader, h304 http.Header, requestTime, responseTime time.Time) *entry {
	newer := h304.Clone()
	if len(newer.Values("Date")) == 0 {
		newer.Set("Date", httpdate.Format(responseTime))
	}
	f := *e
	f.header = updatedHeader(e.header, newer, e.uncompressed)
	f.setPolicy(c.policyOf(f.header))
	f.vary, _ = varyFields(f.header)
	f.varyValue = captureVary(f.vary, reqHeader)
	f.requestTime, f.responseTime = requestTime, responseTime
	f.stale = false
	return &f
}

// freshenWithHead applies a 200 response to HEAD to the stored GET response
// e (RFC 9111 §4.3.5): if the validators it carries (ETag, Last-Modified)
// match the stored ones and, when present, Content-Length matches the stored
// content, the stored response is updated; otherwise it is considered stale.
// A HEAD response without validators counts as not matching.
func (c *Cache) freshenWithHead(e *entry, reqHeader, h http.Header, requestTime, responseTime time.Time) {
	matched := false
	mismatch := false
	if v := h.Get("ETag"); v != "" {
		matched = true
		mismatch = mismatch || httpsyntax.TrimOWS(v) != httpsyntax.TrimOWS(e.header.Get("ETag"))
	}
	if v := h.Get("Last-Modified"); v != "" {
		matched = true
		a, okA := parseCacheDate(v, responseTime)
		b, okB := parseCacheDate(e.header.Get("Last-Modified"), responseTime)
		mismatch = mismatch || !okA || !okB || !a.Equal(b)
	}
	if v := h.Get("Content-Length"); v != "" {
		n, err := strconv.ParseInt(httpsyntax.TrimOWS(v), 10, 64)
		mismatch = mismatch || err != nil || n != int64(len(e.body))
	}
	if matched && !mismatch {
		c.store.replace(e, c.freshened(e, reqHeader, h, requestTime, responseTime))
		return
	}
	s := *e
	s.stale = true
	c.store.replace(e, &s)
}

// readBody reads r up to limit bytes; complete is false if there is more.
func readBody(r io.Reader, limit int64) (data []byte, complete bool, err error) {
	data, err = io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, false, err
	}
	return data, int64(len(data)) <= limit, nil
}

// discard drains and closes a body the cache does not pass on, so that the
// connection can be reused.
func discard(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

type readCloser struct {
	io.Reader
	io.Closer
}
