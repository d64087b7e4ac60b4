package session

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// Store keeps session data on the server, keyed by an unguessable session key.
//
// A record is live while the store's clock reads before its expiry; an
// expired record behaves as absent for Load, Exists and Save even before
// ClearExpired removes it, so the server never serves the data of an
// expired session (ASVS 4.0.3 §3.3.1). Keys a server-side store did not mint
// (any string outside NewKey's alphabet and length) are simply not found:
// they never reach a query or a file name. The signed store's keys are its
// signed tokens, and anything that does not verify is not found.
//
// Only Create mints keys. Save updates a live record and fails with
// ErrNotFound otherwise, so that no caller can make the store adopt a key
// the client chose (session fixation) and a request that loaded a session
// before a concurrent logout cannot bring it back.
type Store interface {
	// Load returns the data and expiry of the live record key. Expired
	// records are not found.
	Load(ctx context.Context, key string) (data map[string]json.RawMessage, expiry time.Time, found bool, err error)
	// Save replaces the data and expiry of the live record key; it returns
	// ErrNotFound when there is none.
	Save(ctx context.Context, key string, data map[string]json.RawMessage, expiry time.Time) error
	// Delete removes the record key. Deleting an absent record is not an error.
	Delete(ctx context.Context, key string) error
	// Exists reports whether key names a live record.
	Exists(ctx context.Context, key string) (bool, error)
	// Create stores data under a fresh key, never colliding with an existing
	// record (live or expired), and returns the key.
	Create(ctx context.Context, data map[string]json.RawMessage, expiry time.Time) (key string, err error)
	// ClearExpired removes exactly the expired records and reports how many.
	ClearExpired(ctx context.Context) (removed int, err error)
	// Close releases the store's resources.
	Close() error
}

// ErrNotFound is returned by Store.Save when the key names no live record:
// it was never created, it expired, or a concurrent request deleted it
// (typically a logout in another tab).
var ErrNotFound = errors.New("session: no live session with that key")

// ErrTooLarge is returned by the signed store when the session data would
// make a cookie that user agents ignore (RFC 6265bis §4.1.2 limits a cookie's
// name and value to 4096 bytes).
var ErrTooLarge = errors.New("session: session data too large for a cookie")

// keyBytes is the number of random bytes in a session key: 160 bits, above
// the 128 bits of ASVS 5.0.0 §7.2.3 and the 64 bits of ASVS 4.0.3 §3.2.2.
// 20 bytes are exactly 32 base32 characters, so keys carry no padding.
const keyBytes = 20

// keyLen is the length of a key written by NewKey.
const keyLen = keyBytes * 8 / 5

