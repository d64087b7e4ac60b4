// Package conditional is the conditional-requests suite: validators (ETag,
// Last-Modified; RFC 9110 §8.8), the precondition fields and their order
// of evaluation (RFC 9110 §13), and what a 304 carries (RFC 9110 §15.4.5),
// checked on the contract's resources.
package conditional

import (
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reports"
)

var define = check.Definer("conditional")

const (
	must     = reports.Must
	should   = reports.Should
	advisory = reports.Advisory
)

// If-None-Match, RFC 9110 §13.1.2.
var (
	inmMatch   = define("if-none-match/match-gets-304", must, "GET with If-None-Match naming the current ETag gets 304", "RFC9110 13.1.2")
	inmNoMatch = define("if-none-match/no-match-gets-200", must, "GET with If-None-Match naming another ETag gets 200 with the full body", "RFC9110 13.1.2")
	inmWeak    = define("if-none-match/weak-comparison", must, "If-None-Match compares weakly: W/\"x\" matches the current \"x\"", "RFC9110 13.1.2", "RFC9110 8.8.3.2")
	inmStar    = define("if-none-match/star", must, "GET with If-None-Match: * on an existing resource gets 304", "RFC9110 13.1.2")
	inmList    = define("if-none-match/list", must, "a list of entity-tags that contains the current one gets 304", "RFC9110 13.1.2")
	inmPutStar = define("if-none-match/put-star-is-create-only", must, "PUT with If-None-Match: * on an existing resource gets 412 and changes nothing", "RFC9110 13.1.2")
	inmHead    = define("if-none-match/head-gets-304", must, "HEAD with If-None-Match naming the current ETag gets 304", "RFC9110 13.1.2")
)

// If-Modified-Since, RFC 9110 §13.1.3.
var (
	imsEqual    = define("if-modified-since/equal-gets-304", should, "If-Modified-Since equal to Last-Modified gets 304", "RFC9110 13.1.3")
	imsLater    = define("if-modified-since/later-gets-304", should, "If-Modified-Since later than Last-Modified (and not in the future) gets 304", "RFC9110 13.1.3")
	imsEarlier  = define("if-modified-since/earlier-gets-200", must, "If-Modified-Since earlier than Last-Modified gets 200 with the full body", "RFC9110 13.1.3")
	imsInvalid  = define("if-modified-since/invalid-ignored", must, "an If-Modified-Since that is not an HTTP-date is ignored (200)", "RFC9110 13.1.3")
	imsFuture   = define("if-modified-since/future-ignored", advisory, "an If-Modified-Since in the future is not trusted (200), so clock skew cannot hide a change", "RFC2616 14.25")
	imsOnlyGet  = define("if-modified-since/ignored-on-put", must, "If-Modified-Since on a PUT is ignored: the PUT happens", "RFC9110 13.1.3")
	imsObsolete = define("if-modified-since/obsolete-date-formats", must, "If-Modified-Since in the RFC 850 and asctime formats is understood", "RFC9110 5.6.7")
)

// Precedence, RFC 9110 §13.2.2.
var (
	inmOverIMS     = define("precedence/inm-mismatch-beats-current-ims", must, "a non-matching If-None-Match with a current If-Modified-Since gets 200: If-Modified-Since is ignored", "RFC9110 13.2.2", "RFC9110 13.1.3")
	inmMatchOldIMS = define("precedence/inm-match-beats-old-ims", must, "a matching If-None-Match with an old If-Modified-Since gets 304", "RFC9110 13.2.2")
	ifMatchOverIUS = define("precedence/if-match-beats-ius", must, "a matching If-Match with an old If-Unmodified-Since lets the PUT happen", "RFC9110 13.2.2", "RFC9110 13.1.4")
)

// What a 304 carries, RFC 9110 §15.4.5.
var (
	nmNoBody          = define("not-modified/no-body", must, "a 304 has no content", "RFC9110 15.4.5")
	nmETag            = define("not-modified/etag", must, "a 304 carries the ETag the 200 would", "RFC9110 15.4.5")
	nmCacheControl    = define("not-modified/cache-control", must, "a 304 carries the Cache-Control the 200 would", "RFC9110 15.4.5")
	nmExpires         = define("not-modified/expires", must, "a 304 carries the Expires the 200 would", "RFC9110 15.4.5")
	nmVary            = define("not-modified/vary", must, "a 304 carries the Vary the 200 would", "RFC9110 15.4.5")
	nmDate            = define("not-modified/date", must, "a 304 carries Date", "RFC9110 15.4.5", "RFC9110 6.6.1")
	nmContentLocation = define("not-modified/content-location", must, "a 304 carries the Content-Location the 200 would", "RFC9110 15.4.5")
)

// State-changing requests, RFC 9110 §13.1.1 and §13.1.4.
var (
	ifMatchStale  = define("if-match/stale-put-gets-412", must, "PUT with If-Match naming an old ETag gets 412 and the resource is unchanged (no lost update)", "RFC9110 13.1.1")
	ifMatchFresh  = define("if-match/current-put-succeeds", must, "PUT with If-Match naming the current ETag succeeds", "RFC9110 13.1.1")
	ifMatchStrong = define("if-match/strong-comparison", must, "If-Match compares strongly: W/\"x\" never matches", "RFC9110 13.1.1", "RFC9110 8.8.3.2")
	ifMatchStar   = define("if-match/star-on-absent-gets-412", must, "PUT with If-Match: * on an absent resource gets 412", "RFC9110 13.1.1")
	ifMatchDelete = define("if-match/stale-delete-gets-412", must, "DELETE with If-Match naming an old ETag gets 412 and the resource stays", "RFC9110 13.1.1")
	iusStale      = define("if-unmodified-since/stale-put-gets-412", must, "PUT with If-Unmodified-Since before Last-Modified gets 412 and the resource is unchanged", "RFC9110 13.1.4")
)

// Validators, RFC 9110 §8.8.
var (
	etagChanges    = define("validators/etag-changes-with-content", must, "the ETag changes when the representation changes", "RFC9110 8.8.3")
	etagStable     = define("validators/etag-stable", should, "the ETag stays the same while the representation does", "RFC9110 8.8.3")
	etagSameSecond = define("validators/etag-sees-same-second-changes", must, "two changes within one second have different ETags, although Last-Modified cannot tell them apart", "RFC9110 8.8.3", "RFC9110 8.8.2")
	headValidators = define("validators/head-matches-get", should, "HEAD carries the ETag and Last-Modified GET does", "RFC9110 9.3.2")
	lastModSane    = define("validators/last-modified-not-future", must, "Last-Modified is not later than Date", "RFC9110 8.8.2.1")
)
