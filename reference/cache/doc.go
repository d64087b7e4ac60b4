// Package cache is httpcheck's reference for Django's cache framework: the
// low-level cache API (get, set, add, incr, touch, ...), the per-view cache
// (cache_page) and the template fragment cache ({% cache %}), done the way
// the contract (docs/contract.md, "Cache API" and "Cached views") says a
// framework should do them. The behaviour followed is Django 5.2's
// (django/core/cache/); where this package differs, the comment at the
// place of difference says how and why, and the list below collects them.
//
// # Entries, fresh and expired
//
// A cache holds entries: a key, a value (any JSON value) and an expiry
// time. An entry is fresh while the clock reads strictly before its expiry
// and expired from its expiry on; an entry that never expires is always
// fresh. An expired entry is, for every operation, the same as no entry at
// all: Get misses, Add adds, Incr reports ErrNotFound, Delete and Touch
// report false, Len does not count it. Whether its bytes are still on disk
// until something sweeps them is a storage detail nobody can observe.
//
// Every write that stores an entry takes a Timeout, which is one of three
// things, exactly as the contract's JSON has them:
//
//   - Default(): the cache's (or alias's) Options.DefaultTimeout; the
//     contract's omitted "timeout".
//   - Never(): the entry never expires; the contract's "timeout": null.
//   - Seconds(n): the entry expires n seconds from now. n <= 0 means it is
//     expired at once: Set leaves the key absent (it deletes an older entry),
//     Add reports whether it would have added, GetOrSet returns the default,
//     and Touch ends the entry's life.
//
// Incr keeps the entry's expiry; only writes that take a Timeout change it.
//
// # Keys
//
// A key is the name of an entry. Keys are portable: a key accepted here is
// accepted by memcached, the strictest backend Django supports, so keys
// must be at most 250 bytes and contain no ASCII control character and no
// space (Django's memcache_key_warnings). Every operation checks its keys
// with ValidateKey and answers ErrBadKey, wrapped with the reason, before
// it changes anything. With Options.KeyPrefix set, the key actually stored
// is KeyPrefix + ":" + key and the limits apply to that (as Django checks
// the key that make_key built).
//
// # Culling
//
// A cache holds at most Options.MaxEntries entries. Before storing a key
// that is not already stored while the cache holds MaxEntries or more
// entries, it culls:
//
//  1. drop every expired entry;
//  2. if MaxEntries or more are still stored, remove
//     max(count/CullFrequency, count-MaxEntries+1) of them; CullFrequency 0
//     removes them all.
//
// Memory caches remove the least recently used entries (Get, Set, Add,
// GetOrSet, Incr and Touch all count as use). File and SQLite caches do not
// record reads, so they remove the entries that would expire soonest
// (never-expiring ones last, ties by storage name); Django's own choices
// there are random (file) and key order (database), so no order is "the"
// Django one. After a write the cache holds at most MaxEntries entries and
// the key just written is present (unless its timeout expired it at once).
//
// # Backends and aliases
//
// Open picks a backend by URL: "memory" (in-process, LRU), "file:DIR" (one
// file per key), "sqlite:PATH" (one table), "redis://HOST:PORT/DB" (one
// string per key with a Redis TTL, and a sorted set of the keys) and
// "postgres://..." (one table). Several processes pointed at one Redis or
// PostgreSQL (the instances of a deployment) share their caches, and Add,
// GetOrSet and Incr stay atomic across them. Aliases holds several named
// caches, "default" among them, each with its own Options and its own key
// space even when they share a location: each alias gets its own directory
// (DIR/NAME), table or Redis hash tag, so culling, Clear and Len of one
// never touch another.
//
// # Differences from Django, deliberately
//
//   - Culling never lets the count exceed MaxEntries: Django removes
//     count/CullFrequency entries, which is 0 when count < CullFrequency, and
//     then stores one more. Expired entries are dropped before culling in
//     every backend (Django's locmem and file caches skip that step).
//   - Culling runs only before storing a new key; Django's locmem also culls
//     when overwriting a key while full, which throws away entries for no
//     gain.
//   - Delete, DeleteMany and Touch count only fresh entries (Django's locmem
//     and database caches report true for an expired entry they remove).
//   - Incr keeps the expiry in every backend (as Django's locmem and redis
//     do; its database and file caches reset it to the default) and accepts
//     only JSON integers that fit in 64 bits; an overflowing result is
//     ErrNotInteger instead of a silently growing or wrapping number.
//   - Key length is counted in bytes, not characters, and the empty key is
//     rejected: memcached would reject both. Keys carry no version number
//     (Django's make_key adds ":1:").
//   - The per-view cache stores only 200 responses (Django also stores 304),
//     never stores a response with Set-Cookie, Cache-Control private or
//     no-store, or Vary: *, answers hits with an Age header measured from
//     when the response was stored, and authenticates what it stores (see
//     CachePage). The fragment cache does the same (see Fragments).
package cache
