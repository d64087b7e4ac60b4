package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/httpcheck/httpcheck/reference/cache"
)

// The contract's cache API (docs/contract.md, Cache API), served by
// reference/cache: POST cache/{alias}/{op} with a JSON object, one
// operation of Django's low-level cache API per op. The cached views are
// in views.go.
//
// Bad input is answered before anything changes: 400 for a body that is
// not a JSON object, a member of the wrong type, a member the operation
// does not take, a missing member, or a key reference/cache refuses (with
// its reason); 404 for an unknown alias or operation, and for incr or decr
// of a key that has no fresh entry; 413 for a body over 1 MiB. A cache
// backend that fails (a full disk) answers 500: that is the server's
// fault, not the client's. A network backend that cannot be reached
// (Redis or PostgreSQL down, cut or too slow: cache.ErrUnavailable)
// answers 503 with {"error": "cache store unavailable"}, and the next
// request tries the store again (docs/deployments.md).

func (s *Server) cacheRoutes() {
	s.mux.HandleFunc("POST /cache/{alias}/{op}", s.cacheOp)
	s.viewRoutes()
}

func (s *Server) cacheManifest() any { return s.opts.Caches.Settings() }

// DefaultCacheAliases are the aliases the reference server offers: the
// default one with Django's settings (it also backs the cached views and
// fragments, see views.go), a second one to show isolation, and a small
// one whose culling a check can watch without writing hundreds of keys.
func DefaultCacheAliases() map[string]cache.Options {
	small := cache.DefaultOptions()
	small.MaxEntries = 20
	return map[string]cache.Options{
		cache.DefaultAlias: cache.DefaultOptions(),
		"secondary":        cache.DefaultOptions(),
		"small":            small,
	}
}

// cacheOperation is one row of the contract's table: the members its body
// may hold, and what it does.
type cacheOperation struct {
	members []string
	run     func(ctx context.Context, c cache.Cache, b cacheBody) (any, error)
}

// cacheOperations are the contract's operations, by name.
var cacheOperations = map[string]cacheOperation{
	"set": {[]string{"key", "value", "timeout"}, func(ctx context.Context, c cache.Cache, b cacheBody) (any, error) {
		key, v, t, err := b.keyValueTimeout("value")
		if err != nil {
			return nil, err
		}
		return struct{}{}, c.Set(ctx, key, v, t)
	}},
	"get": {[]string{"key", "default"}, func(ctx context.Context, c cache.Cache, b cacheBody) (any, error) {
		key, err := b.key()
		if err != nil {
			return nil, err
		}
		v, found, err := c.Get(ctx, key)
		if err != nil {
			return nil, err
		}
		if !found {
			v = b["default"] // nil, which answers null, when absent
		}
		return map[string]any{"found": found, "value": v}, nil
	}},
	"add": {[]string{"key", "value", "timeout"}, func(ctx context.Context, c cache.Cache, b cacheBody) (any, error) {
		key, v, t, err := b.keyValueTimeout("value")
		if err != nil {
			return nil, err
		}
		added, err := c.Add(ctx, key, v, t)
		return map[string]bool{"added": added}, err
	}},
	"get_or_set": {[]string{"key", "default", "timeout"}, func(ctx context.Context, c cache.Cache, b cacheBody) (any, error) {
		key, def, t, err := b.keyValueTimeout("default")
		if err != nil {
			return nil, err
		}
		v, err := c.GetOrSet(ctx, key, def, t)
		return map[string]json.RawMessage{"value": v}, err
	}},
	"get_many": {[]string{"keys"}, func(ctx context.Context, c cache.Cache, b cacheBody) (any, error) {
		keys, err := b.keys()
		if err != nil {
			return nil, err
		}
		values, err := c.GetMany(ctx, keys)
		return map[string]any{"values": values}, err
	}},
	"set_many": {[]string{"values", "timeout"}, func(ctx context.Context, c cache.Cache, b cacheBody) (any, error) {
		values, err := b.values()
		if err != nil {
			return nil, err
		}
		t, err := b.timeout()
		if err != nil {
			return nil, err
		}
		failed, err := c.SetMany(ctx, values, t)
		if failed == nil {
			failed = []string{}
		}
		if err != nil && len(failed) > 0 && !errors.Is(err, cache.ErrBadKey) {
			// The file backend stored the rest and names what it could
			// not store: that is the answer set_many exists to give.
			err = nil
		}
		return map[string][]string{"failed": failed}, err
	}},
	"delete": {[]string{"key"}, func(ctx context.Context, c cache.Cache, b cacheBody) (any, error) {
		key, err := b.key()
		if err != nil {
			return nil, err
		}
		deleted, err := c.Delete(ctx, key)
		return map[string]bool{"deleted": deleted}, err
	}},
	"delete_many": {[]string{"keys"}, func(ctx context.Context, c cache.Cache, b cacheBody) (any, error) {
		keys, err := b.keys()
		if err != nil {
			return nil, err
		}
		n, err := c.DeleteMany(ctx, keys)
		return map[string]int{"deleted": n}, err
	}},
	"incr": {[]string{"key", "delta"}, func(ctx context.Context, c cache.Cache, b cacheBody) (any, error) {
		return incr(ctx, c, b, 1)
	}},
	"decr": {[]string{"key", "delta"}, func(ctx context.Context, c cache.Cache, b cacheBody) (any, error) {
		return incr(ctx, c, b, -1)
	}},
	"touch": {[]string{"key", "timeout"}, func(ctx context.Context, c cache.Cache, b cacheBody) (any, error) {
		key, err := b.key()
		if err != nil {
			return nil, err
		}
		t, err := b.timeout()
		if err != nil {
			return nil, err
		}
		touched, err := c.Touch(ctx, key, t)
		return map[string]bool{"touched": touched}, err
	}},
	"clear": {nil, func(ctx context.Context, c cache.Cache, _ cacheBody) (any, error) {
		return struct{}{}, c.Clear(ctx)
	}},
}

