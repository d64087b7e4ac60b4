// Package proxy is the suite for caches in the middle: reverse proxies and
// CDNs (nginx, Varnish, Squid, Apache httpd, Traffic Server, a CDN's edge),
// graded against RFC 9111 as a shared cache, RFC 5861 and the parts of
// RFC 9110 an intermediary owes the messages it forwards.
//
// The harness is the client; the cache under test sits between it and the
// harness origin (harness/origin), which answers each check from a script
// of its own. A check sees both sides: what the cache served, and what
// reached the origin. `httpcheck run --cache URL --origin-listen ADDR`
// runs it; a contract run does not.
//
// Where the RFC lets a cache choose (it MAY store, MAY serve stale, MAY
// validate or fetch anew), the checks accept every conforming outcome and
// skip, with the reason, when the cache's choice leaves nothing to grade.
// Request directives are advisory (RFC 9111 §5.2.1: "caches MAY implement
// them, but are not required to"), so their checks are SHOULD whatever
// keyword the directive's own text uses.
//
// Checks whose responses must go stale share one wait (docs/decisions.md, "Shared waits"):
// their lifetimes are a second, the wait three, so a real cache costs the
// suite three seconds of waiting in all.
package proxy

import (
	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reports"
)

var _ = check.ForMode("proxy", harness.ModeProxy)

func define(id string, level reports.Level, title, requirement string, refs ...string) *check.Check {
	return check.Define(check.Check{ID: "proxy/" + id, Level: level, Title: title, Requirement: requirement, Refs: refs})
}

const (
	must   = reports.Must
	should = reports.Should
)

