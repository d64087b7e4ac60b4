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
	datePresent = define("date/present", must, "responses carry a Date", "RFC9110 6.6.1")
	dateFormat  = define("date/imf-fixdate", must, "Date is an IMF-fixdate", "RFC9110 5.6.7")
	dateSingle  = define("date/single", must, "a response carries one Date field line, never two, on a 200 and on a 304", "RFC9110 5.3", "RFC9110 6.6.1").
			Quoting(`"A sender MUST NOT generate multiple field lines with the same name in a message ... unless that field's definition allows multiple field line values to be recombined as a comma-separated list" (RFC 9110 §5.3)`)
	dateAccurate  = define("date/accurate", advisory, "Date is within 30 seconds of the harness's clock", "RFC9110 6.6.1")
	expiresFormat = define("expires/imf-fixdate", must, "Expires is an IMF-fixdate", "RFC9110 5.6.7", "RFC9111 5.3")
	expiresAgrees = define("expires/agrees-with-max-age", advisory, "when both are sent, Expires is Date plus max-age, so HTTP/1.0 caches agree", "RFC9111 5.3")
	maxAgeAsAsked = define("max-age/as-asked", must, "Cache-Control carries the max-age the resource was put with", "contract resources", "RFC9111 5.2.2.1")
	ccSyntax      = define("cache-control/valid-syntax", should, "Cache-Control follows the directive grammar, without duplicates or conflicts", "RFC9111 5.2")
)

var (
	freshReused    = define("strong-cache/fresh-reused", must, "a fresh response is reused by the browser without a request", "RFC9111 4.2", "RFC9111 4")
	staleNotReused = define("strong-cache/stale-not-reused", must, "once max-age has passed, the browser no longer reuses the response without asking", "RFC9111 4.2")
	staleRevalETag = define("negotiation/stale-revalidated-with-etag", must, "a stale response is revalidated with If-None-Match and answered 304", "RFC9111 4.3.1", "RFC9110 13.1.2")
	staleRevalLM   = define("negotiation/stale-revalidated-with-last-modified", must, "a stale response with only Last-Modified is revalidated with If-Modified-Since and answered 304", "RFC9111 4.3.1", "RFC9110 13.1.3").
			Quoting(`"the origin server SHOULD NOT perform the requested method if the selected representation's last modification date is earlier or equal to the date provided in the field value; instead, the origin server SHOULD generate a 304 (Not Modified) response" (RFC 9110 §13.1.3); a 304 need not repeat Last-Modified (RFC 9110 §15.4.5)`)
	notModRefreshes = define("negotiation/304-refreshes", must, "after a 304, the stored response is fresh again and reused without a request", "RFC9111 4.3.4")
	noStore         = define("directives/no-store-never-reused", must, "a no-store response is never reused: every GET reaches the target", "RFC9111 5.2.2.5")
	noCache         = define("directives/no-cache-revalidates", must, "a no-cache response is revalidated before every reuse", "RFC9111 5.2.2.4")
	cookieNotShared = define("directives/cookie-response-not-shared", advisory, "a response that sets a cookie is marked private or no-store, so no shared cache serves it to another user", "RFC9111 5.2.2.7", "OWASP WSTG SESS-02")
)
