// Package cookie is the reference implementation of HTTP cookies for
// httpcheck: writing Set-Cookie header fields as a server (cookie.go),
// parsing Set-Cookie and Cookie header fields (parse.go), grading a server's
// Set-Cookie lines against the server grammar (problems.go), and a user agent
// cookie jar with its storage and retrieval models (jar.go).
//
// It follows draft-ietf-httpbis-rfc6265bis (the revision is pinned below and
// cited as "RFC 6265bis §N").
package cookie