// Requirements quoted by several checks.
const (
	reqStale                      = `"A cache MUST NOT generate a stale response unless it is disconnected or doing so is explicitly permitted by the client or origin server (e.g., by the max-stale request directive in Section 5.2.1, extension directives such as those defined in [RFC5861], or configuration in accordance with an out-of-band contract)." (RFC 9111 §4.2.4)`
	reqProhibited                 = `"A cache MUST NOT generate a stale response if it is prohibited by an explicit in-protocol directive (e.g., by a no-cache response directive, a must-revalidate response directive, or an applicable s-maxage or proxy-revalidate response directive; see Section 5.2.2)." (RFC 9111 §4.2.4)`
	reqReuse                      = `"When presented with a request, a cache MUST NOT reuse a stored response unless: the presented target URI (Section 7.1 of [HTTP]) and that of the stored response match, and the request method associated with the stored response allows it to be used for the presented request, and request header fields nominated by the stored response (if any) match those presented (see Section 4.1), and the stored response does not contain the no-cache directive (Section 5.2.2.4), unless it is successfully validated (Section 4.3), and the stored response is one of the following: fresh (see Section 4.2), or allowed to be served stale (see Section 4.2.4), or successfully validated (see Section 4.3)." (RFC 9111 §4)`
	reqAge                        = `"When a stored response is used to satisfy a request without validation, a cache MUST generate an Age header field (Section 5.1), replacing any present in the response with a value equal to the stored response's current_age; see Section 4.2.3." (RFC 9111 §4)`
	reqPrivate                    = `"The unqualified private response directive indicates that a shared cache MUST NOT store the response (i.e., the response is intended for a single user)." (RFC 9111 §5.2.2.7)`
	reqNotHeuristic               = `"A cache MUST NOT store a response to a request unless: ... the response contains at least one of the following: a public response directive (see Section 5.2.2.9); a private response directive, if the cache is not shared (see Section 5.2.2.7); an Expires header field (see Section 5.3); a max-age response directive (see Section 5.2.2.1); if the cache is shared: an s-maxage response directive (see Section 5.2.2.10); a cache extension that allows it to be cached (see Section 5.2.3); or a status code that is defined as heuristically cacheable (see Section 4.2.2)." (RFC 9111 §3)`
	reqAuth                       = `"A shared cache MUST NOT use a cached response to a request with an Authorization header field (Section 11.6.2 of [HTTP]) to satisfy any subsequent request unless the response contains a Cache-Control field with a response directive (Section 5.2.2) that allows it to be stored by a shared cache, and the cache conforms to the requirements of that directive for that response." (RFC 9111 §3.5)`
	reqConnection                 = `"Intermediaries MUST parse a received Connection header field before a message is forwarded and, for each connection-option in this field, remove any header or trailer field(s) from the message with the same name as the connection-option, and then remove the Connection header field itself (or replace it with the intermediary's own control options for the forwarded message)." (RFC 9110 §7.6.1)`
	reqWriteThrough               = `"A cache MUST write through requests with methods that are unsafe (Section 9.2.1 of [HTTP]) to the origin server; i.e., a cache is not allowed to generate a reply to such a request before having forwarded the request and having received a corresponding response." (RFC 9111 §4)`
	reqInvalidate                 = `"A cache MUST invalidate the target URI (Section 7.1 of [HTTP]) when it receives a non-error status code in response to an unsafe request method (including methods whose safety is unknown)." (RFC 9111 §4.4)`
	reqVary                       = `"When a cache receives a request that can be satisfied by a stored response and that stored response contains a Vary header field (Section 12.5.5 of [HTTP]), the cache MUST NOT use that stored response without revalidation unless all the presented request header fields nominated by that Vary field value match those fields in the original request (i.e., the request that caused the cached response to be stored)." (RFC 9111 §4.1)`
	reqMaxAgeStale                = `"The max-age response directive indicates that the response is to be considered stale after its age is greater than the specified number of seconds." (RFC 9111 §5.2.2.1)`
	reqSMaxAge                    = `"The s-maxage response directive indicates that, for a shared cache, the maximum age specified by this directive overrides the maximum age specified by either the max-age directive or the Expires header field." (RFC 9111 §5.2.2.10)`
	reqSMaxAgeRevalidate          = `"The s-maxage directive incorporates the semantics of the proxy-revalidate response directive (Section 5.2.2.8) for a shared cache." (RFC 9111 §5.2.2.10)`
	reqExpiresInvalid             = `"A cache recipient MUST interpret invalid date formats, especially the value "0", as representing a time in the past (i.e., "already expired")." (RFC 9111 §5.3)`
	reqExpiresMaxAge              = `"If a response includes a Cache-Control header field with the max-age directive (Section 5.2.2.1), a recipient MUST ignore the Expires header field." (RFC 9111 §5.3)`
	reqExpiresSMaxAge             = `"Likewise, if a response includes the s-maxage directive (Section 5.2.2.10), a shared cache recipient MUST ignore the Expires header field." (RFC 9111 §5.3)`
	reqHeuristic                  = `"A cache MUST NOT use heuristics to determine freshness when an explicit expiration time is present in the stored response." (RFC 9111 §4.2.2)`
	reqDelta                      = `"If a cache receives a delta-seconds value greater than the greatest integer it can represent, or if any of its subsequent calculations overflows, the cache MUST consider the value to be 2147483648 (2^31) or the greatest positive integer it can conveniently represent." (RFC 9111 §1.2.2)`
	reqMustRevalidate             = `"The must-revalidate response directive indicates that once the response has become stale, a cache MUST NOT reuse that response to satisfy another request until it has been successfully validated by the origin, as defined by Section 4.3." (RFC 9111 §5.2.2.2)`
	reqMustRevalidateDisconnected = `"In all circumstances a cache MUST NOT ignore the must-revalidate directive; in particular, if a cache is disconnected, the cache MUST generate an error response rather than reuse the stale response. The generated status code SHOULD be 504 (Gateway Timeout) unless another error status code is more applicable." (RFC 9111 §5.2.2.2)`
	reqProxyRevalidate            = `"The proxy-revalidate response directive indicates that once the response has become stale, a shared cache MUST NOT reuse that response to satisfy another request until it has been successfully validated by the origin, as defined by Section 4.3. This is analogous to must-revalidate (Section 5.2.2.2), except that proxy-revalidate does not apply to private caches." (RFC 9111 §5.2.2.8)`
	reqNoCache                    = `"The no-cache response directive, in its unqualified form (without an argument), indicates that the response MUST NOT be used to satisfy any other request without forwarding it for validation and receiving a successful response; see Section 4.3." (RFC 9111 §5.2.2.4)`
	reqValidationSent             = `"When generating a conditional request for validation, a cache: MUST send the relevant entity tags (using If-Match, If-None-Match, or If-Range) if the entity tags were provided in the stored response(s) being validated; SHOULD send the Last-Modified value (using If-Modified-Since) if the request is not for a subrange, a single stored response is being validated, and that response contains a Last-Modified value" (RFC 9111 §4.3.1)`
	reqReceivedValidation         = `"If a cache receives a request that can be satisfied by reusing a stored 200 (OK) or 206 (Partial Content) response, as per Section 4, the cache SHOULD evaluate any applicable conditional header field preconditions received in that request with respect to the corresponding validators contained within the stored response." (RFC 9111 §4.3.2)`
	reqNotForCache                = `"A cache MUST NOT evaluate conditional header fields that only apply to an origin server, occur in a request with semantics that cannot be satisfied with a cached response, or occur in a request with a target resource for which it has no stored responses; such preconditions are likely intended for some other (inbound) server." (RFC 9111 §4.3.2)`
	reqPreconditionOrder          = `"A recipient cache or origin server MUST evaluate the request preconditions defined by this specification in the following order" (RFC 9110 §13.2.2); "If the field value is a list of entity tags, the condition is false if one of the listed tags matches the entity tag of the selected representation." (RFC 9110 §13.1.2)`
	reqAdvisory                   = ` Request directives "are advisory; caches MAY implement them, but are not required to" (RFC 9111 §5.2.1), so this is graded as a recommendation.`
)

