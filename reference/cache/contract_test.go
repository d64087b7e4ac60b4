package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/internal/storetest"
	"github.com/httpcheck/httpcheck/reference/clock"
)

// tNow is the fixed start of every test's clock.
var tNow = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// backend names a fresh location of one kind for a test: a directory or a
// database file in its temporary directory, or a Redis key prefix or a
// PostgreSQL schema of its own (reference/internal/storetest), removed when
// it ends. Redis and PostgreSQL tests are skipped when the server does not
// answer.
type backend struct {
	name string
	url  func(t testing.TB) string
}

var testBackends = []backend{
	{"memory", func(testing.TB) string { return "memory" }},
	{"file", func(t testing.TB) string { return "file:" + filepath.Join(t.TempDir(), "cache") }},
	{"sqlite", func(t testing.TB) string { return "sqlite:" + filepath.Join(t.TempDir(), "cache.db") }},
	{"redis", storetest.Redis},
	{"postgres", storetest.Postgres},
}

// forEachBackend runs f as a subtest per backend.
func forEachBackend(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}

// openTest opens a cache of kind b with options o on a manual clock at
// tNow, closed at the end of the test.
func openTest(t *testing.T, b backend, o Options) (Cache, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(tNow)
	c, err := Open(b.url(t), o, clk)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c, clk
}

// contractCase is a scenario run on a fresh cache of every backend. Each
// step is "OP ARGS => WANT", or "advance DURATION" to move the clock
// (which starts at tNow). Operations and their answers:
//
//	set K V [T]           => ok
//	get K                 => V | miss
//	add K V [T]           => true | false
//	get_or_set K V [T]    => V
//	get_many K,K,...      => {"k":v,...}  (found keys only, sorted)
//	set_many {JSON} [T]   => [failed keys]
//	delete K              => true | false
//	delete_many K,K,...   => N
//	incr K N              => N | ErrNotFound | ErrNotInteger
//	touch K [T]           => true | false
//	clear                 => ok
//	len                   => N
//
// T is a number of seconds or "never"; without it the timeout is
// Default(). Values are JSON without spaces.
type contractCase struct {
	name  string
	opts  func(*Options) // changes to DefaultOptions, if any
	steps []string
}

