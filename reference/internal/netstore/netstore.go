// Package netstore connects reference/session and reference/cache to the
// network stores that several reference instances share: Redis
// (redis.go) and PostgreSQL (postgres.go). It exists so that both packages
// read store URLs the same way and, above all, bound every store operation
// in time the same way.
//
// A store on the network can be down, slow, or cut in the middle of a
// reply. The reference server must then answer 503 and recover by itself
// when the store is back, and never hang (docs/deployments.md). Three
// limits make that so:
//
//   - DialTimeout bounds connecting (TCP, TLS, authentication);
//   - IOTimeout bounds each read and write on a Redis connection;
//   - OpTimeout bounds one whole store operation, retries included: every
//     backend method runs under Bound, whatever context its caller gave.
//
// Connections that failed are thrown away, never reused, so the first
// operation after the store comes back opens a fresh one.
package netstore

import (
	"context"
	"time"
)

// Timeouts of every network store (see the package comment). The harness
// gives a request 10 s by default; a session request makes at most two
// store operations (load, then save), so OpTimeout keeps it inside that.
const (
	DialTimeout = 2 * time.Second
	IOTimeout   = 2 * time.Second
	OpTimeout   = 3 * time.Second
)

// Bound returns ctx limited to OpTimeout, and its cancel function.
func Bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, OpTimeout)
}
