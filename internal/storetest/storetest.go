// Package storetest gives tests a private place in the shared Redis and
// PostgreSQL servers, and a TCP proxy to put in front of them that a test
// can cut and restore. Only tests import it.
//
// Each call returns a store URL of its own: a Redis key prefix, or a
// PostgreSQL schema, made up for the test and removed when it ends. So
// tests run in parallel, in several packages at once, and beside other
// programs using the same servers, without ever seeing each other's data.
//
// The servers are found through $HTTPCHECK_TEST_REDIS (default
// redis://127.0.0.1:6379/0) and $HTTPCHECK_TEST_POSTGRES (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable). A test whose
// server does not answer is skipped, with the reason; .ci/run starts both
// servers, so in CI nothing is skipped.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// Environment variables naming the servers tests use.
const (
	RedisEnv    = "HTTPCHECK_TEST_REDIS"
	PostgresEnv = "HTTPCHECK_TEST_POSTGRES"
)

const (
	defaultRedis    = "redis://127.0.0.1:6379/0"
	defaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

// RedisBase is the URL of the Redis tests use.
func RedisBase() string { return envOr(RedisEnv, defaultRedis) }

// PostgresBase is the URL of the PostgreSQL database tests use.
func PostgresBase() string { return envOr(PostgresEnv, defaultPostgres) }

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// name returns a fresh name for a test's keys or schema.
func name() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "httpcheck_test_" + hex.EncodeToString(b)
}

// Redis returns a Redis URL with a key prefix of the test's own; every key
// under it is deleted when the test ends. It skips the test when Redis does
// not answer.
func Redis(t testing.TB) string {
	t.Helper()
	return RedisAt(t, RedisBase())
}

// RedisAt is Redis for the server at base, which may be a proxy in front
// of the real one; keys are removed through RedisBase.
func RedisAt(t testing.TB, base string) string {
	t.Helper()
	client := redisClient(t)
	prefix := name()
	t.Cleanup(func() {
		defer client.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// Sessions live under PREFIX:..., caches under the hash tag
		// {PREFIX:...}.
		var keys []string
		for _, pattern := range []string{prefix + ":*", "{" + prefix + ":*"} {
			iter := client.Scan(ctx, 0, pattern, 1000).Iterator()
			for iter.Next(ctx) {
				keys = append(keys, iter.Val())
			}
		}
		for len(keys) > 0 {
			n := min(len(keys), 500)
			client.Del(ctx, keys[:n]...)
			keys = keys[n:]
		}
	})
	return withQuery(t, base, "prefix", prefix)
}

// RedisClient returns a client of the Redis tests use, closed when the
// test ends; it skips the test when Redis does not answer.
func RedisClient(t testing.TB) *redis.Client {
	t.Helper()
	c := redisClient(t)
	t.Cleanup(func() { c.Close() })
	return c
}

func redisClient(t testing.TB) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(RedisBase())
	if err != nil {
		t.Fatalf("$%s: %v", RedisEnv, err)
	}
	opt.DialTimeout = 2 * time.Second
	c := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		t.Skipf("Redis does not answer at %s (set $%s, or run .ci/run, which starts it): %v", opt.Addr, RedisEnv, err)
	}
	return c
}

// Postgres returns a PostgreSQL URL whose search_path is a schema of the
// test's own, dropped with everything in it when the test ends. It skips
// the test when PostgreSQL does not answer.
func Postgres(t testing.TB) string {
	t.Helper()
	return PostgresAt(t, PostgresBase())
}

// PostgresAt is Postgres for the server at base, which may be a proxy in
// front of the real one; the schema is made and dropped through
// PostgresBase.
func PostgresAt(t testing.TB, base string) string {
	t.Helper()
	schema := name()
	exec(t, `CREATE SCHEMA `+schema)
	t.Cleanup(func() { exec(t, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`) })
	return withQuery(t, base, "search_path", schema)
}

// exec runs one statement on the database tests use, skipping the test
// when it does not answer.
func exec(t testing.TB, stmt string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg, err := pgx.ParseConfig(PostgresBase())
	if err != nil {
		t.Fatalf("$%s: %v", PostgresEnv, err)
	}
	cfg.ConnectTimeout = 2 * time.Second
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Skipf("PostgreSQL does not answer at %s:%d (set $%s, or run .ci/run, which starts it): %v", cfg.Host, cfg.Port, PostgresEnv, err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// withQuery sets one query parameter of a URL.
func withQuery(t testing.TB, raw, key, value string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// HostPort returns the HOST:PORT of a store URL.
func HostPort(t testing.TB, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if u.Port() == "" {
		t.Fatalf("%s names no port", raw)
	}
	return u.Host
}

// ViaProxy returns raw with its HOST:PORT replaced by addr.
func ViaProxy(t testing.TB, raw, addr string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	return u.String()
}
