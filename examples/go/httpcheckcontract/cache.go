package httpcheckcontract

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"
	"unicode/utf8"
)

// Cache is one cache alias, as the service uses it. Package gocache
// implements it for github.com/patrickmn/go-cache.
//
// Values are JSON values as Value returns them; a cache that keeps them in
// process may store them as they are. ttl follows go-cache's convention:
// DefaultTTL (0) is the alias's default timeout, NoExpiry (-1) never
// expires, and a positive duration is the lifetime. The package never
// passes a ttl that expires at once: it deletes instead.
type Cache interface {
	// Settings are the alias's settings, as the manifest reports them.
	Settings() CacheSettings
	Get(key string) (value any, found bool)
	Set(key string, value any, ttl time.Duration) error
	// Add stores value only if key is absent (or expired), and says
	// whether it did.
	Add(key string, value any, ttl time.Duration) bool
	// Delete removes key and says whether it was there.
	Delete(key string) bool
	// Incr adds delta to the integer stored under key, keeping its expiry,
	// and answers the new value: ErrNotFound when key is absent,
	// ErrNotInteger when its value is not an integer.
	Incr(key string, delta int64) (int64, error)
	// Touch gives an existing entry a new lifetime, and says whether
	// there was one.
	Touch(key string, ttl time.Duration) bool
	// Clear empties this alias only.
	Clear()
}

// Sentinel ttls of Cache, as in go-cache.
const (
	DefaultTTL time.Duration = 0
	NoExpiry   time.Duration = -1
)

// Errors of Cache.Incr.
var (
	ErrNotFound   = errors.New("key not found")
	ErrNotInteger = errors.New("the value is not an integer")
)

// CacheSettings are an alias's settings (Django's TIMEOUT, MAX_ENTRIES
// and CULL_FREQUENCY).
type CacheSettings struct {
	// Timeout is the default lifetime; NoExpiry when entries never expire
	// by default.
	Timeout time.Duration
	// MaxEntries bounds the entries, 0 for no bound; CullFrequency says
	// how many go when it is reached (1/CullFrequency, all when 0).
	MaxEntries, CullFrequency int
	// Backend names the cache, free text.
	Backend string
}

func cacheManifest(s CacheSettings) map[string]any {
	m := map[string]any{"timeout": nil, "max_entries": s.MaxEntries, "cull_frequency": s.CullFrequency}
	if s.Timeout >= 0 {
		m["timeout"] = int64(s.Timeout / time.Second)
	}
	if s.Backend != "" {
		m["backend"] = s.Backend
	}
	return m
}

// maxManyKeys bounds get_many, set_many and delete_many.
const maxManyKeys = 1000

// cacheKey holds a key to memcached's rules, which Django's cache API
// applies to every backend: at most 250 bytes, no spaces or control
// characters. An in-process cache takes any string; the contract wants a
// 400, so that code that works on it works on memcached too. With Plain,
// any string goes.
func (h *handler) cacheKey(v any, what string) (string, error) {
	k, ok := v.(string)
	if !ok {
		return "", badInput("%s must be a string, not %s", what, jsonType(v))
	}
	if h.opts.Plain {
		return k, nil
	}
	switch {
	case k == "":
		return "", badInput("invalid cache key: %s is empty", what)
	case len(k) > 250:
		return "", badInput("invalid cache key: %s is %d bytes long, longer than memcached's 250", what, len(k))
	case !utf8.ValidString(k):
		return "", badInput("invalid cache key: %s is not valid UTF-8", what)
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c <= ' ' || c == 0x7f {
			return "", badInput("invalid cache key: %s holds %q at byte %d, which memcached refuses", what, c, i)
		}
	}
	return k, nil
}

