// Package session is the reference session framework of httpcheck: Django's
// (django.contrib.sessions) semantics, done correctly, in Go.
//
// A session is a small JSON object that the server keeps for one client
// between requests. The client holds only a cookie naming it: an unguessable
// session key, or, with the signed backend, the data itself under an HMAC.
// The package has three parts:
//
//   - Store (store.go) keeps session records by key, each with an absolute
//     expiry. A record is live while now < expiry; an expired record is never
//     loaded, even before ClearExpired (clear.go) removes it. Backends, one
//     file each: memory, sqlite, file, redis, postgres and signed; Open
//     picks one from a URL. The server-side ones keep records (records.go)
//     under one Store, recordStore, which holds the rules they share.
//   - Middleware (middleware.go) loads the session lazily from the request's
//     cookie, hands it to handlers through FromRequest, and before the first
//     byte of the response saves it and writes or deletes the cookie.
//   - Session (session.go) is what handlers read and write.
//
// # Where this differs from Django, and why
//
// Each difference closes a hole that Django leaves open; they are findings
// the sessions suite can report on other frameworks.
//
//   - Deleting every key of an existing session deletes the record and the
//     cookie. Django saves an empty record and keeps sending the cookie.
//   - A per-session expiry (SetExpiry) is enforced by the server for every
//     backend. Django's signed_cookies backend checks only SESSION_COOKIE_AGE
//     since signing, so a set_expiry(60) session stays valid on the server
//     for two weeks if the client keeps the cookie.
//   - ExpirySeconds reports the time really left. Django's get_expiry_age
//     returns the configured age (set_expiry's N, or SESSION_COOKIE_AGE)
//     however long ago the session was saved.
//   - Store.Save only updates a live record and only Store.Create mints
//     keys. Django's backends mostly behave so (UpdateError, answered 400
//     SessionInterrupted, rather than recreating a session that a concurrent
//     logout deleted); here it is the Store contract, tested for every
//     backend, so no backend can adopt a key the client chose.
//   - Handler data and session metadata are kept apart. The per-session
//     expiry is stored under the reserved key "_session_expiry" (Django's
//     name), and every key beginning with "_session_" is reserved: Set
//     refuses them, Get and All hide them. Django lets handlers overwrite
//     its metadata.
//   - A store error answers 503 with a JSON error instead of the handler's
//     response. Django lets the exception become a 500.
//
// # References
//
// "ASVS" is the OWASP Application Security Verification Standard 4.0.3,
// chapter V3 (session management), cited as "ASVS 4.0.3 §3.2.1". The one
// rule taken from ASVS 5.0.0 (session keys of at least 128 bits, §7.2.3) is
// cited with its version. Cookie attributes follow RFC 6265bis as pinned by
// package syntax/setcookie.
package session
