package session

import (
	"context"
	"encoding/json"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// records is what a server-side backend (memory, SQLite, files, Redis,
// PostgreSQL) implements: encoded session data and expiries, in Unix
// nanoseconds, under keys that isValidKey has accepted. now is the
// operation's time, read once from the store's clock; a record is live
// while now < expiry (isLive). Each method is atomic on its own.
type records interface {
	// load returns the live record key.
	load(ctx context.Context, key string, now int64) (data []byte, expiry int64, found bool, err error)
	// update replaces the live record key, and reports false when there is
	// none.
	update(ctx context.Context, key string, data []byte, expiry, now int64) (updated bool, err error)
	// delete removes the record key, if any.
	delete(ctx context.Context, key string) error
	// exists reports whether key names a live record.
	exists(ctx context.Context, key string, now int64) (bool, error)
	// insert stores a record under key unless key is taken, by a live or an
	// expired record, and reports whether it did.
	insert(ctx context.Context, key string, data []byte, expiry, now int64) (inserted bool, err error)
	// clearExpired removes the expired records and counts them.
	clearExpired(ctx context.Context, now int64) (int, error)
	close() error
}

// recordStore is the Store of every server-side backend. What makes a
// store safe is the same whatever keeps the records, so it is written once,
// here, rather than in each backend: an operation on a context that is done
// fails at once; a key NewKey could not have minted is not found without a
// lookup, so it never reaches a query or a file name; every backend stores
// and returns the same bytes (encodeData) and the same clamped expiries
// (toUnixNano); and only Create mints keys, trying fresh ones until one is
// free, so that no client can make the store adopt a key it chose (session
// fixation) and an old cookie never names a later session.
type recordStore struct {
	clock   clock.Clock
	records records
}

func newRecordStore(c clock.Clock, r records) *recordStore {
	return &recordStore{clock: c, records: r}
}

// now is the operation's time as the backends compare it.
func (s *recordStore) now() int64 { return toUnixNano(s.clock.Now()) }

func (s *recordStore) Load(ctx context.Context, key string) (map[string]json.RawMessage, time.Time, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, time.Time{}, false, err
	}
	if !isValidKey(key) {
		return nil, time.Time{}, false, nil
	}
	b, exp, found, err := s.records.load(ctx, key, s.now())
	if err != nil || !found {
		return nil, time.Time{}, false, err
	}
	data, err := decodeData(b)
	if err != nil {
		return nil, time.Time{}, false, err
	}
	return data, fromUnixNano(exp), true, nil
}

func (s *recordStore) Save(ctx context.Context, key string, data map[string]json.RawMessage, expiry time.Time) error {
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
	updated, err := s.records.update(ctx, key, b, toUnixNano(expiry), s.now())
	if err != nil {
		return err
	}
	if !updated {
		return ErrNotFound
	}
	return nil
}

func (s *recordStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !isValidKey(key) {
		return nil
	}
	return s.records.delete(ctx, key)
}

func (s *recordStore) Exists(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if !isValidKey(key) {
		return false, nil
	}
	return s.records.exists(ctx, key, s.now())
}

func (s *recordStore) Create(ctx context.Context, data map[string]json.RawMessage, expiry time.Time) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	b, err := encodeData(data)
	if err != nil {
		return "", err
	}
	exp, now := toUnixNano(expiry), s.now()
	for {
		key := NewKey()
		inserted, err := s.records.insert(ctx, key, b, exp, now)
		if err != nil {
			return "", err
		}
		if inserted {
			return key, nil
		}
	}
}

func (s *recordStore) ClearExpired(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return s.records.clearExpired(ctx, s.now())
}

func (s *recordStore) Close() error { return s.records.close() }
