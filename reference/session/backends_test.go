package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// Tests of one backend each, beyond the shared contract of store_test.go.

func TestSQLiteSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.sqlite3")
	c := clock.NewManual(tNow)
	ctx := context.Background()

	s, err := Open("sqlite:"+path, c)
	if err != nil {
		t.Fatal(err)
	}
	live, err := s.Create(ctx, parseData(t, `{"user":"alice"}`), tNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, parseData(t, `{"user":"bob"}`), tNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	c.Advance(time.Minute)
	s = mustOpen(t, "sqlite:"+path, c) // the table exists already: opening again must not fail
	db := s.(*recordStore).records.(*sqliteStore).db
	for pragma, want := range map[string]string{"journal_mode": "wal", "busy_timeout": "10000", "synchronous": "2"} {
		var got string
		if err := db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
	data, exp, found, err := s.Load(ctx, live)
	if err != nil || !found || string(data["user"]) != `"alice"` || !exp.Equal(tNow.Add(time.Hour)) {
		t.Errorf("after reopen: Load = %s, %v, %v, %v", data, exp, found, err)
	}
	if n, err := s.ClearExpired(ctx); n != 1 || err != nil {
		t.Errorf("after reopen: ClearExpired = %d, %v; want 1 (bob's)", n, err)
	}
}

// TestSQLiteConcurrentClients runs 200 clients at once, each with its own
// session, through the whole life of a session. None may see SQLITE_BUSY or
// any other error, nor another client's data.
func TestSQLiteConcurrentClients(t *testing.T) {
	c := clock.NewManual(tNow)
	s := mustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "sessions.sqlite3"), c)
	hammer(t, s, 200)
}

// TestMemoryConcurrentClients is the same for the memory store; run with
// -race it checks the locking.
func TestMemoryConcurrentClients(t *testing.T) {
	hammer(t, mustOpen(t, "memory", clock.NewManual(tNow)), 200)
}

func TestFileConcurrentClients(t *testing.T) {
	hammer(t, mustOpen(t, "file:"+t.TempDir(), clock.NewManual(tNow)), 50)
}

