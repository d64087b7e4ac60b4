// Package cookies is the cookies suite: what a target's Set-Cookie headers
// make a conforming user agent (RFC 6265bis, draft 22) store and send back,
// checked through the contract's cookies endpoints with the reference jar.
//
// The target is graded on what it emits; the reference jar (a browser per
// the RFC) turns that into what a user would see. A target passes a
// "rejected" check either by refusing to emit the cookie (4xx) or by
// emitting it so that browsers reject it: both keep the user safe.
package cookies

import (
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reports"
)

var define = check.Definer("cookies")

const (
	must     = reports.Must
	should   = reports.Should
	advisory = reports.Advisory
)

// The contract's four operations (docs/contract.md, Cookies).
var (
	setGet        = define("basics/set-get", must, "a cookie set by cookies/set is sent back and read by cookies/get", "contract cookies", "RFC6265bis 5.7")
	modify        = define("basics/modify", must, "setting a cookie again replaces its value", "contract cookies", "RFC6265bis 5.7")
	deleteCookie  = define("basics/delete", must, "cookies/delete removes the cookie from the browser", "contract cookies", "RFC6265bis 3.1")
	getDefault    = define("basics/get-default", must, "cookies/get of an absent cookie answers found false with the default", "contract cookies")
	deleteAbsent  = define("basics/delete-absent", must, "deleting a cookie the browser does not have is not an error", "contract cookies")
	allCookies    = define("basics/all", must, "cookies/all lists every cookie the request carried", "contract cookies")
	encodingTrip  = define("encoding/round-trip", must, "values with spaces, commas, semicolons, quotes, backslashes, non-ASCII, or a look of a framework's own encoding (j:[1]) round-trip exactly", "contract cookies", "RFC6265bis 4.1.1")
	encodingOctet = define("encoding/cookie-octets", should, "values that need encoding are sent as cookie-octets, not raw", "RFC6265bis 4.1.1").
			Quoting(`"To maximize compatibility with user agents, servers that wish to store arbitrary data in a cookie-value SHOULD encode that data ..." (RFC 6265bis §4.1.1)`)
)

// Set-Cookie grammar, RFC 6265bis §4.1.1: servers SHOULD stay within it.
var (
	grammarValid = define("grammar/valid-syntax", should, "every Set-Cookie the target sends follows the set-cookie-string grammar", "RFC6265bis 4.1.1").
			Quoting(qGrammar)
	grammarDupAttrs = define("grammar/no-duplicate-attributes", should, "no Set-Cookie carries the same attribute twice", "RFC6265bis 4.1.1").
			Quoting(`"To maximize compatibility with user agents, servers MUST NOT produce two attributes with the same name in the same set-cookie-string." (RFC 6265bis §4.1.1)`)
	grammarOnePerRes = define("grammar/one-cookie-per-name", should, "no response carries two Set-Cookie fields for one cookie name", "RFC6265bis 4.1.1").
				Quoting(`"Servers MUST NOT include more than one Set-Cookie header field in the same response with the same cookie-name." (RFC 6265bis §4.1.1)`)
	grammarDate = define("grammar/expires-imf-fixdate", should, "Expires is written as an IMF-fixdate (sane-cookie-date)", "RFC6265bis 4.1.1")
)

