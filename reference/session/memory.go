package session

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// memoryStore keeps records in a map in this process. Records hold the
// encoded JSON rather than the caller's map, so a caller that mutates a map
// after Save (or the one Load returned) cannot change what is stored, and
// memory behaves byte for byte like the persistent backends.
type memoryStore struct {
	clock clock.Clock

	mu      sync.RWMutex
	records map[string]memoryRecord
}

type memoryRecord struct {
	data   []byte
	expiry time.Time
}

func openMemory(rest string, c clock.Clock) (Store, error) {
	if rest != "" {
		return nil, fmt.Errorf("the memory store takes no argument, got %q", rest)
	}
	return newMemory(c), nil
}

func newMemory(c clock.Clock) *memoryStore {
	return &memoryStore{clock: c, records: map[string]memoryRecord{}}
}

func (m *memoryStore) Load(ctx context.Context, key string) (map[string]json.RawMessage, time.Time, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, time.Time{}, false, err
	}
	m.mu.RLock()
	r, ok := m.records[key]
	m.mu.RUnlock()
	if !ok || !isLive(r.expiry, m.clock.Now()) {
		return nil, time.Time{}, false, nil
	}
	data, err := decodeData(r.data)
	if err != nil {
		return nil, time.Time{}, false, err
	}
	return data, r.expiry, true, nil
}

func (m *memoryStore) Save(ctx context.Context, key string, data map[string]json.RawMessage, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := encodeData(data)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.records[key]
	if !ok || !isLive(r.expiry, m.clock.Now()) {
		return ErrNotFound
	}
	m.records[key] = memoryRecord{data: b, expiry: expiry}
	return nil
}

func (m *memoryStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	delete(m.records, key)
	m.mu.Unlock()
	return nil
}

func (m *memoryStore) Exists(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.RLock()
	r, ok := m.records[key]
	m.mu.RUnlock()
	return ok && isLive(r.expiry, m.clock.Now()), nil
}

func (m *memoryStore) Create(ctx context.Context, data map[string]json.RawMessage, expiry time.Time) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	b, err := encodeData(data)
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for {
		key := NewKey()
		if _, taken := m.records[key]; taken { // expired records count: a key is never reused
			continue
		}
		m.records[key] = memoryRecord{data: b, expiry: expiry}
		return key, nil
	}
}

func (m *memoryStore) ClearExpired(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	now := m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k, r := range m.records {
		if !isLive(r.expiry, now) {
			delete(m.records, k)
			n++
		}
	}
	return n, nil
}

func (m *memoryStore) Close() error { return nil }
