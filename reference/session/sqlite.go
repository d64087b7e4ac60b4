package session

import (
	"context"
	"database/sql"
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
	db  *sql.DB
	wmu sync.Mutex
	// loadStmt is prepared once: preparing it for every Load was two
	// fifths of a Load's time (sqlite3_prepare_v2; issue 19). database/sql
	// keeps one prepared copy per pooled connection.
	loadStmt *sql.Stmt
}

// sqliteLoad reads a live session's data and expiry.
const sqliteLoad = `SELECT data, expire_at FROM httpcheck_session WHERE "key" = ? AND expire_at > ?`

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
	load, err := db.PrepareContext(ctx, sqliteLoad)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: preparing the session query: %w", err)
	}
	return newRecordStore(c, &sqliteStore{db: db, loadStmt: load}), nil
}

func (s *sqliteStore) load(ctx context.Context, key string, now int64) ([]byte, int64, bool, error) {
	var (
		b   []byte
		exp int64
	)
	err := s.loadStmt.QueryRowContext(ctx, key, now).Scan(&b, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("sqlite: loading a session: %w", err)
	}
	return b, exp, true, nil
}

// exec runs one write statement under wmu and counts the rows it changed;
// what names the operation in errors.
func (s *sqliteStore) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	res, err := s.db.ExecContext(ctx, query, args...)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("sqlite: %s: %w", what, err)
}

func (s *sqliteStore) update(ctx context.Context, key string, data []byte, expiry, now int64) (bool, error) {
	n, err := s.exec(ctx, "saving a session",
		`UPDATE httpcheck_session SET data = ?, expire_at = ? WHERE "key" = ? AND expire_at > ?`,
		string(data), expiry, key, now)
	return n > 0, err
}

func (s *sqliteStore) delete(ctx context.Context, key string) error {
	_, err := s.exec(ctx, "deleting a session", `DELETE FROM httpcheck_session WHERE "key" = ?`, key)
	return err
}

func (s *sqliteStore) exists(ctx context.Context, key string, now int64) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx,
		`SELECT 1 FROM httpcheck_session WHERE "key" = ? AND expire_at > ?`, key, now).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlite: looking up a session: %w", err)
	}
	return true, nil
}

func (s *sqliteStore) insert(ctx context.Context, key string, data []byte, expiry, _ int64) (bool, error) {
	// DO NOTHING on a taken key, expired or not: a key is never reused, so
	// an old cookie can never come to name someone else's session.
	n, err := s.exec(ctx, "creating a session",
		`INSERT INTO httpcheck_session ("key", data, expire_at) VALUES (?, ?, ?) ON CONFLICT ("key") DO NOTHING`,
		key, string(data), expiry)
	return n == 1, err
}

func (s *sqliteStore) clearExpired(ctx context.Context, now int64) (int, error) {
	n, err := s.exec(ctx, "clearing expired sessions", `DELETE FROM httpcheck_session WHERE expire_at <= ?`, now)
	return int(n), err
}

func (s *sqliteStore) close() error {
	s.loadStmt.Close()
	return s.db.Close()
}
