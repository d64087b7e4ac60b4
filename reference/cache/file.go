package cache

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// fileStore is the "file:DIR" backend, Django's FileBasedCache: one file
// per key, named by the SHA-256 of the stored key in hex plus ".cache", so
// no key can name a path outside DIR (Django uses MD5 and ".djcache").
// Each file holds the entry whole:
//
//	httpcheck-cache/2
//	<expiry: Unix nanoseconds, or "never">
//	<key>
//	<length of the value in bytes> <CRC-32C of the value, 8 hex digits>
//	<value>
//
// Files are written to a temporary name in DIR and renamed into place, so a
// reader sees the old entry or the new one, never half of one, and entries
// survive closing and reopening the cache, and the process being killed
// (cmd/httpcheck's crash test). They are not fsynced: after a power cut a
// file may be lost, empty, cut short or hold zeros. The length and the
// checksum catch the last two, so a torn file is never served: like any
// file this package cannot read, it is an expired entry.
//
// Operations on one directory are serialized by a mutex shared by every
// fileStore of this process on that directory, which makes Add, GetOrSet
// and Incr atomic within the process. Several processes sharing DIR get
// Django's guarantees instead: whole files, last writer wins.
//
// Reads never delete: an expired file stays until a write replaces it,
// Delete or Clear removes it, or a cull sweeps it (culling counts files, so
// expired ones cannot pile up past MaxEntries). Culling removes the entries
// that expire soonest, ties by file name (Django samples at random).
type fileStore struct {
	dir                       string
	maxEntries, cullFrequency int
	mu                        *sync.Mutex
}

const (
	fileMagic  = "httpcheck-cache/2"
	fileSuffix = ".cache"
	tempPrefix = ".tmp-"
)

// dirLocks holds one mutex per absolute cache directory.
var dirLocks sync.Map // string -> *sync.Mutex

func openFile(location, namespace string, o Options) (storage, error) {
	if location == "" {
		return nil, errors.New(`cache: "file:" needs a directory, as in "file:/var/cache/httpcheck"`)
	}
	dir := location
	if namespace != "" {
		dir = filepath.Join(dir, namespace)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("cache: file directory %q: %w", location, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cache: file directory: %w", err)
	}
	mu, _ := dirLocks.LoadOrStore(dir, new(sync.Mutex))
	return lockedStorage{&fileStore{
		dir:           dir,
		maxEntries:    o.MaxEntries,
		cullFrequency: o.CullFrequency,
		mu:            mu.(*sync.Mutex),
	}}, nil
}

// fileName returns the name of key's file in the cache directory.
func fileName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:]) + fileSuffix
}

// isEntryFile reports whether name is a cache entry's file name.
func isEntryFile(name string) bool {
	return len(name) == sha256.Size*2+len(fileSuffix) && strings.HasSuffix(name, fileSuffix)
}

func encodeFile(e entry) []byte {
	var b bytes.Buffer
	b.Grow(len(fileMagic) + 21 + len(e.key) + len(e.value) + 3)
	b.WriteString(fileMagic)
	b.WriteByte('\n')
	if e.expiresAt == neverExpires {
		b.WriteString("never")
	} else {
		b.WriteString(strconv.FormatInt(e.expiresAt, 10))
	}
	b.WriteByte('\n')
	b.WriteString(e.key)
	b.WriteByte('\n')
	fmt.Fprintf(&b, "%d %08x\n", len(e.value), crc32.Checksum(e.value, castagnoli))
	b.Write(e.value)
	return b.Bytes()
}

// castagnoli is the CRC-32C table that checks a file's value.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// decodeFile parses a file's content; ok is false for anything this
// package did not write whole.
func decodeFile(data []byte) (e entry, ok bool) {
	magic, rest, ok1 := bytes.Cut(data, []byte{'\n'})
	exp, rest, ok2 := bytes.Cut(rest, []byte{'\n'})
	key, rest, ok3 := bytes.Cut(rest, []byte{'\n'})
	check, value, ok4 := bytes.Cut(rest, []byte{'\n'})
	if !ok1 || !ok2 || !ok3 || !ok4 || string(magic) != fileMagic {
		return entry{}, false
	}
	if string(check) != fmt.Sprintf("%d %08x", len(value), crc32.Checksum(value, castagnoli)) {
		return entry{}, false // torn: cut short, or zeros where the value was
	}
	if string(exp) == "never" {
		e.expiresAt = neverExpires
	} else {
		n, err := strconv.ParseInt(string(exp), 10, 64)
		if err != nil {
			return entry{}, false
		}
		e.expiresAt = n
	}
	e.key, e.value = string(key), value
	return e, true
}

// read returns key's entry. exists reports whether its file is there at
// all; a file that cannot be parsed, or that holds another key, reads as
// an expired entry. The caller holds f.mu.
func (f *fileStore) read(key string) (e entry, exists bool, err error) {
	data, err := os.ReadFile(filepath.Join(f.dir, fileName(key)))
	if errors.Is(err, fs.ErrNotExist) {
		return entry{}, false, nil
	}
	if err != nil {
		return entry{}, false, fmt.Errorf("cache: %w", err)
	}
	e, ok := decodeFile(data)
	if !ok || e.key != key {
		return entry{key: key, expiresAt: math.MinInt64}, true, nil
	}
	return e, true, nil
}

