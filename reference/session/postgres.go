package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/internal/netstore"
)

// postgresStore keeps records in one table of a PostgreSQL database,
// created at open (there is no separate migrate step). Several reference
// instances pointed at one database share their sessions. The URL's
// search_path=SCHEMA puts the table in a schema of its own.
//
// The table is SQLite's: the key, the data (the JSON text as bytes, so
// every backend returns the same bytes; jsonb would reorder it) and
// expire_at, Unix nanoseconds, indexed for ClearExpired. Every operation is
// one statement, so each is atomic: Save updates only a live row, and
// Create inserts only an unused key.
//
// Every operation is bounded by netstore.OpTimeout; a database that is
// down or cut answers an error (the middleware's 503) within it, and the
// pool opens fresh connections once it is back.
type postgresStore struct {
	clock clock.Clock
	db    *netstore.Postgres
}

var postgresSchema = []string{
	`CREATE TABLE IF NOT EXISTS httpcheck_session (
		"key"     TEXT   NOT NULL PRIMARY KEY,
		data      BYTEA  NOT NULL,
		expire_at BIGINT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS httpcheck_session_expire_at ON httpcheck_session (expire_at)`,
}

func openPostgres(rest string, c clock.Clock) (Store, error) {
	ctx := context.Background()
	db, err := netstore.OpenPostgres(ctx, "postgres:"+rest)
	if err != nil {
		return nil, err
	}
	if err := db.CreateTables(ctx, "httpcheck_session", postgresSchema...); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: creating the session table: %w", err)
	}
	return &postgresStore{clock: c, db: db}, nil
}

func (s *postgresStore) now() int64 { return toUnixNano(s.clock.Now()) }

func pgErr(what string, err error) error { return fmt.Errorf("postgres: %s: %w", what, err) }

func (s *postgresStore) Load(ctx context.Context, key string) (map[string]json.RawMessage, time.Time, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, time.Time{}, false, err
	}
	if !isValidKey(key) {
		return nil, time.Time{}, false, nil
	}
	var (
		b   []byte
		exp int64
	)
	err := s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT data, expire_at FROM httpcheck_session WHERE "key" = $1 AND expire_at > $2`,
			key, s.now()).Scan(&b, &exp)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, pgErr("loading a session", err)
	}
	data, err := decodeData(b)
	if err != nil {
		return nil, time.Time{}, false, err
	}
	return data, fromUnixNano(exp), true, nil
}

func (s *postgresStore) Save(ctx context.Context, key string, data map[string]json.RawMessage, expiry time.Time) error {
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
	var n int64
	err = s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		tag, err := c.Exec(ctx, `UPDATE httpcheck_session SET data = $1, expire_at = $2 WHERE "key" = $3 AND expire_at > $4`,
			b, toUnixNano(expiry), key, s.now())
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return pgErr("saving a session", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *postgresStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !isValidKey(key) {
		return nil
	}
	err := s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, `DELETE FROM httpcheck_session WHERE "key" = $1`, key)
		return err
	})
	if err != nil {
		return pgErr("deleting a session", err)
	}
	return nil
}

func (s *postgresStore) Exists(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if !isValidKey(key) {
		return false, nil
	}
	var found bool
	err := s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM httpcheck_session WHERE "key" = $1 AND expire_at > $2)`,
			key, s.now()).Scan(&found)
	})
	if err != nil {
		return false, pgErr("looking up a session", err)
	}
	return found, nil
}

func (s *postgresStore) Create(ctx context.Context, data map[string]json.RawMessage, expiry time.Time) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	b, err := encodeData(data)
	if err != nil {
		return "", err
	}
	for {
		key := NewKey()
		var n int64
		// DO NOTHING on a taken key, expired or not: a key is never reused.
		err := s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
			tag, err := c.Exec(ctx, `INSERT INTO httpcheck_session ("key", data, expire_at) VALUES ($1, $2, $3) ON CONFLICT ("key") DO NOTHING`,
				key, b, toUnixNano(expiry))
			n = tag.RowsAffected()
			return err
		})
		if err != nil {
			return "", pgErr("creating a session", err)
		}
		if n == 1 {
			return key, nil
		}
	}
}

// clearBatch is how many expired rows one statement of ClearExpired
// deletes, so that each stays well within netstore.OpTimeout however many
// sessions expired since the last sweep.
const clearBatch = 10000

func (s *postgresStore) ClearExpired(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	now, total := s.now(), 0
	for {
		var n int64
		err := s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
			tag, err := c.Exec(ctx, `DELETE FROM httpcheck_session WHERE "key" IN (
				SELECT "key" FROM httpcheck_session WHERE expire_at <= $1 LIMIT $2)`, now, clearBatch)
			n = tag.RowsAffected()
			return err
		})
		total += int(n)
		if err != nil {
			return total, pgErr("clearing expired sessions", err)
		}
		if n < clearBatch {
			return total, nil
		}
	}
}

func (s *postgresStore) Close() error { return s.db.Close() }
