package session

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/internal/storetest"
	"github.com/httpcheck/httpcheck/reference/clock"
)

// tNow is the synthetic time every test starts at.
var tNow = time.Date(2026, time.January, 2, 3, 4, 5, 0, time.UTC)

// testSecret and oldSecret sign tokens of the signed store in tests.
var (
	testSecret = []byte("test-secret-0123456789abcdef0123456789")
	oldSecret  = []byte("old-secret-0123456789abcdef0123456789ab")
)

// A backendUnderTest opens a fresh, empty store reading clock c.
type backendUnderTest struct {
	name string
	open func(t testing.TB, c clock.Clock) Store
	// expiresItself says why the store removes expired records on its own
	// (Redis TTLs), so that ClearExpired has nothing to remove; "" for the
	// stores that need sweeping.
	expiresItself string
}

// testBackends are the six backends; every contract behaviour runs against
// each of them, skipping the server-side ones for the signed store. Redis
// and PostgreSQL give each test a key prefix or schema of its own
// (reference/internal/storetest), and are skipped when they do not answer.
var testBackends = []backendUnderTest{
	{name: "memory", open: func(t testing.TB, c clock.Clock) Store { return mustOpen(t, "memory", c) }},
	{name: "sqlite", open: func(t testing.TB, c clock.Clock) Store {
		return mustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "sessions.sqlite3"), c)
	}},
	{name: "file", open: func(t testing.TB, c clock.Clock) Store { return mustOpen(t, "file:"+t.TempDir(), c) }},
	{name: "signed", open: func(t testing.TB, c clock.Clock) Store {
		s, err := NewSigned(c, testSecret, oldSecret)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
	{name: "redis", open: func(t testing.TB, c clock.Clock) Store { return mustOpen(t, storetest.Redis(t), c) },
		expiresItself: "Redis removes expired records itself (TTLs); ClearExpired is a no-op returning 0"},
	{name: "postgres", open: func(t testing.TB, c clock.Clock) Store { return mustOpen(t, storetest.Postgres(t), c) }},
}

func mustOpen(t testing.TB, url string, c clock.Clock) Store {
	t.Helper()
	s, err := Open(url, c)
	if err != nil {
		t.Fatalf("Open(%q): %v", url, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// storeFixture is what each contract behaviour gets: a fresh store, its
// manual clock at tNow, and helpers that fail the test on store errors.
type storeFixture struct {
	t     *testing.T
	store Store
	clock *clock.Manual
	ctx   context.Context
}

func (f *storeFixture) create(data string, lifetime time.Duration) string {
	f.t.Helper()
	key, err := f.store.Create(f.ctx, parseData(f.t, data), f.clock.Now().Add(lifetime))
	if err != nil {
		f.t.Fatalf("Create: %v", err)
	}
	return key
}

// load returns the record's data as compact JSON, or "absent".
func (f *storeFixture) load(key string) string {
	f.t.Helper()
	data, _, found, err := f.store.Load(f.ctx, key)
	if err != nil {
		f.t.Fatalf("Load: %v", err)
	}
	if !found {
		return "absent"
	}
	b, err := json.Marshal(data)
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

func (f *storeFixture) exists(key string) bool {
	f.t.Helper()
	ok, err := f.store.Exists(f.ctx, key)
	if err != nil {
		f.t.Fatalf("Exists: %v", err)
	}
	return ok
}

func (f *storeFixture) clearExpired() int {
	f.t.Helper()
	n, err := f.store.ClearExpired(f.ctx)
	if err != nil {
		f.t.Fatalf("ClearExpired: %v", err)
	}
	return n
}

func parseData(t testing.TB, s string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test data %q: %v", s, err)
	}
	return m
}

// storeBehaviours is the contract every Store keeps. Each case gets a fresh
// store and clock. serverSide cases need a record on the server and are
// skipped for the signed store; signedOnly cases document what it does
// instead.
var storeBehaviours = []struct {
	name       string
	serverSide bool
	signedOnly bool
	// sweeps: the case needs ClearExpired to remove records, which a store
	// that expires them itself (backendUnderTest.expiresItself) leaves to
	// the store.
	sweeps bool
	run    func(f *storeFixture)
}{
	{name: "create then load returns the data, compacted", run: func(f *storeFixture) {
		key := f.create(`{"a": 1, "b": {"c": [true, null, "é"]}, "n": 12345678901234567890}`, time.Hour)
		if got, want := f.load(key), `{"a":1,"b":{"c":[true,null,"é"]},"n":12345678901234567890}`; got != want {
			f.t.Errorf("load = %s, want %s", got, want)
		}
		if !f.exists(key) {
			f.t.Error("Exists = false for a live record")
		}
	}},
	{name: "load returns the expiry given at create", run: func(f *storeFixture) {
		exp := tNow.Add(90*time.Minute + 123*time.Nanosecond)
		key, err := f.store.Create(f.ctx, nil, exp)
		if err != nil {
			f.t.Fatal(err)
		}
		data, got, found, err := f.store.Load(f.ctx, key)
		if err != nil || !found || len(data) != 0 || !got.Equal(exp) {
			f.t.Errorf("Load = %v, %v, %v, %v; want {}, %v, true, nil", data, got, found, err, exp)
		}
	}},
	{name: "every Create mints a distinct key", run: func(f *storeFixture) {
		seen := map[string]bool{}
		for range 50 {
			k := f.create(`{"same":"data"}`, time.Hour)
			if seen[k] {
				f.t.Fatalf("Create returned %q twice", k)
			}
			seen[k] = true
		}
	}},
	{name: "server-side keys have NewKey's shape", serverSide: true, run: func(f *storeFixture) {
		if k := f.create(`{}`, time.Hour); !isValidKey(k) {
			f.t.Errorf("Create returned %q, not 32 chars of [a-z2-7]", k)
		}
	}},
	{name: "a record is live until its expiry and expired from that instant", run: func(f *storeFixture) {
		key := f.create(`{"a":1}`, 10*time.Second)
		f.clock.Advance(10*time.Second - time.Nanosecond)
		if f.load(key) == "absent" || !f.exists(key) {
			f.t.Fatal("record gone 1ns before its expiry")
		}
		f.clock.Advance(time.Nanosecond)
		if got := f.load(key); got != "absent" {
			f.t.Errorf("load at expiry = %s, want absent", got)
		}
		if f.exists(key) {
			f.t.Error("Exists = true at expiry")
		}
	}},
	{name: "an expiry at or before now, or the zero time, is never live", run: func(f *storeFixture) {
		for _, exp := range []time.Time{{}, tNow, tNow.Add(-time.Hour), time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)} {
			key, err := f.store.Create(f.ctx, parseData(f.t, `{"a":1}`), exp)
			if err != nil {
				f.t.Fatal(err)
			}
			if got := f.load(key); got != "absent" {
				f.t.Errorf("expiry %v: load = %s, want absent", exp, got)
			}
		}
	}},
	{name: "an expiry beyond 2262 is live", run: func(f *storeFixture) {
		key, err := f.store.Create(f.ctx, parseData(f.t, `{"a":1}`), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			f.t.Fatal(err)
		}
		if got := f.load(key); got != `{"a":1}` {
			f.t.Errorf("load = %s", got)
		}
	}},
	{name: "unknown and malformed keys are not found", run: func(f *storeFixture) {
		real := f.create(`{"a":1}`, time.Hour)
		for _, k := range []string{
			"", NewKey(), strings.ToUpper(real), real + "a", real[:31], "../" + real[3:],
			"../../../../etc/passwd", "a/b", real[:30] + "\x00a", "sessionid", strings.Repeat("a", 4097),
		} {
			if got := f.load(k); got != "absent" {
				f.t.Errorf("load(%q) = %s, want absent", k, got)
			}
			if f.exists(k) {
				f.t.Errorf("Exists(%q) = true", k)
			}
		}
	}},
	{name: "Save replaces data and expiry of a live record", serverSide: true, run: func(f *storeFixture) {
		key := f.create(`{"a":1}`, time.Minute)
		if err := f.store.Save(f.ctx, key, parseData(f.t, `{"b":2}`), tNow.Add(time.Hour)); err != nil {
			f.t.Fatal(err)
		}
		f.clock.Advance(30 * time.Minute)
		if got := f.load(key); got != `{"b":2}` {
			f.t.Errorf("load = %s, want {\"b\":2}", got)
		}
	}},
	{name: "Save never creates a record: unknown, malformed, expired, deleted", serverSide: true, run: func(f *storeFixture) {
		expired := f.create(`{"a":1}`, time.Second)
		deleted := f.create(`{"a":1}`, time.Hour)
		if err := f.store.Delete(f.ctx, deleted); err != nil {
			f.t.Fatal(err)
		}
		f.clock.Advance(time.Second)
		for _, k := range []string{NewKey(), "../x", "", expired, deleted} {
			err := f.store.Save(f.ctx, k, parseData(f.t, `{"evil":1}`), tNow.Add(time.Hour))
			if !errors.Is(err, ErrNotFound) {
				f.t.Errorf("Save(%q) = %v, want ErrNotFound", k, err)
			}
			if got := f.load(k); got != "absent" {
				f.t.Errorf("after Save(%q): load = %s, want absent", k, got)
			}
		}
	}},
	{name: "Delete removes the record; deleting again is not an error", serverSide: true, run: func(f *storeFixture) {
		key := f.create(`{"a":1}`, time.Hour)
		for range 2 {
			if err := f.store.Delete(f.ctx, key); err != nil {
				f.t.Fatalf("Delete: %v", err)
			}
			if got := f.load(key); got != "absent" {
				f.t.Errorf("load after Delete = %s", got)
			}
		}
		if err := f.store.Delete(f.ctx, "../../etc/passwd"); err != nil {
			f.t.Errorf("Delete of a malformed key: %v", err)
		}
	}},
	{name: "signed: Delete cannot invalidate a token (documented weakness)", signedOnly: true, run: func(f *storeFixture) {
		key := f.create(`{"user":"alice"}`, time.Hour)
		if err := f.store.Delete(f.ctx, key); err != nil {
			f.t.Fatal(err)
		}
		if got := f.load(key); got != `{"user":"alice"}` {
			f.t.Errorf("load after Delete = %s; the signed store has nothing to delete, a copied token stays valid", got)
		}
	}},
	{name: "signed: Save is refused, Create re-signs", signedOnly: true, run: func(f *storeFixture) {
		key := f.create(`{"a":1}`, time.Hour)
		if err := f.store.Save(f.ctx, key, nil, tNow.Add(time.Hour)); err == nil {
			f.t.Error("Save on the signed store succeeded")
		}
	}},
	{name: "ClearExpired removes exactly the expired records", serverSide: true, sweeps: true, run: func(f *storeFixture) {
		var early, boundary, late []string
		for range 3 {
			early = append(early, f.create(`{"e":1}`, 5*time.Second))
			boundary = append(boundary, f.create(`{"b":1}`, 10*time.Second))
		}
		for range 2 {
			late = append(late, f.create(`{"l":1}`, 10*time.Second+time.Nanosecond))
		}
		if n := f.clearExpired(); n != 0 {
			f.t.Errorf("ClearExpired before anything expired = %d, want 0", n)
		}
		f.clock.Advance(10 * time.Second)
		if n := f.clearExpired(); n != 6 {
			f.t.Errorf("ClearExpired = %d, want 6 (3 expired 5s ago, 3 expiring now)", n)
		}
		if n := f.clearExpired(); n != 0 {
			f.t.Errorf("second ClearExpired = %d, want 0", n)
		}
		for _, k := range late {
			if got := f.load(k); got != `{"l":1}` {
				f.t.Errorf("live record %s after ClearExpired: %s", k, got)
			}
		}
		// The expired records are gone for good: moving the clock back (which
		// clock.Virtual never does) must not revive them.
		f.clock.Set(tNow)
		for _, k := range append(early, boundary...) {
			if f.exists(k) {
				f.t.Errorf("expired record %s survived ClearExpired", k)
			}
		}
	}},
	{name: "signed: ClearExpired has nothing to remove", signedOnly: true, run: func(f *storeFixture) {
		f.create(`{"a":1}`, time.Second)
		f.clock.Advance(time.Hour)
		if n := f.clearExpired(); n != 0 {
			f.t.Errorf("ClearExpired = %d, want 0", n)
		}
	}},
	{name: "the store keeps its own copy of the data", run: func(f *storeFixture) {
		data := parseData(f.t, `{"a":[1,2]}`)
		key, err := f.store.Create(f.ctx, data, tNow.Add(time.Hour))
		if err != nil {
			f.t.Fatal(err)
		}
		data["a"][1] = '9'
		data["b"] = json.RawMessage(`2`)
		loaded, _, _, _ := f.store.Load(f.ctx, key)
		loaded["c"] = json.RawMessage(`3`)
		if got := f.load(key); got != `{"a":[1,2]}` {
			f.t.Errorf("load = %s, want {\"a\":[1,2]}", got)
		}
	}},
	{name: "invalid JSON is refused, not stored", run: func(f *storeFixture) {
		bad := map[string]json.RawMessage{"a": json.RawMessage(`{nope`)}
		if _, err := f.store.Create(f.ctx, bad, tNow.Add(time.Hour)); err == nil {
			f.t.Error("Create accepted invalid JSON")
		}
	}},
	{name: "a cancelled context is an error", run: func(f *storeFixture) {
		key := f.create(`{"a":1}`, time.Hour)
		ctx, cancel := context.WithCancel(f.ctx)
		cancel()
		if _, _, _, err := f.store.Load(ctx, key); err == nil {
			f.t.Error("Load with a cancelled context succeeded")
		}
		if _, err := f.store.Create(ctx, nil, tNow.Add(time.Hour)); err == nil {
			f.t.Error("Create with a cancelled context succeeded")
		}
	}},
}

func TestStoreContract(t *testing.T) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			for _, tc := range storeBehaviours {
				if b.name == "signed" && tc.serverSide || b.name != "signed" && tc.signedOnly {
					continue
				}
				t.Run(tc.name, func(t *testing.T) {
					if tc.sweeps && b.expiresItself != "" {
						t.Skip(b.expiresItself)
					}
					c := clock.NewManual(tNow)
					tc.run(&storeFixture{t: t, store: b.open(t, c), clock: c, ctx: context.Background()})
				})
			}
		})
	}
}