// incr is incr (sign 1) and decr (sign -1): delta defaults to 1.
func incr(ctx context.Context, c cache.Cache, b cacheBody, sign int64) (any, error) {
	key, err := b.key()
	if err != nil {
		return nil, err
	}
	delta, err := b.integer("delta", 1)
	if err != nil {
		return nil, err
	}
	if sign < 0 {
		if delta == math.MinInt64 {
			return nil, badInput(`"delta" %d cannot be negated in 64 bits`, delta)
		}
		delta = -delta
	}
	n, err := c.Incr(ctx, key, delta)
	return map[string]int64{"value": n}, err
}

// cacheOp serves POST cache/{alias}/{op}.
func (s *Server) cacheOp(w http.ResponseWriter, r *http.Request) {
	alias, opName := r.PathValue("alias"), r.PathValue("op")
	c, ok := s.opts.Caches.Get(alias)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no cache alias %q (aliases: %s)", alias, strings.Join(s.opts.Caches.Names(), ", ")))
		return
	}
	op, ok := cacheOperations[opName]
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no cache operation %q (operations: %s)", opName, strings.Join(slices.Sorted(maps.Keys(cacheOperations)), ", ")))
		return
	}
	b, status, err := readCacheBody(r, op.members)
	if err != nil {
		writeBodyError(w, status, err.Error())
		return
	}
	answer, err := op.run(r.Context(), c, b)
	if errors.Is(err, cache.ErrUnavailable) {
		slog.Error("cache: store unavailable", "alias", alias, "op", opName, "err", err)
		writeError(w, http.StatusServiceUnavailable, "cache store unavailable")
		return
	}
	if err != nil {
		writeError(w, cacheErrorStatus(err), err.Error())
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

// cacheErrorStatus maps an operation's error to the answer's status.
func cacheErrorStatus(err error) int {
	var bad badInputError
	switch {
	case errors.As(err, &bad), errors.Is(err, cache.ErrBadKey), errors.Is(err, cache.ErrNotInteger):
		return http.StatusBadRequest
	case errors.Is(err, cache.ErrNotFound):
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// badInputError is a request the contract answers with 400.
type badInputError struct{ msg string }

func (e badInputError) Error() string { return e.msg }

func badInput(format string, args ...any) error {
	return badInputError{fmt.Sprintf(format, args...)}
}

// cacheBody is a request's JSON object, member by member, kept raw so that
// values are stored exactly as sent and "timeout": null can be told apart
// from no timeout at all.
type cacheBody map[string]json.RawMessage

// readCacheBody reads the body as a JSON object whose members are among
// allowed. An empty body is an empty object (clear needs nothing). The
// status is for the error.
func readCacheBody(r *http.Request, allowed []string) (cacheBody, int, error) {
	data, status, err := readBody(r)
	if err != nil {
		return nil, status, err
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return cacheBody{}, 0, nil
	}
	if data[0] != '{' {
		return nil, http.StatusBadRequest, errors.New("the request body must be a JSON object")
	}
	var b cacheBody
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&b); err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("request body is not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, http.StatusBadRequest, errors.New("request body has data after the JSON object")
	}
	for _, name := range slices.Sorted(maps.Keys(b)) {
		if !slices.Contains(allowed, name) {
			return nil, http.StatusBadRequest, fmt.Errorf("unknown member %q (this operation takes: %s)", name, describeMembers(allowed))
		}
	}
	return b, 0, nil
}

func describeMembers(members []string) string {
	if len(members) == 0 {
		return "none"
	}
	return strings.Join(members, ", ")
}

// isNull reports whether raw is the JSON literal null.
func isNull(raw json.RawMessage) bool { return string(raw) == "null" }

// decode reads the required member name into v. It answers
// `missing "name"` when there is none; ok is false when the member is null
// or not of v's type, and the caller says what it wants.
func (b cacheBody) decode(name string, v any) (raw json.RawMessage, ok bool, err error) {
	raw, present := b[name]
	if !present {
		return nil, false, badInput("missing %q", name)
	}
	return raw, !isNull(raw) && json.Unmarshal(raw, v) == nil, nil
}

// key reads the required string member "key".
func (b cacheBody) key() (string, error) {
	var key string
	raw, ok, err := b.decode("key", &key)
	if err == nil && !ok {
		return "", badInput(`"key" must be a string, not %.40s`, raw)
	}
	return key, err
}

// maxKeysPerRequest bounds the keys of get_many, set_many and
// delete_many. A 1 MiB body holds some 100,000 short keys, and the file
// backend culls (listing and reading its directory) before each new entry
// under one lock: 20,000 keys in one set_many held that lock, and every
// other request on the alias, for minutes (docs/reliability.md).
const maxKeysPerRequest = 1000

// keys reads the required member "keys": an array of strings.
func (b cacheBody) keys() ([]string, error) {
	return boundedKeys[[]string](b, "keys", "an array of strings")
}

// values reads the required member "values": an object of any values.
func (b cacheBody) values() (map[string]json.RawMessage, error) {
	return boundedKeys[map[string]json.RawMessage](b, "values", "an object of keys and values")
}

// boundedKeys reads the required member name, a list of keys or an object
// keyed by them, of at most maxKeysPerRequest keys; want says what it must
// be.
func boundedKeys[T []string | map[string]json.RawMessage](b cacheBody, name, want string) (T, error) {
	var v T
	_, ok, err := b.decode(name, &v)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, badInput("%q must be %s", name, want)
	case len(v) > maxKeysPerRequest:
		return nil, badInput("%q holds %d keys, more than %d", name, len(v), maxKeysPerRequest)
	}
	return v, nil
}

// timeout reads the optional member "timeout" (cache.ParseTimeout).
func (b cacheBody) timeout() (cache.Timeout, error) {
	raw, ok := b["timeout"]
	t, err := cache.ParseTimeout(raw, ok)
	if err != nil {
		return t, badInput("%v", err)
	}
	return t, nil
}

// keyValueTimeout reads "key", the required value member (any JSON value,
// null included) and "timeout".
func (b cacheBody) keyValueTimeout(value string) (string, json.RawMessage, cache.Timeout, error) {
	key, err := b.key()
	if err != nil {
		return "", nil, cache.Timeout{}, err
	}
	v, ok := b[value]
	if !ok {
		return "", nil, cache.Timeout{}, badInput("missing %q", value)
	}
	t, err := b.timeout()
	return key, v, t, err
}

// integer reads an optional member that must be a JSON integer within 64
// bits.
func (b cacheBody) integer(name string, def int64) (int64, error) {
	raw, ok := b[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, badInput("%q must be an integer within 64 bits, not %.40s", name, raw)
	}
	return n, nil
}
