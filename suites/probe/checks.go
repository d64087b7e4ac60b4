// Package probe is the probe suite: checks on any deployed URL, with no
// contract (httpcheck probe URL...). It fetches each URL with a fresh
// browser and grades what the service really sends: its cookies, its
// Date, Cache-Control, Expires, Age and Vary, and how it answers
// conditional requests. A session recipe (docs/probe.md) adds checks on
// logging in and out.
//
// The rules are the contract suites' own (suites/internal/rules): a probe
// verdict and a contract verdict on the same header are the same verdict.
// Where a rule needs something the URL does not give (an ETag, a
// Last-Modified, a cookie), the check is skipped with that reason, never
// passed unseen.
//
// The checks are declared once per target that the run gives
// (check.Targets); `httpcheck run`, which gives none, runs none of them.
package probe

import (
	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reports"
)

func define(id string, level reports.Level, title string, refs ...string) *check.Check {
	return check.Define(check.Check{ID: "probe/" + id, Level: level, Title: title, Refs: refs})
}

const (
	must     = reports.Must
	should   = reports.Should
	advisory = reports.Advisory
)

// The Set-Cookie lines of the response (RFC 6265bis §4.1, and the limits
// user agents enforce).
var (
	cookieSyntax = define("set-cookie/valid-syntax", should, "every Set-Cookie follows the set-cookie-string grammar", "RFC6265bis 4.1.1").
			Quoting(`"Servers conforming to this profile MUST NOT send Set-Cookie header fields that deviate from the following grammar" (RFC 6265bis §4.1.1)`)
	cookieDupAttrs = define("set-cookie/no-duplicate-attributes", should, "no Set-Cookie carries the same attribute twice", "RFC6265bis 4.1.1").
			Quoting(`"To maximize compatibility with user agents, servers MUST NOT produce two attributes with the same name in the same set-cookie-string." (RFC 6265bis §4.1.1)`)
	cookieOnePerRes = define("set-cookie/one-cookie-per-name", should, "no response carries two Set-Cookie fields for one cookie name", "RFC6265bis 4.1.1").
			Quoting(`"Servers MUST NOT include more than one Set-Cookie header field in the same response with the same cookie-name." (RFC 6265bis §4.1.1)`)
	cookieSizes    = define("set-cookie/size-limits", advisory, "no cookie has over 4096 bytes of name and value, nor an attribute value over 1024 (browsers drop them)", "RFC6265bis 4.1.2", "RFC6265bis 5.6")
	cookieLifetime = define("set-cookie/lifetime-400-days", advisory, "no Max-Age or Expires promises more than 400 days (browsers cap it)", "RFC6265bis 4.1.2.1", "RFC6265bis 4.1.2.2")
	cookiePrefixes = define("set-cookie/prefixes", advisory, "a __Secure- or __Host- cookie carries what its prefix requires (browsers drop it otherwise)", "RFC6265bis 4.1.3")
	cookieSameSite = define("set-cookie/samesite-none-secure", advisory, "SameSite=None comes with Secure (browsers drop the cookie otherwise)", "RFC6265bis 5.7")
	cookieAgrees   = define("set-cookie/expires-agrees-with-max-age", advisory, "when both are sent, Expires is Date plus Max-Age, so old and new browsers agree", "RFC6265bis 4.1.2.1")
)

// Cookies that look like sessions, graded as the Mozilla HTTP Observatory
// grades them (suites/internal/rules, observatory.go).
var (
	sessionSecure   = define("cookie-security/session-secure", advisory, "cookies that look like sessions carry Secure (scored as the Mozilla Observatory does)", "OWASP ASVS 3.4.1", "OWASP WSTG SESS-02")
	sessionHTTPOnly = define("cookie-security/session-httponly", advisory, "cookies that look like sessions carry HttpOnly (scored as the Mozilla Observatory does)", "OWASP ASVS 3.4.2", "OWASP WSTG SESS-02")
	sessionSameSite = define("cookie-security/session-samesite", advisory, "cookies that look like sessions or anti-CSRF tokens carry SameSite=Strict or Lax (scored as the Mozilla Observatory does)", "OWASP ASVS 3.4.3", "OWASP WSTG SESS-02")
)

