// Package sessions is the sessions suite: a target's server-side sessions
// (docs/contract.md, Sessions) graded through the contract's session
// endpoints with the reference jar. One session per client, kept on the
// server and named by a cookie; data of every JSON kind kept exactly; a
// cookie whose attributes are what the manifest says; a lifetime the server
// enforces whatever the client keeps (OWASP ASVS 4.0.3 §3.3.1); keys only
// the server mints; and answers no shared cache hands to another user.
//
// Login and logout are the auth suite's. The sessions suite grades what
// every session has, logged in or not.
//
// A target whose manifest declares a Secure session cookie is driven over
// https (a user agent never stores a Secure cookie set over http, RFC
// 6265bis §5.7); without https the suite is skipped with that reason.
package sessions

import (
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reports"
)

var define = check.Definer("sessions")

const (
	must     = reports.Must
	should   = reports.Should
	advisory = reports.Advisory
)

// The contract's data operations (docs/contract.md, Sessions).
var (
	setGet = define("data/set-get", must, "a value stored with session/set is read back by session/get in the next request", "contract sessions").
		Quoting(`"Values are any JSON: strings, numbers, booleans, null, arrays, objects. They come back exactly as stored." (docs/contract.md, Sessions)`)
	overwrite    = define("data/overwrite", must, "session/set of a key already stored replaces its value", "contract sessions")
	getAbsent    = define("data/get-absent", must, "session/get of a key never stored answers found false and value null", "contract sessions")
	deleteKey    = define("data/delete", must, "session/delete of a stored key answers deleted true, and the key is gone", "contract sessions")
	deleteAbsent = define("data/delete-absent", must, "session/delete of a key never stored answers 200 with deleted false", "contract sessions")
	allData      = define("data/all", must, "session/all lists exactly the keys and values this client stored", "contract sessions")
	isolation    = define("data/isolation", must, "two browsers never see each other's data, even under the same key", "contract sessions").
			Quoting(`"Two browsers never see each other's data, even under the same key." (docs/contract.md, What the sessions checks expect)`)
	flushEmpties = define("data/flush", must, "after session/flush the session is empty, and the old key, replayed by hand, names nothing", "contract sessions", "OWASP ASVS 3.3.1").
			Quoting(`"session/flush wipes the session on the server, data and key alike. Replaying the old cookie afterwards must find an empty session." (docs/contract.md, Sessions)`)
	// Whether the browser lets go of a flushed key is hygiene, not the
	// contract's rule (the server forgetting it is): express-session's
	// destroy() sends no Set-Cookie, and the dead cookie names nothing.
	flushCookie = define("data/flush-drops-cookie", advisory, "session/flush deletes or replaces the session cookie, so the browser stops sending a key that names nothing", "OWASP WSTG SESS-06")
)

// JSON values of every kind round-trip exactly: compared as JSON values
// (objects without regard to key order, numbers by their value), never as
// text.
var (
	jsonNested = define("json/nested", must, "nested objects and lists, empty ones included, round-trip exactly", "contract sessions").
			Quoting(`"JSON values round-trip exactly, compared as values: nested and empty objects and lists, ..." (docs/contract.md, What the sessions checks expect)`)
	jsonUnicode = define("json/unicode", must, "strings with non-ASCII and astral-plane characters, escapes and control characters round-trip exactly", "contract sessions").
			Quoting(`"JSON values round-trip exactly, compared as values: ... non-ASCII and astral-plane characters, control characters, ..." (docs/contract.md, What the sessions checks expect)`)
	jsonLargeInt = define("json/large-integer", must, "integers beyond 2^53 (9007199254740993) round-trip exactly, not rounded to a double", "contract sessions").
			Quoting(`"JSON values round-trip exactly, compared as values: ... integers beyond 2^53 (9007199254740993 must not come back rounded) ..." (docs/contract.md, What the sessions checks expect)`)
	jsonFloat = define("json/float", must, "floating-point numbers (0.1, 1e300, 5e-324) round-trip to the same value", "contract sessions").
			Quoting(`"JSON values round-trip exactly, compared as values: ... floats such as 0.1, 1e300 and 5e-324 ..." (docs/contract.md, What the sessions checks expect)`)
	jsonLiterals = define("json/null-and-booleans", must, "null, true and false round-trip, and a stored null is found, not absent", "contract sessions").
			Quoting(`"JSON values round-trip exactly, compared as values: ... and null, true and false. A stored null is found." (docs/contract.md, What the sessions checks expect)`)
)

