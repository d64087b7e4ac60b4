// Package freshness is the HTTP-caching suite: what a target's Date,
// Expires and Cache-Control make a browser's cache do (RFC 9111), checked
// with the harness's private cache on the contract's resources: a fresh
// response is reused without a request (the "strong cache"), a stale one
// is revalidated with its validators (the "negotiation cache").
package freshness

import (
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reports"
)

var define = check.Definer("freshness")

const (
	must     = reports.Must
	should   = reports.Should
	advisory = reports.Advisory
)

var (
	datePresent = define("date/present", must, "responses carry a Date", "RFC9110 6.6.1").
			Quoting(`"An origin server with a clock (as defined in Section 5.6.7) MUST generate a Date header field in all 2xx (Successful), 3xx (Redirection), and 4xx (Client Error) responses ..." (RFC 9110 §6.6.1)`)
	dateFormat = define("date/imf-fixdate", must, "Date is an IMF-fixdate", "RFC9110 5.6.7").
			Quoting(qIMFFixdate)
	dateSingle = define("date/single", must, "a response carries one Date field line, never two, on a 200 and on a 304", "RFC9110 5.3", "RFC9110 6.6.1").
			Quoting(`"... a sender MUST NOT generate multiple field lines with the same name in a message ... unless that field's definition allows multiple field line values to be recombined as a comma-separated list" (RFC 9110 §5.3)`)
	dateAccurate  = define("date/accurate", advisory, "Date is within 30 seconds of the harness's clock", "RFC9110 6.6.1")
	expiresFormat = define("expires/imf-fixdate", must, "Expires is an IMF-fixdate", "RFC9110 5.6.7", "RFC9111 5.3").
			Quoting(qIMFFixdate)
	expiresAgrees = define("expires/agrees-with-max-age", advisory, "when both are sent, Expires is Date plus max-age, so HTTP/1.0 caches agree", "RFC9111 5.3")
	maxAgeAsAsked = define("max-age/as-asked", must, "Cache-Control carries the max-age the resource was put with", "contract resources", "RFC9111 5.2.2.1")
	ccSyntax      = define("cache-control/valid-syntax", should, "Cache-Control follows the directive grammar, without duplicates or conflicts", "RFC9111 5.2")
)

var (
	freshReused = define("strong-cache/fresh-reused", must, "a fresh response is reused by the browser without a request", "RFC9111 4.2", "RFC9111 4").
			Quoting(`"When a response is fresh, it can be used to satisfy subsequent requests without contacting the origin server, thereby improving efficiency." (RFC 9111 §4.2)`)
	staleNotReused = define("strong-cache/stale-not-reused", must, "once max-age has passed, the browser no longer reuses the response without asking", "RFC9111 4.2").
			Quoting(`"When presented with a request, a cache MUST NOT reuse a stored response unless: ... the stored response is one of the following: fresh (see Section 4.2), or allowed to be served stale (see Section 4.2.4), or successfully validated (see Section 4.3)." (RFC 9111 §4)`)
	staleRevalETag = define("negotiation/stale-revalidated-with-etag", must, "a stale response is revalidated with If-None-Match and answered 304", "RFC9111 4.3.1", "RFC9110 13.1.2").
			Quoting(`"An origin server that evaluates an If-None-Match condition MUST NOT perform the requested method if the condition evaluates to false; instead, the origin server MUST respond with either a) the 304 (Not Modified) status code if the request method is GET or HEAD or b) the 412 (Precondition Failed) status code for all other request methods." (RFC 9110 §13.1.2)`)
	staleRevalLM = define("negotiation/stale-revalidated-with-last-modified", must, "a stale response with only Last-Modified is revalidated with If-Modified-Since and answered 304", "RFC9111 4.3.1", "RFC9110 13.1.3").
			Quoting(`"An origin server that evaluates an If-Modified-Since condition SHOULD NOT perform the requested method if the condition evaluates to false; instead, the origin server SHOULD generate a 304 (Not Modified) response ..." (RFC 9110 §13.1.3); a 304 need not repeat Last-Modified (RFC 9110 §15.4.5)`)
	notModRefreshes = define("negotiation/304-refreshes", must, "after a 304, the stored response is fresh again and reused without a request", "RFC9111 4.3.4").
			Quoting(`"For each stored response identified, the cache MUST update its header fields with the header fields provided in the 304 (Not Modified) response, as per Section 3.2." (RFC 9111 §4.3.4)`)
	noStore = define("directives/no-store-never-reused", must, "a no-store response is never reused: every GET reaches the target", "RFC9111 5.2.2.5").
		Quoting(`"The no-store response directive indicates that a cache MUST NOT store any part of either the immediate request or the response and MUST NOT use the response to satisfy any other request." (RFC 9111 §5.2.2.5)`)
	noCache = define("directives/no-cache-revalidates", must, "a no-cache response is revalidated before every reuse", "RFC9111 5.2.2.4").
		Quoting(`"The no-cache response directive, in its unqualified form (without an argument), indicates that the response MUST NOT be used to satisfy any other request without forwarding it for validation and receiving a successful response; see Section 4.3." (RFC 9111 §5.2.2.4)`)
	cookieNotShared = define("directives/cookie-response-not-shared", advisory, "a response that sets a cookie is marked private or no-store, so no shared cache serves it to another user", "RFC9111 5.2.2.7", "OWASP WSTG SESS-02")
)

// Sentences quoted by several checks, in the RFCs' words.
const (
	qIMFFixdate = `"When a sender generates a field that contains one or more timestamps defined as HTTP-date, the sender MUST generate those timestamps in the IMF-fixdate format." (RFC 9110 §5.6.7)`
)
