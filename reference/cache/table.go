package cache

import (
	"database/sql"
	"errors"
)

// The SQLite and PostgreSQL backends keep a location in one table of the
// same shape: the stored key (cache_key), the value and expire_at, Unix
// nanoseconds, NULL for an entry that never expires. Both run every write
// that may store a new key in one transaction holding the table's write
// lock (SQLite's IMMEDIATE transactions, PostgreSQL's advisory lock), and
// within it read a row, cull and store with the same statements in either
// dialect. tableTx is that part, written once; only the SQL text and the
// driver differ.

// tableQueries is the SQL of one table in one dialect.
type tableQueries struct {
	create, index string
	// get and getMany read fresh values; row reads (and, where the
	// dialect can, locks) a row, fresh or not.
	get, getMany, row string
	upsert, touch     string
	// delete removes the keys it is given (one, or a list, as the
	// dialect's backend binds them) and returns their expire_at.
	delete               string
	countAll, countFresh string
	sweep, cull, clear   string
}

// tableTx is one write transaction on a table: the lockedEntries of the
// SQL backends.
type tableTx struct {
	q *tableQueries
	// queryRow runs a query answering one row and scans it into dest; it
	// returns an error matching sql.ErrNoRows when there is none.
	queryRow func(dest []any, query string, args ...any) error
	exec     func(query string, args ...any) error

	maxEntries, cullFrequency int
}

// columnExpireAt is the expire_at column's value for an expiry: NULL
// (nil) for never. Both drivers bind a nil *int64 as NULL.
func columnExpireAt(at int64) *int64 {
	if at == neverExpires {
		return nil
	}
	return &at
}

// fromColumnExpireAt reads what columnExpireAt wrote.
func fromColumnExpireAt(at *int64) int64 {
	if at == nil {
		return neverExpires
	}
	return *at
}

func (t tableTx) read(key string, _ int64) (entry, bool, error) {
	var (
		value []byte
		exp   *int64
	)
	err := t.queryRow([]any{&value, &exp}, t.q.row, key)
	if errors.Is(err, sql.ErrNoRows) {
		return entry{}, false, nil
	}
	if err != nil {
		return entry{}, false, err
	}
	return entry{key: key, value: value, expiresAt: fromColumnExpireAt(exp)}, true, nil
}

func (t tableTx) write(e entry, exists bool, now int64) error {
	if !exists {
		if err := t.cull(now); err != nil {
			return err
		}
	}
	return t.exec(t.q.upsert, e.key, e.value, columnExpireAt(e.expiresAt))
}

// cull runs the culling steps (cull.go) on the table, evicting the rows
// that expire soonest (the dialect's cull statement).
func (t tableTx) cull(now int64) error {
	count := func() (n int, err error) {
		return n, t.queryRow([]any{&n}, t.q.countAll)
	}
	n, err := count()
	if err != nil || n < t.maxEntries {
		return err
	}
	if err := t.exec(t.q.sweep, now); err != nil {
		return err
	}
	if n, err = count(); err != nil || n < t.maxEntries {
		return err
	}
	return t.exec(t.q.cull, cullCount(n, t.maxEntries, t.cullFrequency))
}