// Storing responses, RFC 9111 §3.
var (
	noStore = define("storing/no-store", must, "a response with no-store is never reused",
		`"The no-store response directive indicates that a cache MUST NOT store any part of either the immediate request or the response and MUST NOT use the response to satisfy any other request." (RFC 9111 §5.2.2.5)`,
		"RFC9111 3", "RFC9111 5.2.2.5")
	private          = define("storing/private", must, "a response with private is not stored by the shared cache", reqPrivate, "RFC9111 3", "RFC9111 5.2.2.7")
	privateSMaxAge   = define("storing/private-with-s-maxage", must, "private wins over s-maxage: the response is not stored", reqPrivate, "RFC9111 3", "RFC9111 5.2.2.7")
	privateQualified = define("storing/private-qualified", must, `private="Field": the field is never served from storage`,
		`"If a qualified private response directive is present, with one or more field names, then only the listed header fields are limited to a single user: a shared cache MUST NOT store the listed header fields if they are present in the original response but MAY store the remainder of the response message without those fields." (RFC 9111 §5.2.2.7)`,
		"RFC9111 5.2.2.7")
	mustUnderstand = define("storing/must-understand-unknown-status", must, "a response with must-understand and a status code the cache cannot understand (299) is not stored",
		`"A cache MUST NOT store a response to a request unless: ... if the response status code is 206 or 304, or the must-understand cache directive (see Section 5.2.2.3) is present: the cache understands the response status code" (RFC 9111 §3)`,
		"RFC9111 3", "RFC9111 5.2.2.3")
	notHeuristic302 = define("storing/not-heuristic-302", must, "a 302 without explicit freshness is not stored: 302 is not heuristically cacheable", reqNotHeuristic, "RFC9111 3", "RFC9110 15.1")
	notHeuristic307 = define("storing/not-heuristic-307", must, "a 307 without explicit freshness is not stored: 307 is not heuristically cacheable", reqNotHeuristic, "RFC9111 3", "RFC9110 15.1")
	notHeuristic403 = define("storing/not-heuristic-403", must, "a 403 without explicit freshness is not stored: 403 is not heuristically cacheable", reqNotHeuristic, "RFC9111 3", "RFC9110 15.1")
	incomplete      = define("storing/incomplete", must, "a response cut short is not used to answer a later request",
		`"A cache MUST NOT use an incomplete response to answer requests unless the response has been made complete, or the request is partial and specifies a range wholly within the incomplete response." (RFC 9111 §3.3)`,
		"RFC9111 3.3")
	unrecognizedFields = define("storing/unrecognized-fields", must, "a response served from storage keeps the header fields the cache does not know",
		`"Caches MUST include all received response header fields -- including unrecognized ones -- when storing a response; this assures that new HTTP header fields can be successfully deployed." (RFC 9111 §3.1)`,
		"RFC9111 3.1")
	authOthers = define("authorization/not-reused-for-others", must, "a response to a request with Authorization (max-age only) is not reused for a request without it", reqAuth, "RFC9111 3.5")
	authSame   = define("authorization/not-reused-for-same", must, "a response to a request with Authorization (max-age only) is not reused even for the same credentials", reqAuth, "RFC9111 3.5")
)