// Lifetime: Max-Age, Expires, session cookies (RFC 6265bis §4.1.2.1,
// §4.1.2.2, §5.6.1, §5.6.2, §5.7). The expiry checks share one wait.
var (
	maxAgeExpires = define("lifetime/max-age-expires", must, "a cookie set with max_age is gone once that many seconds pass", "RFC6265bis 5.6.2", "contract cookies").
			Quoting(`"If delta-seconds is less than or equal to zero (0), let expiry-time be the earliest representable date and time. Otherwise, let the expiry-time be the current date and time plus delta-seconds seconds." (RFC 6265bis §5.6.2) "A cookie is "expired" if the cookie has an expiry date in the past." "The user agent MUST evict all expired cookies from the cookie store if, at any time, an expired cookie exists in the cookie store." (RFC 6265bis §5.7)`)
	expiresDate = define("lifetime/expires-date", must, "a cookie set with expires is gone once that date passes", "RFC6265bis 5.6.1", "contract cookies").
			Quoting(`"A cookie is "expired" if the cookie has an expiry date in the past." "The user agent MUST evict all expired cookies from the cookie store if, at any time, an expired cookie exists in the cookie store." (RFC 6265bis §5.7)`)
	maxAgeWins = define("lifetime/max-age-over-expires", must, "with both, Max-Age decides the lifetime, not Expires", "RFC6265bis 5.7", "contract cookies").
			Quoting(`"If the cookie-attribute-list contains an attribute with an attribute-name of "Max-Age": ... Set the cookie's expiry-time to attribute-value of the last attribute in the cookie-attribute-list with an attribute-name of "Max-Age". Otherwise, if the cookie-attribute-list contains an attribute with an attribute-name of "Expires" (and does not contain an attribute with an attribute-name of "Max-Age"): ..." (RFC 6265bis §5.7)`)
	livesUntilMaxAge = define("lifetime/lives-until-max-age", must, "a cookie outlives a wait shorter than its max_age", "RFC6265bis 5.6.2", "contract cookies").
				Quoting(`"If delta-seconds is less than or equal to zero (0), let expiry-time be the earliest representable date and time. Otherwise, let the expiry-time be the current date and time plus delta-seconds seconds." (RFC 6265bis §5.6.2)`)
	modifyLifetime = define("lifetime/modify-replaces-lifetime", must, "setting a cookie again replaces its lifetime", "RFC6265bis 5.7", "contract cookies").
			Quoting(`"If the cookie store contains a cookie with the same name, domain, host-only-flag, and path as the newly-created cookie: ... Remove the old-cookie from the cookie store." "Insert the newly-created cookie into the cookie store." (RFC 6265bis §5.7)`)
	sessionCookie = define("lifetime/session-cookie", must, "a cookie set without a lifetime is a session cookie, gone when the browser closes", "RFC6265bis 5.7", "contract cookies").
			Quoting(qSessionOver)
	persistentSurvive = define("lifetime/persistent-survives-end-session", must, "a cookie with a lifetime survives the browser closing", "RFC6265bis 5.7", "contract cookies").
				Quoting(qSessionOver)
	expiresAgrees = define("lifetime/expires-agrees-with-max-age", advisory, "when both are sent, Expires is Date plus Max-Age, so old and new browsers agree", "RFC6265bis 4.1.2.1")
)

// Deletion, RFC 6265bis §3.1: a server deletes a cookie by sending it
// again, expired, with the same Path and Domain.
var (
	deleteExpired = define("delete/expired", must, "the deletion is a Set-Cookie with Max-Age=0 or an Expires in the past", "contract cookies", "RFC6265bis 3.1").
			Quoting(`"Finally, to remove a cookie, the server returns a Set-Cookie header field with an expiration date in the past." (RFC 6265bis §3.1)`)
	deleteSamePath = define("delete/same-path", must, "deleting a cookie set with a Path carries that Path and removes it", "RFC6265bis 3.1", "RFC6265bis 5.7").
			Quoting(qDeleteMatch)
	deleteSameDomain = define("delete/same-domain", must, "deleting a cookie set with a Domain carries that Domain and removes it", "RFC6265bis 3.1", "RFC6265bis 5.7").
				Quoting(qDeleteMatch)
)

