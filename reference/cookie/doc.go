// Package cookie is httpcheck's reference user agent cookie store: a jar
// that stores the cookies of Set-Cookie lines by the storage model of
// RFC 6265bis §5.7 and returns them by the retrieval model of §5.8, with
// host canonicalization and domain matching in host.go (§5.1.2, §5.1.3;
// Punycode from golang.org/x/net/idna), path matching in path.go (§5.1.4)
// and the eviction of expired cookies in jar.go. The harness's browser
// keeps its cookies in a Jar.
//
// The grammar the jar reads with, the Set-Cookie parsing algorithm of §5.6
// and the cookie-date of §5.1.1, is in syntax/setcookie, with the writing
// and grading of Set-Cookie lines that servers and checks need.
//
// # Specification
//
// The package follows draft-ietf-httpbis-rfc6265bis-22 ("Cookies: HTTP State
// Management Mechanism", 1 December 2025, in the RFC Editor queue). Comments
// cite it in one form, "RFC 6265bis §5.7 step 9": "step 9.3" is a sub-step.
// §5.1 is the subcomponent algorithms, §5.5 the 400-day lifetime limit,
// §5.7 the storage model and §5.8.3 retrieval. Section and step numbers are
// those of revision 22; re-check them when moving to a later revision or
// the RFC.
//
// # Where Go's net/http/cookiejar departs from RFC 6265bis
//
// net/http/cookiejar implements RFC 6265 (2011), and the harness needs the
// user agent that browsers implement now. We follow the draft wherever
// cookiejar does not:
//   - It stores Secure cookies received over http, and lets http overwrite
//     a Secure cookie (§5.7 steps 13 and 16).
//   - It has no cookie name prefixes, __Secure- and __Host- (§5.7 steps
//     20-22).
//   - It has no size limits: name+value over 4096 bytes ignores the cookie,
//     an attribute value over 1024 bytes ignores the attribute (§5.6).
//   - It has no 400-day cap on Expires and Max-Age (§5.5, §5.6.1, §5.6.2).
//   - It sees values through net/http's parser, which moves a pair of
//     DQUOTEs into a Quoted flag and drops the whole cookie when the value
//     or name has a byte it deems invalid (a backslash, non-ASCII, a name
//     that is not a token); §5.6 keeps the value exactly as sent.
//   - It drops nameless cookies ("Set-Cookie: foo"); §5.6 step 3 makes them
//     a cookie with an empty name, sent back as "foo".
//   - A control character in an attribute makes net/http skip that
//     attribute and keep the cookie; §5.6 step 1 ignores the whole line for
//     any CTL except HTAB.
//   - It keeps SameSite but has no rule that SameSite=None requires Secure
//     (§5.7 step 19).
//   - Its identity of a stored cookie is (domain, path, name); §5.7 step 23
//     adds the host-only-flag, so a host-only cookie and a Domain cookie of
//     the same name and host coexist.
//   - It matches paths against the decoded u.Path; we use the path as sent
//     in the request-target (u.EscapedPath), as browsers do.
//   - It sends Secure cookies to http://localhost and loopback addresses;
//     we send them over https only (see below).
//   - It rejects "Domain=." as malformed; we apply §5.6.3 and §5.7 steps
//     7-10 as written, which make "Domain=." (like "Domain=") a host-only
//     cookie. Browsers reject it; see httpwg/http-extensions issue 1939.
//
// # Choices the draft leaves to the user agent
//
//   - Only https is a "secure" connection (browsers also count
//     http://localhost and other potentially trustworthy origins).
//   - Only http and https URLs send or receive cookies.
//   - A cookie from an IP address host is always host-only: a Domain equal
//     to the address is accepted and dropped, any other Domain is rejected
//     (domain-match never suffix-matches an IP address, §5.1.3).
//   - The jar rejects public suffixes (§5.7 step 9, §5.8.3 step 3) using the
//     list given to NewJar, by default golang.org/x/net/publicsuffix.List.
//     Note that its default rule makes every unlisted TLD, such as "test" or
//     "localhost", a public suffix.
//   - Every response and request is treated as same-site and top-level, and
//     as an HTTP (not a "non-HTTP") API: the jar has no site for cookies, so
//     §5.7 step 18 and the same-site conditions of §5.8.3 step 3 always pass
//     and http-only cookies are always sent.
//   - Host canonicalization (§5.1.2) lower-cases ASCII and Punycode-encodes
//     non-ASCII labels without further IDNA processing, and fails on an
//     empty label (including a trailing dot).
//   - A cookie expires when its expiry-time is reached: one stored with
//     Max-Age=1 is gone exactly one second later.
//   - No cookie is evicted for lack of space (§5.7 allows it; the harness
//     needs to see every cookie a server sets).
//   - Partitioned (CHIPS, not part of RFC 6265bis) is parsed but the jar
//     has one partition and ignores it.
package cookie
