// Package gocache adapts github.com/patrickmn/go-cache to
// httpcheckcontract.Cache: one *cache.Cache per alias.
//
// go-cache is the in-process cache Go services reach for when they want
// what Django's local-memory cache gives: per-entry expiry, a default
// expiry, Add, atomic increments and Flush, behind one mutex. It has no
// bound on the number of entries (its janitor only removes expired ones),
// so the manifest says max_entries 0 and httpcheck skips the culling
// checks.
package gocache

import (
	"time"

	cache "github.com/patrickmn/go-cache"

	"github.com/httpcheck/httpcheck/examples/go/httpcheckcontract"
)

// Cache is one alias kept in a go-cache.
type Cache struct {
	c          *cache.Cache
	defaultTTL time.Duration
}

// New makes a go-cache with the default expiry defaultTTL
// (cache.NoExpiration for none) and a janitor that removes expired entries
// every cleanup.
func New(defaultTTL, cleanup time.Duration) *Cache {
	return Wrap(cache.New(defaultTTL, cleanup), defaultTTL)
}

// Wrap adapts an existing go-cache, created with the default expiry
// defaultTTL (go-cache does not tell it).
func Wrap(c *cache.Cache, defaultTTL time.Duration) *Cache {
	return &Cache{c: c, defaultTTL: defaultTTL}
}

// Settings reports the default expiry, and no entry limit.
func (a *Cache) Settings() httpcheckcontract.CacheSettings {
	s := httpcheckcontract.CacheSettings{Timeout: a.defaultTTL, Backend: "patrickmn/go-cache"}
	if a.defaultTTL <= 0 {
		s.Timeout = httpcheckcontract.NoExpiry
	}
	return s
}

// Get is cache.Get: an expired entry is not found.
func (a *Cache) Get(key string) (any, bool) { return a.c.Get(key) }

// Set is cache.Set; go-cache and httpcheckcontract share the ttl
// convention (0 the default, -1 never).
func (a *Cache) Set(key string, value any, ttl time.Duration) error {
	a.c.Set(key, value, ttl)
	return nil
}

// Add is cache.Add, which fails when the key holds an entry that has not
// expired.
func (a *Cache) Add(key string, value any, ttl time.Duration) bool {
	return a.c.Add(key, value, ttl) == nil
}

// Delete is cache.Delete, which does not say whether the key was there:
// a Get first does (two steps, not one atomic one).
func (a *Cache) Delete(key string) bool {
	_, found := a.c.Get(key)
	a.c.Delete(key)
	return found
}

// Incr is cache.IncrementInt64, atomic under go-cache's lock and keeping
// the entry's expiry. httpcheckcontract stores JSON integers as int64.
// go-cache's two failures (not found, not an int64) are told apart by a
// Get. Decrements are negative deltas; an overflow wraps, as int64
// arithmetic does.
func (a *Cache) Incr(key string, delta int64) (int64, error) {
	n, err := a.c.IncrementInt64(key, delta)
	if err != nil {
		if _, found := a.c.Get(key); !found {
			return 0, httpcheckcontract.ErrNotFound
		}
		return 0, httpcheckcontract.ErrNotInteger
	}
	return n, nil
}

// Touch is cache.Replace of the value with itself: go-cache has no call
// that only changes an entry's expiry.
func (a *Cache) Touch(key string, ttl time.Duration) bool {
	v, found := a.c.Get(key)
	if !found {
		return false
	}
	return a.c.Replace(key, v, ttl) == nil
}

// Clear is cache.Flush.
func (a *Cache) Clear() { a.c.Flush() }