// Domain scoping, RFC 6265bis §4.1.2.3 and §5.7.
var (
	hostOnlyNoDomain = define("domain/host-only-has-no-domain", must, "a cookie set without domain carries no Domain attribute", "contract cookies", "RFC6265bis 4.1.2.3")
	hostOnlySibling  = define("domain/host-only-not-sibling", must, "a host-only cookie set on a.example.test is not sent to b.example.test", "RFC6265bis 5.7").
				Quoting(qHostOnly)
	hostOnlyParent = define("domain/host-only-not-parent", must, "a host-only cookie set on a.example.test is not sent to example.test", "RFC6265bis 5.7").
			Quoting(qHostOnly)
	hostOnlySubdomain = define("domain/host-only-not-subdomain", must, "a host-only cookie set on a.example.test is not sent to sub.a.example.test", "RFC6265bis 5.7").
				Quoting(qHostOnly)
	domainSubdomains = define("domain/domain-cookie-to-subdomains", must, "a cookie with Domain=example.test is sent to example.test and every host under it", "RFC6265bis 5.7", "RFC6265bis 5.8.3").
				Quoting(`"Let cookie-list be the set of cookies from the cookie store that meets all of the following requirements: ... The cookie's host-only-flag is false and retrieval-host-canonical domain-matches ... the cookie's domain." (RFC 6265bis §5.8.3)`)
	foreignDomain = define("domain/foreign-domain-rejected", must, "a Domain that does not cover the request host is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7").
			Quoting(`"If the domain-attribute is non-empty: If request-host-canonical does not domain-match ... the domain-attribute: Abort this algorithm and ignore the cookie entirely." (RFC 6265bis §5.7)`)
	suffixCoUK = define("domain/public-suffix-co-uk", must, "Domain=co.uk set from shop.example.co.uk is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7").
			Quoting(qPublicSuffix)
	suffixGithubIO = define("domain/public-suffix-github-io", must, "Domain=github.io set from x.github.io is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7").
			Quoting(qPublicSuffix)
	suffixTest = define("domain/public-suffix-test", must, "Domain=test set from a.example.test is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7").
			Quoting(qPublicSuffix)
	serverIsolation = define("domain/server-isolation", must, "cookies/all on b.example.test never shows a host-only cookie set on a.example.test", "RFC6265bis 5.7", "contract cookies").
			Quoting(qHostOnly)
)

// Path scoping, RFC 6265bis §5.1.4 and §5.8.3.
var (
	pathInside = define("path/sent-inside", must, "a cookie with Path=/cookies is sent to /cookies/get", "RFC6265bis 5.1.4").
			Quoting(qPathMatch)
	pathOutside = define("path/not-sent-outside", must, "a cookie with Path=/elsewhere is not sent to /cookies/get", "RFC6265bis 5.1.4").
			Quoting(qPathMatch + ` A cookie is sent only when "The retrieval's URI's path path-matches the cookie's path." (RFC 6265bis §5.8.3)`)
)

// Secure, RFC 6265bis §4.1.2.5, §5.7 and §5.8.3.
var (
	secureNotHTTP = define("secure/not-sent-over-http", must, "a Secure cookie is not sent over http", "RFC6265bis 5.8.3").
			Quoting(qSecureOnly)
	secureHTTPS = define("secure/sent-over-https", must, "a Secure cookie is sent over https", "RFC6265bis 5.8.3").
			Quoting(qSecureOnly)
	secureFromHTTP = define("secure/not-set-from-http", must, "a Secure cookie set over http is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7").
			Quoting(`"If the request-uri does not denote a "secure" connection (as defined by the user agent), and the cookie's secure-only-flag is true, then abort these steps and ignore the cookie entirely." (RFC 6265bis §5.7)`)
)

