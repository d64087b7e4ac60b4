package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/internal/netstore"
)

// redisStore keeps each record as one Redis string under
// PREFIX:session:KEY (PREFIX from the URL, default "httpcheck"): the
// record's expiry in netstore.SortableTime's 20 digits, then its JSON data.
// Several reference instances pointed at one Redis share their sessions.
//
// Expiry. Every record carries a Redis TTL, its lifetime on the store's
// clock (netstore.TTL), so Redis itself removes it once it has expired; and
// the expiry stored with it is checked on every read, so a record is dead
// from the very nanosecond the clock reaches its expiry, whether or not
// Redis has removed it yet (a virtual clock that jumped ahead, or a TTL
// rounded up to the millisecond). ClearExpired therefore has nothing to
// do: it returns 0, as Django's cache-based session backends leave
// clearsessions nothing to do.
//
// Atomicity. Create is SET NX, so a key is never taken twice. Save is one
// Lua script that checks, inside Redis, that the record is still live
// before it replaces it: a logout (Delete) on another instance between a
// request's Load and its Save is never undone.
//
// Availability. Every operation is bounded by netstore.OpTimeout; a Redis
// that is down or cut answers an error (the middleware's 503) within it,
// and the client reconnects by itself once Redis is back.
type redisStore struct {
	client *netstore.Redis
	prefix string // PREFIX:session:
}

func openRedis(rest string, c clock.Clock) (Store, error) {
	client, err := netstore.OpenRedis(context.Background(), "redis:"+rest)
	if err != nil {
		return nil, err
	}
	return newRecordStore(c, &redisStore{client: client, prefix: client.Prefix + ":session:"}), nil
}

func (s *redisStore) rkey(key string) string { return s.prefix + key }

// redisErr marks an error from Redis as the store's.
func redisErr(what string, err error) error { return fmt.Errorf("redis: %s: %w", what, err) }

// parseRecord splits a stored record into its expiry and data.
func parseRecord(v string) (int64, []byte, error) {
	if len(v) < netstore.SortableTimeLen {
		return 0, nil, errors.New("redis: malformed session record")
	}
	exp, err := netstore.ParseSortableTime(v[:netstore.SortableTimeLen])
	return exp, []byte(v[netstore.SortableTimeLen:]), err
}

func (s *redisStore) load(ctx context.Context, key string, now int64) ([]byte, int64, bool, error) {
	ctx, cancel := netstore.Bound(ctx)
	defer cancel()
	v, err := s.client.Get(ctx, s.rkey(key)).Result()
	if netstore.IsRedisNil(err) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, redisErr("loading a session", err)
	}
	exp, b, err := parseRecord(v)
	if err != nil || !isLiveAt(exp, now) {
		return nil, 0, false, err
	}
	return b, exp, true, nil
}

// redisSave replaces a live record: KEYS[1] the record, ARGV[1] now,
// ARGV[2] the new record, ARGV[3] its TTL in ms (0: none). It answers 1 when
// it replaced the record and 0 when there was no live one.
var redisSave = redis.NewScript(`
local expiry = redis.call('GETRANGE', KEYS[1], 0, 19)
if expiry == '' or expiry <= ARGV[1] then return 0 end
if ARGV[3] == '0' then
  redis.call('SET', KEYS[1], ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1`)

func (s *redisStore) update(ctx context.Context, key string, data []byte, expiry, now int64) (bool, error) {
	ctx, cancel := netstore.Bound(ctx)
	defer cancel()
	n, err := redisSave.Run(ctx, s.client, []string{s.rkey(key)},
		netstore.SortableTime(now), netstore.SortableTime(expiry)+string(data), netstore.TTL(expiry, now)).Int()
	if err != nil {
		return false, redisErr("saving a session", err)
	}
	return n != 0, nil
}

func (s *redisStore) delete(ctx context.Context, key string) error {
	ctx, cancel := netstore.Bound(ctx)
	defer cancel()
	if err := s.client.Del(ctx, s.rkey(key)).Err(); err != nil {
		return redisErr("deleting a session", err)
	}
	return nil
}

func (s *redisStore) exists(ctx context.Context, key string, now int64) (bool, error) {
	ctx, cancel := netstore.Bound(ctx)
	defer cancel()
	v, err := s.client.GetRange(ctx, s.rkey(key), 0, netstore.SortableTimeLen-1).Result()
	if err != nil {
		return false, redisErr("looking up a session", err)
	}
	if v == "" {
		return false, nil
	}
	exp, err := netstore.ParseSortableTime(v)
	if err != nil {
		return false, err
	}
	return isLiveAt(exp, now), nil
}

// insert is SET NX: a key is never taken twice, so an old cookie can never
// come to name someone else's session.
func (s *redisStore) insert(ctx context.Context, key string, data []byte, expiry, now int64) (bool, error) {
	ttl := time.Duration(netstore.TTL(expiry, now)) * time.Millisecond // 0: no TTL
	ctx, cancel := netstore.Bound(ctx)
	defer cancel()
	ok, err := s.client.SetNX(ctx, s.rkey(key), netstore.SortableTime(expiry)+string(data), ttl).Result()
	if err != nil {
		return false, redisErr("creating a session", err)
	}
	return ok, nil
}

// clearExpired removes nothing and returns 0: Redis removes every record
// itself once its TTL has run out, and until then the expiry stored with it
// keeps it from being served. There is nothing for clearsessions or the
// sweeper to do.
func (s *redisStore) clearExpired(context.Context, int64) (int, error) { return 0, nil }

func (s *redisStore) close() error { return s.client.Close() }
