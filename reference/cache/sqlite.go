package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// sqliteStore is the "sqlite:PATH" backend, Django's DatabaseCache on
// SQLite: one table, created when the cache is opened (there is no
// separate createcachetable step), with the stored key, the value and
// expire_at (Unix nanoseconds; NULL never expires), indexed by expire_at
// for sweeping and culling.
//
// The database runs in WAL mode with a busy timeout, so readers never
// block the writer and several processes may share the file. Every write
// is one transaction begun IMMEDIATE (the write lock is taken at BEGIN,
// so two read-then-write transactions cannot deadlock), and within a
// process writes also take a mutex, so concurrent writers queue in Go
// instead of polling SQLite's busy handler. That makes Add, GetOrSet and
// Incr atomic across processes as well as goroutines.
//
// Reads never delete expired rows (Django's get does); culling sweeps
// them. Culling removes the rows that expire soonest, never-expiring ones
// last, ties by key (Django culls in key order).
type sqliteStore struct {
	db                        *sql.DB
	maxEntries, cullFrequency int
	writeMu                   sync.Mutex
	q                         sqliteQueries
}

// sqliteQueries is the SQL for one table.
type sqliteQueries struct {
	create, index                          string
	get, getMany, row, upsert, updateValue string
	touch, deleteOne, countAll, countFresh string
	sweep, cull, clear                     string
}

// fresh is the SQL for "this row's entry is fresh at ?" (isFresh).
const fresh = "(expire_at IS NULL OR expire_at > ?)"

// busyTimeoutMS is how long a statement waits for another process's lock.
const busyTimeoutMS = 5000

func newSQLiteQueries(table string) sqliteQueries {
	t := `"` + strings.ReplaceAll(table, `"`, `""`) + `"`
	return sqliteQueries{
		create: `CREATE TABLE IF NOT EXISTS ` + t + ` (
	cache_key TEXT NOT NULL PRIMARY KEY,
	value     BLOB NOT NULL,
	expire_at INTEGER
) WITHOUT ROWID`,
		index:       `CREATE INDEX IF NOT EXISTS "` + strings.ReplaceAll(table, `"`, `""`) + `_expire_at" ON ` + t + ` (expire_at)`,
		get:         `SELECT value FROM ` + t + ` WHERE cache_key = ? AND ` + fresh,
		getMany:     `SELECT cache_key, value FROM ` + t + ` WHERE ` + fresh + ` AND cache_key IN `,
		row:         `SELECT value, expire_at FROM ` + t + ` WHERE cache_key = ?`,
		upsert:      `INSERT INTO ` + t + ` (cache_key, value, expire_at) VALUES (?, ?, ?) ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, expire_at = excluded.expire_at`,
		updateValue: `UPDATE ` + t + ` SET value = ? WHERE cache_key = ?`,
		touch:       `UPDATE ` + t + ` SET expire_at = ? WHERE cache_key = ? AND ` + fresh,
		deleteOne:   `DELETE FROM ` + t + ` WHERE cache_key = ? RETURNING expire_at`,
		countAll:    `SELECT COUNT(*) FROM ` + t,
		countFresh:  `SELECT COUNT(*) FROM ` + t + ` WHERE ` + fresh,
		sweep:       `DELETE FROM ` + t + ` WHERE expire_at IS NOT NULL AND expire_at <= ?`,
		cull:        `DELETE FROM ` + t + ` WHERE cache_key IN (SELECT cache_key FROM ` + t + ` ORDER BY expire_at IS NULL, expire_at, cache_key LIMIT ?)`,
		clear:       `DELETE FROM ` + t,
	}
}

func openSQLite(location, namespace string, o Options) (storage, error) {
	if location == "" {
		return nil, errors.New(`cache: "sqlite:" needs a database path, as in "sqlite:/var/lib/httpcheck/cache.db"`)
	}
	if strings.Contains(location, "?") {
		return nil, fmt.Errorf("cache: sqlite path %q may not contain '?'", location)
	}
	params := url.Values{}
	params.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	params.Add("_pragma", "journal_mode(WAL)")
	params.Add("_pragma", "synchronous(NORMAL)")
	params.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", location+"?"+params.Encode())
	if err != nil {
		return nil, fmt.Errorf("cache: sqlite %q: %w", location, err)
	}
	if location == ":memory:" {
		// Every connection to ":memory:" is a database of its own.
		db.SetMaxOpenConns(1)
	}
	table := "httpcheck_cache"
	if namespace != "" {
		table += "_" + namespace
	}
	s := &sqliteStore{
		db:            db,
		maxEntries:    o.MaxEntries,
		cullFrequency: o.CullFrequency,
		q:             newSQLiteQueries(table),
	}
	ctx := context.Background()
	for _, stmt := range []string{s.q.create, s.q.index} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			db.Close()
			return nil, fmt.Errorf("cache: sqlite %q: %w", location, err)
		}
	}
	return s, nil
}

// dbErr marks an error from the database as the cache's.
func dbErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("cache: sqlite: %w", err)
}

// expireAt is the column value for an expiry.
func expireAt(at int64) sql.NullInt64 {
	return sql.NullInt64{Int64: at, Valid: at != neverExpires}
}

func fromExpireAt(n sql.NullInt64) int64 {
	if !n.Valid {
		return neverExpires
	}
	return n.Int64
}