var contractCases = []contractCase{
	{name: "set and get", steps: []string{
		"get a => miss",
		"set a 1 => ok",
		"get a => 1",
		`set a {"x":[1,"y"]} => ok`,
		`get a => {"x":[1,"y"]}`,
		`set s "text" => ok`,
		`get s => "text"`,
		"set n null => ok",
		"get n => null",
		"len => 3",
	}},
	{name: "add only when absent", steps: []string{
		"add a 1 => true",
		"add a 2 => false",
		"get a => 1",
		"set b 1 5 => ok",
		"advance 5s",
		"add b 2 => true", // an expired entry counts as absent
		"get b => 2",
		"add c 1 0 => true", // would be added, but expired at once
		"get c => miss",
		"add a 3 0 => false",
		"get a => 1",
	}},
	{name: "get_or_set", steps: []string{
		"get_or_set a 1 => 1",
		"get a => 1",
		"get_or_set a 2 => 1",
		"get_or_set b 3 10 => 3",
		"advance 10s",
		"get b => miss",
		"get_or_set b 4 => 4",
		"get_or_set c 5 0 => 5", // answered, not stored
		"get c => miss",
		"len => 2",
	}},
	{name: "get_many and set_many", steps: []string{
		`set_many {"a":1,"b":"two","c":[3]} => []`,
		`get_many a,b,c,zz => {"a":1,"b":"two","c":[3]}`,
		"get_many zz,yy => {}",
		`set_many {"a":10,"d":4} 5 => []`,
		"advance 5s",
		`get_many a,b,c,d => {"b":"two","c":[3]}`,
		`set_many {"b":1,"c":1} 0 => []`,
		"get_many a,b,c,d => {}",
		"len => 0",
	}},
	{name: "delete and delete_many", steps: []string{
		"delete a => false",
		"set a 1 => ok",
		"delete a => true",
		"delete a => false",
		"get a => miss",
		`set_many {"a":1,"b":2,"c":3} => []`,
		"delete_many a,b,zz,a => 2",
		"get_many a,b,c => {\"c\":3}",
		"set d 1 5 => ok",
		"advance 5s",
		"delete d => false", // expired is absent
		"delete_many c,d => 1",
		"len => 0",
	}},
	{name: "incr and decr", steps: []string{
		"incr a 1 => ErrNotFound",
		"set a 5 => ok",
		"incr a 3 => 8",
		"incr a -10 => -2",
		"get a => -2",
		`set s "5" => ok`,
		"incr s 1 => ErrNotInteger",
		"set f 1.5 => ok",
		"incr f 1 => ErrNotInteger",
		"set big 9223372036854775807 => ok",
		"incr big 1 => ErrNotInteger",
		"incr big -1 => 9223372036854775806",
		"set e 1 10 => ok",
		"advance 5s",
		"incr e 1 => 2", // keeps its expiry
		"advance 5s",
		"get e => miss",
		"incr e 1 => ErrNotFound",
	}},
	{name: "default timeout is 300 s", steps: []string{
		"set a 1 => ok",
		"add b 1 => true",
		"get_or_set c 1 => 1",
		`set_many {"d":1} => []`,
		"advance 299s",
		"get_many a,b,c,d => {\"a\":1,\"b\":1,\"c\":1,\"d\":1}",
		"advance 1s",
		"get_many a,b,c,d => {}",
	}},
	{name: "alias default timeout", opts: func(o *Options) { o.DefaultTimeout = Seconds(10) }, steps: []string{
		"set a 1 => ok",
		"set b 1 20 => ok",
		"advance 10s",
		"get a => miss",
		"get b => 1",
	}},
	{name: "alias default never", opts: func(o *Options) { o.DefaultTimeout = Never() }, steps: []string{
		"set a 1 => ok",
		"advance 876000h",
		"get a => 1",
	}},
	{name: "explicit timeouts", steps: []string{
		"set a 1 10 => ok",
		"set n 1 never => ok",
		"set z 1 0 => ok",
		"set m 1 -5 => ok",
		"get z => miss",
		"get m => miss",
		"advance 9s",
		"get a => 1",
		"advance 1s",
		"get a => miss", // expired at exactly its expiry
		"advance 876000h",
		"get n => 1",
		"len => 1",
	}},
	{name: "timeout 0 or less removes an older entry", steps: []string{
		"set a 1 => ok",
		"set a 2 0 => ok",
		"get a => miss",
		"set b 1 => ok",
		"set b 2 -1 => ok",
		"get b => miss",
		"len => 0",
	}},
	{name: "touch", steps: []string{
		"touch a 10 => false",
		"set a 1 10 => ok",
		"advance 5s",
		"touch a 10 => true", // now expires 15 s after start
		"advance 9s",
		"get a => 1",
		"advance 1s",
		"get a => miss",
		"touch a => false",
		"set b 1 10 => ok",
		"touch b never => true",
		"advance 876000h",
		"get b => 1",
		"touch b 0 => true", // ends its life
		"get b => miss",
		"touch b 0 => false",
		"set c 1 10 => ok",
		"touch c => true", // the default, 300 s
		"advance 299s",
		"get c => 1",
	}},
	{name: "clear and len", steps: []string{
		`set_many {"a":1,"b":2,"c":3} => []`,
		"set d 4 5 => ok",
		"len => 4",
		"advance 5s",
		"len => 3",
		"clear => ok",
		"len => 0",
		"get a => miss",
	}},
	{name: "culling removes the soonest to expire, keeps the newest", opts: maxEntries(3, 3), steps: []string{
		"set a 1 100 => ok",
		"set b 2 200 => ok",
		"set c 3 300 => ok",
		"set d 4 => ok", // full: 3/3 = 1 culled
		"len => 3",
		"get_many a,b,c,d => {\"b\":2,\"c\":3,\"d\":4}",
	}},
	{name: "culling drops expired entries first", opts: maxEntries(3, 3), steps: []string{
		"set a 1 10 => ok",
		"set b 2 => ok",
		"set c 3 => ok",
		"advance 10s",
		"set d 4 => ok", // a was expired: nothing fresh is culled
		"get_many a,b,c,d => {\"b\":2,\"c\":3,\"d\":4}",
	}},
	{name: "culling a third", opts: maxEntries(9, 3), steps: []string{
		`set_many {"k1":1,"k2":1,"k3":1,"k4":1,"k5":1,"k6":1,"k7":1,"k8":1,"k9":1} => []`,
		"len => 9",
		"set new 1 => ok", // 9/3 = 3 culled
		"len => 7",
		"get new => 1",
	}},
	{name: "culling never overfills", opts: maxEntries(2, 3), steps: []string{
		"set a 1 10 => ok",
		"set b 1 20 => ok",
		"set c 1 => ok", // 2/3 = 0, but one must go
		"len => 2",
		"get_many a,b,c => {\"b\":1,\"c\":1}",
		"add d 1 => true",
		"get_or_set e 1 => 1",
		"len => 2",
		"get e => 1",
	}},
	{name: "cull_frequency 0 clears everything", opts: maxEntries(3, 0), steps: []string{
		`set_many {"a":1,"b":2,"c":3} => []`,
		"set d 4 => ok",
		"len => 1",
		"get_many a,b,c,d => {\"d\":4}",
	}},
	{name: "overwriting when full does not cull", opts: maxEntries(3, 3), steps: []string{
		`set_many {"a":1,"b":2,"c":3} => []`,
		"set b 20 => ok",
		"incr c 1 => 4",
		"touch a 10 => true",
		"len => 3",
		"get_many a,b,c => {\"a\":1,\"b\":20,\"c\":4}",
	}},
	{name: "set_many culls as it goes", opts: maxEntries(3, 3), steps: []string{
		`set_many {"a":1,"b":2,"c":3,"d":4,"e":5} => []`,
		"len => 3",
		"get e => 5",
	}},
}

