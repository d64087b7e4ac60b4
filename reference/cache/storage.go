package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// storage is what a backend implements: the Cache operations on stored
// keys (prefix applied, already valid), stored values (valid JSON) and
// absolute expiries (fresh ones: timeouts that expire at once never reach
// storage). now is the operation's time. Each method is atomic with
// respect to the others on the same location within one process, and runs
// the culling steps (cull.go) before storing a key it does not hold.
type storage interface {
	ownStorage
	// add stores e unless a fresh entry holds its key, and reports whether
	// it did.
	add(ctx context.Context, e entry, now int64) (bool, error)
	// getOrSet returns the fresh value, or stores e and returns nil.
	getOrSet(ctx context.Context, e entry, now int64) ([]byte, error)
	incr(ctx context.Context, key string, delta, now int64) (int64, error)
}

// ownStorage is the part of storage that each backend writes for itself.
// The rest (add, getOrSet, incr) reads an entry and stores another in one
// step, which every backend but Redis does alike: see lockedStorage.
type ownStorage interface {
	get(ctx context.Context, key string, now int64) ([]byte, bool, error)
	getMany(ctx context.Context, keys []string, now int64) (map[string][]byte, error)
	// set stores entries in order and returns the keys it could not store.
	set(ctx context.Context, entries []entry, now int64) (failed []string, err error)
	// delete removes keys (distinct) and counts those that were fresh.
	delete(ctx context.Context, keys []string, now int64) (int, error)
	touch(ctx context.Context, key string, expiresAt, now int64) (bool, error)
	clear(ctx context.Context) error
	len(ctx context.Context, now int64) (int, error)
	close() error
}

// entry is one stored key, value and expiry.
type entry struct {
	key       string
	value     []byte
	expiresAt int64
}

// cache is the Cache every backend is used through: it checks keys and
// values, applies the key prefix, reads the clock and resolves timeouts,
// then calls the backend's storage.
type cache struct {
	s      storage
	opts   Options
	clock  clock.Clock
	closed atomic.Bool
}

