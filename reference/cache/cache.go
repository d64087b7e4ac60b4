package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// Errors an operation can answer. ErrBadKey is always wrapped with the
// reason; test with errors.Is.
var (
	// ErrNotFound: Incr on a key that has no fresh entry.
	ErrNotFound = errors.New("cache: key not found")
	// ErrNotInteger: Incr on a value that is not a JSON integer, or whose
	// result would not fit in 64 bits.
	ErrNotInteger = errors.New("cache: value is not an integer")
	// ErrBadKey: a key that is empty, longer than 250 bytes, or that holds
	// a space or a control character.
	ErrBadKey = errors.New("cache: invalid key")
	// ErrUnavailable: a network backend (Redis, PostgreSQL) could not be
	// reached, or did not answer in time, so a write may or may not have
	// taken effect. The same call may succeed once the store is back.
	ErrUnavailable = errors.New("cache: the cache store is unavailable")
)

// errClosed is answered by every operation after Close.
var errClosed = errors.New("cache: use of closed cache")

// Timeout is how long a written entry stays fresh. The zero value is
// Default().
type Timeout struct {
	kind    timeoutKind
	seconds int64
}

type timeoutKind uint8

const (
	timeoutDefault timeoutKind = iota
	timeoutNever
	timeoutSeconds
)

// Default is the cache's own default timeout (Options.DefaultTimeout): the
// contract's omitted "timeout".
func Default() Timeout { return Timeout{} }

// Never is a timeout that never expires: the contract's "timeout": null.
func Never() Timeout { return Timeout{kind: timeoutNever} }

// Seconds is a timeout of n seconds from now; n <= 0 expires at once.
func Seconds(n int64) Timeout { return Timeout{kind: timeoutSeconds, seconds: n} }

// String returns "default", "never" or the number of seconds, e.g. "300s".
func (t Timeout) String() string {
	switch t.kind {
	case timeoutNever:
		return "never"
	case timeoutSeconds:
		return strconv.FormatInt(t.seconds, 10) + "s"
	}
	return "default"
}

// ParseTimeout reads the contract's "timeout" member: present reports
// whether the member was in the object at all (absent means Default()),
// and raw is its JSON text: null means Never(), a number means that many
// seconds. Numbers must be whole (300, 3e2 and 300.0 are all 300); values
// beyond what int64 holds are clamped, which only matters for timeouts
// longer than the age of the universe. Anything else is an error meant for
// a 400 answer.
func ParseTimeout(raw json.RawMessage, present bool) (Timeout, error) {
	if !present {
		return Default(), nil
	}
	s := strings.TrimSpace(string(raw))
	if s == "null" {
		return Never(), nil
	}
	if s == "" || !json.Valid([]byte(s)) || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return Timeout{}, fmt.Errorf("timeout must be a number of seconds or null, not %.40s", s)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Seconds(n), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return Timeout{}, fmt.Errorf("timeout %.40s: %v", s, err)
	}
	switch {
	case math.IsInf(f, 1) || f >= math.MaxInt64:
		return Seconds(math.MaxInt64), nil
	case math.IsInf(f, -1) || f <= math.MinInt64:
		return Seconds(math.MinInt64), nil
	case f != math.Trunc(f):
		return Timeout{}, fmt.Errorf("timeout must be a whole number of seconds, not %.40s", s)
	}
	return Seconds(int64(f)), nil
}

// Cache is Django's low-level cache API. Values are JSON texts; a value
// given to a write is copied, and a value returned is the caller's to keep.
// Every method is safe for concurrent use, and Add, GetOrSet and Incr are
// atomic: concurrent callers see them happen one after another. Every
// method that takes keys answers ErrBadKey (wrapped) for an invalid key
// before changing anything.
type Cache interface {
	// Get returns the fresh entry's value; found is false when there is none.
	Get(ctx context.Context, key string) (value json.RawMessage, found bool, err error)
	// Set stores v under key, replacing any entry.
	Set(ctx context.Context, key string, v json.RawMessage, t Timeout) error
	// Add stores v only when key has no fresh entry (an expired entry counts
	// as absent) and reports whether it did.
	Add(ctx context.Context, key string, v json.RawMessage, t Timeout) (added bool, err error)
	// GetOrSet returns the fresh entry's value, or else stores def as Add
	// would and returns def.
	GetOrSet(ctx context.Context, key string, def json.RawMessage, t Timeout) (json.RawMessage, error)
	// GetMany returns the fresh entries among keys; missing keys are left
	// out of the map.
	GetMany(ctx context.Context, keys []string) (map[string]json.RawMessage, error)
	// SetMany stores every value as Set would and returns the keys it could
	// not store, sorted. The built-in backends store all or answer an
	// error, except the file backend, which reports per-key I/O failures in
	// failed (with err joining their causes) after storing the rest.
	SetMany(ctx context.Context, values map[string]json.RawMessage, t Timeout) (failed []string, err error)
	// Delete removes key and reports whether it had a fresh entry.
	Delete(ctx context.Context, key string) (bool, error)
	// DeleteMany removes keys and returns how many distinct keys had a
	// fresh entry.
	DeleteMany(ctx context.Context, keys []string) (int, error)
	// Incr adds delta to the integer stored under key and returns the sum,
	// keeping the entry's expiry. Decrement with a negative delta. It
	// answers ErrNotFound when key has no fresh entry and ErrNotInteger when
	// the value is not an integer or the sum would overflow.
	Incr(ctx context.Context, key string, delta int64) (int64, error)
	// Touch gives key's fresh entry a new timeout and reports whether there
	// was one.
	Touch(ctx context.Context, key string, t Timeout) (bool, error)
	// Clear removes every entry at the cache's location, whatever its key
	// prefix (as Django's clear does).
	Clear(ctx context.Context) error
	// Len counts the fresh entries at the cache's location.
	Len(ctx context.Context) (int, error)
	// Close releases the cache; later calls answer an error.
	Close() error
}

