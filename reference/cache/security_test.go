package cache

// Security defaults of the cache package, each tested so that removing it
// fails a test (docs/reliability.md): file-cache paths never leave their
// directory, whatever the key; sealed entries (the per-view and fragment
// caches) are compared in constant time.

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/internal/mactest"
)

// TestFileKeysNeverLeaveTheDirectory stores keys shaped like paths
// through every operation that writes, and then finds every file under
// the cache's parent directory: each is an entry (a hashed name) in the
// alias's own directory, and the paths the keys spell do not exist.
func TestFileKeysNeverLeaveTheDirectory(t *testing.T) {
	root := t.TempDir()
	a, err := OpenAliases("file:"+filepath.Join(root, "cache"), map[string]Options{DefaultAlias: DefaultOptions(), "other": DefaultOptions()}, clock.NewManual(tNow))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	c, _ := a.Get(DefaultAlias)
	escape := filepath.Join(root, "escaped")
	keys := []string{
		"../escaped", "../../escaped", "../other/x", escape,
		"..\\escaped", "./.tmp-x", ".", "..", "~/escaped", "%2e%2e%2fescaped", "escaped/../../../x",
		strings.Repeat("../", 80) + "x",
	}
	ctx := context.Background()
	v := json.RawMessage(`1`)
	for _, k := range keys {
		if err := c.Set(ctx, k, v, Never()); err != nil {
			t.Fatalf("Set(%q): %v", k, err)
		}
		c.Add(ctx, k+"+add", v, Never())
		c.GetOrSet(ctx, k+"+gos", v, Never())
		c.Incr(ctx, k, 1)
		c.Touch(ctx, k, Seconds(60))
	}
	many := map[string]json.RawMessage{}
	for _, k := range keys {
		many[k+"+many"] = v
	}
	if _, err := c.SetMany(ctx, many, Never()); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "cache", DefaultAlias)
	files := 0
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if filepath.Dir(path) != dir || !isEntryFile(d.Name()) {
			t.Errorf("a key wrote %s, which is not an entry in %s", path, dir)
		}
		files++
		return nil
	})
	if want := 4 * len(keys); files != want {
		t.Errorf("%d entry files, want %d", files, want)
	}
	if _, err := os.Stat(escape); err == nil {
		t.Errorf("%s exists: a key named a path", escape)
	}
	for _, k := range keys {
		if got, found, err := c.Get(ctx, k); !found || err != nil || string(got) != "2" {
			t.Errorf("Get(%q) = %s, %v, %v; want 2", k, got, found, err)
		}
	}
}

// TestSealComparesInConstantTime reads seal.go: unseal compares MACs with
// hmac.Equal and nothing that returns at the first difference.
func TestSealComparesInConstantTime(t *testing.T) {
	mactest.ComparedInConstantTime(t, "seal.go", "unseal")
}