// Forwarding, RFC 9110 §6.6.1 and §7.6.
var (
	connectionResponse = define("forwarding/connection-response", must, "fields a response's Connection names are removed, fresh and from storage", reqConnection, "RFC9110 7.6.1")
	connectionRequest  = define("forwarding/connection-request", must, "fields a request's Connection names do not reach the origin", reqConnection, "RFC9110 7.6.1")
	dateAdded          = define("forwarding/date-added", must, "a response the origin sent without Date is forwarded and served with one",
		`"A recipient with a clock that receives a response message without a Date header field MUST record the time it was received and append a corresponding Date header field to the message's header section if it is cached or forwarded downstream." (RFC 9110 §6.6.1)`,
		"RFC9110 6.6.1")
	viaRequest = define("forwarding/via-request", must, "requests reach the origin with a Via naming the cache",
		`"A proxy MUST send an appropriate Via header field, as described below, in each message that it forwards. An HTTP-to-HTTP gateway MUST send an appropriate Via header field in each inbound request message and MAY send a Via header field in forwarded response messages." (RFC 9110 §7.6.3)`,
		"RFC9110 7.6.3")
)

// Constructing responses from caches, RFC 9111 §4.
var (
	queryInKey    = define("reuse/query-in-key", must, "a stored response is not reused for a URI with another query", reqReuse, "RFC9111 4", "RFC9111 2")
	hostInKey     = define("reuse/host-in-key", must, "a stored response is not reused for the same path on another host", reqReuse, "RFC9111 4", "RFC9110 7.1")
	headNotForGet = define("head/not-reused-for-get", must, "a GET after a HEAD gets the content, not a stored HEAD response", reqReuse, "RFC9111 4", "RFC9110 9.3.2")
	headNoContent = define("head/no-content", must, "a HEAD answered from a stored GET response has no content",
		`"The HEAD method is identical to GET except that the server MUST NOT send content in the response." (RFC 9110 §9.3.2)`, "RFC9110 9.3.2", "RFC9111 4.3.5")
	headSameFields = define("head/same-fields", should, "a HEAD answered from a stored GET response carries its header fields",
		`"The server SHOULD send the same header fields in response to a HEAD request as it would have sent if the request method had been GET." (RFC 9110 §9.3.2)`, "RFC9110 9.3.2")
)

// Age, RFC 9111 §4, §4.2.3 and §5.1.
var (
	agePresent = define("age/present", must, "a response served from storage carries Age", reqAge, "RFC9111 4", "RFC9111 5.1")
	ageSyntax  = define("age/delta-seconds", must, "Age is one non-negative integer",
		`"Age = delta-seconds"; "The Age field value is a non-negative integer, representing time in seconds (see Section 1.2.2)." (RFC 9111 §5.1)`, "RFC9111 5.1")
	ageGrows    = define("age/resident-time", must, "Age counts the time the response spent in storage", reqAge, "RFC9111 4", "RFC9111 4.2.3")
	ageUpstream = define("age/replaces-upstream", must, "Age adds the time in storage to the Age the origin sent, instead of passing it on", reqAge, "RFC9111 4", "RFC9111 4.2.3")
	ageCounted  = define("age/counts-against-lifetime", must, "a response that arrived older (Age) than its max-age is stale, not reused",
		reqReuse+` "corrected_age_value = age_value + response_delay"; "current_age = corrected_initial_age + resident_time" (RFC 9111 §4.2.3)`, "RFC9111 4.2.3", "RFC9111 4")
	ageOverflow    = define("age/overflow", must, "an Age beyond any integer the cache holds counts as 2^31 seconds: the response is stale", reqDelta, "RFC9111 1.2.2", "RFC9111 5.1")
	ageFirstMember = define("age/list-first-member", should, "of a list-based Age, the first member is used",
		`"Although it is defined as a singleton header field, a cache encountering a message with a list-based Age field value SHOULD use the first member of the field value, discarding subsequent ones." (RFC 9111 §5.1)`, "RFC9111 5.1")
	ageInvalid = define("age/invalid-ignored", should, "an Age that is not an integer is ignored: the response stays fresh",
		`"If the field value (after discarding additional members, as per above) is invalid (e.g., it contains something other than a non-negative integer), a cache SHOULD ignore the field." (RFC 9111 §5.1)`, "RFC9111 5.1")
)

