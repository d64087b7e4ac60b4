package cache

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/httpcheck/httpcheck/reference/internal/netstore"
)

// redisStore is the "redis://HOST:PORT/DB" backend, Django's RedisCache
// with the semantics of the other backends (doc.go). Several reference
// instances pointed at one Redis share their caches.
//
// Layout. Each location (the URL's prefix, and the alias) is a Redis hash
// tag, L = "{PREFIX:cache:ALIAS}", under which live:
//
//	L:k:KEY  one string per entry: its expiry in netstore.SortableTime's
//	         20 digits, then the value; with a Redis TTL
//	L:i      a sorted set of the stored keys, scored by expiry in whole
//	         microseconds (+inf for never), for culling, Len and Clear
//
// Expiry. Every entry carries a Redis TTL, its lifetime on the cache's
// clock (netstore.TTL), so Redis removes it once it has expired; and its
// stored expiry is checked on every read, so it is a miss from the very
// nanosecond the clock reaches it. An index member whose entry Redis has
// removed is an expired entry like any other: it counts towards
// MaxEntries until a cull sweeps it.
//
// Atomicity. Every write is one Lua script, which Redis runs without
// interleaving any other command: Add, GetOrSet and Incr are atomic across
// every process using the Redis, and culling sees a consistent count. Incr
// adds with Redis's INCRBY (64-bit, overflow refused) in a scratch key, so
// the sum is exact where Lua's numbers (doubles) are not.
//
// Culling evicts the entries that expire soonest, never-expiring ones last,
// ties by key, as the SQLite backend does; expiries that fall within the
// same microsecond count as ties.
//
// Redis Cluster is not supported: a script reaches keys it is not given.
// The hash tag keeps a location's keys in one slot all the same.
type redisStore struct {
	client                    *netstore.Redis
	loc                       string // L, the hash tag
	maxEntries, cullFrequency int
}

func openRedis(location, namespace string, o Options) (storage, error) {
	client, err := netstore.OpenRedis(context.Background(), "redis:"+location)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	loc := client.Prefix + ":cache"
	if namespace != "" {
		loc += ":" + namespace
	}
	return &redisStore{client: client, loc: "{" + loc + "}", maxEntries: o.MaxEntries, cullFrequency: o.CullFrequency}, nil
}

func (s *redisStore) entryKey(k string) string { return s.loc + ":k:" + k }

// redisErr reports a failure of Redis itself as ErrUnavailable.
func redisErr(err error) error {
	return fmt.Errorf("%w: redis: %v", ErrUnavailable, err)
}

// score is an expiry's score in the index: whole microseconds (exact in a
// double until the year 2255), +inf for never.
func score(expiresAt int64) string {
	if expiresAt == neverExpires {
		return "+inf"
	}
	us := expiresAt / 1000
	if expiresAt < 0 && expiresAt%1000 != 0 {
		us-- // floor
	}
	return strconv.FormatInt(us, 10)
}

// redisPrelude begins every script. KEYS[1] is the location; ARGV[1] the
// operation's now (20 digits), ARGV[2] its score, ARGV[3] MaxEntries and
// ARGV[4] CullFrequency; the operation's own arguments follow.
const redisPrelude = `
local L = KEYS[1]
local idx = L .. ':i'
local now, now_score = ARGV[1], ARGV[2]
local max_entries, cull_frequency = tonumber(ARGV[3]), tonumber(ARGV[4])
local function entry(k) return L .. ':k:' .. k end
-- expiry is k's stored expiry, '' when it has no entry.
local function expiry(k) return redis.call('GETRANGE', entry(k), 0, 19) end
local function is_fresh(e) return e ~= '' and e > now end
local function remove(k)
  redis.call('DEL', entry(k))
  redis.call('ZREM', idx, k)
end
-- cull runs the culling steps of cull.go.
local function cull()
  if redis.call('ZCARD', idx) < max_entries then return end
  for _, k in ipairs(redis.call('ZRANGEBYSCORE', idx, '-inf', now_score)) do
    if not is_fresh(expiry(k)) then remove(k) end
  end
  local n = redis.call('ZCARD', idx)
  if n < max_entries then return end
  local c = n
  if cull_frequency > 0 then c = math.max(math.floor(n / cull_frequency), n - max_entries + 1) end
  for _, k in ipairs(redis.call('ZRANGE', idx, 0, c - 1)) do remove(k) end
end
-- put stores an entry (its expiry is exp, 20 digits; ttl in ms, '0' for
-- none), culling first when the location does not hold k.
local function put(k, value, exp, score, ttl)
  if not redis.call('ZSCORE', idx, k) then cull() end
  if ttl == '0' then
    redis.call('SET', entry(k), exp .. value)
  else
    redis.call('SET', entry(k), exp .. value, 'PX', ttl)
  end
  redis.call('ZADD', idx, score, k)
end
`

