package session

import (
	"context"
	"errors"
	"fmt"

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
	db *netstore.Postgres
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
	return newRecordStore(c, &postgresStore{db: db}), nil
}

func pgErr(what string, err error) error { return fmt.Errorf("postgres: %s: %w", what, err) }

// exec runs one statement and counts the rows it changed; what names the
// operation in errors.
func (s *postgresStore) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	var n int64
	err := s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		tag, err := c.Exec(ctx, query, args...)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return n, pgErr(what, err)
	}
	return n, nil
}

func (s *postgresStore) load(ctx context.Context, key string, now int64) ([]byte, int64, bool, error) {
	var (
		b   []byte
		exp int64
	)
	err := s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT data, expire_at FROM httpcheck_session WHERE "key" = $1 AND expire_at > $2`,
			key, now).Scan(&b, &exp)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, pgErr("loading a session", err)
	}
	return b, exp, true, nil
}

func (s *postgresStore) update(ctx context.Context, key string, data []byte, expiry, now int64) (bool, error) {
	n, err := s.exec(ctx, "saving a session",
		`UPDATE httpcheck_session SET data = $1, expire_at = $2 WHERE "key" = $3 AND expire_at > $4`,
		data, expiry, key, now)
	return n > 0, err
}

func (s *postgresStore) delete(ctx context.Context, key string) error {
	_, err := s.exec(ctx, "deleting a session", `DELETE FROM httpcheck_session WHERE "key" = $1`, key)
	return err
}

func (s *postgresStore) exists(ctx context.Context, key string, now int64) (bool, error) {
	var found bool
	err := s.db.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM httpcheck_session WHERE "key" = $1 AND expire_at > $2)`,
			key, now).Scan(&found)
	})
	if err != nil {
		return false, pgErr("looking up a session", err)
	}
	return found, nil
}

func (s *postgresStore) insert(ctx context.Context, key string, data []byte, expiry, _ int64) (bool, error) {
	// DO NOTHING on a taken key, expired or not: a key is never reused.
	n, err := s.exec(ctx, "creating a session",
		`INSERT INTO httpcheck_session ("key", data, expire_at) VALUES ($1, $2, $3) ON CONFLICT ("key") DO NOTHING`,
		key, data, expiry)
	return n == 1, err
}

// clearBatch is how many expired rows one statement of ClearExpired
// deletes, so that each stays well within netstore.OpTimeout however many
// sessions expired since the last sweep.
const clearBatch = 10000

func (s *postgresStore) clearExpired(ctx context.Context, now int64) (int, error) {
	total := 0
	for {
		n, err := s.exec(ctx, "clearing expired sessions", `DELETE FROM httpcheck_session WHERE "key" IN (
				SELECT "key" FROM httpcheck_session WHERE expire_at <= $1 LIMIT $2)`, now, clearBatch)
		total += int(n)
		if err != nil || n < clearBatch {
			return total, err
		}
	}
}

func (s *postgresStore) close() error { return s.db.Close() }