// Vary, RFC 9111 §4.1.
var (
	varyValue         = define("vary/different-value", must, "a response that varies on a field is not reused for another value of it", reqVary, "RFC9111 4.1")
	varyAbsentPresent = define("vary/absent-then-present", must, "a response to a request without the varying field is not reused for one with it",
		reqVary+` "If (after any normalization that might take place) a header field is absent from a request, it can only match another request if it is also absent there." (RFC 9111 §4.1)`, "RFC9111 4.1")
	varyPresentAbsent = define("vary/present-then-absent", must, "a response to a request with the varying field is not reused for one without it",
		reqVary+` "If (after any normalization that might take place) a header field is absent from a request, it can only match another request if it is also absent there." (RFC 9111 §4.1)`, "RFC9111 4.1")
	varyStar = define("vary/star", must, "a response with Vary: * is never reused",
		`"A stored response with a Vary header field value containing a member "*" always fails to match." (RFC 9111 §4.1)`, "RFC9111 4.1")
	varyTwoFields = define("vary/every-field", must, "every field Vary names must match, not just the first", reqVary, "RFC9111 4.1")
	varyTwoLines  = define("vary/several-lines", must, "Vary on two field lines nominates the fields of both", reqVary, "RFC9111 4.1", "RFC9110 5.3")
)

// Freshness, RFC 9111 §4.2, §4.2.2 and §5.3.
var (
	maxAgeStale  = define("freshness/max-age", must, "once max-age has passed, the response is not served without contacting the origin", reqStale+" "+reqMaxAgeStale, "RFC9111 4.2.4", "RFC9111 5.2.2.1")
	sMaxAgeStale = define("freshness/s-maxage-over-max-age", must, "s-maxage, not a longer max-age, sets the shared cache's lifetime", reqStale+" "+reqSMaxAge, "RFC9111 4.2.1", "RFC9111 5.2.2.10")
	expiresStale = define("freshness/expires", must, "once Expires has passed, the response is not served without contacting the origin",
		reqStale+` "The Expires header field gives the date/time after which the response is considered stale." (RFC 9111 §5.3)`, "RFC9111 4.2.1", "RFC9111 5.3")
	deltaOverflow     = define("freshness/delta-seconds-overflow", must, "a max-age beyond any integer the cache holds counts as 2^31 seconds: the response is fresh", reqDelta, "RFC9111 1.2.2")
	expiresMaxAge     = define("expires/ignored-with-max-age", must, "a max-age shorter than Expires decides: the response goes stale", reqExpiresMaxAge, "RFC9111 5.3")
	expiresSMaxAge    = define("expires/ignored-with-s-maxage", must, "an s-maxage shorter than Expires decides: the response goes stale", reqExpiresSMaxAge, "RFC9111 5.3")
	expiresPast       = define("expires/in-the-past", must, "a response whose Expires is in the past is stale on arrival", reqStale, "RFC9111 5.3", "RFC9111 4.2.1")
	expiresZero       = define("expires/zero", must, "Expires: 0 means already expired", reqExpiresInvalid, "RFC9111 5.3")
	expiresInvalid    = define("expires/invalid", must, "an Expires that is not a date means already expired", reqExpiresInvalid, "RFC9111 5.3")
	expiresPastMaxAge = define("expires/past-ignored-with-max-age", must, "a past Expires does not shorten max-age: the response is reused as one without Expires is", reqExpiresMaxAge, "RFC9111 5.3")
	heuristicMaxAge   = define("heuristic/not-with-max-age", must, "a response with max-age goes stale on time, however old its Last-Modified", reqHeuristic, "RFC9111 4.2.2")
	heuristicExpires  = define("heuristic/not-with-expires", must, "a response with Expires goes stale on time, however old its Last-Modified", reqHeuristic, "RFC9111 4.2.2")
)