// maxEntries returns an opts function setting MaxEntries and
// CullFrequency.
func maxEntries(n, cullFrequency int) func(*Options) {
	return func(o *Options) { o.MaxEntries, o.CullFrequency = n, cullFrequency }
}

func TestContract(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		for _, tc := range contractCases {
			t.Run(tc.name, func(t *testing.T) {
				o := DefaultOptions()
				if tc.opts != nil {
					tc.opts(&o)
				}
				c, clk := openTest(t, b, o)
				for i, step := range tc.steps {
					op, want, _ := strings.Cut(step, " => ")
					if d, ok := strings.CutPrefix(op, "advance "); ok {
						dur, err := time.ParseDuration(d)
						if err != nil {
							t.Fatalf("step %d %q: %v", i, step, err)
						}
						clk.Advance(dur)
						continue
					}
					if got := runStep(t, c, op); got != want {
						t.Fatalf("step %d: %s\n got %s\nwant %s", i, op, got, want)
					}
				}
			})
		}
	})
}

// runStep performs one contract step and returns its answer as text.
func runStep(t *testing.T, c Cache, op string) string {
	t.Helper()
	ctx := context.Background()
	f := strings.Fields(op)
	arg := func(i int) string {
		if i >= len(f) {
			t.Fatalf("step %q: missing argument %d", op, i)
		}
		return f[i]
	}
	timeout := func(i int) Timeout {
		if i >= len(f) {
			return Default()
		}
		if f[i] == "never" {
			return Never()
		}
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			t.Fatalf("step %q: timeout: %v", op, err)
		}
		return Seconds(n)
	}
	answer := func(v any, err error) string {
		switch {
		case errors.Is(err, ErrNotFound):
			return "ErrNotFound"
		case errors.Is(err, ErrNotInteger):
			return "ErrNotInteger"
		case errors.Is(err, ErrBadKey):
			return "ErrBadKey"
		case err != nil:
			t.Fatalf("step %q: %v", op, err)
		}
		switch v := v.(type) {
		case json.RawMessage:
			return string(v)
		case nil:
			return "ok"
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	switch f[0] {
	case "set":
		return answer(nil, c.Set(ctx, arg(1), json.RawMessage(arg(2)), timeout(3)))
	case "get":
		v, found, err := c.Get(ctx, arg(1))
		if err == nil && !found {
			return "miss"
		}
		return answer(v, err)
	case "add":
		return answer(c.Add(ctx, arg(1), json.RawMessage(arg(2)), timeout(3)))
	case "get_or_set":
		v, err := c.GetOrSet(ctx, arg(1), json.RawMessage(arg(2)), timeout(3))
		return answer(v, err)
	case "get_many":
		v, err := c.GetMany(ctx, strings.Split(arg(1), ","))
		return answer(v, err)
	case "set_many":
		var values map[string]json.RawMessage
		if err := json.Unmarshal([]byte(arg(1)), &values); err != nil {
			t.Fatalf("step %q: %v", op, err)
		}
		return answer(c.SetMany(ctx, values, timeout(2)))
	case "delete":
		return answer(c.Delete(ctx, arg(1)))
	case "delete_many":
		return answer(c.DeleteMany(ctx, strings.Split(arg(1), ",")))
	case "incr":
		n, err := strconv.ParseInt(arg(2), 10, 64)
		if err != nil {
			t.Fatalf("step %q: %v", op, err)
		}
		return answer(c.Incr(ctx, arg(1), n))
	case "touch":
		return answer(c.Touch(ctx, arg(1), timeout(2)))
	case "clear":
		return answer(nil, c.Clear(ctx))
	case "len":
		return answer(c.Len(ctx))
	}
	t.Fatalf("unknown step %q", op)
	return ""
}

// TestBadKeys: every operation refuses an invalid key with ErrBadKey and
// changes nothing.
func TestBadKeys(t *testing.T) {
	bad := []string{
		"",
		strings.Repeat("k", 251),
		"with space",
		"tab\there",
		"nl\n",
		"nul\x00",
		"del\x7f",
		"bad\xffutf8",
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		c, _ := openTest(t, b, DefaultOptions())
		ctx := context.Background()
		v := json.RawMessage("1")
		if err := c.Set(ctx, strings.Repeat("k", 250), v, Default()); err != nil {
			t.Errorf("Set(250-byte key) = %v, want nil", err)
		}
		for _, key := range bad {
			ops := map[string]error{}
			_, _, ops["Get"] = c.Get(ctx, key)
			ops["Set"] = c.Set(ctx, key, v, Default())
			_, ops["Add"] = c.Add(ctx, key, v, Default())
			_, ops["GetOrSet"] = c.GetOrSet(ctx, key, v, Default())
			_, ops["GetMany"] = c.GetMany(ctx, []string{"ok", key})
			_, ops["SetMany"] = c.SetMany(ctx, map[string]json.RawMessage{"ok": v, key: v}, Default())
			_, ops["Delete"] = c.Delete(ctx, key)
			_, ops["DeleteMany"] = c.DeleteMany(ctx, []string{"ok", key})
			_, ops["Incr"] = c.Incr(ctx, key, 1)
			_, ops["Touch"] = c.Touch(ctx, key, Default())
			for op, err := range ops {
				if !errors.Is(err, ErrBadKey) {
					t.Errorf("%s(%q) = %v, want ErrBadKey", op, key, err)
				}
			}
		}
		if n, err := c.Len(ctx); n != 1 || err != nil {
			t.Errorf("Len = %d, %v; want 1 (the 250-byte key only)", n, err)
		}
	})
}

