package cache

import (
	"bytes"
	"container/list"
	"context"
	"fmt"
	"sync"
)

// memoryStore is the "memory" backend, Django's LocMemCache: a map for
// lookup and a list in recency order for culling (front: most recently
// used), under one mutex. Values are copied in and out, so no caller
// shares bytes with the cache or with another caller.
//
// Expired entries are removed when an operation finds them and when a cull
// sweeps them; until then they are only counted towards MaxEntries, which
// is what starts the sweep.
type memoryStore struct {
	maxEntries, cullFrequency int

	mu    sync.Mutex
	ll    *list.List               // of *entry, most recently used first
	items map[string]*list.Element // key -> element of ll
}

func openMemory(location, _ string, o Options) (storage, error) {
	if location != "" {
		return nil, fmt.Errorf(`cache: "memory" takes no location, got "memory:%s"`, location)
	}
	return lockedStorage{&memoryStore{
		maxEntries:    o.MaxEntries,
		cullFrequency: o.CullFrequency,
		ll:            list.New(),
		items:         make(map[string]*list.Element),
	}}, nil
}

// lookup returns key's fresh entry and marks it used; it removes an
// expired one. The caller holds m.mu.
func (m *memoryStore) lookup(key string, now int64) *entry {
	el, ok := m.items[key]
	if !ok {
		return nil
	}
	e := el.Value.(*entry)
	if !isFresh(e.expiresAt, now) {
		m.remove(el)
		return nil
	}
	m.ll.MoveToFront(el)
	return e
}

func (m *memoryStore) remove(el *list.Element) {
	delete(m.items, el.Value.(*entry).key)
	m.ll.Remove(el)
}

// store stores a copy of e as the most recently used entry, culling first
// when e.key is new. The caller holds m.mu.
func (m *memoryStore) store(e entry, now int64) {
	if el, ok := m.items[e.key]; ok {
		old := el.Value.(*entry)
		// Reusing the old bytes is safe: nothing outside holds them.
		old.value = append(old.value[:0], e.value...)
		old.expiresAt = e.expiresAt
		m.ll.MoveToFront(el)
		return
	}
	m.cull(now)
	stored := &entry{key: e.key, value: bytes.Clone(e.value), expiresAt: e.expiresAt}
	m.items[e.key] = m.ll.PushFront(stored)
}

// cull runs the culling steps (cull.go), evicting least recently used
// entries first. The caller holds m.mu.
func (m *memoryStore) cull(now int64) {
	if len(m.items) < m.maxEntries {
		return
	}
	for el := m.ll.Front(); el != nil; {
		next := el.Next()
		if !isFresh(el.Value.(*entry).expiresAt, now) {
			m.remove(el)
		}
		el = next
	}
	if len(m.items) < m.maxEntries {
		return
	}
	for n := cullCount(len(m.items), m.maxEntries, m.cullFrequency); n > 0; n-- {
		m.remove(m.ll.Back())
	}
}

func (m *memoryStore) get(_ context.Context, key string, now int64) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.lookup(key, now); e != nil {
		return bytes.Clone(e.value), true, nil
	}
	return nil, false, nil
}

func (m *memoryStore) getMany(_ context.Context, keys []string, now int64) (map[string][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string][]byte)
	for _, k := range keys {
		if e := m.lookup(k, now); e != nil {
			out[k] = bytes.Clone(e.value)
		}
	}
	return out, nil
}

func (m *memoryStore) set(_ context.Context, entries []entry, now int64) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range entries {
		m.store(e, now)
	}
	return nil, nil
}

func (m *memoryStore) withLock(_ context.Context, fn func(lockedEntries) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fn(m)
}

// read returns a copy of key's fresh entry and marks it used; an expired
// one is removed, and then no longer exists. The caller holds m.mu.
func (m *memoryStore) read(key string, now int64) (entry, bool, error) {
	e := m.lookup(key, now)
	if e == nil {
		return entry{}, false, nil
	}
	return entry{key: e.key, value: bytes.Clone(e.value), expiresAt: e.expiresAt}, true, nil
}

// write is store for lockedStorage. The caller holds m.mu.
func (m *memoryStore) write(e entry, _ bool, now int64) error {
	m.store(e, now)
	return nil
}

func (m *memoryStore) delete(_ context.Context, keys []string, now int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, k := range keys {
		if el, ok := m.items[k]; ok {
			if isFresh(el.Value.(*entry).expiresAt, now) {
				n++
			}
			m.remove(el)
		}
	}
	return n, nil
}

func (m *memoryStore) touch(_ context.Context, key string, expiresAt, now int64) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.lookup(key, now)
	if e == nil {
		return false, nil
	}
	e.expiresAt = expiresAt
	return true, nil
}

func (m *memoryStore) clear(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ll.Init()
	clear(m.items)
	return nil
}

func (m *memoryStore) len(_ context.Context, now int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, el := range m.items {
		if isFresh(el.Value.(*entry).expiresAt, now) {
			n++
		}
	}
	return n, nil
}

func (m *memoryStore) close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ll.Init()
	clear(m.items)
	return nil
}