func TestNewKey(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		k := NewKey()
		if !isValidKey(k) {
			t.Fatalf("NewKey() = %q: not 32 chars of [a-z2-7]", k)
		}
		if seen[k] {
			t.Fatalf("NewKey() repeated %q", k)
		}
		seen[k] = true
		if b, err := keyEncoding.DecodeString(k); err != nil || len(b)*8 < 128 {
			t.Fatalf("NewKey() = %q carries %d bits, want at least 128 (ASVS 5.0.0 §7.2.3)", k, len(b)*8)
		}
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(SecretKeyEnv, string(testSecret))
	c := clock.NewManual(tNow)
	for _, url := range []string{"memory", "sqlite:" + filepath.Join(dir, "s.db"), "file:" + filepath.Join(dir, "files"), "signed"} {
		s, err := Open(url, c)
		if err != nil {
			t.Errorf("Open(%q): %v", url, err)
			continue
		}
		s.Close()
	}

	for _, tc := range []struct{ url, want string }{
		{"mysql://localhost/x", "redis://HOST:PORT/DB, postgres://USER@HOST:PORT/DB"},
		{"postgres://u:hunter2@127.0.0.1:1/x", "postgres://u:xxxxx@127.0.0.1:1/x"},
		{"postgres://u:hunter2@127.0.0.1:1/x", "does not answer"},
		{"redis://:hunter2@127.0.0.1:1/0", "does not answer"},
		{"redis://127.0.0.1:1/0?prefix=a%20b", "prefix"},
		{"redis://127.0.0.1:1/zero", "invalid database number"},
		{"redis://:hunter2@127.0.0.1:port/0", "malformed URL"},
		{"mem", `unknown store URL "mem"`},
		{"memory:x", "takes no argument"},
		{"sqlite:", "no path"},
		{"sqlite::memory:", `use "memory"`},
		{"sqlite:a?b", "contains '?'"},
		{"file:", "no directory"},
		{"signed:" + string(testSecret), "never from the URL"},
	} {
		_, err := Open(tc.url, c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%q) = %v, want an error containing %q", tc.url, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q) leaks the password: %v", tc.url, err)
		}
	}

	t.Setenv(SecretKeyEnv, "")
	if _, err := Open("signed", c); err == nil || !strings.Contains(err.Error(), SecretKeyEnv) {
		t.Errorf("Open(signed) without a secret = %v, want an error naming %s", err, SecretKeyEnv)
	}
	t.Setenv(SecretKeyEnv, "short")
	if _, err := Open("signed", c); err == nil {
		t.Error("Open(signed) accepted a 5-byte secret")
	}
}

func TestOpenDefaultIsSQLite(t *testing.T) {
	t.Chdir(t.TempDir())
	s, err := Open("", clock.NewManual(tNow))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if rs, ok := s.(*recordStore); !ok {
		t.Errorf("Open(\"\") = %T, want the SQLite store", s)
	} else if _, ok := rs.records.(*sqliteStore); !ok {
		t.Errorf("Open(\"\") keeps records in %T, want the SQLite store", rs.records)
	}
	if _, err := os.Stat(strings.TrimPrefix(DefaultURL, "sqlite:")); err != nil {
		t.Error(err)
	}
}
