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
	q                         postgresQueries
}

type postgresQueries struct {
	create, index                          string
	get, getMany, row, upsert, updateValue string
	touch, delete, countAll, countFresh    string
	sweep, cull, clear                     string
}

// pgFresh is the SQL for "this row's entry is fresh at $1" (isFresh).
const pgFresh = "(expire_at IS NULL OR expire_at > $1)"

func newPostgresQueries(table string) postgresQueries {
	t := pgx.Identifier{table}.Sanitize()
	return postgresQueries{
		create: `CREATE TABLE IF NOT EXISTS ` + t + ` (
	cache_key TEXT   NOT NULL PRIMARY KEY,
	value     BYTEA  NOT NULL,
	expire_at BIGINT
)`,
		index:       `CREATE INDEX IF NOT EXISTS ` + pgx.Identifier{table + "_expire_at"}.Sanitize() + ` ON ` + t + ` (expire_at)`,
		get:         `SELECT value FROM ` + t + ` WHERE ` + pgFresh + ` AND cache_key = $2`,
		getMany:     `SELECT cache_key, value FROM ` + t + ` WHERE ` + pgFresh + ` AND cache_key = ANY($2)`,
		row:         `SELECT value, expire_at FROM ` + t + ` WHERE cache_key = $1 FOR UPDATE`,
		upsert:      `INSERT INTO ` + t + ` (cache_key, value, expire_at) VALUES ($1, $2, $3) ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, expire_at = excluded.expire_at`,
		updateValue: `UPDATE ` + t + ` SET value = $1 WHERE cache_key = $2`,
		touch:       `UPDATE ` + t + ` SET expire_at = $2 WHERE ` + pgFresh + ` AND cache_key = $3`,
		delete:      `DELETE FROM ` + t + ` WHERE cache_key = ANY($1) RETURNING expire_at`,
		countAll:    `SELECT COUNT(*) FROM ` + t,
		countFresh:  `SELECT COUNT(*) FROM ` + t + ` WHERE ` + pgFresh,
		sweep:       `DELETE FROM ` + t + ` WHERE expire_at IS NOT NULL AND expire_at <= $1`,
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
	return s, nil
}

// pgErr reports a failure of the database as ErrUnavailable; the cache's
// own errors (ErrNotFound, ErrNotInteger) pass through.
func pgErr(err error) error {
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrNotInteger) {
		return err
	}
	return fmt.Errorf("%w: postgres: %v", ErrUnavailable, err)
}

// write runs fn in one transaction holding the table's advisory lock.
func (s *postgresStore) write(ctx context.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return pgErr(s.db.Tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.lock); err != nil {
			return err
		}
		return fn(ctx, tx)
	}))
}

// pgExpireAt is the column value for an expiry: NULL for never.
func pgExpireAt(at int64) *int64 {
	if at == neverExpires {
		return nil
	}
	return &at
}

func fromPgExpireAt(at *int64) int64 {
	if at == nil {
		return neverExpires
	}
	return *at
}

// row reads and locks key's row: exists reports whether there is one,
// fresh or not.
func (s *postgresStore) row(ctx context.Context, tx pgx.Tx, key string, now int64) (value []byte, fresh, exists bool, err error) {
	var exp *int64
	err = tx.QueryRow(ctx, s.q.row, key).Scan(&value, &exp)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, false, nil
	}
	if err != nil {
		return nil, false, false, err
	}
	return value, isFresh(fromPgExpireAt(exp), now), true, nil
}

// put stores e, culling first when its key has no row.
func (s *postgresStore) put(ctx context.Context, tx pgx.Tx, e entry, exists bool, now int64) error {
	if !exists {
		if err := s.cull(ctx, tx, now); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, s.q.upsert, e.key, e.value, pgExpireAt(e.expiresAt))
	return err
}

// cull runs the culling steps (cull.go) on the table.
func (s *postgresStore) cull(ctx context.Context, tx pgx.Tx, now int64) error {
	count := func() (n int, err error) {
		return n, tx.QueryRow(ctx, s.q.countAll).Scan(&n)
	}
	n, err := count()
	if err != nil || n < s.maxEntries {
		return err
	}
	if _, err := tx.Exec(ctx, s.q.sweep, now); err != nil {
		return err
	}
	if n, err = count(); err != nil || n < s.maxEntries {
		return err
	}
	_, err = tx.Exec(ctx, s.q.cull, cullCount(n, s.maxEntries, s.cullFrequency))
	return err
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
	return nil, s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
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
}

func (s *postgresStore) add(ctx context.Context, e entry, now int64) (added bool, err error) {
	err = s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, fresh, exists, err := s.row(ctx, tx, e.key, now)
		if err != nil || fresh {
			return err
		}
		added = true
		return s.put(ctx, tx, e, exists, now)
	})
	return added && err == nil, err
}

func (s *postgresStore) getOrSet(ctx context.Context, e entry, now int64) (value []byte, err error) {
	err = s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
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
			if isFresh(fromPgExpireAt(exp), now) {
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

func (s *postgresStore) incr(ctx context.Context, key string, delta, now int64) (sum int64, err error) {
	err = s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
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
		_, err = tx.Exec(ctx, s.q.updateValue, nv, key)
		return err
	})
	if err != nil {
		return 0, err
	}
	return sum, nil
}

func (s *postgresStore) touch(ctx context.Context, key string, expiresAt, now int64) (bool, error) {
	var n int64
	err := s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		tag, err := c.Exec(ctx, s.q.touch, now, pgExpireAt(expiresAt), key)
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