// lookup returns key's fresh entry, or nil. The caller holds f.mu.
func (f *fileStore) lookup(key string, now int64) (*entry, bool, error) {
	e, exists, err := f.read(key)
	if err != nil || !exists || !isFresh(e.expiresAt, now) {
		return nil, exists, err
	}
	return &e, true, nil
}

// write stores e, culling first when its file is new (exists is false).
// The caller holds f.mu.
func (f *fileStore) write(e entry, exists bool, now int64) error {
	if !exists {
		if err := f.cull(now); err != nil {
			return err
		}
	}
	tmp, err := os.CreateTemp(f.dir, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	_, err = tmp.Write(encodeFile(e))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(f.dir, fileName(e.key)))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}

// remove deletes key's file; a missing file is not an error.
func (f *fileStore) remove(name string) error {
	err := os.Remove(filepath.Join(f.dir, name))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}

// entryFile is one file found by listing the directory.
type entryFile struct {
	name      string
	expiresAt int64
}

// list returns every entry file with its expiry. The caller holds f.mu.
func (f *fileStore) list() ([]entryFile, error) {
	des, err := os.ReadDir(f.dir)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	var out []entryFile
	for _, de := range des {
		if !isEntryFile(de.Name()) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(f.dir, de.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
		e, ok := decodeFile(data)
		if !ok || fileName(e.key) != de.Name() {
			e.expiresAt = math.MinInt64
		}
		out = append(out, entryFile{name: de.Name(), expiresAt: e.expiresAt})
	}
	return out, nil
}

// countEntries counts the entry files by their names, without reading
// them. The caller holds f.mu.
func (f *fileStore) countEntries() (int, error) {
	des, err := os.ReadDir(f.dir)
	if err != nil {
		return 0, fmt.Errorf("cache: %w", err)
	}
	n := 0
	for _, de := range des {
		if isEntryFile(de.Name()) {
			n++
		}
	}
	return n, nil
}

// cull runs the culling steps (cull.go) on the directory, evicting the
// entries that expire soonest. The caller holds f.mu.
//
// The directory's names are counted first, and the files read only when
// there are MaxEntries of them: reading every file before every new entry
// made a set_many of 1000 keys take seconds under the directory's lock
// (docs/reliability.md).
func (f *fileStore) cull(now int64) error {
	if n, err := f.countEntries(); err != nil || n < f.maxEntries {
		return err
	}
	files, err := f.list()
	if err != nil || len(files) < f.maxEntries {
		return err
	}
	fresh := files[:0]
	for _, ef := range files {
		if isFresh(ef.expiresAt, now) {
			fresh = append(fresh, ef)
		} else if err := f.remove(ef.name); err != nil {
			return err
		}
	}
	if len(fresh) < f.maxEntries {
		return nil
	}
	slices.SortFunc(fresh, func(a, b entryFile) int {
		return cmp.Or(cmp.Compare(a.expiresAt, b.expiresAt), strings.Compare(a.name, b.name))
	})
	for _, ef := range fresh[:cullCount(len(fresh), f.maxEntries, f.cullFrequency)] {
		if err := f.remove(ef.name); err != nil {
			return err
		}
	}
	return nil
}

func (f *fileStore) get(_ context.Context, key string, now int64) ([]byte, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, _, err := f.lookup(key, now)
	if e == nil {
		return nil, false, err
	}
	return e.value, true, nil
}

func (f *fileStore) getMany(_ context.Context, keys []string, now int64) (map[string][]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string][]byte)
	for _, k := range keys {
		e, _, err := f.lookup(k, now)
		if err != nil {
			return nil, err
		}
		if e != nil {
			out[k] = e.value
		}
	}
	return out, nil
}

func (f *fileStore) set(_ context.Context, entries []entry, now int64) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var failed []string
	var errs []error
	for _, e := range entries {
		_, exists, err := f.read(e.key)
		if err == nil {
			err = f.write(e, exists, now)
		}
		if err != nil {
			failed = append(failed, e.key)
			errs = append(errs, err)
		}
	}
	return failed, errors.Join(errs...)
}

func (f *fileStore) withLock(_ context.Context, fn func(lockedEntries) error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fn(fileEntries{f})
}

// fileEntries is a fileStore whose lock is held, as lockedStorage reads
// and writes it.
type fileEntries struct{ *fileStore }

func (l fileEntries) read(key string, _ int64) (entry, bool, error) { return l.fileStore.read(key) }

func (f *fileStore) delete(_ context.Context, keys []string, now int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, k := range keys {
		e, exists, err := f.read(k)
		if err != nil {
			return n, err
		}
		if !exists {
			continue
		}
		if err := f.remove(fileName(k)); err != nil {
			return n, err
		}
		if isFresh(e.expiresAt, now) {
			n++
		}
	}
	return n, nil
}

func (f *fileStore) touch(_ context.Context, key string, expiresAt, now int64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, _, err := f.lookup(key, now)
	if e == nil {
		return false, err
	}
	e.expiresAt = expiresAt
	return true, f.write(*e, true, now)
}

func (f *fileStore) clear(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	des, err := os.ReadDir(f.dir)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	for _, de := range des {
		if name := de.Name(); isEntryFile(name) || strings.HasPrefix(name, tempPrefix) {
			if err := f.remove(name); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *fileStore) len(_ context.Context, now int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	files, err := f.list()
	n := 0
	for _, ef := range files {
		if isFresh(ef.expiresAt, now) {
			n++
		}
	}
	return n, err
}

func (f *fileStore) close() error { return nil }