func redisScript(body string) *redis.Script { return redis.NewScript(redisPrelude + body) }

// The scripts. An entry to store is given as five arguments: key, value,
// expiry (20 digits), score and TTL.
var (
	// ARGV[5...]: entries. Stores them in order.
	redisSet = redisScript(`
for i = 5, #ARGV, 5 do put(ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4]) end
return 0`)
	// ARGV[5..9]: an entry. 1 when stored, 0 when a fresh one was there.
	redisAdd = redisScript(`
if is_fresh(expiry(ARGV[5])) then return 0 end
put(ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9])
return 1`)
	// ARGV[5..9]: an entry. {1, value} for a fresh one, else stores and {0}.
	redisGetOrSet = redisScript(`
local v = redis.call('GET', entry(ARGV[5]))
if v and string.sub(v, 1, 20) > now then return {1, string.sub(v, 21)} end
put(ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9])
return {0}`)
	// ARGV[5...]: keys. Deletes them; answers how many were fresh.
	redisDelete = redisScript(`
local n = 0
for i = 5, #ARGV do
  if is_fresh(expiry(ARGV[i])) then n = n + 1 end
  remove(ARGV[i])
end
return n`)
	// ARGV[5] key, ARGV[6] delta. {0, sum}; {-1} without a fresh entry;
	// {-2, value} when the value is no integer or the sum overflows.
	redisIncr = redisScript(`
local v = redis.call('GET', entry(ARGV[5]))
if not v or string.sub(v, 1, 20) <= now then return {-1} end
local n = string.match(string.sub(v, 21), '^[ \t\r\n]*(.-)[ \t\r\n]*$')
if n == '-0' then n = '0' end
if not string.match(n, '^%-?%d+$') then return {-2, n} end
local scratch = L .. ':incr'
redis.call('SET', scratch, n)
local r = redis.pcall('INCRBY', scratch, ARGV[6])
local sum = redis.call('GET', scratch)
redis.call('DEL', scratch)
if type(r) == 'table' and r.err then return {-2, n} end
redis.call('SET', entry(ARGV[5]), string.sub(v, 1, 20) .. sum, 'KEEPTTL')
return {0, sum}`)
	// ARGV[5] key, ARGV[6] expiry, ARGV[7] score, ARGV[8] TTL. 1 when a
	// fresh entry got the new expiry, else 0.
	redisTouch = redisScript(`
if not is_fresh(expiry(ARGV[5])) then return 0 end
redis.call('SETRANGE', entry(ARGV[5]), 0, ARGV[6])
if ARGV[8] == '0' then
  redis.call('PERSIST', entry(ARGV[5]))
else
  redis.call('PEXPIRE', entry(ARGV[5]), ARGV[8])
end
redis.call('ZADD', idx, ARGV[7], ARGV[5])
return 1`)
	// Removes every entry of the location.
	redisClear = redisScript(`
local keys = redis.call('ZRANGE', idx, 0, -1)
for i = 1, #keys, 1000 do
  local batch = {}
  for j = i, math.min(i + 999, #keys) do batch[#batch + 1] = entry(keys[j]) end
  redis.call('DEL', unpack(batch))
end
redis.call('DEL', idx)
return 0`)
	// Counts the fresh entries.
	redisLen = redisScript(`
local n = 0
for _, k in ipairs(redis.call('ZRANGEBYSCORE', idx, now_score, '+inf')) do
  if is_fresh(expiry(k)) then n = n + 1 end
end
return n`)
)

// run runs a script at the location with the common arguments first.
func (s *redisStore) run(ctx context.Context, script *redis.Script, now int64, args ...any) (any, error) {
	ctx, cancel := netstore.Bound(ctx)
	defer cancel()
	all := append([]any{netstore.SortableTime(now), score(now), s.maxEntries, s.cullFrequency}, args...)
	v, err := script.Run(ctx, s.client, []string{s.loc}, all...).Result()
	if err != nil {
		return nil, redisErr(err)
	}
	return v, nil
}

// entryArgs are the five script arguments of an entry stored at now.
func entryArgs(e entry, now int64) []any {
	return []any{e.key, e.value, netstore.SortableTime(e.expiresAt), score(e.expiresAt), netstore.TTL(e.expiresAt, now)}
}