// Serving stale responses, RFC 9111 §4.2.4 and §5.2.2, and RFC 5861.
var (
	mustRevalidateDown      = define("stale/must-revalidate-origin-down", must, "with must-revalidate, a stale response is not served when the origin cannot be reached", reqMustRevalidateDisconnected, "RFC9111 5.2.2.2", "RFC9111 4.2.4")
	mustRevalidate504       = define("stale/must-revalidate-504", should, "with must-revalidate and the origin unreachable, the error is 504 (Gateway Timeout), or 502", reqMustRevalidateDisconnected, "RFC9111 5.2.2.2")
	mustRevalidateError     = define("stale/must-revalidate-origin-error", must, "with must-revalidate, a stale response is not served when the origin answers 500", reqMustRevalidate, "RFC9111 5.2.2.2")
	proxyRevalidateDown     = define("stale/proxy-revalidate-origin-down", must, "with proxy-revalidate, a stale response is not served when the origin cannot be reached", reqProhibited+" "+reqProxyRevalidate, "RFC9111 5.2.2.8", "RFC9111 4.2.4")
	sMaxAgeDown             = define("stale/s-maxage-origin-down", must, "with s-maxage, a stale response is not served when the origin cannot be reached", reqProhibited+" "+reqSMaxAgeRevalidate, "RFC9111 5.2.2.10", "RFC9111 4.2.4")
	noCacheDown             = define("stale/no-cache-origin-down", must, "a no-cache response is not served when the origin cannot be reached to validate it", reqNoCache, "RFC9111 5.2.2.4", "RFC9111 4.2.4")
	maxStaleMustRevalidate  = define("stale/max-stale-vs-must-revalidate", must, "a request's max-stale does not get a stale must-revalidate response", reqMustRevalidate, "RFC9111 5.2.2.2", "RFC9111 5.2.1.2")
	maxStaleProxyRevalidate = define("stale/max-stale-vs-proxy-revalidate", must, "a request's max-stale does not get a stale proxy-revalidate response", reqProxyRevalidate, "RFC9111 5.2.2.8", "RFC9111 5.2.1.2")
	maxStaleSMaxAge         = define("stale/max-stale-vs-s-maxage", must, "a request's max-stale does not get a stale s-maxage response", reqProhibited+" "+reqSMaxAgeRevalidate, "RFC9111 5.2.2.10", "RFC9111 5.2.1.2")
	swrBeyond               = define("rfc5861/stale-while-revalidate-window", must, "past the stale-while-revalidate window, the stale response is not served", reqStale, "RFC5861 3", "RFC9111 4.2.4")
	swrBackground           = define("rfc5861/stale-while-revalidate-revalidates", should, "a response served stale under stale-while-revalidate is revalidated in the background",
		`"If a cached response is served stale due to the presence of this extension, the cache SHOULD attempt to revalidate it while still serving stale responses (i.e., without blocking)." (RFC 5861 §3)`, "RFC5861 3")
	sieBeyond = define("rfc5861/stale-if-error-window", should, "past the stale-if-error window, a stale response is not served for an origin's 500",
		`"Its value indicates the upper limit to staleness; when the cached response is more stale than the indicated amount, the cached response SHOULD NOT be used to satisfy the request, absent other information." (RFC 5861 §4)`, "RFC5861 4")
)

// Validation, RFC 9111 §4.3.
var (
	inmSent       = define("validation/if-none-match-sent", must, "a stale response with an ETag is validated with If-None-Match naming it", reqValidationSent, "RFC9111 4.3.1")
	imsSent       = define("validation/if-modified-since-sent", should, "a stale response with Last-Modified is validated with If-Modified-Since carrying it", reqValidationSent, "RFC9111 4.3.1")
	notModUpdates = define("validation/304-updates-stored", must, "after a 304, the stored response is served as a 200 with the 304's header fields",
		`"For each stored response identified, the cache MUST update its header fields with the header fields provided in the 304 (Not Modified) response, as per Section 3.2." (RFC 9111 §4.3.4)`, "RFC9111 4.3.4", "RFC9111 3.2")
	notModMismatch = define("validation/304-other-etag-not-used", must, "a 304 with another strong ETag neither updates nor revalidates the stored response",
		`"If none of the initial set contains at least one of the same strong validators, then the cache MUST NOT use the new response to update any stored responses." (RFC 9111 §4.3.4)`, "RFC9111 4.3.4")
	fullResponseUsed = define("validation/full-response-used", must, "a 200 to a validation request is what the client gets",
		`"A full response (i.e., one containing content) indicates that none of the stored responses nominated in the conditional request are suitable. Instead, the cache MUST use the full response to satisfy the request." (RFC 9111 §4.3.3)`, "RFC9111 4.3.3")
	clientTag = define("validation/other-client-tag-gets-200", must, "a client validating another tag gets the stored response as a 200, never the cache's 304",
		`"If the response to the forwarded request is 304 (Not Modified) and has an ETag field value with an entity tag that is not in the client's list, the cache MUST generate a 200 (OK) response for the client by reusing its corresponding stored response, as updated by the 304 response metadata (Section 4.3.4)." (RFC 9111 §4.3.2)`, "RFC9111 4.3.2")
)

