package server

import (
	"github.com/httpcheck/httpcheck/reference/cache"
)

// The contract's cache API and cached views (docs/contract.md, Cache API
// and Cached views), served by reference/cache.

func (s *Server) cacheRoutes() {}

func (s *Server) cacheManifest() any { return s.opts.Caches.Settings() }

// DefaultCacheAliases are the aliases the reference server offers: the
// default one with Django's settings, a second one to show isolation, and
// a small one whose culling a check can watch without writing hundreds of
// keys.
func DefaultCacheAliases() map[string]cache.Options {
	small := cache.DefaultOptions()
	small.MaxEntries = 20
	return map[string]cache.Options{
		cache.DefaultAlias: cache.DefaultOptions(),
		"secondary":        cache.DefaultOptions(),
		"small":            small,
	}
}
