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
	encodingOctet = define("encoding/cookie-octets", should, "values that need encoding are sent as cookie-octets, not raw", "RFC6265bis 4.1.1")
)

// Set-Cookie grammar, RFC 6265bis §4.1.1: servers SHOULD stay within it.
var (
	grammarValid     = define("grammar/valid-syntax", should, "every Set-Cookie the target sends follows the set-cookie-string grammar", "RFC6265bis 4.1.1")
	grammarDupAttrs  = define("grammar/no-duplicate-attributes", should, "no Set-Cookie carries the same attribute twice", "RFC6265bis 4.1.1")
	grammarOnePerRes = define("grammar/one-cookie-per-name", should, "no response carries two Set-Cookie fields for one cookie name", "RFC6265bis 4.1.1")
	grammarDate      = define("grammar/expires-imf-fixdate", should, "Expires is written as an IMF-fixdate (sane-cookie-date)", "RFC6265bis 4.1.1")
)

// Lifetime: Max-Age, Expires, session cookies (RFC 6265bis §4.1.2.1,
// §4.1.2.2, §5.6.1, §5.6.2, §5.7). The expiry checks share one wait.
var (
	maxAgeExpires     = define("lifetime/max-age-expires", must, "a cookie set with max_age is gone once that many seconds pass", "RFC6265bis 5.6.2", "contract cookies")
	expiresDate       = define("lifetime/expires-date", must, "a cookie set with expires is gone once that date passes", "RFC6265bis 5.6.1", "contract cookies")
	maxAgeWins        = define("lifetime/max-age-over-expires", must, "with both, Max-Age decides the lifetime, not Expires", "RFC6265bis 5.7", "contract cookies")
	livesUntilMaxAge  = define("lifetime/lives-until-max-age", must, "a cookie outlives a wait shorter than its max_age", "RFC6265bis 5.6.2", "contract cookies")
	modifyLifetime    = define("lifetime/modify-replaces-lifetime", must, "setting a cookie again replaces its lifetime", "RFC6265bis 5.7", "contract cookies")
	sessionCookie     = define("lifetime/session-cookie", must, "a cookie set without a lifetime is a session cookie, gone when the browser closes", "RFC6265bis 5.7", "contract cookies")
	persistentSurvive = define("lifetime/persistent-survives-end-session", must, "a cookie with a lifetime survives the browser closing", "RFC6265bis 5.7", "contract cookies")
	expiresAgrees     = define("lifetime/expires-agrees-with-max-age", advisory, "when both are sent, Expires is Date plus Max-Age, so old and new browsers agree", "RFC6265bis 4.1.2.1")
)

// Deletion, RFC 6265bis §3.1: a server deletes a cookie by sending it
// again, expired, with the same Path and Domain.
var (
	deleteExpired    = define("delete/expired", must, "the deletion is a Set-Cookie with Max-Age=0 or an Expires in the past", "contract cookies", "RFC6265bis 3.1")
	deleteSamePath   = define("delete/same-path", must, "deleting a cookie set with a Path carries that Path and removes it", "RFC6265bis 3.1", "RFC6265bis 5.7")
	deleteSameDomain = define("delete/same-domain", must, "deleting a cookie set with a Domain carries that Domain and removes it", "RFC6265bis 3.1", "RFC6265bis 5.7")
)

// Domain scoping, RFC 6265bis §4.1.2.3 and §5.7.
var (
	hostOnlyNoDomain  = define("domain/host-only-has-no-domain", must, "a cookie set without domain carries no Domain attribute", "contract cookies", "RFC6265bis 4.1.2.3")
	hostOnlySibling   = define("domain/host-only-not-sibling", must, "a host-only cookie set on a.example.test is not sent to b.example.test", "RFC6265bis 5.7")
	hostOnlyParent    = define("domain/host-only-not-parent", must, "a host-only cookie set on a.example.test is not sent to example.test", "RFC6265bis 5.7")
	hostOnlySubdomain = define("domain/host-only-not-subdomain", must, "a host-only cookie set on a.example.test is not sent to sub.a.example.test", "RFC6265bis 5.7")
	domainSubdomains  = define("domain/domain-cookie-to-subdomains", must, "a cookie with Domain=example.test is sent to example.test and every host under it", "RFC6265bis 5.7", "RFC6265bis 5.8.3")
	foreignDomain     = define("domain/foreign-domain-rejected", must, "a Domain that does not cover the request host is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7")
	suffixCoUK        = define("domain/public-suffix-co-uk", must, "Domain=co.uk set from shop.example.co.uk is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7")
	suffixGithubIO    = define("domain/public-suffix-github-io", must, "Domain=github.io set from x.github.io is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7")
	suffixTest        = define("domain/public-suffix-test", must, "Domain=test set from a.example.test is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7")
	serverIsolation   = define("domain/server-isolation", must, "cookies/all on b.example.test never shows a host-only cookie set on a.example.test", "RFC6265bis 5.7", "contract cookies")
)

// Path scoping, RFC 6265bis §5.1.4 and §5.8.3.
var (
	pathInside  = define("path/sent-inside", must, "a cookie with Path=/cookies is sent to /cookies/get", "RFC6265bis 5.1.4")
	pathOutside = define("path/not-sent-outside", must, "a cookie with Path=/elsewhere is not sent to /cookies/get", "RFC6265bis 5.1.4")
)

// Secure, RFC 6265bis §4.1.2.5, §5.7 and §5.8.3.
var (
	secureNotHTTP  = define("secure/not-sent-over-http", must, "a Secure cookie is not sent over http", "RFC6265bis 5.8.3")
	secureHTTPS    = define("secure/sent-over-https", must, "a Secure cookie is sent over https", "RFC6265bis 5.8.3")
	secureFromHTTP = define("secure/not-set-from-http", must, "a Secure cookie set over http is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 5.7")
)

// Cookie prefixes, RFC 6265bis §4.1.3.
var (
	hostPrefixOK       = define("prefix/host-accepted", must, "__Host- with Secure, Path=/ and no Domain over https is stored and read back", "RFC6265bis 4.1.3.2")
	hostPrefixDomain   = define("prefix/host-with-domain-rejected", must, "__Host- with a Domain attribute is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 4.1.3.2")
	securePrefixOK     = define("prefix/secure-accepted", must, "__Secure- with Secure over https is stored and read back", "RFC6265bis 4.1.3.1")
	securePrefixNoSec  = define("prefix/secure-without-secure-rejected", must, "__Secure- without Secure is never stored: the target refuses it or sends it as asked, and browsers reject it", "contract cookies", "RFC6265bis 4.1.3.1")
	hostPrefixDeletion = define("prefix/host-delete", must, "deleting a __Host- cookie works (the deletion keeps Secure and Path=/)", "RFC6265bis 4.1.3.2", "contract cookies")
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