// readKeys reads the body of get_many and delete_many: the member "keys",
// an array of at most maxManyKeys cache keys, and no other member.
func (h *handler) readKeys(body map[string]any) ([]string, error) {
	if err := only(body, "keys"); err != nil {
		return nil, err
	}
	v, err := member(body, "keys")
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, badInput("member %q must be an array of keys, not %s", "keys", jsonType(v))
	}
	if len(list) > maxManyKeys {
		return nil, badInput("at most %d keys at once, not %d", maxManyKeys, len(list))
	}
	keys := make([]string, len(list))
	for i, k := range list {
		if keys[i], err = h.cacheKey(k, "keys[]"); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// timeout reads "timeout": absent is the alias's default, null never
// expires, and a whole number of seconds is the lifetime; atOnce is true
// for zero or less, which expires at once.
func timeout(body map[string]any) (ttl time.Duration, atOnce bool, err error) {
	v, ok := body["timeout"]
	if !ok {
		return DefaultTTL, false, nil
	}
	if v == nil {
		return NoExpiry, false, nil
	}
	n, err := wholeNumber(v, "timeout", -1<<40, 1<<40)
	if err != nil {
		return 0, false, err
	}
	if n <= 0 {
		return 0, true, nil
	}
	return time.Duration(n) * time.Second, false, nil
}

type cacheOpFunc func(c Cache, body map[string]any) (any, error)

func (h *handler) cacheOps() map[string]cacheOpFunc {
	return map[string]cacheOpFunc{
		"set":         h.cacheSet,
		"get":         h.cacheGet,
		"add":         h.cacheAdd,
		"get_or_set":  h.cacheGetOrSet,
		"get_many":    h.cacheGetMany,
		"set_many":    h.cacheSetMany,
		"delete":      h.cacheDelete,
		"delete_many": h.cacheDeleteMany,
		"incr":        func(c Cache, b map[string]any) (any, error) { return h.cacheIncr(c, b, 1) },
		"decr":        func(c Cache, b map[string]any) (any, error) { return h.cacheIncr(c, b, -1) },
		"touch":       h.cacheTouch,
		"clear":       h.cacheClear,
	}
}

func (h *handler) cacheOp(w http.ResponseWriter, r *http.Request, args []string) error {
	alias, op := args[0], args[1]
	c, ok := h.opts.Caches[alias]
	if !ok {
		names := make([]string, 0, len(h.opts.Caches))
		for n := range h.opts.Caches {
			names = append(names, n)
		}
		sort.Strings(names)
		return notFound("no cache alias %q (aliases: %v)", alias, names)
	}
	fn, ok := h.cacheOps()[op]
	if !ok {
		return notFound("no cache operation %q", op)
	}
	body, err := h.readObject(w, r)
	if err != nil {
		return err
	}
	answer, err := fn(c, body)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, answer)
}

// keyOp is what an operation on one key reads from its body.
type keyOp struct {
	key    string
	value  any           // the member named valueName, if any ("value", "default")
	ttl    time.Duration // "timeout" (see timeout): the alias's default when absent
	atOnce bool          // a timeout of zero or less: expired at once
}

// readKeyOp reads the body of an operation on one key, in the order every
// operation checks it: no member but members, then "key", then the member
// valueName unless it is "", then "timeout". An operation that takes no
// timeout has none (only refused it), so it reads as the default.
func (h *handler) readKeyOp(body map[string]any, valueName string, members ...string) (keyOp, error) {
	if err := only(body, members...); err != nil {
		return keyOp{}, err
	}
	k, err := member(body, "key")
	if err != nil {
		return keyOp{}, err
	}
	var op keyOp
	if op.key, err = h.cacheKey(k, `"key"`); err != nil {
		return keyOp{}, err
	}
	if valueName != "" {
		v, err := member(body, valueName)
		if err != nil {
			return keyOp{}, err
		}
		op.value = Value(v)
	}
	if op.ttl, op.atOnce, err = timeout(body); err != nil {
		return keyOp{}, err
	}
	return op, nil
}