// value returns the value of a stored entry when it is fresh at now.
func storedValue(v string, now int64) ([]byte, bool) {
	if len(v) < netstore.SortableTimeLen || v[:netstore.SortableTimeLen] <= netstore.SortableTime(now) {
		return nil, false
	}
	return []byte(v[netstore.SortableTimeLen:]), true
}

func (s *redisStore) get(ctx context.Context, key string, now int64) ([]byte, bool, error) {
	ctx, cancel := netstore.Bound(ctx)
	defer cancel()
	v, err := s.client.Get(ctx, s.entryKey(key)).Result()
	if netstore.IsRedisNil(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, redisErr(err)
	}
	b, ok := storedValue(v, now)
	return b, ok, nil
}

func (s *redisStore) getMany(ctx context.Context, keys []string, now int64) (map[string][]byte, error) {
	if len(keys) == 0 {
		return map[string][]byte{}, nil // MGET needs a key
	}
	ctx, cancel := netstore.Bound(ctx)
	defer cancel()
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = s.entryKey(k)
	}
	vs, err := s.client.MGet(ctx, names...).Result()
	if err != nil {
		return nil, redisErr(err)
	}
	out := make(map[string][]byte)
	for i, v := range vs {
		if str, ok := v.(string); ok {
			if b, ok := storedValue(str, now); ok {
				out[keys[i]] = b
			}
		}
	}
	return out, nil
}

func (s *redisStore) set(ctx context.Context, entries []entry, now int64) ([]string, error) {
	args := make([]any, 0, 5*len(entries))
	for _, e := range entries {
		args = append(args, entryArgs(e, now)...)
	}
	_, err := s.run(ctx, redisSet, now, args...)
	return nil, err
}

func (s *redisStore) add(ctx context.Context, e entry, now int64) (bool, error) {
	v, err := s.run(ctx, redisAdd, now, entryArgs(e, now)...)
	if err != nil {
		return false, err
	}
	return v == int64(1), nil
}

func (s *redisStore) getOrSet(ctx context.Context, e entry, now int64) ([]byte, error) {
	v, err := s.run(ctx, redisGetOrSet, now, entryArgs(e, now)...)
	if err != nil {
		return nil, err
	}
	if r, ok := v.([]any); ok && len(r) == 2 && r[0] == int64(1) {
		if str, ok := r[1].(string); ok {
			return []byte(str), nil
		}
	}
	return nil, nil
}

func (s *redisStore) delete(ctx context.Context, keys []string, now int64) (int, error) {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	v, err := s.run(ctx, redisDelete, now, args...)
	if err != nil {
		return 0, err
	}
	n, _ := v.(int64)
	return int(n), nil
}

func (s *redisStore) incr(ctx context.Context, key string, delta, now int64) (int64, error) {
	v, err := s.run(ctx, redisIncr, now, key, delta)
	if err != nil {
		return 0, err
	}
	r, _ := v.([]any)
	if len(r) == 0 {
		return 0, redisErr(fmt.Errorf("unexpected answer %v to incr", v))
	}
	switch r[0] {
	case int64(-1):
		return 0, fmt.Errorf("%w: %s", ErrNotFound, quoteKey(key))
	case int64(0):
		if sum, ok := r[1].(string); ok {
			if n, err := strconv.ParseInt(sum, 10, 64); err == nil {
				return n, nil
			}
		}
	case int64(-2):
		// The shared arithmetic says why: not an integer, too large, or
		// an overflowing sum.
		value, _ := r[1].(string)
		if _, _, err := addInteger(key, []byte(value), delta); err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("%w: Redis refused to add %d to the value of %s", ErrNotInteger, delta, quoteKey(key))
	}
	return 0, redisErr(fmt.Errorf("unexpected answer %v to incr", v))
}

func (s *redisStore) touch(ctx context.Context, key string, expiresAt, now int64) (bool, error) {
	v, err := s.run(ctx, redisTouch, now, key, netstore.SortableTime(expiresAt), score(expiresAt), netstore.TTL(expiresAt, now))
	if err != nil {
		return false, err
	}
	return v == int64(1), nil
}

func (s *redisStore) clear(ctx context.Context) error {
	_, err := s.run(ctx, redisClear, 0)
	return err
}

func (s *redisStore) len(ctx context.Context, now int64) (int, error) {
	v, err := s.run(ctx, redisLen, now)
	if err != nil {
		return 0, err
	}
	n, _ := v.(int64)
	return int(n), nil
}

func (s *redisStore) close() error { return s.client.Close() }
