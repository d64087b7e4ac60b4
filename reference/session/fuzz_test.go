package session

// Fuzz targets for what reference/session reads from clients: the session
// cookie's value, as a key of a server-side store or as a signed token,
// and the records a network store gives back. Seed corpora are in
// testdata/fuzz/<target>/; docs/reliability.md has the long runs.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/internal/netstore"
)

// The secrets the signed seeds of FuzzSignedToken were made with: the
// genuine tokens there verify under fuzzSecret until fuzzExpiry.
var (
	fuzzSecret      = []byte("fuzz secret: 32 bytes or more, never used elsewhere")
	fuzzNextSecret  = []byte("the next fuzz secret, after a rotation of fuzzSecret")
	fuzzOtherSecret = []byte("another deployment's secret, which verifies nothing")
	fuzzExpiry      = time.Date(2200, time.January, 1, 0, 0, 0, 0, time.UTC)
)

// FuzzSignedToken: only a token whose HMAC-SHA256 verifies under the
// store's secret, and whose expiry has not passed, is ever loaded; a store
// that rotated the secret (the old one a fallback) accepts exactly the
// same tokens; a store with another secret accepts none of them.
func FuzzSignedToken(f *testing.F) {
	clk := clock.NewManual(tNow)
	current := mustSigned(f, clk, fuzzSecret)
	rotated := mustSigned(f, clk, fuzzNextSecret, fuzzSecret)
	other := mustSigned(f, clk, fuzzOtherSecret)
	late := mustSigned(f, clock.NewManual(fuzzExpiry), fuzzSecret)
	macKey := hmac.New(sha256.New, fuzzSecret)
	macKey.Write([]byte(signedKeyContext))
	key := macKey.Sum(nil)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, token string) {
		data, expiry, found, err := current.Load(ctx, token)
		if err != nil {
			t.Fatalf("Load(%q): %v", token, err)
		}
		_, _, foundRotated, _ := rotated.Load(ctx, token)
		if found != foundRotated {
			t.Fatalf("Load(%q) = %v, but after rotating the secret %v", token, found, foundRotated)
		}
		if !found {
			return
		}
		if _, _, foundOther, _ := other.Load(ctx, token); foundOther {
			t.Fatalf("%q verifies under another secret", token)
		}
		if _, _, foundLate, _ := late.Load(ctx, token); foundLate && !expiry.After(fuzzExpiry) {
			t.Fatalf("%q is loaded after its expiry %v", token, expiry)
		}
		// An oracle apart from verify: the MAC over "1." payload.
		version, rest, _ := strings.Cut(token, ".")
		payload, sig, _ := strings.Cut(rest, ".")
		m := hmac.New(sha256.New, key)
		m.Write([]byte(version + "." + payload))
		if version != signedVersion || sig != b64.EncodeToString(m.Sum(nil)) {
			t.Fatalf("%q is loaded, but its MAC is not HMAC-SHA256 of its payload", token)
		}
		if !expiry.After(tNow) || data == nil {
			t.Fatalf("%q is loaded with expiry %v and data %v", token, expiry, data)
		}
	})
}

func mustSigned(f *testing.F, c clock.Clock, secret []byte, fallbacks ...[]byte) Store {
	s, err := NewSigned(c, secret, fallbacks...)
	if err != nil {
		f.Fatal(err)
	}
	return s
}

// FuzzSessionKey: a server-side store never finds, saves, or names a file
// for a key it did not mint, whatever the cookie held.
func FuzzSessionKey(f *testing.F) {
	clk := clock.NewManual(tNow)
	dir := f.TempDir()
	stores := map[string]Store{"memory": newMemory(clk)}
	for _, url := range []string{"file:" + dir + "/files", "sqlite:" + dir + "/sessions.sqlite3"} {
		s, err := Open(url, clk)
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { s.Close() })
		stores[url[:strings.Index(url, ":")]] = s
	}
	ctx := context.Background()
	data := map[string]json.RawMessage{"k": json.RawMessage(`1`)}
	f.Fuzz(func(t *testing.T, key string) {
		valid := len(key) == keyLen && strings.Trim(key, "abcdefghijklmnopqrstuvwxyz234567") == ""
		if isValidKey(key) != valid {
			t.Fatalf("isValidKey(%q) = %v", key, !valid)
		}
		for name, s := range stores {
			if _, _, found, err := s.Load(ctx, key); found || err != nil {
				t.Fatalf("%s: Load(%q) = %v, %v for a key never minted", name, key, found, err)
			}
			if found, err := s.Exists(ctx, key); found || err != nil {
				t.Fatalf("%s: Exists(%q) = %v, %v", name, key, found, err)
			}
			if err := s.Save(ctx, key, data, tNow.Add(time.Hour)); !errors.Is(err, ErrNotFound) {
				t.Fatalf("%s: Save(%q) = %v, want ErrNotFound: a key the client made up is never adopted", name, key, err)
			}
			if err := s.Delete(ctx, key); err != nil {
				t.Fatalf("%s: Delete(%q): %v", name, key, err)
			}
		}
		if des, err := os.ReadDir(dir + "/files"); err != nil || len(des) != 0 {
			t.Fatalf("the file store's directory holds %v (%v) after key %q", des, err, key)
		}
	})
}

// FuzzParseRecord: a Redis record is an expiry of netstore.SortableTimeLen
// digits and the data; what parses writes back the same.
func FuzzParseRecord(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		exp, data, err := parseRecord(v)
		if err != nil {
			return
		}
		if back := netstore.SortableTime(exp) + string(data); back != v {
			t.Fatalf("parseRecord(%q) = %d, %q, which writes back as %q", v, exp, data, back)
		}
	})
}
