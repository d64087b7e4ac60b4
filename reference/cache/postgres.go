package cache

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/httpcheck/httpcheck/reference/internal/netstore"
)

// postgresStore is the "postgres://..." backend, Django's DatabaseCache on
// PostgreSQL, with the semantics of the other backends (doc.go): one table
// per location, created when the cache is opened (no createcachetable
// step), holding the stored key, the value (the JSON text as bytes, exactly
// as given; jsonb would reformat it) and expire_at, Unix nanoseconds (NULL
// never expires), indexed for sweeping and culling. Several reference
// instances pointed at one database share their caches; the URL's
// search_path=SCHEMA puts the tables in a schema of their own.
//
// Atomicity. Writes that may store a new key (set, add, get_or_set) and
// Incr run in one transaction that first takes a transaction-level
// advisory lock on the table, so every writer of a table, in every
// process, goes one at a time, as the SQLite backend's IMMEDIATE
// transactions do: Add, GetOrSet and Incr are atomic, and culling counts
// what really is there. Delete, Touch, Clear and the reads are single
// statements, atomic on their own.
//
// Culling evicts the entries that expire soonest, never-expiring ones
// last, ties by key in byte order (COLLATE "C", as SQLite compares).
//
// Every operation is bounded by netstore.OpTimeout; a database that is
// down or cut answers ErrUnavailable within it.
type postgresStore struct {
	db                        *netstore.Postgres
	maxEntries, cullFrequency int
	lock                      int64 // the advisory lock of the table
	q                         tableQueries
}

// pgFresh is the SQL for "this row's entry is fresh at $1" (isFresh).
const pgFresh = "(expire_at IS NULL OR expire_at > $1)"

func newPostgresQueries(table string) tableQueries {
	t := pgx.Identifier{table}.Sanitize()
	return tableQueries{
		create: `CREATE TABLE IF NOT EXISTS ` + t + ` (
	cache_key TEXT   NOT NULL PRIMARY KEY,
	value     BYTEA  NOT NULL,
	expire_at BIGINT
)`,
		index:      `CREATE INDEX IF NOT EXISTS ` + pgx.Identifier{table + "_expire_at"}.Sanitize() + ` ON ` + t + ` (expire_at)`,
		get:        `SELECT value FROM ` + t + ` WHERE ` + pgFresh + ` AND cache_key = $2`,
		getMany:    `SELECT cache_key, value FROM ` + t + ` WHERE ` + pgFresh + ` AND cache_key = ANY($2)`,
		row:        `SELECT value, expire_at FROM ` + t + ` WHERE cache_key = $1 FOR UPDATE`,
		upsert:     `INSERT INTO ` + t + ` (cache_key, value, expire_at) VALUES ($1, $2, $3) ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, expire_at = excluded.expire_at`,
		touch:      `UPDATE ` + t + ` SET expire_at = $2 WHERE ` + pgFresh + ` AND cache_key = $3`,
		delete:     `DELETE FROM ` + t + ` WHERE cache_key = ANY($1) RETURNING expire_at`,
		countAll:   `SELECT COUNT(*) FROM ` + t,
		countFresh: `SELECT COUNT(*) FROM ` + t + ` WHERE ` + pgFresh,
		sweep:      `DELETE FROM ` + t + ` WHERE expire_at IS NOT NULL AND expire_at <= $1`,
		cull: `DELETE FROM ` + t + ` WHERE cache_key IN (SELECT cache_key FROM ` + t +
			` ORDER BY expire_at IS NULL, expire_at, cache_key COLLATE "C" LIMIT $1)`,
		clear: `DELETE FROM ` + t,
	}
}

func openPostgres(location, namespace string, o Options) (storage, error) {
	ctx := context.Background()
	db, err := netstore.OpenPostgres(ctx, "postgres:"+location)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	table := "httpcheck_cache"
	if namespace != "" {
		table += "_" + namespace
	}
	s := &postgresStore{db: db, maxEntries: o.MaxEntries, cullFrequency: o.CullFrequency, q: newPostgresQueries(table)}
	if err := db.CreateTables(ctx, table, s.q.create, s.q.index); err != nil {
		db.Close()
		return nil, fmt.Errorf("cache: postgres: creating table %s: %w", table, err)
	}
	// The lock names the table where it really is, so that two schemas'
	// tables of the same name do not wait for each other.
	var schema string
	err = db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema)
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("cache: postgres: %w", err)
	}
	s.lock = netstore.LockID("httpcheck cache " + schema + "." + table)
	return lockedStorage{s}, nil
}

// pgErr reports a failure of the database as ErrUnavailable; the cache's
// own errors (ErrNotFound, ErrNotInteger) pass through.
func pgErr(err error) error {
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrNotInteger) {
		return err
	}
	return fmt.Errorf("%w: postgres: %v", ErrUnavailable, err)
}

// withLock runs fn in one transaction holding the table's advisory lock.
func (s *postgresStore) withLock(ctx context.Context, fn func(lockedEntries) error) error {
	return pgErr(s.db.Tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.lock); err != nil {
			return err
		}
		return fn(tableTx{
			q: &s.q,
			queryRow: func(dest []any, query string, args ...any) error {
				return tx.QueryRow(ctx, query, args...).Scan(dest...)
			},
			exec: func(query string, args ...any) error {
				_, err := tx.Exec(ctx, query, args...)
				return err
			},
			maxEntries: s.maxEntries, cullFrequency: s.cullFrequency,
		})
	}))
}

func (s *postgresStore) get(ctx context.Context, key string, now int64) ([]byte, bool, error) {
	var v []byte
	err := s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		return c.QueryRow(ctx, s.q.get, now, key).Scan(&v)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, pgErr(err)
	}
	return v, true, nil
}

func (s *postgresStore) getMany(ctx context.Context, keys []string, now int64) (map[string][]byte, error) {
	out := make(map[string][]byte)
	err := s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		rows, err := c.Query(ctx, s.q.getMany, now, keys)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var v []byte
			if err := rows.Scan(&k, &v); err != nil {
				return err
			}
			out[k] = v
		}
		return rows.Err()
	})
	if err != nil {
		return nil, pgErr(err)
	}
	return out, nil
}

func (s *postgresStore) set(ctx context.Context, entries []entry, now int64) ([]string, error) {
	return nil, s.withLock(ctx, func(l lockedEntries) error { return setEach(l, entries, now) })
}

func (s *postgresStore) delete(ctx context.Context, keys []string, now int64) (n int, err error) {
	err = s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		n = 0
		rows, err := c.Query(ctx, s.q.delete, keys)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var exp *int64
			if err := rows.Scan(&exp); err != nil {
				return err
			}
			if isFresh(fromColumnExpireAt(exp), now) {
				n++
			}
		}
		return rows.Err()
	})
	if err != nil {
		return 0, pgErr(err)
	}
	return n, nil
}

func (s *postgresStore) touch(ctx context.Context, key string, expiresAt, now int64) (bool, error) {
	var n int64
	err := s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		tag, err := c.Exec(ctx, s.q.touch, now, columnExpireAt(expiresAt), key)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return false, pgErr(err)
	}
	return n > 0, nil
}

func (s *postgresStore) clear(ctx context.Context) error {
	return pgErr(s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, s.q.clear)
		return err
	}))
}

func (s *postgresStore) len(ctx context.Context, now int64) (int, error) {
	var n int
	err := s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		return c.QueryRow(ctx, s.q.countFresh, now).Scan(&n)
	})
	return n, pgErr(err)
}

func (s *postgresStore) close() error { return s.db.Close() }
