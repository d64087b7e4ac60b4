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
	q                         tableQueries
}

// fresh is the SQL for "this row's entry is fresh at ?" (isFresh).
const fresh = "(expire_at IS NULL OR expire_at > ?)"

// busyTimeoutMS is how long a statement waits for another process's lock.
const busyTimeoutMS = 5000

func newSQLiteQueries(table string) tableQueries {
	t := `"` + strings.ReplaceAll(table, `"`, `""`) + `"`
	return tableQueries{
		create: `CREATE TABLE IF NOT EXISTS ` + t + ` (
	cache_key TEXT NOT NULL PRIMARY KEY,
	value     BLOB NOT NULL,
	expire_at INTEGER
) WITHOUT ROWID`,
		index:      `CREATE INDEX IF NOT EXISTS "` + strings.ReplaceAll(table, `"`, `""`) + `_expire_at" ON ` + t + ` (expire_at)`,
		get:        `SELECT value FROM ` + t + ` WHERE cache_key = ? AND ` + fresh,
		getMany:    `SELECT cache_key, value FROM ` + t + ` WHERE ` + fresh + ` AND cache_key IN `,
		row:        `SELECT value, expire_at FROM ` + t + ` WHERE cache_key = ?`,
		upsert:     `INSERT INTO ` + t + ` (cache_key, value, expire_at) VALUES (?, ?, ?) ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, expire_at = excluded.expire_at`,
		touch:      `UPDATE ` + t + ` SET expire_at = ? WHERE cache_key = ? AND ` + fresh,
		delete:     `DELETE FROM ` + t + ` WHERE cache_key = ? RETURNING expire_at`,
		countAll:   `SELECT COUNT(*) FROM ` + t,
		countFresh: `SELECT COUNT(*) FROM ` + t + ` WHERE ` + fresh,
		sweep:      `DELETE FROM ` + t + ` WHERE expire_at IS NOT NULL AND expire_at <= ?`,
		cull:       `DELETE FROM ` + t + ` WHERE cache_key IN (SELECT cache_key FROM ` + t + ` ORDER BY expire_at IS NULL, expire_at, cache_key LIMIT ?)`,
		clear:      `DELETE FROM ` + t,
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
	return lockedStorage{s}, nil
}

// dbErr marks an error from the database as the cache's.
func dbErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("cache: sqlite: %w", err)
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

func (s *sqliteStore) withLock(ctx context.Context, fn func(lockedEntries) error) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		return fn(tableTx{
			q: &s.q,
			queryRow: func(dest []any, query string, args ...any) error {
				return dbErr(tx.QueryRowContext(ctx, query, args...).Scan(dest...))
			},
			exec: func(query string, args ...any) error {
				_, err := tx.ExecContext(ctx, query, args...)
				return dbErr(err)
			},
			maxEntries: s.maxEntries, cullFrequency: s.cullFrequency,
		})
	})
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
	return nil, s.withLock(ctx, func(l lockedEntries) error { return setEach(l, entries, now) })
}

func (s *sqliteStore) delete(ctx context.Context, keys []string, now int64) (n int, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, k := range keys {
			var exp *int64
			err := tx.QueryRowContext(ctx, s.q.delete, k).Scan(&exp)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return dbErr(err)
			}
			if isFresh(fromColumnExpireAt(exp), now) {
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

func (s *sqliteStore) touch(ctx context.Context, key string, expiresAt, now int64) (touched bool, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.touch, columnExpireAt(expiresAt), key, now)
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
