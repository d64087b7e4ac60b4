package cache

import (
	"math"
	"time"
)

// Times inside the package are Unix nanoseconds read from the cache's
// clock once per operation, so one operation sees one "now".

// neverExpires is the expiry of an entry stored with Never(). Finite
// timeouts are clamped below it (about the year 2262), so the two stay
// distinct.
const neverExpires int64 = math.MaxInt64

// isFresh reports whether an entry expiring at expiresAt is fresh at now:
// fresh strictly before its expiry, expired from then on. Django's
// locmem._has_expired uses the same boundary (exp <= time.time() is
// expired).
func isFresh(expiresAt, now int64) bool { return now < expiresAt }

// expiresAt resolves t at time now: Default() becomes def (the cache's
// Options.DefaultTimeout, which is never Default() itself), Never()
// becomes neverExpires, and Seconds(n) becomes now + n seconds. fresh is
// false when n <= 0: such an entry is expired the moment it would be
// stored (Django's get_backend_timeout turns 0 into -1 for the same
// effect).
func expiresAt(t, def Timeout, now int64) (at int64, fresh bool) {
	if t.kind == timeoutDefault {
		t = def
	}
	switch t.kind {
	case timeoutNever:
		return neverExpires, true
	case timeoutSeconds:
		if t.seconds <= 0 {
			return now, false
		}
		const maxSeconds = math.MaxInt64 / int64(time.Second)
		if t.seconds >= maxSeconds {
			return neverExpires - 1, true
		}
		d := t.seconds * int64(time.Second)
		if now > 0 && d > neverExpires-1-now {
			return neverExpires - 1, true
		}
		return now + d, true
	}
	// def was Default() too; Options.validate never lets that happen.
	panic("cache: unresolved default timeout")
}