// Handling a received validation request, RFC 9111 §4.3.2 and RFC 9110 §13.
var (
	condINM      = define("conditional/if-none-match-304", should, "If-None-Match with the stored ETag is answered 304 from storage", reqReceivedValidation, "RFC9111 4.3.2")
	condINMOther = define("conditional/if-none-match-other-200", must, "If-None-Match with another ETag gets the full 200", reqPreconditionOrder, "RFC9110 13.1.2", "RFC9110 13.2.2")
	condINMWeak  = define("conditional/if-none-match-weak", must, `If-None-Match compares weakly: W/"x" matches a stored "x"`,
		`"A recipient MUST use the weak comparison function when comparing entity tags for If-None-Match (Section 8.8.3.2), since weak entity tags can be used for cache validation even if there have been changes to the representation data." (RFC 9110 §13.1.2)`, "RFC9110 13.1.2")
	condIMS     = define("conditional/if-modified-since-304", should, "If-Modified-Since at the stored Last-Modified is answered 304 from storage", reqReceivedValidation, "RFC9111 4.3.2")
	condIMSDate = define("conditional/if-modified-since-date", should, "without Last-Modified, If-Modified-Since is compared with the stored Date",
		`"If a request contains an If-Modified-Since header field and the Last-Modified header field is not present in a stored response, a cache SHOULD use the stored response's Date field value (or, if no Date field is present, the time that the stored response was received) to evaluate the conditional." (RFC 9111 §4.3.2)`, "RFC9111 4.3.2")
	condPrecedence = define("conditional/if-none-match-precedence", must, "a non-matching If-None-Match gets the 200 even with a matching If-Modified-Since",
		`"A recipient MUST ignore If-Modified-Since if the request contains an If-None-Match header field; the condition in If-None-Match is considered to be a more accurate replacement for the condition in If-Modified-Since, and the two are only combined for the sake of interoperating with older intermediaries that might not implement If-None-Match." (RFC 9110 §13.1.3)`, "RFC9110 13.1.3")
	condIfMatch   = define("conditional/if-match-for-origin", must, "If-Match is the origin's to evaluate: the cache does not answer 412 itself", reqNotForCache, "RFC9111 4.3.2")
	condIUS       = define("conditional/if-unmodified-since-for-origin", must, "If-Unmodified-Since is the origin's to evaluate: the cache does not answer 412 itself", reqNotForCache, "RFC9111 4.3.2")
	condUnstored  = define("conditional/unstored-forwarded", must, "a conditional request for something not stored is forwarded to the origin", reqNotForCache, "RFC9111 4.3.2")
	cond304Fields = define("conditional/304-fields", must, "a 304 for the client carries the ETag, Cache-Control and Date the 200 would",
		`"The server generating a 304 response MUST generate any of the following header fields that would have been sent in a 200 (OK) response to the same request: Content-Location, Date, ETag, and Vary; Cache-Control and Expires (see [CACHING])" (RFC 9110 §15.4.5)`, "RFC9110 15.4.5")
)

// Unsafe methods: write-through, RFC 9111 §4, and invalidation, §4.4.
var (
	wtPost     = define("write-through/post", must, "POST reaches the origin although a response to GET is stored", reqWriteThrough, "RFC9111 4")
	wtPut      = define("write-through/put", must, "PUT reaches the origin although a response to GET is stored", reqWriteThrough, "RFC9111 4")
	wtDelete   = define("write-through/delete", must, "DELETE reaches the origin although a response to GET is stored", reqWriteThrough, "RFC9111 4")
	wtPatch    = define("write-through/patch", must, "PATCH reaches the origin although a response to GET is stored", reqWriteThrough, "RFC9111 4")
	wtUnknown  = define("write-through/unknown-method", must, "a method the cache does not know reaches the origin", reqWriteThrough, "RFC9111 4", "RFC9111 4.4")
	invPost    = define("invalidation/post-200", must, "a 200 to POST invalidates the stored response", reqInvalidate, "RFC9111 4.4")
	invPost303 = define("invalidation/post-303", must, "a 303 to POST (a non-error status) invalidates the stored response", reqInvalidate, "RFC9111 4.4")
	invPut     = define("invalidation/put-201", must, "a 201 to PUT invalidates the stored response", reqInvalidate, "RFC9111 4.4")
	invDelete  = define("invalidation/delete-204", must, "a 204 to DELETE invalidates the stored response", reqInvalidate, "RFC9111 4.4")
	invPatch   = define("invalidation/patch-200", must, "a 200 to PATCH invalidates the stored response", reqInvalidate, "RFC9111 4.4")
	invUnknown = define("invalidation/unknown-method-200", must, "a 200 to a method of unknown safety invalidates the stored response", reqInvalidate, "RFC9111 4.4")
)