// Date, Cache-Control, Expires, Age and Vary (RFC 9110, RFC 9111).
var (
	datePresent = define("date/present", must, "the response carries a Date", "RFC9110 6.6.1").
			Quoting(`"An origin server with a clock (as defined in Section 5.6.7) MUST generate a Date header field in all 2xx (Successful), 3xx (Redirection), and 4xx (Client Error) responses ..." (RFC 9110 §6.6.1)`)
	dateFormat = define("date/imf-fixdate", must, "Date is an IMF-fixdate", "RFC9110 5.6.7").
			Quoting(qIMFFixdate)
	dateSingle = define("date/single", must, "the response carries one Date field line, never two", "RFC9110 5.3", "RFC9110 6.6.1").
			Quoting(`"... a sender MUST NOT generate multiple field lines with the same name in a message ... unless that field's definition allows multiple field line values to be recombined as a comma-separated list" (RFC 9110 §5.3)`)
	dateAccurate    = define("date/accurate", advisory, "Date is within 30 seconds of the harness's clock", "RFC9110 6.6.1")
	ccSyntax        = define("cache-control/valid-syntax", should, "Cache-Control follows the directive grammar, without duplicates or conflicts (public with private, no-store with max-age)", "RFC9111 5.2")
	cookieNotShared = define("cache-control/cookie-response-not-shared", advisory, "a response that sets a cookie is marked private or no-store, so no shared cache serves it to another user", "RFC9111 5.2.2.7", "OWASP WSTG SESS-02")
	expiresFormat   = define("expires/imf-fixdate", must, "Expires is an IMF-fixdate", "RFC9110 5.6.7", "RFC9111 5.3").
			Quoting(qIMFFixdate)
	expiresAgrees = define("expires/agrees-with-max-age", advisory, "when both are sent, Expires is Date plus max-age, so HTTP/1.0 caches agree", "RFC9111 5.3")
	ageValid      = define("age/delta-seconds", must, "Age, when sent, is one non-negative integer", "RFC9111 5.1").
			Quoting(`"The Age field value is a non-negative integer, representing time in seconds (see Section 1.2.2)." (RFC 9111 §5.1)`)
	varyNoStar = define("vary/no-star", advisory, "Vary is not *, which makes the response unusable by any cache", "RFC9110 12.5.5", "RFC9111 4.1")
	varyNarrow = define("vary/narrow", advisory, "Vary names at most four request fields", "RFC9111 4.1")
	varyNoUA   = define("vary/no-user-agent", advisory, "Vary does not name User-Agent, which keeps a variant per browser version", "RFC9111 4.1")
)

// Conditional requests, sent as follow-ups (RFC 9110 §13, §15.4.5).
var (
	inmMatch = define("if-none-match/match-gets-304", must, "GET with If-None-Match naming the current ETag gets 304", "RFC9110 13.1.2").
			Quoting(`"An origin server that evaluates an If-None-Match condition MUST NOT perform the requested method if the condition evaluates to false; instead, the origin server MUST respond with either a) the 304 (Not Modified) status code if the request method is GET or HEAD or b) the 412 (Precondition Failed) status code for all other request methods." (RFC 9110 §13.1.2)`)
	inmNoBody = define("if-none-match/304-no-body", must, "the 304 to If-None-Match has no content", "RFC9110 15.4.5").
			Quoting(q304NoBody)
	inmFields = define("if-none-match/304-headers", must, "the 304 to If-None-Match carries the ETag, Cache-Control, Expires, Vary, Content-Location and Date the 200 had", "RFC9110 15.4.5").
			Quoting(q304Fields)
	inmStar = define("if-none-match/star", must, "GET with If-None-Match: * gets 304 from a URL that has validators", "RFC9110 13.1.2").
		Quoting(`"If the field value is "*", the condition is false if the origin server has a current representation for the target resource." (RFC 9110 §13.1.2) "An origin server that evaluates an If-None-Match condition MUST NOT perform the requested method if the condition evaluates to false; instead, the origin server MUST respond with either a) the 304 (Not Modified) status code if the request method is GET or HEAD or b) the 412 (Precondition Failed) status code for all other request methods." (RFC 9110 §13.1.2)`)
	imsEqual = define("if-modified-since/equal-gets-304", should, "GET with If-Modified-Since equal to Last-Modified gets 304", "RFC9110 13.1.3").
			Quoting(`"If the selected representation's last modification date is earlier or equal to the date provided in the field value, the condition is false." ... "An origin server that evaluates an If-Modified-Since condition SHOULD NOT perform the requested method if the condition evaluates to false; instead, the origin server SHOULD generate a 304 (Not Modified) response ..." (RFC 9110 §13.1.3)`)
	imsNoBody = define("if-modified-since/304-no-body", must, "the 304 to If-Modified-Since has no content", "RFC9110 15.4.5").
			Quoting(q304NoBody)
	imsFields = define("if-modified-since/304-headers", must, "the 304 to If-Modified-Since carries the ETag, Cache-Control, Expires, Vary, Content-Location and Date the 200 had", "RFC9110 15.4.5").
			Quoting(q304Fields)
	inmOverIMS = define("precedence/inm-mismatch-beats-current-ims", must, "a non-matching If-None-Match with a current If-Modified-Since gets 200: If-Modified-Since is ignored", "RFC9110 13.2.2", "RFC9110 13.1.3").
			Quoting(`"A recipient MUST ignore If-Modified-Since if the request contains an If-None-Match header field; the condition in If-None-Match is considered to be a more accurate replacement for the condition in If-Modified-Since ..." (RFC 9110 §13.1.3)`)
	inmMatchOld = define("precedence/inm-match-beats-old-ims", must, "a matching If-None-Match with an old If-Modified-Since gets 304", "RFC9110 13.2.2").
			Quoting(`"A recipient cache or origin server MUST evaluate the request preconditions defined by this specification in the following order: ... When If-None-Match is present, evaluate the If-None-Match precondition: ... if false for GET/HEAD, respond 304 (Not Modified)" (RFC 9110 §13.2.2)`)
	etagStable = define("validators/etag-stable", should, "two fetches of the same body get the same ETag", "RFC9110 8.8.3").
			Quoting(`"... it is in the best interests of the origin server to only change the value when it is necessary to invalidate the stored responses held by remote caches and authoring tools." (RFC 9110 §8.8.1)`)
	etagChanges = define("validators/etag-changes-with-content", must, "two fetches of different bodies get different strong ETags", "RFC9110 8.8.3").
			Quoting(`"A strong validator is representation metadata that changes value whenever a change occurs to the representation data that would be observable in the content of a 200 (OK) response to GET." (RFC 9110 §8.8.1)`)
	headMatches = define("validators/head-matches-get", should, "HEAD carries the ETag and Last-Modified GET does", "RFC9110 9.3.2").
			Quoting(`"The server SHOULD send the same header fields in response to a HEAD request as it would have sent if the request method had been GET." (RFC 9110 §9.3.2)`)
	lastModFuture = define("validators/last-modified-not-future", must, "Last-Modified is not later than Date", "RFC9110 8.8.2.1").
			Quoting(`"An origin server with a clock (as defined in Section 5.6.7) MUST NOT generate a Last-Modified date that is later than the server's time of message origination (Date, Section 6.6.1)." (RFC 9110 §8.8.2.1)`)
)