// Options configure one cache (one alias), after Django's CACHES settings.
// Start from DefaultOptions: the zero value is rejected by Open, because
// MaxEntries 0 would hold nothing and CullFrequency 0 means "clear
// everything when full", so zero cannot stand for "the default" there.
type Options struct {
	// DefaultTimeout is what Default() means for this cache (TIMEOUT).
	// Default() here means Django's own default, 300 seconds.
	DefaultTimeout Timeout
	// MaxEntries is how many entries the cache holds at most (MAX_ENTRIES);
	// at least 1.
	MaxEntries int
	// CullFrequency: when full, 1/CullFrequency of the entries are culled
	// (CULL_FREQUENCY); 0 culls them all.
	CullFrequency int
	// KeyPrefix is prepended to every key, with a colon (KEY_PREFIX).
	KeyPrefix string
}

// Django's defaults (django/conf/global_settings.py and
// django/core/cache/backends/base.py).
const (
	defaultTimeoutSeconds = 300
	defaultMaxEntries     = 300
	defaultCullFrequency  = 3
)

// DefaultOptions returns Django's defaults: a 300 s timeout, 300 entries,
// cull a third when full, no key prefix.
func DefaultOptions() Options {
	return Options{
		DefaultTimeout: Seconds(defaultTimeoutSeconds),
		MaxEntries:     defaultMaxEntries,
		CullFrequency:  defaultCullFrequency,
	}
}

// validate checks o and resolves DefaultTimeout.
func (o Options) validate() (Options, error) {
	if o.DefaultTimeout.kind == timeoutDefault {
		o.DefaultTimeout = Seconds(defaultTimeoutSeconds)
	}
	if o.MaxEntries < 1 {
		return o, fmt.Errorf("cache: MaxEntries must be at least 1, not %d (DefaultOptions gives %d)", o.MaxEntries, defaultMaxEntries)
	}
	if o.CullFrequency < 0 {
		return o, fmt.Errorf("cache: CullFrequency must be 0 (clear all) or more, not %d", o.CullFrequency)
	}
	if o.KeyPrefix != "" {
		if err := ValidateKey(o.KeyPrefix); err != nil {
			return o, fmt.Errorf("cache: KeyPrefix: %w", err)
		}
	}
	return o, nil
}

// opener opens one backend. location is what follows "scheme:" in the URL;
// namespace is "" for a cache opened on its own, or the alias name, which
// the backend turns into a key space of its own at that location.
type opener func(location, namespace string, o Options) (storage, error)

// backends maps URL schemes to backends. A new backend is one more entry
// here and one more file.
var backends = map[string]opener{
	"memory":   openMemory,
	"file":     openFile,
	"sqlite":   openSQLite,
	"redis":    openRedis,
	"postgres": openPostgres,
}

// supportedURLs is for error messages.
const supportedURLs = `"memory", "file:DIR", "sqlite:PATH", "redis://HOST:PORT/DB" or "postgres://USER@HOST:PORT/DB"`

// Open opens the cache that url names: "memory" (a new in-process cache),
// "file:DIR" (a directory, created if needed), "sqlite:PATH" (a database
// file, created if needed; PATH may be ":memory:"),
// "redis://HOST:PORT/DB[?prefix=NAME]" (keys under NAME, default
// "httpcheck") or "postgres://USER@HOST:PORT/DB[?search_path=SCHEMA]" (a
// table, created if needed). Opening Redis or PostgreSQL fails when the
// server does not answer; several processes pointed at one of them share
// the cache. A nil c means the wall clock.
func Open(url string, o Options, c clock.Clock) (Cache, error) {
	return open(url, "", o, c)
}

func open(url, namespace string, o Options, c clock.Clock) (Cache, error) {
	o, err := o.validate()
	if err != nil {
		return nil, err
	}
	scheme, location, _ := strings.Cut(url, ":")
	openBackend, ok := backends[scheme]
	if !ok {
		return nil, fmt.Errorf("cache: unsupported cache URL %q (want %s)", url, supportedURLs)
	}
	s, err := openBackend(location, namespace, o)
	if err != nil {
		return nil, err
	}
	if c == nil {
		c = clock.Real{}
	}
	return &cache{s: s, opts: o, clock: c}, nil
}
