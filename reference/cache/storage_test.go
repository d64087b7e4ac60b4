package cache

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// TestSQLiteInMemory: ":memory:" is one database, not one per connection.
func TestSQLiteInMemory(t *testing.T) {
	c, err := Open("sqlite::memory:", DefaultOptions(), clock.NewManual(tNow))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	c.Set(ctx, "n", json.RawMessage("0"), Default())
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.Incr(ctx, "n", 1); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if v, _, _ := c.Get(ctx, "n"); string(v) != "20" {
		t.Errorf("n = %s, want 20", v)
	}
}

// openFileAt opens a file cache in dir as openTest opens one.
func openFileAt(t *testing.T, dir string) Cache {
	c, _ := openTest(t, backend{"file", func(testing.TB) string { return "file:" + dir }}, DefaultOptions())
	return c
}

// TestFileForeignFiles: files the cache did not write read as expired
// entries, other names are left alone, and Clear removes stale temporary
// files.
func TestFileForeignFiles(t *testing.T) {
	dir := t.TempDir()
	c := openFileAt(t, dir)
	ctx := context.Background()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(fileName("garbage"), "not a cache file")
	write(fileName("other"), string(encodeFile(entry{key: "someone-else", value: []byte("1"), expiresAt: neverExpires})))
	write(tempPrefix+"123", "half")
	write("README", "keep me")
	for _, key := range []string{"garbage", "other"} {
		if _, found, err := c.Get(ctx, key); found || err != nil {
			t.Errorf("Get(%q) = %v, %v; want a miss", key, found, err)
		}
	}
	if n, _ := c.Len(ctx); n != 0 {
		t.Errorf("Len = %d, want 0", n)
	}
	if added, _ := c.Add(ctx, "garbage", json.RawMessage("2"), Default()); !added {
		t.Errorf("Add over a corrupt file: not added")
	}
	if err := c.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	des, _ := os.ReadDir(dir)
	if len(des) != 1 || des[0].Name() != "README" {
		t.Errorf("after Clear the directory holds %v, want README only", des)
	}
}