// The session cookie as the manifest describes it, one attribute per
// check (RFC 6265bis §4.1.2).
var (
	cookieName = define("cookie/name", must, "the session cookie is named as the manifest's cookie_name says", "contract sessions").
			Quoting(`"The session cookie is what the manifest says: its name, ..." (docs/contract.md, What the sessions checks expect)`)
	cookieAge = define("cookie/max-age", must, "the session cookie lives cookie_age seconds: Max-Age, or Expires at Date plus cookie_age", "contract sessions", "RFC6265bis 4.1.2.2").
			Quoting(`"The session cookie is what the manifest says: ... Max-Age (or Expires at Date + cookie_age) ..." (docs/contract.md, What the sessions checks expect)`)
	cookieClose = define("cookie/expire-at-browser-close", must, "the session cookie lasts until the browser closes exactly when expire_at_browser_close is true", "contract sessions", "RFC6265bis 5.7").
			Quoting(`"The session cookie is what the manifest says: ... no lifetime exactly when expire_at_browser_close is true ..." (docs/contract.md, What the sessions checks expect)`)
	cookieHTTPOnly = define("cookie/httponly", must, "the session cookie carries HttpOnly exactly when cookie_httponly is true", "contract sessions", "RFC6265bis 4.1.2.6").
			Quoting(`"The session cookie is what the manifest says: ... HttpOnly, SameSite, Secure, Path and Domain as stated." (docs/contract.md, What the sessions checks expect)`)
	cookieSameSite = define("cookie/samesite", must, "the session cookie's SameSite is the manifest's cookie_samesite", "contract sessions", "RFC6265bis 4.1.2.7").
			Quoting(`"The session cookie is what the manifest says: ... HttpOnly, SameSite, Secure, Path and Domain as stated." (docs/contract.md, What the sessions checks expect)`)
	cookieSecure = define("cookie/secure", must, "the session cookie carries Secure exactly when cookie_secure is true", "contract sessions", "RFC6265bis 4.1.2.5").
			Quoting(`"The session cookie is what the manifest says: ... HttpOnly, SameSite, Secure, Path and Domain as stated." (docs/contract.md, What the sessions checks expect)`)
	cookiePath = define("cookie/path", must, "the session cookie's Path is the manifest's cookie_path", "contract sessions", "RFC6265bis 4.1.2.4").
			Quoting(`"The session cookie is what the manifest says: ... HttpOnly, SameSite, Secure, Path and Domain as stated." (docs/contract.md, What the sessions checks expect)`)
	cookieDomain = define("cookie/domain", must, "the session cookie's Domain is the manifest's cookie_domain, and absent when that is null", "contract sessions", "RFC6265bis 4.1.2.3").
			Quoting(`"The session cookie is what the manifest says: ... HttpOnly, SameSite, Secure, Path and Domain as stated." (docs/contract.md, What the sessions checks expect)`)
	cookieGrammar = define("cookie/grammar", should, "every session Set-Cookie (new, updated, deleted) follows the set-cookie-string grammar", "RFC6265bis 4.1.1")
)

// Lifetimes: set_expiry, cookie_age and browser close, enforced by the
// server as well as by the cookie (OWASP ASVS 4.0.3 §3.3.1). The checks
// that need time to pass share one wait, or move a virtual clock.
var (
	expiryCookie = define("expiry/set-expiry-cookie", must, "session/expiry with N seconds sends the cookie with Max-Age N, and GET session/expiry reports N seconds left", "contract sessions", "RFC6265bis 4.1.2.2").
			Quoting(`"session/expiry with seconds N > 0 makes this session end N seconds from now ... The cookie gets the matching lifetime ... seconds_left is how long the server will keep the session from now ..." (docs/contract.md, Sessions)`)
	expiryServer = define("expiry/set-expiry-server", must, "a session given N seconds holds no data once they pass, even when its old cookie is replayed by hand", "contract sessions", "OWASP ASVS 3.3.1").
			Quoting(`"After session/expiry N seconds ... the session holds no data even when the old cookie is replayed by hand." (docs/contract.md, What the sessions checks expect)`)
	expiryLives = define("expiry/lives-until-expiry", must, "a session given N seconds still holds its data while they run", "contract sessions").
			Quoting(`"session/expiry with seconds N > 0 makes this session end N seconds from now ..." (docs/contract.md, Sessions)`)
	expiryAge = define("expiry/cookie-age-server", must, "a session left alone for cookie_age seconds holds no data, even when its old cookie is replayed by hand", "contract sessions", "OWASP ASVS 3.3.1").
			Quoting(`"After session/expiry N seconds, or cookie_age seconds without use, the session holds no data even when the old cookie is replayed by hand." (docs/contract.md, What the sessions checks expect)`)
	expiryAtClose = define("expiry/zero-at-browser-close", must, "session/expiry with 0 makes the cookie last until the browser closes: no Max-Age or Expires, no session after a restart", "contract sessions", "RFC6265bis 5.7").
			Quoting(`"N = 0 makes the cookie last until the browser closes (no Max-Age or Expires)." (docs/contract.md, Sessions)`)
	fixationInvent = define("fixation/invented-key", advisory, "a session key the client invents is never adopted: the server names the session with a key of its own", "OWASP WSTG SESS-03", "OWASP ASVS 3.2.1")
)

// Caches: a session answer is one user's.
var (
	varyCookie = define("caching/vary-cookie", should, "answers that read the session carry Vary: Cookie", "RFC9110 12.5.5")
	notShared  = define("caching/not-shared", advisory, "answers that set the session cookie carry Cache-Control private or no-store, so no shared cache serves them to another user", "RFC9111 5.2.2.5", "RFC9111 5.2.2.7", "OWASP WSTG SESS-02")
)
