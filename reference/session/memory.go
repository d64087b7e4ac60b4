package session

import (
	"context"
	"fmt"
	"sync"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// memoryStore keeps records in a map in this process. Records hold the
// encoded JSON rather than the caller's map, so a caller that mutates a map
// after Save (or the one Load returned) cannot change what is stored, and
// memory behaves byte for byte like the persistent backends.
type memoryStore struct {
	mu      sync.RWMutex
	records map[string]memoryRecord
}

type memoryRecord struct {
	data   []byte
	expiry int64 // Unix nanoseconds
}

func openMemory(rest string, c clock.Clock) (Store, error) {
	if rest != "" {
		return nil, fmt.Errorf("the memory store takes no argument, got %q", rest)
	}
	return newMemory(c), nil
}

// newMemory returns an empty memory store reading clock c.
func newMemory(c clock.Clock) *recordStore {
	return newRecordStore(c, &memoryStore{records: map[string]memoryRecord{}})
}

func (m *memoryStore) load(_ context.Context, key string, now int64) ([]byte, int64, bool, error) {
	m.mu.RLock()
	r, ok := m.records[key]
	m.mu.RUnlock()
	if !ok || !isLiveAt(r.expiry, now) {
		return nil, 0, false, nil
	}
	return r.data, r.expiry, true, nil
}

func (m *memoryStore) update(_ context.Context, key string, data []byte, expiry, now int64) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.records[key]
	if !ok || !isLiveAt(r.expiry, now) {
		return false, nil
	}
	m.records[key] = memoryRecord{data: data, expiry: expiry}
	return true, nil
}

func (m *memoryStore) delete(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.records, key)
	m.mu.Unlock()
	return nil
}

func (m *memoryStore) exists(_ context.Context, key string, now int64) (bool, error) {
	m.mu.RLock()
	r, ok := m.records[key]
	m.mu.RUnlock()
	return ok && isLiveAt(r.expiry, now), nil
}

func (m *memoryStore) insert(_ context.Context, key string, data []byte, expiry, _ int64) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, taken := m.records[key]; taken { // expired records count: a key is never reused
		return false, nil
	}
	m.records[key] = memoryRecord{data: data, expiry: expiry}
	return true, nil
}

func (m *memoryStore) clearExpired(_ context.Context, now int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k, r := range m.records {
		if !isLiveAt(r.expiry, now) {
			delete(m.records, k)
			n++
		}
	}
	return n, nil
}

func (m *memoryStore) close() error { return nil }
