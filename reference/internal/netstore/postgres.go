package netstore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postgres is a small pool of connections to one PostgreSQL database,
// shared by every store of this process that names the same URL (the
// session store and each cache alias). (pgx's own pool, pgxpool, needs
// github.com/jackc/puddle, which this module does not require; the
// reference needs little of it.)
//
// A connection that failed at the transport level, or was left in a
// transaction, is closed instead of returned to the pool; and when one
// breaks, the idle ones are closed too, since they most likely lead to the
// same dead server. So once the server is back, the next operation opens a
// fresh connection and succeeds.
type Postgres struct {
	cfg   *pgx.ConnConfig
	slots chan struct{} // one token per open or opening connection in use

	mu     sync.Mutex
	idle   []*pgx.Conn
	closed bool

	url string // its key in sharedPostgres
}

var sharedPostgres = newSharedByURL[Postgres]()

// DefaultPostgresConns bounds the connections of one pool unless the URL
// says otherwise (pool_max_conns=N).
const DefaultPostgresConns = 16

// OpenPostgres connects to the database a URL names, as pgx reads it
// (postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=...&search_path=...]),
// and checks that it answers. connect_timeout defaults to DialTimeout;
// pool_max_conns (default DefaultPostgresConns) bounds the pool. Any other
// unknown parameter is a PostgreSQL setting for the session, such as
// search_path=SCHEMA, which keeps the tables in a schema of their own.
//
// Every OpenPostgres with the same URL returns the same pool until each has
// been closed.
func OpenPostgres(ctx context.Context, rawURL string) (*Postgres, error) {
	return sharedPostgres.acquire(rawURL, func() (*Postgres, error) {
		p, err := openPostgres(ctx, rawURL)
		if err != nil {
			return nil, err
		}
		p.url = rawURL
		return p, nil
	})
}

func openPostgres(ctx context.Context, rawURL string) (*Postgres, error) {
	max := DefaultPostgresConns
	if u, err := url.Parse(rawURL); err == nil && u.Query().Has("pool_max_conns") {
		q := u.Query()
		n, err := strconv.Atoi(q.Get("pool_max_conns"))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("postgres: pool_max_conns must be a positive integer, not %q", q.Get("pool_max_conns"))
		}
		max = n
		q.Del("pool_max_conns")
		u.RawQuery = q.Encode()
		rawURL = u.String()
	}
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = DialTimeout
	}
	p := &Postgres{cfg: cfg, slots: make(chan struct{}, max)}
	if err := p.Do(ctx, func(ctx context.Context, c *pgx.Conn) error { return c.Ping(ctx) }); err != nil {
		p.closeConns()
		return nil, fmt.Errorf("postgres at %s does not answer: %w", cfg.Host, err)
	}
	return p, nil
}

// Do runs f on a pooled connection, within OpTimeout.
func (p *Postgres) Do(ctx context.Context, f func(ctx context.Context, c *pgx.Conn) error) error {
	ctx, cancel := Bound(ctx)
	defer cancel()
	c, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	err = f(ctx, c)
	p.release(ctx, c)
	return err
}

// Tx runs f in a transaction on a pooled connection, within OpTimeout: it
// commits when f returns nil and rolls back otherwise.
func (p *Postgres) Tx(ctx context.Context, f func(ctx context.Context, tx pgx.Tx) error) error {
	return p.Do(ctx, func(ctx context.Context, c *pgx.Conn) error {
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error { return f(ctx, tx) })
	})
}

var errPoolClosed = errors.New("postgres: use of a closed store")

func (p *Postgres) acquire(ctx context.Context) (*pgx.Conn, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("postgres: waiting for a connection: %w", ctx.Err())
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		<-p.slots
		return nil, errPoolClosed
	}
	var c *pgx.Conn
	for c == nil && len(p.idle) > 0 {
		c = p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if c.IsClosed() {
			c = nil
		}
	}
	p.mu.Unlock()
	if c != nil {
		return c, nil
	}
	c, err := pgx.ConnectConfig(ctx, p.cfg)
	if err != nil {
		<-p.slots
		return nil, err
	}
	return c, nil
}

// release returns c to the pool when it is sound, or closes it.
func (p *Postgres) release(ctx context.Context, c *pgx.Conn) {
	defer func() { <-p.slots }()
	sound := !c.IsClosed() && c.PgConn().TxStatus() == 'I' && ctx.Err() == nil
	p.mu.Lock()
	if sound && !p.closed {
		p.idle = append(p.idle, c)
		p.mu.Unlock()
		return
	}
	var drop []*pgx.Conn
	if !sound {
		drop, p.idle = p.idle, nil
	}
	p.mu.Unlock()
	closeConns(append(drop, c))
}

func closeConns(cs []*pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, c := range cs {
		c.Close(ctx)
	}
}

// Close releases this store's use of the pool; the last one closes the
// idle connections, and connections in use are closed when they are
// released.
func (p *Postgres) Close() error {
	return sharedPostgres.release(p.url, p, func() error {
		p.closeConns()
		return nil
	})
}

func (p *Postgres) closeConns() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	closeConns(idle)
}

// LockID turns a name into the key of a PostgreSQL advisory lock
// (pg_advisory_xact_lock): writers of one table take the same lock, in
// every process.
func LockID(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// CreateTables runs the statements that create a backend's tables and
// indexes, once per database at a time: CREATE TABLE IF NOT EXISTS is not
// safe against itself, and several instances often start together.
func (p *Postgres) CreateTables(ctx context.Context, lockName string, stmts ...string) error {
	return p.Tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, LockID(lockName)); err != nil {
			return err
		}
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
}
