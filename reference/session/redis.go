package session

import (
	"context"
	"encoding/json"
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
	clock  clock.Clock
	client *netstore.Redis
	prefix string // PREFIX:session:
}

func openRedis(rest string, c clock.Clock) (Store, error) {
	client, err := netstore.OpenRedis(context.Background(), "redis:"+rest)
	if err != nil {
		return nil, err
	}
	return &redisStore{clock: c, client: client, prefix: client.Prefix + ":session:"}, nil
}

func (s *redisStore) now() int64 { return toUnixNano(s.clock.Now()) }

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

func (s *redisStore) Load(ctx context.Context, key string) (map[string]json.RawMessage, time.Time, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, time.Time{}, false, err
	}
	if !isValidKey(key) {
		return nil, time.Time{}, false, nil
	}
	ctx, cancel := netstore.Bound(ctx)
	defer cancel()
	v, err := s.client.Get(ctx, s.rkey(key)).Result()
	if netstore.IsRedisNil(err) {
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, redisErr("loading a session", err)
	}
	exp, b, err := parseRecord(v)
	if err != nil {
		return nil, time.Time{}, false, err
	}
	if exp <= s.now() {
		return nil, time.Time{}, false, nil
	}
	data, err := decodeData(b)
	if err != nil {
		return nil, time.Time{}, false, err
	}
	return data, fromUnixNano(exp), true, nil
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

func (s *redisStore) Save(ctx context.Context, key string, data map[string]json.RawMessage, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !isValidKey(key) {
		return ErrNotFound
	}
	b, err := encodeData(data)
	if err != nil {
		return err
	}
	now, exp := s.now(), toUnixNano(expiry)
	ctx, cancel := netstore.Bound(ctx)
	defer cancel()
	n, err := redisSave.Run(ctx, s.client, []string{s.rkey(key)},
		netstore.SortableTime(now), netstore.SortableTime(exp)+string(b), netstore.TTL(exp, now)).Int()
	if err != nil {
		return redisErr("saving a session", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *redisStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !isValidKey(key) {
		return nil
	}
	ctx, cancel := netstore.Bound(ctx)
	defer cancel()
	if err := s.client.Del(ctx, s.rkey(key)).Err(); err != nil {
		return redisErr("deleting a session", err)
	}
	return nil
}

func (s *redisStore) Exists(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if !isValidKey(key) {
		return false, nil
	}
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
	return exp > s.now(), nil
}

func (s *redisStore) Create(ctx context.Context, data map[string]json.RawMessage, expiry time.Time) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	b, err := encodeData(data)
	if err != nil {
		return "", err
	}
	now, exp := s.now(), toUnixNano(expiry)
	record := netstore.SortableTime(exp) + string(b)
	ttl := time.Duration(netstore.TTL(exp, now)) * time.Millisecond // 0: no TTL
	ctx, cancel := netstore.Bound(ctx)
	defer cancel()
	for {
		key := NewKey()
		// NX: a key is never taken twice, so an old cookie can never come to
		// name someone else's session.
		ok, err := s.client.SetNX(ctx, s.rkey(key), record, ttl).Result()
		if err != nil {
			return "", redisErr("creating a session", err)
		}
		if ok {
			return key, nil
		}
	}
}

// ClearExpired removes nothing and returns 0: Redis removes every record
// itself once its TTL has run out, and until then the expiry stored with it
// keeps it from being served. There is nothing for clearsessions or the
// sweeper to do.
func (s *redisStore) ClearExpired(ctx context.Context) (int, error) { return 0, ctx.Err() }

func (s *redisStore) Close() error { return s.client.Close() }