// hammer runs n goroutines, each creating, reading, updating and deleting
// its own session, with ClearExpired sweeping alongside.
func hammer(t *testing.T, s Store, n int) {
	t.Helper()
	ctx := context.Background()
	exp := tNow.Add(time.Hour)
	var wg sync.WaitGroup
	errs := make(chan error, n+1)
	for i := range n {
		wg.Go(func() {
			errs <- func() error {
				mine := json.RawMessage(fmt.Sprint(i))
				key, err := s.Create(ctx, map[string]json.RawMessage{"client": mine}, exp)
				if err != nil {
					return fmt.Errorf("client %d: Create: %w", i, err)
				}
				for round := range 5 {
					data, _, found, err := s.Load(ctx, key)
					if err != nil || !found || string(data["client"]) != string(mine) {
						return fmt.Errorf("client %d round %d: Load = %s, %v, %v", i, round, data, found, err)
					}
					data["round"] = json.RawMessage(fmt.Sprint(round))
					if err := s.Save(ctx, key, data, exp); err != nil {
						return fmt.Errorf("client %d round %d: Save: %w", i, round, err)
					}
				}
				if err := s.Delete(ctx, key); err != nil {
					return fmt.Errorf("client %d: Delete: %w", i, err)
				}
				if ok, err := s.Exists(ctx, key); ok || err != nil {
					return fmt.Errorf("client %d: Exists after Delete = %v, %v", i, ok, err)
				}
				return nil
			}()
		})
	}
	wg.Go(func() {
		for range 10 {
			if _, err := s.ClearExpired(ctx); err != nil {
				errs <- fmt.Errorf("ClearExpired: %w", err)
				return
			}
		}
		errs <- nil
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestFileStoreLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	c := clock.NewManual(tNow)
	s := mustOpen(t, "file:"+dir, c)
	ctx := context.Background()

	// A session file outside the directory, and one inside it under a name
	// that is not a key, are never read, whatever key is asked for.
	secret := `{"expire_at":9223372036854775807,"data":{"stolen":true}}`
	if err := os.WriteFile(filepath.Join(filepath.Dir(dir), "victim.session"), []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Victim.session"), []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"../victim", "..%2fvictim", "Victim", "victim"} {
		if _, _, found, err := s.Load(ctx, k); found || err != nil {
			t.Errorf("Load(%q) = found %v, %v", k, found, err)
		}
	}

	key, err := s.Create(ctx, parseData(t, `{"a":1}`), tNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, key+".session"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("session file mode = %v, want 0600", perm)
	}
	if di, err := os.Stat(dir); err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("directory mode = %v, %v; want 0700", di.Mode().Perm(), err)
	}

	// A claimed but unwritten file (Create in another process, between its
	// O_EXCL and its rename) and a damaged file are not sessions, and
	// ClearExpired leaves them and temporary files alone.
	claimed, damaged := NewKey(), NewKey()
	os.WriteFile(filepath.Join(dir, claimed+".session"), nil, 0o600)
	os.WriteFile(filepath.Join(dir, damaged+".session"), []byte(`{"expire_at":`), 0o600)
	os.WriteFile(filepath.Join(dir, ".tmp-123"), []byte(secret), 0o600)
	for _, k := range []string{claimed, damaged} {
		if _, _, found, err := s.Load(ctx, k); found || err != nil {
			t.Errorf("Load(%s) = found %v, %v", k, found, err)
		}
		if err := s.Save(ctx, k, nil, tNow.Add(time.Hour)); !errors.Is(err, ErrNotFound) {
			t.Errorf("Save(%s) = %v, want ErrNotFound", k, err)
		}
	}
	c.Advance(2 * time.Hour)
	if n, err := s.ClearExpired(ctx); n != 1 || err != nil {
		t.Errorf("ClearExpired = %d, %v; want 1", n, err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 4 {
		t.Errorf("directory holds %v, want Victim.session, .tmp-123 and the two non-sessions", names)
	}
}

func TestSignedTokens(t *testing.T) {
	c := clock.NewManual(tNow)
	ctx := context.Background()
	newSecret := []byte("new-secret-0123456789abcdef0123456789ab")
	oldStore, err := NewSigned(c, oldSecret)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := NewSigned(c, newSecret, oldSecret)
	if err != nil {
		t.Fatal(err)
	}
	retired, err := NewSigned(c, newSecret)
	if err != nil {
		t.Fatal(err)
	}
	data := parseData(t, `{"user":"alice"}`)
	token, err := oldStore.Create(ctx, data, tNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		store Store
		want  bool
	}{
		{"signing secret", oldStore, true},
		{"old secret as fallback", rotated, true},
		{"old secret dropped", retired, false},
	} {
		if _, _, found, err := tc.store.Load(ctx, token); found != tc.want || err != nil {
			t.Errorf("%s: Load = %v, %v; want %v", tc.name, found, err, tc.want)
		}
	}
	// Re-signing after rotation uses the new secret.
	resigned, err := rotated.Create(ctx, data, tNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, found, _ := retired.Load(ctx, resigned); !found {
		t.Error("a token re-signed after rotation does not verify under the new secret alone")
	}

	// Any change to the token, and a token for another purpose signed with
	// the raw secret, are refused.
	version, rest, _ := strings.Cut(token, ".")
	payload, sig, _ := strings.Cut(rest, ".")
	forged := map[string]string{
		"flipped payload byte": version + "." + flip(payload) + "." + sig,
		"flipped MAC byte":     version + "." + payload + "." + flip(sig),
		"other version":        "2." + payload + "." + sig,
		"padded MAC":           token + "=",
		"no MAC":               version + "." + payload,
		"raw secret MAC": version + "." + payload + "." +
			b64.EncodeToString(oldStore.(*signedStore).mac(oldSecret, version+"."+payload)),
	}
	for name, tok := range forged {
		if _, _, found, _ := oldStore.Load(ctx, tok); found {
			t.Errorf("%s: forged token accepted", name)
		}
	}

	// The expiry signed inside the token is enforced.
	short, _ := oldStore.Create(ctx, data, tNow.Add(time.Minute))
	c.Advance(time.Minute)
	if _, _, found, _ := oldStore.Load(ctx, short); found {
		t.Error("expired token accepted")
	}

	if _, err := oldStore.Create(ctx, map[string]json.RawMessage{"big": json.RawMessage(`"` + strings.Repeat("x", 3000) + `"`)}, tNow.Add(2*time.Hour)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Create of 3000 bytes = %v, want ErrTooLarge", err)
	}
	if _, err := NewSigned(c, newSecret, []byte("short")); err == nil || !strings.Contains(err.Error(), "fallback secret 1") {
		t.Errorf("NewSigned with a short fallback = %v", err)
	}
}

// flip changes the middle character of a base64url string to another
// base64url character.
func flip(s string) string {
	i := len(s) / 2
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

// TestClearExpiredAfterReopen: records written by one process are cleared
// by another that opens the same store later, as `httpcheck clearsessions`
// does beside a running serve.
func TestClearExpiredAfterReopen(t *testing.T) {
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "s.db")
	c := clock.NewManual(tNow)
	s, err := Open(url, c)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := s.Create(context.Background(), nil, tNow.Add(time.Duration(i+1)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	c.Advance(2 * time.Minute)
	again, err := Open(url, c)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if n, err := again.ClearExpired(context.Background()); n != 2 || err != nil {
		t.Errorf("ClearExpired = %d, %v; want 2", n, err)
	}
	if _, err := Open("nope", c); err == nil {
		t.Error("Open accepted an unknown URL")
	}
}

// TestSweep runs in a synctest bubble: the ticker's minutes pass at once.
func TestSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := clock.NewManual(tNow)
		s := newMemory(c)
		m := s.records.(*memoryStore)
		ctx, cancel := context.WithCancel(context.Background())
		records := func() int {
			m.mu.RLock()
			defer m.mu.RUnlock()
			return len(m.records)
		}
		s.Create(ctx, nil, tNow.Add(time.Second))
		s.Create(ctx, nil, tNow.Add(time.Hour))
		c.Advance(time.Second)
		done := make(chan error)
		go func() { done <- Sweep(ctx, s, time.Minute) }()
		synctest.Wait() // the first pass runs at once
		if n := records(); n != 1 {
			t.Fatalf("after the first pass: %d records, want 1", n)
		}
		c.Advance(time.Hour)
		time.Sleep(time.Minute) // one tick
		synctest.Wait()
		if n := records(); n != 0 {
			t.Errorf("after a tick: %d records, want 0", n)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Sweep returned %v, want context.Canceled", err)
		}
	})
	if err := Sweep(context.Background(), newMemory(clock.Real{}), 0); err == nil {
		t.Error("Sweep with a zero interval did not fail")
	}
}
