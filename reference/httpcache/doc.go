// Package httpcache is httpcheck's reference for HTTP conditional requests
// and caching: how an origin server evaluates preconditions (RFC 9110 §13)
// and how a cache stores, reuses and validates responses (RFC 9111). The
// harness browses through a private Cache; the reference server answers
// conditional requests with EvaluatePreconditions. The field grammars it
// reads (Cache-Control, entity-tags, HTTP-dates) are in syntax/cachecontrol,
// syntax/etag and syntax/httpdate, where the checks that grade a target's
// headers find them too.
//
// The texts followed are RFC 9110 (HTTP Semantics) and RFC 9111 (HTTP
// Caching), both June 2022, plus RFC 5861 for the stale-while-revalidate and
// stale-if-error directives (acted upon by a shared cache only) and RFC 8246
// for immutable (parsed, not acted upon). Sections are cited as "RFC 9111 §4.2.3" on the
// lines that implement them, and the code follows the RFC's step order and
// names (freshnessLifetime, currentAge, secondaryKeysMatch) even where a
// shortcut would do: this package is the slow, literal oracle.
//
// # Fresh and stale
//
// A cache keeps copies of responses so that a later request can be answered
// without asking the origin server again. Each stored response has an age:
// how long ago the origin produced it, or last confirmed it. The age starts
// from the Date the origin wrote on the response, or from the Age a cache
// upstream added, and grows while the response sits in storage.
//
// Each response also has a freshness lifetime: how long the origin says the
// copy may be reused without asking. The origin says so with
// Cache-Control: max-age=N (N seconds) or an Expires date. When it says
// nothing, a cache may guess from Last-Modified: a document untouched for
// ten days is unlikely to change in the next day. This package guesses 10%
// of that interval, at most 24 hours.
//
// A response is fresh while its age is below its freshness lifetime, and
// stale after. A fresh response is served from storage at once (Source
// "cache"), with an Age header telling the client how old it is. A stale
// one is not thrown away: it is validated first.
//
// # Validators
//
// A validator is a short token that identifies one version of a resource's
// representation, so that a client holding a copy can ask "is my copy still
// current?" without downloading it again. There are two:
//
//   - an entity-tag, from the ETag header: an opaque string such as "v7"
//     that changes whenever the content changes. A strong tag (the default)
//     promises byte-for-byte identity; a weak one, W/"v7", only promises
//     equivalent meaning.
//   - a modification date, from the Last-Modified header, precise to the
//     second.
//
// To validate, the cache repeats the request with the validators of its copy
// attached: If-None-Match: "v7" and If-Modified-Since: <date>. An origin that
// still has that version answers 304 Not Modified with no body, and the
// cache serves its copy, its headers updated from the 304 and its age reset
// (Source "revalidated"). Otherwise the origin sends the new version, which
// replaces the copy (Source "replaced"). The same fields let an origin
// refuse a write based on a stale copy: If-Match: "v7" on a PUT means "only
// if the resource is still v7", and fails with 412 Precondition Failed.
// EvaluatePreconditions decides these outcomes in the order RFC 9110
// §13.2.2 prescribes.
//
// # Cache keys
//
// Stored responses are found by their cache key. The primary key is the
// request method and the target URI: a response to GET /a is reused for the
// next GET /a and never for GET /b. A resource that returns different
// representations for different requests — English or French by
// Accept-Language, say — names the request headers that made the difference
// in a Vary header. Their values become a secondary key: the stored French
// response is reused only for requests that send the same Accept-Language,
// and Vary: * means no later request ever matches. Several responses can be
// stored under one primary key, one per secondary key.
//
// # Private and shared
//
// The harness browses through a private cache, as a browser does. The
// reference proxy (reference/proxy) keeps a shared one (Options.Shared),
// which differs where RFC 9111 makes it differ — s-maxage,
// proxy-revalidate, private, Authorization (§3.5) — and does what a cache
// in the middle is for:
//
//   - it serves a stale response while revalidating it in the background
//     within stale-while-revalidate, and when the origin fails within
//     stale-if-error (RFC 5861; stale.go), unless a directive forbids
//     serving it stale (RFC 9111 §4.2.4);
//   - it answers its clients' If-None-Match and If-Modified-Since from
//     storage (RFC 9111 §4.3.2; conditional.go);
//   - with Options.MaxStorage it evicts the least recently used responses.
//
// # Choices and deviations
//
// Where the RFCs leave room, this package chooses the literal or the more
// restrictive reading and says so at the line that does it. The ones a
// check author should know:
//
//   - Only GET responses are stored; HEAD requests are answered from and
//     update stored GET responses. Responses to POST, although cacheable
//     under conditions, are never stored.
//   - In a private cache, requests that carry their own preconditions or a
//     Range bypass storage entirely, as in browsers (the Fetch standard's
//     "no-store" mode). A shared cache forwards requests with If-Match,
//     If-Unmodified-Since, If-Range or Range untouched, and validates with
//     its own validators only (the union with the client's entity-tags of
//     RFC 9111 §4.3.2 is a MAY it does not take).
//   - A private cache never serves a stale response unless the request
//     allows it with max-stale: not when the origin is unreachable (the
//     error is returned, or a 504 for must-revalidate), and not under
//     stale-while-revalidate or stale-if-error. A shared cache serves stale
//     only where the origin allowed it with those two directives; a proxy's
//     "out-of-band contract" (RFC 9111 §4.2.4) is left to real proxies.
//   - Invalid freshness information (max-age=abc, Expires: 0) makes a
//     response stale, never falls through to the next rule.
//   - A 304 whose validators name another response than the stored one
//     (RFC 9111 §4.3.4) makes the cache drop it and repeat the request
//     unconditionally: one more origin hit. A 304 with no validator at all
//     answers the one stored response the conditional request was built
//     from, and updates it (docs/decisions.md).
//   - Pragma is ignored (RFC 9111 §5.4 deprecates it).
//   - In EvaluatePreconditions, an If-Modified-Since date later than the
//     server's clock is ignored (RFC 2616's rule, not RFC 9110's), and
//     If-Unmodified-Since fails when the resource has no modification date.
package httpcache
