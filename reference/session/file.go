package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// fileStore keeps one file per session in a directory, like Django's file
// backend: KEY.session holding {"expire_at": unix-nanos, "data": {...}}.
//
// Path traversal. A key becomes a file name only after isValidKey has
// checked that it is exactly 32 characters of [a-z2-7]: no separator, no
// dot, nothing a file system interprets.
//
// Atomicity. Every write goes to a temporary file in the same directory and
// is renamed over the record, so a reader sees the old record or the new
// one, never half of either. Create first claims the name with O_EXCL, so
// two processes sharing the directory never hand out the same key. Within
// this process mu serialises the read-check-write of Save against Delete,
// so a Save never brings back a record a concurrent logout just deleted;
// processes sharing a directory are not serialised against each other
// (there is no portable file lock in the standard library).
//
// Files are created 0600 in a 0700 directory: session data may be personal.
type fileStore struct {
	dir string
	mu  sync.Mutex
}

// fileSuffix ends every session file name. Temporary files start with '.',
// so no temporary file ever looks like a session.
const fileSuffix = ".session"

type fileRecord struct {
	ExpireAt int64           `json:"expire_at"` // Unix nanoseconds
	Data     json.RawMessage `json:"data"`
}

func openFile(dir string, c clock.Clock) (Store, error) {
	if dir == "" {
		return nil, errors.New("file: want file:DIR, got no directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("file: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("file: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("file: %s is not a directory", dir)
	}
	return newRecordStore(c, &fileStore{dir: dir}), nil
}

// path returns the file of a key that isValidKey accepted.
func (f *fileStore) path(key string) string { return filepath.Join(f.dir, key+fileSuffix) }

// read returns the record in the file of key; found is false when there is
// no file, or when it cannot be parsed (an O_EXCL claim that Create has not
// yet filled, or a file damaged outside this program): such a file is never
// served as a session.
func (f *fileStore) read(key string) (rec fileRecord, found bool, err error) {
	b, err := os.ReadFile(f.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, fmt.Errorf("file: reading a session: %w", err)
	}
	if err := json.Unmarshal(b, &rec); err != nil || rec.Data == nil {
		return rec, false, nil
	}
	return rec, true, nil
}

// write replaces the file of key atomically.
func (f *fileStore) write(key string, data []byte, expiry int64) error {
	b, err := json.Marshal(fileRecord{ExpireAt: expiry, Data: data})
	if err != nil {
		return fmt.Errorf("file: encoding a session: %w", err)
	}
	tmp, err := os.CreateTemp(f.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("file: writing a session: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("file: writing a session: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("file: writing a session: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("file: writing a session: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.path(key)); err != nil {
		return fmt.Errorf("file: writing a session: %w", err)
	}
	f.syncDir()
	return nil
}

// syncDir makes a rename or removal durable. Not every system can sync a
// directory (Windows cannot); the data itself was synced already.
func (f *fileStore) syncDir() {
	if d, err := os.Open(f.dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func (f *fileStore) load(_ context.Context, key string, now int64) ([]byte, int64, bool, error) {
	rec, found, err := f.read(key)
	if err != nil || !found || !isLiveAt(rec.ExpireAt, now) {
		return nil, 0, false, err
	}
	return rec.Data, rec.ExpireAt, true, nil
}

func (f *fileStore) update(_ context.Context, key string, data []byte, expiry, now int64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec, found, err := f.read(key)
	if err != nil || !found || !isLiveAt(rec.ExpireAt, now) {
		return false, err
	}
	return true, f.write(key, data, expiry)
}

func (f *fileStore) delete(_ context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.Remove(f.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("file: deleting a session: %w", err)
	}
	f.syncDir()
	return nil
}

func (f *fileStore) exists(_ context.Context, key string, now int64) (bool, error) {
	rec, found, err := f.read(key)
	return found && isLiveAt(rec.ExpireAt, now), err
}

// insert first claims the key's file name with O_EXCL, so that two
// processes sharing the directory never both take a key.
func (f *fileStore) insert(_ context.Context, key string, data []byte, expiry, _ int64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	claim, err := os.OpenFile(f.path(key), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil // taken, live or expired: a key is never reused
	}
	if err != nil {
		return false, fmt.Errorf("file: creating a session: %w", err)
	}
	claim.Close()
	if err := f.write(key, data, expiry); err != nil {
		os.Remove(f.path(key))
		return false, err
	}
	return true, nil
}

func (f *fileStore) clearExpired(ctx context.Context, now int64) (int, error) {
	entries, err := os.ReadDir(f.dir)
	if err != nil {
		return 0, fmt.Errorf("file: clearing expired sessions: %w", err)
	}
	n := 0
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		key, ok := strings.CutSuffix(e.Name(), fileSuffix)
		if !ok || !isValidKey(key) || !e.Type().IsRegular() {
			continue
		}
		removed, err := f.clearIfExpired(key, now)
		if err != nil {
			return n, err
		}
		if removed {
			n++
		}
	}
	if n > 0 {
		f.syncDir()
	}
	return n, nil
}

// clearIfExpired removes the file of key if its record has expired. It holds
// mu between the check and the removal, so a concurrent Save cannot extend
// a record that is then removed anyway.
func (f *fileStore) clearIfExpired(key string, now int64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec, found, err := f.read(key)
	if err != nil || !found || isLiveAt(rec.ExpireAt, now) {
		return false, err
	}
	if err := os.Remove(f.path(key)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("file: clearing expired sessions: %w", err)
	}
	return true, nil
}

func (f *fileStore) close() error { return nil }
