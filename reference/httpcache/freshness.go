package httpcache

// Freshness: RFC 9111 §4.2.
//
//	response_is_fresh = (freshness_lifetime > current_age)

import (
	"net/http"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// Heuristic freshness (RFC 9111 §4.2.2): "caches are encouraged to use a
// heuristic expiration value that is no more than some fraction of the
// interval since that time [Last-Modified]. A typical setting of this fraction
// might be 10%." The cap is this package's choice; browsers use similar ones.
const (
	heuristicPercent     = 10
	maxHeuristicLifetime = 24 * time.Hour
)

// heuristicallyCacheable lists the status codes RFC 9110 §15.1 defines as
// heuristically cacheable.
var heuristicallyCacheable = map[int]bool{
	200: true, 203: true, 204: true, 206: true, 300: true, 301: true, 308: true,
	404: true, 405: true, 410: true, 414: true, 501: true,
}

// freshnessLifetime is the freshness_lifetime of RFC 9111 §4.2.1: the first
// match of s-maxage (shared caches only), max-age, Expires minus Date, and
// otherwise a heuristic (RFC 9111 §4.2.2). responseTime stands in for a
// missing or invalid Date.
func freshnessLifetime(status int, h http.Header, cc cachecontrol.Directives, shared bool, responseTime time.Time) time.Duration {
	if shared {
		if s, ok := cc.SMaxAge(); ok {
			return s // RFC 9111 §4.2.1: "If the cache is shared and the s-maxage response directive is present, use its value"
		}
	}
	if m, ok := cc.MaxAge(); ok {
		return m // RFC 9111 §4.2.1: "If the max-age response directive is present, use its value"
	}
	if lines := h.Values("Expires"); len(lines) > 0 {
		// RFC 9111 §4.2.1: Expires minus Date, "using the time the message
		// was received if it is not present"; with several lines, the first
		// occurrence is used. RFC 9111 §5.3: "A cache recipient MUST
		// interpret invalid date formats, especially the value "0", as
		// representing a time in the past".
		expires, ok := parseCacheDate(lines[0], responseTime)
		if !ok {
			return 0
		}
		return max(0, expires.Sub(dateValue(h, responseTime)))
	}
	return heuristicFreshness(status, h, cc, shared, responseTime)
}

// hasExplicitExpiration reports whether the response carries an explicit
// expiration time (RFC 9111 §4.2): Expires, max-age, or, for a shared cache,
// s-maxage.
func hasExplicitExpiration(h http.Header, cc cachecontrol.Directives, shared bool) bool {
	_, maxAge := cc.MaxAge()
	_, sMaxAge := cc.SMaxAge()
	return maxAge || shared && sMaxAge || len(h.Values("Expires")) > 0
}

// heuristicFreshness is the heuristic expiration time of RFC 9111 §4.2.2,
// used only without an explicit one. It applies to heuristically cacheable
// status codes and to responses marked explicitly cacheable: public, or, in
// a private cache, private (RFC 9111 §5.2.2.7: "even if the response would
// not otherwise be heuristically cacheable by a private cache"). It is 10%
// of the time between Last-Modified and Date, at most 24 hours; without
// Last-Modified it is zero, so such a response is stored only to be
// validated.
func heuristicFreshness(status int, h http.Header, cc cachecontrol.Directives, shared bool, responseTime time.Time) time.Duration {
	private, _ := cc.Private()
	if !heuristicallyCacheable[status] && !cc.Public() && !(private && !shared) {
		return 0
	}
	lm, ok := lastModified(h, responseTime)
	if !ok {
		return 0
	}
	interval := dateValue(h, responseTime).Sub(lm)
	return min(max(0, interval/100*heuristicPercent), maxHeuristicLifetime)
}

// currentAge is the current_age of RFC 9111 §4.2.3. requestTime is the
// clock when the request that produced the stored response was made,
// responseTime when the response was received, now the clock at the time of
// the calculation. Of the two combinations the RFC gives, this uses the
// conservative one, which also trusts the origin's Date.
func currentAge(h http.Header, requestTime, responseTime, now time.Time) time.Duration {
	apparentAge := max(0, responseTime.Sub(dateValue(h, responseTime)))
	responseDelay := responseTime.Sub(requestTime)
	correctedAgeValue := addAge(ageValue(h), responseDelay)
	correctedInitialAge := max(apparentAge, correctedAgeValue)
	residentTime := now.Sub(responseTime)
	return addAge(correctedInitialAge, residentTime)
}

// addAge adds two ages without overflowing: RFC 9111 §1.2.2 wants an
// overflow "detected and not treated as a negative value in later
// calculations". An age this large is stale for any freshness lifetime.
func addAge(a, b time.Duration) time.Duration {
	s := a + b
	switch {
	case a > 0 && b > 0 && s < 0:
		return ageOverflow
	case a < 0 && b < 0 && s > 0:
		return 0
	}
	return s
}

// ageOverflow is the largest age the arithmetic produces.
const ageOverflow = time.Duration(1<<63 - 1)

// isFresh is response_is_fresh of RFC 9111 §4.2.
func isFresh(freshnessLifetime, currentAge time.Duration) bool {
	return freshnessLifetime > currentAge
}

// ageValue is age_value (RFC 9111 §4.2.3): the Age field "in a form
// appropriate for arithmetic operation; or 0, if not available". RFC 9111
// §5.1: with a list-based value use the first member; if that is invalid,
// ignore the field.
func ageValue(h http.Header) time.Duration {
	lines := h.Values("Age")
	if len(lines) == 0 {
		return 0
	}
	first, _, _ := strings.Cut(lines[0], ",")
	age, ok := cachecontrol.ParseDeltaSeconds(httpsyntax.TrimOWS(first))
	if !ok {
		return 0
	}
	return age
}

// dateValue is date_value (RFC 9111 §4.2.3): the Date field, or, when it is
// missing or invalid, the time the response was received (RFC 9110 §6.6.1:
// a recipient with a clock records the time a response without Date was
// received).
func dateValue(h http.Header, responseTime time.Time) time.Time {
	if d, ok := parseCacheDate(h.Get("Date"), responseTime); ok {
		return d
	}
	return responseTime
}

func lastModified(h http.Header, now time.Time) (time.Time, bool) {
	return parseCacheDate(h.Get("Last-Modified"), now)
}

// parseCacheDate parses an HTTP-date the way RFC 9111 §4.2 asks of a cache
// recipient: case-insensitively, and only in GMT.
func parseCacheDate(s string, now time.Time) (time.Time, bool) {
	return httpdate.ParseCaseInsensitive(httpsyntax.TrimOWS(s), now)
}
