// Package setcookie is the grammar of HTTP cookies as a server writes them
// and a user agent reads them, without the cookie store:
//
//   - Cookie.String writes a Set-Cookie line in the grammar of RFC 6265bis
//     §4.1.1, refusing what §4.1.2 and §4.1.3 forbid, and EncodeValue and
//     DecodeValue keep any value within cookie-octet (cookie.go);
//   - Parse reads a Set-Cookie line with the user agent algorithm of §5.6,
//     and ParseDate reads the lenient cookie-date of §5.1.1 that its
//     Expires attribute uses (parse.go, date.go);
//   - Problems and Diagnose report each way a server's Set-Cookie line
//     departs from §4.1 or would make a user agent drop the cookie or an
//     attribute (problems.go);
//   - ParseCookieHeader splits the Cookie request field a user agent sends
//     back (§4.2.1, §5.8.3), as a server reads it.
//
// Who uses it: the reference server and session middleware write their
// cookies with Cookie and read the Cookie field with ParseCookieHeader; the
// reference jar (reference/cookie), the harness's browser, stores what Parse
// returns by the storage model of §5.7; the graders (suites/internal/rules
// and the suites) read a target's Set-Cookie lines with Parse and grade them
// with Diagnose.
//
// # Specification
//
// The package follows draft-ietf-httpbis-rfc6265bis-22 ("Cookies: HTTP State
// Management Mechanism", 1 December 2025, in the RFC Editor queue). Comments
// cite it in one form, "RFC 6265bis §5.6 step 5": "step 9.3" is a sub-step,
// and "attribute step N" a step of the second algorithm of §5.6 (the one
// that parses the unparsed-attributes). §4.1 is what servers send, §4.2 the
// Cookie field, §5.1.1 the cookie-date, §5.5 the 400-day lifetime limit and
// §5.6 parsing a Set-Cookie line. Section and step numbers are those of
// revision 22; re-check them when moving to a later revision or the RFC.
//
// Where Go's net/http parses cookies differently, and why the harness needs
// this reading instead, is in the package documentation of reference/cookie.
package setcookie
