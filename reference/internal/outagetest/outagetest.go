// Package outagetest runs a test against each network store (Redis,
// PostgreSQL) reached through a proxy that can cut it. The session store,
// the cache and the reference server are each tested for the same
// outages (docs/deployments.md: answer within the store deadline, recover
// by itself once the store is back), so the stores and the ways of cutting
// them are listed here once. Only tests import it.
package outagetest

import (
	"testing"

	"github.com/httpcheck/httpcheck/internal/storetest"
)

// Store is one network store as a test sees it: a URL of its own (a key
// prefix or a schema, see storetest) that leads through Proxy.
type Store struct {
	Name  string // "redis" or "postgres", as the server's SessionBackend
	URL   string
	Proxy *storetest.Proxy
}

// ForEach runs f as a subtest for Redis and for PostgreSQL, each behind a
// proxy of its own. A store that does not answer is skipped (storetest).
func ForEach(t *testing.T, f func(t *testing.T, s Store)) {
	for _, b := range []struct {
		name string
		url  func(testing.TB, string) string
		base func() string
	}{{"redis", storetest.RedisAt, storetest.RedisBase}, {"postgres", storetest.PostgresAt, storetest.PostgresBase}} {
		t.Run(b.name, func(t *testing.T) {
			proxy := storetest.NewProxy(t, storetest.HostPort(t, b.base()))
			f(t, Store{Name: b.name, URL: b.url(t, storetest.ViaProxy(t, b.base(), proxy.Addr())), Proxy: proxy})
		})
	}
}

// Cut is one way a store goes away.
type Cut struct {
	Name string
	Fail func() // cuts the store; Store.Proxy.Restore brings it back
}

// Cuts are the outages every store is tested under: its port closed, its
// connections dropped in the middle of requests, and its answers never
// coming.
func (s Store) Cuts() []Cut {
	return []Cut{{"closed", s.Proxy.Close}, {"dropping", s.Proxy.Drop}, {"stalled", s.Proxy.Stall}}
}
