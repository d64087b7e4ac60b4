package session

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/httpcheck/httpcheck/internal/storetest"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/internal/netstore"
	"github.com/httpcheck/httpcheck/reference/internal/outagetest"
)

// Tests of the Redis and PostgreSQL stores beyond the shared contract of
// store_test.go: what each keeps in its server, and several instances
// sharing one server.

// TestRedisTTL: every record carries a TTL equal to its lifetime on the
// store's clock, so Redis removes it; ClearExpired leaves that to Redis.
func TestRedisTTL(t *testing.T) {
	url := storetest.Redis(t)
	rdb := storetest.RedisClient(t)
	ctx := context.Background()
	c := clock.NewManual(tNow)
	s := mustOpen(t, url, c)
	rs := s.(*recordStore).records.(*redisStore)

	key, err := s.Create(ctx, parseData(t, `{"a":1}`), tNow.Add(90*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.PTTL(ctx, rs.rkey(key)).Val(); ttl <= 89*time.Second || ttl > 90*time.Second {
		t.Errorf("TTL after Create = %v, want 90s", ttl)
	}
	c.Advance(30 * time.Second)
	if err := s.Save(ctx, key, parseData(t, `{"a":2}`), c.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.PTTL(ctx, rs.rkey(key)).Val(); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("TTL after Save = %v, want 1h", ttl)
	}
	forever, err := s.Create(ctx, nil, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.PTTL(ctx, rs.rkey(forever)).Val(); ttl != -1 {
		t.Errorf("TTL of a record living past 2262 = %v, want none (-1)", ttl)
	}

	// On the wall clock, Redis itself removes the record.
	real := mustOpen(t, url, clock.Real{})
	short, err := real.Create(ctx, nil, time.Now().Add(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	if n := rdb.Exists(ctx, rs.rkey(short)).Val(); n != 0 {
		t.Errorf("a record 100ms past its expiry is still in Redis")
	}
	if n, err := real.ClearExpired(ctx); n != 0 || err != nil {
		t.Errorf("ClearExpired = %d, %v; want 0, nil", n, err)
	}
}

// TestRedisKeysUnderPrefix: records live under PREFIX:session:, so two
// prefixes on one Redis are two separate stores.
func TestRedisKeysUnderPrefix(t *testing.T) {
	ctx := context.Background()
	c := clock.NewManual(tNow)
	a := mustOpen(t, storetest.Redis(t), c)
	b := mustOpen(t, storetest.Redis(t), c)
	key, err := a.Create(ctx, parseData(t, `{"a":1}`), tNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Exists(ctx, key); ok || err != nil {
		t.Errorf("another prefix sees the record: %v, %v", ok, err)
	}
	if err := b.Save(ctx, key, nil, tNow.Add(time.Hour)); err != ErrNotFound {
		t.Errorf("Save under another prefix = %v, want ErrNotFound", err)
	}
}

// TestPostgresSchema: the table and its expiry index exist after open, and
// opening again (another instance, a restart) keeps the rows.
func TestPostgresSchema(t *testing.T) {
	url := storetest.Postgres(t)
	ctx := context.Background()
	c := clock.NewManual(tNow)
	s := mustOpen(t, url, c)
	key, err := s.Create(ctx, parseData(t, `{"user":"alice"}`), tNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	db := s.(*recordStore).records.(*postgresStore).db
	var indexes int
	err = db.Do(ctx, func(ctx context.Context, conn *pgx.Conn) error {
		return conn.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema()
			AND tablename = 'httpcheck_session' AND indexname = 'httpcheck_session_expire_at'`).Scan(&indexes)
	})
	if err != nil || indexes != 1 {
		t.Errorf("expiry index: %d, %v; want 1", indexes, err)
	}
	again := mustOpen(t, url, c)
	if data, _, found, err := again.Load(ctx, key); !found || err != nil || string(data["user"]) != `"alice"` {
		t.Errorf("Load through a second instance = %s, %v, %v", data, found, err)
	}
}

// TestSharedStoreInstances: several instances open one store at once (the
// table is created once, without a race) and see each other's writes at
// once: a session created on one is read, updated and deleted through the
// others.
func TestSharedStoreInstances(t *testing.T) {
	for _, b := range []struct {
		name string
		url  func(testing.TB) string
	}{{"redis", storetest.Redis}, {"postgres", storetest.Postgres}} {
		t.Run(b.name, func(t *testing.T) {
			url := b.url(t)
			c := clock.NewManual(tNow)
			ctx := context.Background()
			stores := make([]Store, 4)
			var wg sync.WaitGroup
			errs := make([]error, len(stores))
			for i := range stores {
				wg.Go(func() { stores[i], errs[i] = Open(url, c) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("instance %d: %v", i, err)
				}
				t.Cleanup(func() { stores[i].Close() })
			}
			key, err := stores[0].Create(ctx, parseData(t, `{"n":0}`), tNow.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range stores[1:] {
				if err := s.Save(ctx, key, parseData(t, fmt.Sprintf(`{"n":%d}`, i+1)), tNow.Add(time.Hour)); err != nil {
					t.Fatalf("Save through instance %d: %v", i+1, err)
				}
			}
			if data, _, _, err := stores[0].Load(ctx, key); err != nil || string(data["n"]) != "3" {
				t.Errorf("Load = %s, %v; want the last instance's write", data, err)
			}
			if err := stores[2].Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			for i, s := range stores {
				if ok, err := s.Exists(ctx, key); ok || err != nil {
					t.Errorf("instance %d: Exists after a Delete elsewhere = %v, %v", i, ok, err)
				}
			}
		})
	}
}

func TestRedisConcurrentClients(t *testing.T) {
	hammer(t, mustOpen(t, storetest.Redis(t), clock.NewManual(tNow)), 200)
}

func TestPostgresConcurrentClients(t *testing.T) {
	hammer(t, mustOpen(t, storetest.Postgres(t), clock.NewManual(tNow)), 200)
}

// TestUnreachable: a store on a closed port fails to open, quickly; one
// that goes away afterwards answers errors within netstore.OpTimeout, and
// works again once it is back.
func TestUnreachable(t *testing.T) {
	outagetest.ForEach(t, func(t *testing.T, store outagetest.Store) {
		c := clock.NewManual(tNow)
		ctx := context.Background()

		store.Proxy.Close()
		start := time.Now()
		if _, err := Open(store.URL, c); err == nil {
			t.Fatal("Open through a closed port succeeded")
		}
		if took := time.Since(start); took > netstore.OpTimeout+time.Second {
			t.Errorf("Open through a closed port took %v", took)
		}
		store.Proxy.Restore()
		s := mustOpen(t, store.URL, c)
		key, err := s.Create(ctx, parseData(t, `{"a":1}`), tNow.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, cut := range store.Cuts() {
			cut.Fail()
			start := time.Now()
			if _, _, _, err := s.Load(ctx, key); err == nil {
				t.Errorf("%s: Load succeeded", cut.Name)
			}
			if err := s.Save(ctx, key, parseData(t, `{"a":2}`), tNow.Add(time.Hour)); err == nil || err == ErrNotFound {
				t.Errorf("%s: Save = %v, want a store error", cut.Name, err)
			}
			if took := time.Since(start); took > 2*netstore.OpTimeout+time.Second {
				t.Errorf("%s: two operations took %v, want each within %v", cut.Name, took, netstore.OpTimeout)
			}
			store.Proxy.Restore()
			if data, _, found, err := s.Load(ctx, key); err != nil || !found || string(data["a"]) != "1" {
				t.Errorf("%s, then restored: Load = %s, %v, %v", cut.Name, data, found, err)
			}
		}
	})
}