// begin starts an operation: it fails after Close or when ctx is done, and
// returns the operation's now.
func (c *cache) begin(ctx context.Context) (int64, error) {
	if c.closed.Load() {
		return 0, errClosed
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return c.clock.Now().UnixNano(), nil
}

func (c *cache) key(key string) (string, error) { return makeKey(c.opts.KeyPrefix, key) }

// beginKey is begin for an operation on one key: it also checks the key and
// returns it as stored.
func (c *cache) beginKey(ctx context.Context, key string) (now int64, stored string, err error) {
	if now, err = c.begin(ctx); err != nil {
		return 0, "", err
	}
	stored, err = c.key(key)
	return now, stored, err
}

// beginStore is beginKey for an operation that stores v under key for t:
// it also checks v and returns the entry to store, and whether it is fresh
// (an entry that expires at once is never stored: see expiresAt).
func (c *cache) beginStore(ctx context.Context, key string, v json.RawMessage, t Timeout) (now int64, e entry, fresh bool, err error) {
	now, e.key, err = c.beginKey(ctx, key)
	if err != nil {
		return 0, entry{}, false, err
	}
	if e.value, err = checkValue(key, v); err != nil {
		return 0, entry{}, false, err
	}
	e.expiresAt, fresh = c.expiresAt(t, now)
	return now, e, fresh, nil
}

func (c *cache) expiresAt(t Timeout, now int64) (int64, bool) {
	return expiresAt(t, c.opts.DefaultTimeout, now)
}

// checkValue returns the JSON text to store for v: an empty value stores
// null (json.RawMessage's own reading of nil), and anything that is not
// one JSON value is refused, so every stored value can be answered as is.
func checkValue(key string, v json.RawMessage) ([]byte, error) {
	if len(v) == 0 {
		return []byte("null"), nil
	}
	if !json.Valid(v) {
		return nil, fmt.Errorf("cache: the value for %s is not valid JSON", quoteKey(key))
	}
	return v, nil
}

func (c *cache) Get(ctx context.Context, key string) (json.RawMessage, bool, error) {
	now, k, err := c.beginKey(ctx, key)
	if err != nil {
		return nil, false, err
	}
	v, ok, err := c.s.get(ctx, k, now)
	return asJSON(v), ok, err
}

func (c *cache) Set(ctx context.Context, key string, v json.RawMessage, t Timeout) error {
	now, e, fresh, err := c.beginStore(ctx, key, v, t)
	if err != nil {
		return err
	}
	if !fresh {
		// Stored and expired at once is the same as not stored; removing
		// the older entry is what makes it so.
		_, err := c.s.delete(ctx, []string{e.key}, now)
		return err
	}
	_, err = c.s.set(ctx, []entry{e}, now)
	return err
}

func (c *cache) Add(ctx context.Context, key string, v json.RawMessage, t Timeout) (bool, error) {
	now, e, fresh, err := c.beginStore(ctx, key, v, t)
	if err != nil {
		return false, err
	}
	if !fresh {
		// Django adds an entry that is already expired: the answer is
		// whether the key was absent, and nothing observable changes.
		_, found, err := c.s.get(ctx, e.key, now)
		return !found && err == nil, err
	}
	return c.s.add(ctx, e, now)
}

func (c *cache) GetOrSet(ctx context.Context, key string, def json.RawMessage, t Timeout) (json.RawMessage, error) {
	now, e, fresh, err := c.beginStore(ctx, key, def, t)
	if err != nil {
		return nil, err
	}
	var v []byte
	if fresh {
		v, err = c.s.getOrSet(ctx, e, now)
	} else {
		v, _, err = c.s.get(ctx, e.key, now)
	}
	if err != nil {
		return nil, err
	}
	if v == nil {
		return bytes.Clone(e.value), nil
	}
	return asJSON(v), nil
}

func (c *cache) GetMany(ctx context.Context, keys []string) (map[string]json.RawMessage, error) {
	now, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	stored, caller, err := c.keys(keys)
	if err != nil {
		return nil, err
	}
	found, err := c.s.getMany(ctx, stored, now)
	if err != nil {
		return nil, err
	}
	out := make(map[string]json.RawMessage, len(found))
	for i, k := range stored {
		if v, ok := found[k]; ok {
			out[caller[i]] = asJSON(v)
		}
	}
	return out, nil
}

// keys checks keys and returns the distinct ones, stored and as the
// caller wrote them, in the caller's order.
func (c *cache) keys(keys []string) (stored, caller []string, err error) {
	seen := make(map[string]bool, len(keys))
	for _, key := range keys {
		k, err := c.key(key)
		if err != nil {
			return nil, nil, err
		}
		if !seen[k] {
			seen[k] = true
			stored = append(stored, k)
			caller = append(caller, key)
		}
	}
	return stored, caller, nil
}

func (c *cache) SetMany(ctx context.Context, values map[string]json.RawMessage, t Timeout) ([]string, error) {
	now, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	// Sorted, so that which keys a cull removes does not depend on map
	// order.
	keys := slices.Sorted(maps.Keys(values))
	exp, fresh := c.expiresAt(t, now)
	entries := make([]entry, 0, len(keys))
	caller := make(map[string]string, len(keys))
	for _, key := range keys {
		k, err := c.key(key)
		if err != nil {
			return nil, err
		}
		val, err := checkValue(key, values[key])
		if err != nil {
			return nil, err
		}
		entries = append(entries, entry{key: k, value: val, expiresAt: exp})
		caller[k] = key
	}
	failed := []string{}
	if !fresh {
		stored := make([]string, len(entries))
		for i, e := range entries {
			stored[i] = e.key
		}
		_, err := c.s.delete(ctx, stored, now)
		return failed, err
	}
	bad, err := c.s.set(ctx, entries, now)
	for _, k := range bad {
		failed = append(failed, caller[k])
	}
	slices.Sort(failed)
	return failed, err
}

func (c *cache) Delete(ctx context.Context, key string) (bool, error) {
	now, k, err := c.beginKey(ctx, key)
	if err != nil {
		return false, err
	}
	n, err := c.s.delete(ctx, []string{k}, now)
	return n > 0, err
}

func (c *cache) DeleteMany(ctx context.Context, keys []string) (int, error) {
	now, err := c.begin(ctx)
	if err != nil {
		return 0, err
	}
	stored, _, err := c.keys(keys)
	if err != nil {
		return 0, err
	}
	if len(stored) == 0 {
		return 0, nil
	}
	return c.s.delete(ctx, stored, now)
}

func (c *cache) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	now, k, err := c.beginKey(ctx, key)
	if err != nil {
		return 0, err
	}
	return c.s.incr(ctx, k, delta, now)
}

func (c *cache) Touch(ctx context.Context, key string, t Timeout) (bool, error) {
	now, k, err := c.beginKey(ctx, key)
	if err != nil {
		return false, err
	}
	exp, fresh := c.expiresAt(t, now)
	if !fresh {
		n, err := c.s.delete(ctx, []string{k}, now)
		return n > 0, err
	}
	return c.s.touch(ctx, k, exp, now)
}

func (c *cache) Clear(ctx context.Context) error {
	if _, err := c.begin(ctx); err != nil {
		return err
	}
	return c.s.clear(ctx)
}

func (c *cache) Len(ctx context.Context) (int, error) {
	now, err := c.begin(ctx)
	if err != nil {
		return 0, err
	}
	return c.s.len(ctx, now)
}

func (c *cache) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	return c.s.close()
}

// addInteger is Incr's arithmetic, shared by the backends: it reads value
// as a JSON integer, adds delta and returns the sum and its JSON text.
func addInteger(key string, value []byte, delta int64) ([]byte, int64, error) {
	s := string(bytes.TrimSpace(value))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return nil, 0, fmt.Errorf("%w: the value of %s does not fit in 64 bits", ErrNotInteger, quoteKey(key))
		}
		return nil, 0, fmt.Errorf("%w: the value of %s is %.40s", ErrNotInteger, quoteKey(key), s)
	}
	sum := n + delta
	if (delta > 0 && sum < n) || (delta < 0 && sum > n) {
		return nil, 0, fmt.Errorf("%w: %d%+d overflows 64 bits (%s)", ErrNotInteger, n, delta, quoteKey(key))
	}
	return strconv.AppendInt(nil, sum, 10), sum, nil
}