// write runs fn in one write transaction.
func (s *sqliteStore) write(ctx context.Context, fn func(*sql.Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return dbErr(tx.Commit())
}

// row reads key's row: exists reports whether there is one, fresh or
// not.
func (s *sqliteStore) row(ctx context.Context, tx *sql.Tx, key string, now int64) (value []byte, fresh, exists bool, err error) {
	var exp sql.NullInt64
	err = tx.QueryRowContext(ctx, s.q.row, key).Scan(&value, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, false, nil
	}
	if err != nil {
		return nil, false, false, dbErr(err)
	}
	return value, isFresh(fromExpireAt(exp), now), true, nil
}

// put stores e, culling first when its key has no row.
func (s *sqliteStore) put(ctx context.Context, tx *sql.Tx, e entry, exists bool, now int64) error {
	if !exists {
		if err := s.cull(ctx, tx, now); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, s.q.upsert, e.key, e.value, expireAt(e.expiresAt))
	return dbErr(err)
}

// cull runs the culling steps (cull.go) on the table, evicting the rows
// that expire soonest.
func (s *sqliteStore) cull(ctx context.Context, tx *sql.Tx, now int64) error {
	count := func() (n int, err error) {
		return n, dbErr(tx.QueryRowContext(ctx, s.q.countAll).Scan(&n))
	}
	n, err := count()
	if err != nil || n < s.maxEntries {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q.sweep, now); err != nil {
		return dbErr(err)
	}
	if n, err = count(); err != nil || n < s.maxEntries {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q.cull, cullCount(n, s.maxEntries, s.cullFrequency))
	return dbErr(err)
}

func (s *sqliteStore) get(ctx context.Context, key string, now int64) ([]byte, bool, error) {
	var v []byte
	err := s.db.QueryRowContext(ctx, s.q.get, key, now).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, dbErr(err)
	}
	return v, true, nil
}

// maxParams bounds the keys in one IN (...) list, well under SQLite's
// limit on bound parameters.
const maxParams = 500

func (s *sqliteStore) getMany(ctx context.Context, keys []string, now int64) (map[string][]byte, error) {
	out := make(map[string][]byte)
	for chunk := range slices.Chunk(keys, maxParams) {
		args := make([]any, 0, len(chunk)+1)
		args = append(args, now)
		for _, k := range chunk {
			args = append(args, k)
		}
		q := s.q.getMany + "(?" + strings.Repeat(", ?", len(chunk)-1) + ")"
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, dbErr(err)
		}
		for rows.Next() {
			var k string
			var v []byte
			if err := rows.Scan(&k, &v); err != nil {
				rows.Close()
				return nil, dbErr(err)
			}
			out[k] = v
		}
		if err := rows.Close(); err != nil {
			return nil, dbErr(err)
		}
		if err := rows.Err(); err != nil {
			return nil, dbErr(err)
		}
	}
	return out, nil
}

func (s *sqliteStore) set(ctx context.Context, entries []entry, now int64) ([]string, error) {
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			_, _, exists, err := s.row(ctx, tx, e.key, now)
			if err == nil {
				err = s.put(ctx, tx, e, exists, now)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return nil, err
}

func (s *sqliteStore) add(ctx context.Context, e entry, now int64) (added bool, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, fresh, exists, err := s.row(ctx, tx, e.key, now)
		if err != nil || fresh {
			return err
		}
		added = true
		return s.put(ctx, tx, e, exists, now)
	})
	return added && err == nil, err
}

func (s *sqliteStore) getOrSet(ctx context.Context, e entry, now int64) (value []byte, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		v, fresh, exists, err := s.row(ctx, tx, e.key, now)
		if err != nil {
			return err
		}
		if fresh {
			value = v
			return nil
		}
		return s.put(ctx, tx, e, exists, now)
	})
	if err != nil {
		return nil, err
	}
	return value, nil
}

func (s *sqliteStore) delete(ctx context.Context, keys []string, now int64) (n int, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, k := range keys {
			var exp sql.NullInt64
			err := tx.QueryRowContext(ctx, s.q.deleteOne, k).Scan(&exp)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return dbErr(err)
			}
			if isFresh(fromExpireAt(exp), now) {
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (s *sqliteStore) incr(ctx context.Context, key string, delta, now int64) (sum int64, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		v, fresh, _, err := s.row(ctx, tx, key, now)
		if err != nil {
			return err
		}
		if !fresh {
			return fmt.Errorf("%w: %s", ErrNotFound, quoteKey(key))
		}
		var nv []byte
		if nv, sum, err = addInteger(key, v, delta); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q.updateValue, nv, key)
		return dbErr(err)
	})
	if err != nil {
		return 0, err
	}
	return sum, nil
}

func (s *sqliteStore) touch(ctx context.Context, key string, expiresAt, now int64) (touched bool, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.touch, expireAt(expiresAt), key, now)
		if err != nil {
			return dbErr(err)
		}
		n, err := res.RowsAffected()
		touched = n > 0
		return dbErr(err)
	})
	return touched && err == nil, err
}

func (s *sqliteStore) clear(ctx context.Context) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q.clear)
		return dbErr(err)
	})
}

func (s *sqliteStore) len(ctx context.Context, now int64) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q.countFresh, now).Scan(&n)
	return n, dbErr(err)
}

func (s *sqliteStore) close() error { return dbErr(s.db.Close()) }
