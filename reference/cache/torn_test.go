package cache

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestFileTornEntriesAreMisses: a file that a power cut left cut short,
// or with zeros where its value was, is a miss, never a value served in
// part. (A killed process cannot tear a file: entries are renamed into
// place whole; cmd/httpcheck's TestServeSurvivesSIGKILL shows that.)
func TestFileTornEntriesAreMisses(t *testing.T) {
	dir := t.TempDir()
	c := openFileAt(t, dir)
	ctx := context.Background()
	value := json.RawMessage(`{"greeting": "hello, world", "n": 1234567890}`)
	path := filepath.Join(dir, fileName("k"))
	for _, tear := range []struct {
		name string
		tear func([]byte) []byte
	}{
		{"cut inside the value", func(b []byte) []byte { return b[:len(b)-10] }},
		{"cut after the number", func(b []byte) []byte { return b[:len(b)-len(`567890}`)] }},
		{"cut before the value", func(b []byte) []byte { return b[:len(b)-len(value)] }},
		{"zeros for the value", func(b []byte) []byte {
			clear(b[len(b)-len(value):])
			return b
		}},
		{"empty", func([]byte) []byte { return nil }},
	} {
		if err := c.Set(ctx, "k", value, Never()); err != nil {
			t.Fatal(err)
		}
		whole, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, tear.tear(whole), 0o600); err != nil {
			t.Fatal(err)
		}
		if v, found, err := c.Get(ctx, "k"); found || err != nil {
			t.Errorf("%s: Get = %s, %v, %v; want a miss", tear.name, v, found, err)
		}
	}
}