// keyEncoding is RFC 4648 base32 in lower case ("a"-"z", "2"-"7"): every
// character is a cookie-octet and safe in a file name on any file system,
// even a case-insensitive one.
var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewKey returns a new session key: 160 bits from crypto/rand (a CSPRNG,
// ASVS 4.0.3 §3.2.4) written as 32 lower-case base32 characters [a-z2-7].
// Its entropy meets ASVS 5.0.0 §7.2.3 (at least 128 bits) with room to
// spare; Django's keys carry about 165 bits (32 characters of [a-z0-9]).
func NewKey() string {
	var b [keyBytes]byte
	rand.Read(b[:]) // never returns an error (crypto/rand, Go 1.24+)
	return keyEncoding.EncodeToString(b[:])
}

// isValidKey reports whether key has the exact shape NewKey produces. Stores
// check it before a key reaches SQL or the file system, so an invented or
// malformed key is rejected without a lookup and can never name a path.
func isValidKey(key string) bool {
	if len(key) != keyLen {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

// Expiries are stored as Unix nanoseconds. time.Time.UnixNano is undefined
// outside 1678..2262, and the zero time would wrap around to a date far in
// the future, making a record that should be dead live forever; toUnixNano
// clamps instead.
var (
	minUnixNano = time.Unix(0, math.MinInt64)
	maxUnixNano = time.Unix(0, math.MaxInt64)
)

func toUnixNano(t time.Time) int64 {
	switch {
	case t.Before(minUnixNano):
		return math.MinInt64
	case t.After(maxUnixNano):
		return math.MaxInt64
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time { return time.Unix(0, n).UTC() }

// isLive reports whether a record expiring at expiry is still live at now.
// Every backend and the middleware use this one rule, so that a record is
// never live for one reader and expired for another at the same instant.
func isLive(expiry, now time.Time) bool { return now.Before(expiry) }

// isLiveAt is isLive on Unix nanoseconds (toUnixNano), as the server-side
// backends store them; their queries say the same: expire_at > now.
func isLiveAt(expiry, now int64) bool { return now < expiry }

// encodeData serialises session data as one JSON object with sorted keys;
// encoding/json also validates and compacts each value, so every backend
// stores and returns the same bytes.
func encodeData(data map[string]json.RawMessage) ([]byte, error) {
	if data == nil {
		return []byte("{}"), nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("session: encoding data: %w", err)
	}
	return b, nil
}

// decodeData parses what encodeData wrote.
func decodeData(b []byte) (map[string]json.RawMessage, error) {
	data := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &data); err != nil {
		return nil, fmt.Errorf("session: decoding data: %w", err)
	}
	if data == nil { // the JSON literal null
		data = map[string]json.RawMessage{}
	}
	return data, nil
}

// DefaultURL is the store Open uses for an empty URL: SQLite in the working
// directory, the embedded default of the reference server.
const DefaultURL = "sqlite:httpcheck-sessions.sqlite3"

// A backend opens one kind of store from the part of a store URL after its
// scheme and the colon. Adding a backend (Redis, PostgreSQL) is one entry in
// backends and one file.
type backend struct {
	scheme string // before the first ':' of the URL
	form   string // how the URL is written, for error messages
	open   func(rest string, c clock.Clock) (Store, error)
}

var backends = []backend{
	{"memory", "memory", openMemory},
	{"sqlite", "sqlite:PATH", openSQLite},
	{"file", "file:DIR", openFile},
	{"signed", "signed (secret from $" + SecretKeyEnv + ")", openSigned},
	{"redis", "redis://HOST:PORT/DB", openRedis},
	{"postgres", "postgres://USER@HOST:PORT/DB", openPostgres},
}

// Open opens the store a URL names:
//
//	memory        a map in this process; lost on exit
//	sqlite:PATH   an SQLite database, created at open (the default: DefaultURL)
//	file:DIR      one file per session in DIR, created at open
//	signed        the data in an HMAC-signed cookie; secrets from the
//	              environment (SecretKeyEnv, SecretKeyFallbacksEnv).
//	              Such sessions cannot be invalidated by the server: see
//	              NewSigned.
//	redis://HOST:PORT/DB[?prefix=NAME]
//	              Redis, keys under NAME:session: (default
//	              "httpcheck"); Redis expires records by TTL
//	postgres://USER@HOST:PORT/DB[?search_path=SCHEMA]
//	              PostgreSQL, one table created at open
//
// Several instances pointed at one Redis or PostgreSQL share their
// sessions; opening either fails when the server does not answer.
//
// An empty URL means DefaultURL. The clock decides which records are expired.
func Open(rawURL string, c clock.Clock) (Store, error) {
	if rawURL == "" {
		rawURL = DefaultURL
	}
	if c == nil {
		c = clock.Real{}
	}
	scheme, rest, _ := strings.Cut(rawURL, ":")
	for _, b := range backends {
		if b.scheme == scheme {
			s, err := b.open(rest, c)
			if err != nil {
				return nil, fmt.Errorf("session: opening %s: %w", redactURL(rawURL), err)
			}
			return s, nil
		}
	}
	forms := make([]string, len(backends))
	for i, b := range backends {
		forms[i] = b.form
	}
	return nil, fmt.Errorf("session: unknown store URL %q: want one of %s", redactURL(rawURL), strings.Join(forms, ", "))
}

// redactURL hides a password in a store URL before it reaches an error
// message or a log (postgres://user:secret@host/db).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err == nil {
		if u.User == nil {
			return s
		}
		return u.Redacted()
	}
	// A URL too malformed to parse may still hold a password: hide the
	// user information of the authority, whatever it is.
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		rest = "xxxxx" + rest[at:]
	}
	return scheme + "://" + rest
}