func (h *handler) cacheSet(c Cache, body map[string]any) (any, error) {
	op, err := h.readKeyOp(body, "value", "key", "value", "timeout")
	if err != nil {
		return nil, err
	}
	if op.atOnce {
		c.Delete(op.key) // stored and expired at once: absent
		return map[string]any{}, nil
	}
	if err := c.Set(op.key, op.value, op.ttl); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

func (h *handler) cacheGet(c Cache, body map[string]any) (any, error) {
	op, err := h.readKeyOp(body, "", "key", "default")
	if err != nil {
		return nil, err
	}
	if v, found := c.Get(op.key); found {
		return map[string]any{"found": true, "value": v}, nil
	}
	return map[string]any{"found": false, "value": body["default"]}, nil
}

func (h *handler) cacheAdd(c Cache, body map[string]any) (any, error) {
	op, err := h.readKeyOp(body, "value", "key", "value", "timeout")
	if err != nil {
		return nil, err
	}
	if op.atOnce { // added, and expired at once
		_, found := c.Get(op.key)
		return map[string]any{"added": !found}, nil
	}
	return map[string]any{"added": c.Add(op.key, op.value, op.ttl)}, nil
}

func (h *handler) cacheGetOrSet(c Cache, body map[string]any) (any, error) {
	op, err := h.readKeyOp(body, "default", "key", "default", "timeout")
	if err != nil {
		return nil, err
	}
	// Django's get_or_set: get; when absent, add the default and get again.
	if v, found := c.Get(op.key); found {
		return map[string]any{"value": v}, nil
	}
	if !op.atOnce {
		c.Add(op.key, op.value, op.ttl)
		if v, found := c.Get(op.key); found {
			return map[string]any{"value": v}, nil
		}
	}
	return map[string]any{"value": op.value}, nil
}

func (h *handler) cacheGetMany(c Cache, body map[string]any) (any, error) {
	keys, err := h.readKeys(body)
	if err != nil {
		return nil, err
	}
	values := map[string]any{}
	for _, k := range keys {
		if v, found := c.Get(k); found {
			values[k] = v
		}
	}
	return map[string]any{"values": values}, nil
}

func (h *handler) cacheSetMany(c Cache, body map[string]any) (any, error) {
	if err := only(body, "values", "timeout"); err != nil {
		return nil, err
	}
	v, err := member(body, "values")
	if err != nil {
		return nil, err
	}
	values, ok := v.(map[string]any)
	if !ok {
		return nil, badInput(`member "values" must be an object, not %s`, jsonType(v))
	}
	if len(values) > maxManyKeys {
		return nil, badInput("at most %d keys at once, not %d", maxManyKeys, len(values))
	}
	for k := range values {
		if _, err := h.cacheKey(k, `a key of "values"`); err != nil {
			return nil, err
		}
	}
	ttl, atOnce, err := timeout(body)
	if err != nil {
		return nil, err
	}
	failed := []string{}
	for k, v := range values {
		if atOnce {
			c.Delete(k)
		} else if err := c.Set(k, Value(v), ttl); err != nil {
			failed = append(failed, k)
		}
	}
	sort.Strings(failed)
	return map[string]any{"failed": failed}, nil
}

func (h *handler) cacheDelete(c Cache, body map[string]any) (any, error) {
	op, err := h.readKeyOp(body, "", "key")
	if err != nil {
		return nil, err
	}
	return map[string]any{"deleted": c.Delete(op.key)}, nil
}

func (h *handler) cacheDeleteMany(c Cache, body map[string]any) (any, error) {
	keys, err := h.readKeys(body)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, k := range keys {
		if c.Delete(k) {
			n++
		}
	}
	return map[string]any{"deleted": n}, nil
}

func (h *handler) cacheIncr(c Cache, body map[string]any, sign int64) (any, error) {
	op, err := h.readKeyOp(body, "", "key", "delta")
	if err != nil {
		return nil, err
	}
	delta := int64(1)
	if v, ok := body["delta"]; ok {
		if delta, err = wholeNumber(v, "delta", -1<<53, 1<<53); err != nil {
			return nil, err
		}
	}
	n, err := c.Incr(op.key, sign*delta)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, notFound("cache: key not found: key %q", op.key)
	case errors.Is(err, ErrNotInteger):
		return nil, badInput("cache: the value of %q is not an integer", op.key)
	case err != nil:
		return nil, fmt.Errorf("cache: incr %q: %w", op.key, err)
	}
	return map[string]any{"value": n}, nil
}

func (h *handler) cacheTouch(c Cache, body map[string]any) (any, error) {
	op, err := h.readKeyOp(body, "", "key", "timeout")
	if err != nil {
		return nil, err
	}
	if op.atOnce {
		return map[string]any{"touched": c.Delete(op.key)}, nil
	}
	return map[string]any{"touched": c.Touch(op.key, op.ttl)}, nil
}

func (h *handler) cacheClear(c Cache, body map[string]any) (any, error) {
	if err := only(body); err != nil {
		return nil, err
	}
	c.Clear()
	return map[string]any{}, nil
}