// The session probe, driven by a recipe (--session FILE).
var (
	sessRotates    = define("session/rotates-on-login", advisory, "the session cookie changes on login (no session fixation)", "OWASP WSTG SESS-03", "OWASP ASVS 3.2.1")
	sessPreLogin   = define("session/pre-login-cookie-rejected", advisory, "the cookies from before login, replayed by hand after it, are not logged in", "OWASP WSTG SESS-03", "OWASP ASVS 3.2.1")
	sessLogout     = define("session/logout-invalidates", advisory, "the session cookie from before logout, replayed by hand, is not logged in: logout ends the session on the server", "OWASP WSTG SESS-06", "OWASP ASVS 3.3.1")
	sessEntropy    = define("session/id-entropy", advisory, "session ids from separate logins carry at least 128 bits of entropy", "OWASP ASVS 3.2.2", "OWASP WSTG SESS-01")
	sessAttributes = define("session/cookie-attributes", advisory, "the session cookie set at login carries Secure, HttpOnly and SameSite=Strict or Lax (scored as the Mozilla Observatory does)", "OWASP ASVS 3.4.1", "OWASP ASVS 3.4.2", "OWASP ASVS 3.4.3", "OWASP WSTG SESS-02")
	sessNotStored  = define("session/protected-page-not-stored", advisory, "the logged-in page carries Cache-Control no-store or private", "OWASP WSTG SESS-04", "RFC9111 5.2.2.7")
)

// The probe suite grades URLs without a contract: `httpcheck probe` runs
// it, `httpcheck run` never does.
var _ = check.ForMode("probe", harness.ModeProbe)

// Sentences quoted by several checks, in the RFCs' words.
const (
	qIMFFixdate = `"When a sender generates a field that contains one or more timestamps defined as HTTP-date, the sender MUST generate those timestamps in the IMF-fixdate format." (RFC 9110 §5.6.7)`
	q304NoBody  = `"A 304 response is terminated by the end of the header section; it cannot contain content or trailers." (RFC 9110 §15.4.5)`
	q304Fields  = `"The server generating a 304 response MUST generate any of the following header fields that would have been sent in a 200 (OK) response to the same request: Content-Location, Date, ETag, and Vary ... Cache-Control and Expires (see [CACHING])" (RFC 9110 §15.4.5)`
)