// Request directives, RFC 9111 §5.2.1: advisory.
var (
	reqNoCacheDir = define("request/no-cache", should, "a request with no-cache is not answered from storage without the origin",
		`"The no-cache request directive indicates that the client prefers a stored response not be used to satisfy the request without successful validation on the origin server." (RFC 9111 §5.2.1.4)`+reqAdvisory, "RFC9111 5.2.1.4")
	reqMaxAgeZero = define("request/max-age-zero", should, "a request with max-age=0 is not answered from storage without the origin",
		`"The max-age request directive indicates that the client prefers a response whose age is less than or equal to the specified number of seconds." (RFC 9111 §5.2.1.1)`+reqAdvisory, "RFC9111 5.2.1.1")
	reqMaxAgeOld = define("request/max-age-exceeded", should, "a request with max-age=1 does not get a stored response three seconds old",
		`"The max-age request directive indicates that the client prefers a response whose age is less than or equal to the specified number of seconds." (RFC 9111 §5.2.1.1)`+reqAdvisory, "RFC9111 5.2.1.1")
	reqMinFresh = define("request/min-fresh", should, "a request with min-fresh beyond the remaining lifetime is not answered from storage",
		`"The min-fresh request directive indicates that the client prefers a response whose freshness lifetime is no less than its current age plus the specified time in seconds." (RFC 9111 §5.2.1.3)`+reqAdvisory, "RFC9111 5.2.1.3")
	reqNoStoreDir = define("request/no-store", should, "the response to a request with no-store is not stored",
		`"The no-store request directive indicates that a cache MUST NOT store any part of either this request or any response to it." (RFC 9111 §5.2.1.5)`+reqAdvisory, "RFC9111 5.2.1.5")
	reqOnlyIfCachedMiss = define("request/only-if-cached-miss", should, "only-if-cached with nothing stored gets a 504 without the origin",
		`"Caches that honor this request directive SHOULD, upon receiving it, respond with either a stored response consistent with the other constraints of the request or a 504 (Gateway Timeout) status code." (RFC 9111 §5.2.1.7)`+reqAdvisory, "RFC9111 5.2.1.7")
	reqOnlyIfCachedHit = define("request/only-if-cached-hit", should, "only-if-cached with a fresh stored response gets it without the origin",
		`"Caches that honor this request directive SHOULD, upon receiving it, respond with either a stored response consistent with the other constraints of the request or a 504 (Gateway Timeout) status code." (RFC 9111 §5.2.1.7)`+reqAdvisory, "RFC9111 5.2.1.7")
)

// Response directives, RFC 9111 §5.2.2 and §5.2.3.
var (
	noCache          = define("directives/no-cache", must, "a no-cache response is validated before every reuse", reqNoCache, "RFC9111 5.2.2.4")
	noCacheQualified = define("directives/no-cache-qualified", must, `no-cache="Field": the field is not served from storage without validation`,
		`"If the no-cache response directive specifies one or more field names, then a cache MAY use the response to satisfy a subsequent request, subject to any other restrictions on caching. However, any header fields in the response that have the field name(s) listed MUST NOT be sent in the response to a subsequent request without successful revalidation with the origin server." (RFC 9111 §5.2.2.4)`, "RFC9111 5.2.2.4")
	noTransform = define("directives/no-transform", must, "a no-transform response reaches a gzip-accepting client with its content unchanged",
		`"The no-transform response directive indicates that an intermediary (regardless of whether it implements a cache) MUST NOT transform the content (Section 7.7 of [HTTP])." (RFC 9111 §5.2.2.6)`, "RFC9111 5.2.2.6", "RFC9110 7.7")
	extensionIgnored = define("directives/extension-ignored", must, "an unknown directive beside max-age changes nothing: the response is reused as without it",
		`"A cache MUST ignore unrecognized cache directives." (RFC 9111 §5.2.3)`, "RFC9111 5.2.3")
)