// Cookie prefixes, RFC 6265bis §4.1.3.
var (
	hostPrefixOK = define("prefix/host-accepted", must, "__Host- with Secure, Path=/ and no Domain over https is stored and read back", "RFC6265bis 4.1.3.2").
			Quoting(qHostPrefix)
	hostPrefixDomain = define("prefix/host-with-domain-rejected", must, "__Host- with a Domain attribute is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 4.1.3.2").
				Quoting(qHostPrefix + ` "If the cookie-name begins with a case-insensitive match for the string "__Host-", abort this algorithm and ignore the cookie entirely unless the cookie meets all the following criteria: ... The cookie's host-only-flag is true." (RFC 6265bis §5.7)`)
	securePrefixOK = define("prefix/secure-accepted", must, "__Secure- with Secure over https is stored and read back", "RFC6265bis 4.1.3.1").
			Quoting(qSecurePrefix)
	securePrefixNoSec = define("prefix/secure-without-secure-rejected", must, "__Secure- without Secure is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 4.1.3.1").
				Quoting(qSecurePrefix + ` "If the cookie-name begins with a case-insensitive match for the string "__Secure-", abort this algorithm and ignore the cookie entirely unless the cookie's secure-only-flag is true." (RFC 6265bis §5.7)`)
	hostPrefixDeletion = define("prefix/host-delete", must, "deleting a __Host- cookie works (the deletion keeps Secure and Path=/)", "RFC6265bis 4.1.3.2", "contract cookies").
				Quoting(qHostPrefix)
)

// Attributes as asked, RFC 6265bis §4.1.2.6 and §4.1.2.7.
var (
	httpOnlyAsSet = define("attributes/httponly", must, "HttpOnly is present exactly when httponly=1 was asked", "RFC6265bis 4.1.2.6", "contract cookies")
	sameSiteAsSet = define("attributes/samesite", must, "SameSite carries the value asked (Strict, Lax, None)", "RFC6265bis 4.1.2.7", "contract cookies")
)

// Browser limits: cookies over them are silently dropped or capped.
var (
	limitNameValue = define("limits/name-value-4096", advisory, "no cookie whose name and value exceed 4096 bytes is sent (browsers drop it)", "RFC6265bis 5.6")
	limitAttribute = define("limits/attribute-1024", advisory, "no attribute value over 1024 bytes is sent (browsers ignore it)", "RFC6265bis 5.6")
	limit400Days   = define("limits/lifetime-400-days", advisory, "no lifetime beyond 400 days is promised (browsers cap it)", "RFC6265bis 4.1.2.1", "RFC6265bis 4.1.2.2")
)

// Sentences quoted by several checks, in the RFCs' words.
const (
	qGrammar      = `"Servers conforming to this profile MUST NOT send Set-Cookie header fields that deviate from the following grammar" (RFC 6265bis §4.1.1)`
	qSessionOver  = `"When "the current session is over" (as defined by the user agent), the user agent MUST remove from the cookie store all cookies with the persistent-flag set to false." (RFC 6265bis §5.7)`
	qDeleteMatch  = `"The server will be successful in removing the cookie only if the Path and the Domain attribute in the Set-Cookie header field match the values used when the cookie was created." (RFC 6265bis §3.1)`
	qHostOnly     = `"Let cookie-list be the set of cookies from the cookie store that meets all of the following requirements: ... The cookie's host-only-flag is true and retrieval-host-canonical is identical to the cookie's domain." (RFC 6265bis §5.8.3)`
	qPublicSuffix = `"If the user agent is configured to reject "public suffixes" and the domain-attribute is a public suffix: ... Abort this algorithm and ignore the cookie entirely." (RFC 6265bis §5.7)`
	qPathMatch    = `"A request-path path-matches a given cookie-path if at least one of the following conditions holds: ... The cookie-path is a prefix of the request-path, and the first character of the request-path that is not included in the cookie-path is a %x2F ("/") character." (RFC 6265bis §5.1.4)`
	qSecureOnly   = `"If the cookie's secure-only-flag is true, then the retrieval's URI must denote a "secure" connection (as defined by the user agent)." (RFC 6265bis §5.8.3)`
	qHostPrefix   = `"If a cookie's name begins with a case-sensitive match for the string __Host-, then the cookie will have been set with a Secure attribute, a Path attribute with a value of /, and no Domain attribute." (RFC 6265bis §4.1.3.2)`
	qSecurePrefix = `"If a cookie's name begins with a case-sensitive match for the string __Secure-, then the cookie will have been set with a Secure attribute." (RFC 6265bis §4.1.3.1)`
)