// TestKeyPrefix: the prefix separates key spaces at one location and
// counts towards the key length.
func TestKeyPrefix(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		url := b.url(t)
		ctx := context.Background()
		o := DefaultOptions()
		o.KeyPrefix = "app1"
		c1, err := Open(url, o, clock.NewManual(tNow))
		if err != nil {
			t.Fatal(err)
		}
		defer c1.Close()
		if err := c1.Set(ctx, "k", json.RawMessage(`"one"`), Default()); err != nil {
			t.Fatal(err)
		}
		if err := c1.Set(ctx, strings.Repeat("k", 245), json.RawMessage("1"), Default()); err != nil {
			t.Errorf("245-byte key with 5-byte prefix: %v", err)
		}
		if err := c1.Set(ctx, strings.Repeat("k", 246), json.RawMessage("1"), Default()); !errors.Is(err, ErrBadKey) {
			t.Errorf("246-byte key with 5-byte prefix: %v, want ErrBadKey", err)
		}
		if b.name == "memory" {
			return // every memory cache is a location of its own
		}
		o.KeyPrefix = "app2"
		c2, err := Open(url, o, clock.NewManual(tNow))
		if err != nil {
			t.Fatal(err)
		}
		defer c2.Close()
		if _, found, _ := c2.Get(ctx, "k"); found {
			t.Errorf("app2 sees app1's key")
		}
		if got, _ := c1.GetMany(ctx, []string{"k"}); string(got["k"]) != `"one"` {
			t.Errorf("GetMany through prefix = %s", got)
		}
	})
}

