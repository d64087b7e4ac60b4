package netstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// DefaultRedisPrefix begins every Redis key the reference packages write,
// unless the URL names another prefix (?prefix=NAME).
const DefaultRedisPrefix = "httpcheck"

// Redis is a client of one Redis server, shared by every store of this
// process that names the same URL (the session store and each cache alias):
// one pool of connections per server, not one per store.
type Redis struct {
	*redis.Client
	// Prefix begins every key (see OpenRedis).
	Prefix string

	url string // its key in sharedRedis
}

var sharedRedis = newSharedByURL[Redis]()

// OpenRedis connects to the Redis a URL names and checks that it answers:
//
//	redis://[USER:PASSWORD@]HOST[:PORT][/DB][?prefix=NAME&OPTION=VALUE...]
//	rediss://...   the same over TLS
//
// prefix (default "httpcheck") begins every key, so several deployments,
// or test runs, can share one Redis database without seeing each other's
// data. The other options are go-redis's (dial_timeout, read_timeout,
// pool_size, ...); the timeouts default to DialTimeout and IOTimeout
// rather than go-redis's 5 s, and a failed command is not retried.
//
// Every OpenRedis with the same URL returns the same client until each has
// been closed.
func OpenRedis(ctx context.Context, rawURL string) (*Redis, error) {
	return sharedRedis.acquire(rawURL, func() (*Redis, error) {
		opt, prefix, err := RedisOptions(rawURL)
		if err != nil {
			return nil, err
		}
		client := redis.NewClient(opt)
		ctx, cancel := Bound(ctx)
		defer cancel()
		if err := client.Ping(ctx).Err(); err != nil {
			client.Close()
			return nil, fmt.Errorf("redis at %s does not answer: %w", opt.Addr, err)
		}
		return &Redis{Client: client, Prefix: prefix, url: rawURL}, nil
	})
}

// Close releases this store's use of the client; the last one closes it.
func (r *Redis) Close() error { return sharedRedis.release(r.url, r, r.Client.Close) }

// RedisOptions parses a Redis URL (see OpenRedis) into go-redis options
// with this package's timeouts, and the key prefix.
func RedisOptions(rawURL string) (*redis.Options, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the URL, password and all.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, "", fmt.Errorf("redis: malformed URL: %v", err)
	}
	q := u.Query()
	prefix := DefaultRedisPrefix
	if q.Has("prefix") {
		prefix = q.Get("prefix")
		if err := checkRedisPrefix(prefix); err != nil {
			return nil, "", err
		}
		q.Del("prefix")
	}
	setRetries := !q.Has("max_retries")
	u.RawQuery = q.Encode()
	opt, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, "", err
	}
	if opt.DialTimeout == 0 {
		opt.DialTimeout = DialTimeout
	}
	if opt.ReadTimeout == 0 {
		opt.ReadTimeout = IOTimeout
	}
	if opt.WriteTimeout == 0 {
		opt.WriteTimeout = IOTimeout
	}
	if setRetries {
		// A command is never sent twice: a script that did its work just
		// before the connection broke must not do it again (an incr counted
		// twice). go-redis checks an idle connection before reusing it, so
		// connections the server closed while it was away are not used.
		opt.MaxRetries = -1
	}
	// A refused connection is retried once, not five times: the caller's
	// OpTimeout is the budget, and a store that is down should be reported
	// as down quickly.
	opt.DialerRetries = 1
	opt.ContextTimeoutEnabled = true
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return opt, prefix, nil
}

// checkRedisPrefix accepts prefixes of printable ASCII without spaces or
// the characters Redis gives a meaning in key names or patterns.
func checkRedisPrefix(p string) error {
	if p == "" || len(p) > 100 {
		return fmt.Errorf("redis: prefix must be 1 to 100 characters, got %q", p)
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f || strings.IndexByte("{}*?[]\\", c) >= 0 {
			return fmt.Errorf("redis: prefix %q may hold only printable ASCII other than space and {}*?[]\\", p)
		}
	}
	return nil
}

// SortableTime writes Unix nanoseconds as 20 decimal digits whose string
// order is time order (n + 2^63, zero-padded). Redis scripts compare
// expiries as strings: Lua numbers are doubles and cannot hold
// nanoseconds since 1970 exactly.
func SortableTime(n int64) string {
	return fmt.Sprintf("%020d", uint64(n)^(1<<63))
}

// SortableTimeLen is the length of what SortableTime writes.
const SortableTimeLen = 20

// ParseSortableTime reads what SortableTime wrote.
func ParseSortableTime(s string) (int64, error) {
	if len(s) != SortableTimeLen {
		return 0, fmt.Errorf("redis: malformed expiry %q", s)
	}
	u, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("redis: malformed expiry %q", s)
	}
	return int64(u ^ (1 << 63)), nil
}

// maxTTL is the longest lifetime given to Redis as a TTL. Records that live
// longer are stored without one: the expiry stored with them still ends
// them for every reader, and Redis refuses TTLs that overflow its clock.
const maxTTL = 100 * 365 * 24 * time.Hour

// TTL returns the Redis lifetime, in whole milliseconds rounded up, of a
// record expiring at expiry (Unix nanoseconds) when the store's clock reads
// now: Redis then removes the record no earlier than that clock expires it,
// as long as the clock runs at least as fast as real time (clock.Real and
// clock.Virtual do). It returns 0 for "no TTL": the record lives at least
// maxTTL. A record already expired gets 1 ms.
func TTL(expiry, now int64) int64 {
	if expiry <= now {
		return 1
	}
	d := uint64(expiry) - uint64(now) // no overflow: expiry > now
	if d > uint64(maxTTL) {
		return 0
	}
	return int64((d + uint64(time.Millisecond) - 1) / uint64(time.Millisecond))
}

// IsRedisNil reports whether err is go-redis's "no such key".
func IsRedisNil(err error) bool { return errors.Is(err, redis.Nil) }
