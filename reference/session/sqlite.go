package session

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"

	_ "modernc.org/sqlite" // the pure Go driver, registered as "sqlite"
)

// sqliteStore keeps records in one table of an SQLite database, the
// embedded default of the reference server: it survives restarts, needs no
// server, and several processes may share the file.
//
// Concurrency. The database runs in WAL mode, so readers never wait for the
// writer. Writers are serialised twice: by wmu within this process, so that
// concurrent requests queue in Go instead of SQLite's sleeping busy handler,
// and by busy_timeout across processes, so that a second process sharing the
// file waits for the lock instead of failing with SQLITE_BUSY. Every
// operation is a single statement in autocommit mode: there is no deferred
// transaction that could need a read-to-write lock upgrade, which SQLite
// refuses with SQLITE_BUSY at once, without calling the busy handler.
//
// Durability. synchronous=FULL: a Delete answered to a logout must not come
// back after a power cut.
type sqliteStore struct {
	clock clock.Clock
	db    *sql.DB
	wmu   sync.Mutex
}

// sqliteBusyTimeout is how long a connection waits for another process's
// write lock before SQLITE_BUSY.
const sqliteBusyTimeout = 10 * time.Second

// sqliteMaxConns bounds the connection pool: 200 concurrent requests share
// it instead of opening 200 connections, each with its own page cache.
const sqliteMaxConns = 16

// sqliteSchema is created at open; there is no separate migrate step. The
// table name is prefixed so the file can be shared with other tables.
// expire_at is Unix nanoseconds (UTC); the index serves ClearExpired.
var sqliteSchema = []string{
	`CREATE TABLE IF NOT EXISTS httpcheck_session (
		"key"     TEXT    NOT NULL PRIMARY KEY,
		data      TEXT    NOT NULL CHECK (json_valid(data)),
		expire_at INTEGER NOT NULL
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS httpcheck_session_expire_at ON httpcheck_session (expire_at)`,
}

func openSQLite(path string, c clock.Clock) (Store, error) {
	switch {
	case path == "":
		return nil, errors.New("sqlite: want sqlite:PATH, got no path")
	case path == ":memory:" || strings.HasPrefix(path, "file:"):
		// Each pooled connection would get its own private database.
		return nil, fmt.Errorf("sqlite: %q is not a file path (for an in-process store use \"memory\")", path)
	case strings.Contains(path, "?"):
		// The driver reads everything after the first '?' as its parameters.
		return nil, fmt.Errorf("sqlite: path %q contains '?'", path)
	}
	dsn := path + "?" + strings.Join([]string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()),
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(FULL)",
	}, "&")
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// Enough connections for concurrent readers; writers queue on wmu anyway.
	db.SetMaxOpenConns(sqliteMaxConns)
	db.SetMaxIdleConns(sqliteMaxConns)
	ctx, cancel := context.WithTimeout(context.Background(), 2*sqliteBusyTimeout)
	defer cancel()
	for _, stmt := range sqliteSchema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			db.Close()
			return nil, fmt.Errorf("sqlite: creating the session table: %w", err)
		}
	}
	return &sqliteStore{clock: c, db: db}, nil
}

func (s *sqliteStore) now() int64 { return toUnixNano(s.clock.Now()) }

func (s *sqliteStore) Load(ctx context.Context, key string) (map[string]json.RawMessage, time.Time, bool, error) {
	if !isValidKey(key) {
		return nil, time.Time{}, false, nil
	}
	var (
		b   []byte
		exp int64
	)
	err := s.db.QueryRowContext(ctx,
		`SELECT data, expire_at FROM httpcheck_session WHERE "key" = ? AND expire_at > ?`,
		key, s.now()).Scan(&b, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, fmt.Errorf("sqlite: loading a session: %w", err)
	}
	data, err := decodeData(b)
	if err != nil {
		return nil, time.Time{}, false, err
	}
	return data, fromUnixNano(exp), true, nil
}

func (s *sqliteStore) Save(ctx context.Context, key string, data map[string]json.RawMessage, expiry time.Time) error {
	if !isValidKey(key) {
		return ErrNotFound
	}
	b, err := encodeData(data)
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	res, err := s.db.ExecContext(ctx,
		`UPDATE httpcheck_session SET data = ?, expire_at = ? WHERE "key" = ? AND expire_at > ?`,
		string(b), toUnixNano(expiry), key, s.now())
	if err != nil {
		return fmt.Errorf("sqlite: saving a session: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: saving a session: %w", err)
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *sqliteStore) Delete(ctx context.Context, key string) error {
	if !isValidKey(key) {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM httpcheck_session WHERE "key" = ?`, key); err != nil {
		return fmt.Errorf("sqlite: deleting a session: %w", err)
	}
	return nil
}

func (s *sqliteStore) Exists(ctx context.Context, key string) (bool, error) {
	if !isValidKey(key) {
		return false, nil
	}
	var one int
	err := s.db.QueryRowContext(ctx,
		`SELECT 1 FROM httpcheck_session WHERE "key" = ? AND expire_at > ?`, key, s.now()).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlite: looking up a session: %w", err)
	}
	return true, nil
}

func (s *sqliteStore) Create(ctx context.Context, data map[string]json.RawMessage, expiry time.Time) (string, error) {
	b, err := encodeData(data)
	if err != nil {
		return "", err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	for {
		key := NewKey()
		// DO NOTHING on a taken key, expired or not: a key is never reused, so
		// an old cookie can never come to name someone else's session.
		res, err := s.db.ExecContext(ctx,
			`INSERT INTO httpcheck_session ("key", data, expire_at) VALUES (?, ?, ?) ON CONFLICT ("key") DO NOTHING`,
			key, string(b), toUnixNano(expiry))
		if err != nil {
			return "", fmt.Errorf("sqlite: creating a session: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return "", fmt.Errorf("sqlite: creating a session: %w", err)
		}
		if n == 1 {
			return key, nil
		}
	}
}

func (s *sqliteStore) ClearExpired(ctx context.Context) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	res, err := s.db.ExecContext(ctx, `DELETE FROM httpcheck_session WHERE expire_at <= ?`, s.now())
	if err != nil {
		return 0, fmt.Errorf("sqlite: clearing expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: clearing expired sessions: %w", err)
	}
	return int(n), nil
}

func (s *sqliteStore) Close() error { return s.db.Close() }