// TestReopen: file and SQLite entries, with their expiries, survive
// closing and reopening the cache.
func TestReopen(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		if b.name == "memory" {
			t.Skip("memory does not persist")
		}
		url := b.url(t)
		clk := clock.NewManual(tNow)
		ctx := context.Background()
		c, err := Open(url, DefaultOptions(), clk)
		if err != nil {
			t.Fatal(err)
		}
		c.Set(ctx, "short", json.RawMessage("1"), Seconds(10))
		c.Set(ctx, "forever", json.RawMessage(`{"a":"b"}`), Never())
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.Get(ctx, "short"); err == nil {
			t.Errorf("Get after Close: no error")
		}
		c, err = Open(url, DefaultOptions(), clk)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if got := runStep(t, c, "get_many short,forever"); got != `{"forever":{"a":"b"},"short":1}` {
			t.Errorf("after reopen: %s", got)
		}
		clk.Advance(10 * time.Second)
		if got := runStep(t, c, "get_many short,forever"); got != `{"forever":{"a":"b"}}` {
			t.Errorf("after reopen and 10 s: %s", got)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		url  string
		opts Options
		want string
	}{
		{"mysql://localhost/x", DefaultOptions(), "unsupported cache URL"},
		{"redis://127.0.0.1:1/0", DefaultOptions(), "does not answer"},
		{"postgres://127.0.0.1:1/x", DefaultOptions(), "does not answer"},
		{"", DefaultOptions(), "unsupported cache URL"},
		{"memory:x", DefaultOptions(), "takes no location"},
		{"file:", DefaultOptions(), "needs a directory"},
		{"sqlite:", DefaultOptions(), "needs a database path"},
		{"sqlite:" + dir + "/a?b", DefaultOptions(), "may not contain"},
		{"memory", Options{}, "MaxEntries must be at least 1"},
		{"memory", Options{MaxEntries: 1, CullFrequency: -1}, "CullFrequency"},
		{"memory", Options{MaxEntries: 1, KeyPrefix: "a b"}, "KeyPrefix"},
	} {
		c, err := Open(tc.url, tc.opts, nil)
		if err == nil {
			c.Close()
			t.Errorf("Open(%q, %+v): no error", tc.url, tc.opts)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%q) = %v, want it to say %q", tc.url, err, tc.want)
		}
	}
}

func TestInvalidValue(t *testing.T) {
	c, _ := openTest(t, testBackends[0], DefaultOptions())
	if err := c.Set(context.Background(), "k", json.RawMessage("{"), Default()); err == nil {
		t.Errorf("Set(invalid JSON): no error")
	}
}

func TestMemoryLRU(t *testing.T) {
	c, _ := openTest(t, testBackends[0], Options{DefaultTimeout: Never(), MaxEntries: 3, CullFrequency: 3})
	for _, step := range []string{
		`set a 1 => ok`, `set b 2 => ok`, `set c 3 => ok`,
		`get a => 1`, // b is now the least recently used
		`set d 4 => ok`,
		`get_many a,b,c,d => {"a":1,"c":3,"d":4}`,
		`incr c 1 => 4`, // a is now the least recently used
		`set e 5 => ok`,
		`get_many a,c,d,e => {"c":4,"d":4,"e":5}`,
	} {
		op, want, _ := strings.Cut(step, " => ")
		if got := runStep(t, c, op); got != want {
			t.Fatalf("%s: got %s, want %s", op, got, want)
		}
	}
}

// TestMemoryCopies: neither the caller's value nor a returned one shares
// bytes with the cache.
func TestMemoryCopies(t *testing.T) {
	c, _ := openTest(t, testBackends[0], DefaultOptions())
	ctx := context.Background()
	v := json.RawMessage(`"abc"`)
	c.Set(ctx, "k", v, Default())
	v[1] = 'X'
	got, _, _ := c.Get(ctx, "k")
	got[1] = 'Y'
	if again, _, _ := c.Get(ctx, "k"); string(again) != `"abc"` {
		t.Errorf("stored value changed to %s", again)
	}
}

// TestConcurrentAtomic: Incr, Add and GetOrSet are atomic across
// goroutines.
func TestConcurrentAtomic(t *testing.T) {
	const n = 100
	forEachBackend(t, func(t *testing.T, b backend) {
		c, _ := openTest(t, b, DefaultOptions())
		ctx := context.Background()
		if err := c.Set(ctx, "n", json.RawMessage("0"), Default()); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 3*n)
		added := make(chan bool, n)
		got := make(chan string, n)
		for i := range n {
			go func() {
				_, err := c.Incr(ctx, "n", 1)
				errs <- err
			}()
			go func() {
				ok, err := c.Add(ctx, "once", json.RawMessage(strconv.Itoa(i)), Default())
				added <- ok
				errs <- err
			}()
			go func() {
				v, err := c.GetOrSet(ctx, "first", json.RawMessage(strconv.Itoa(i)), Default())
				got <- string(v)
				errs <- err
			}()
		}
		adds, values := 0, map[string]bool{}
		for range n {
			if <-added {
				adds++
			}
			values[<-got] = true
		}
		for range 3 * n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if v, _, _ := c.Get(ctx, "n"); string(v) != fmt.Sprint(n) {
			t.Errorf("after %d concurrent Incr: %s", n, v)
		}
		if adds != 1 {
			t.Errorf("%d concurrent Add succeeded, want 1", adds)
		}
		if len(values) != 1 {
			t.Errorf("concurrent GetOrSet answered %d different values, want 1", len(values))
		}
	})
}
