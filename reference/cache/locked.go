package cache

import (
	"context"
	"fmt"
)

// Add, GetOrSet and Incr read an entry and store another in one step, and
// must be atomic: two concurrent Adds must not both add, and two Incrs must
// not both read the same value. The memory, file, SQLite and PostgreSQL
// backends make them so the same way, by running the same
// read-check-write in Go while they hold their location's write lock (a
// mutex, a write transaction), so that read-check-write is written once,
// here. Redis runs the same steps inside Redis, as Lua scripts
// (redis.go).

// lockedEntries is a location as an operation holding its write lock sees
// it.
type lockedEntries interface {
	// read returns key's entry; exists reports whether the location holds
	// key at all, fresh or expired. The entry's value is the caller's to
	// keep.
	read(key string, now int64) (e entry, exists bool, err error)
	// write stores e, running the culling steps (cull.go) first when the
	// location does not hold its key: exists is what read said.
	write(e entry, exists bool, now int64) error
}

// lockingStorage is a backend that writes ownStorage and can lock its
// location; lockedStorage makes it a whole storage.
type lockingStorage interface {
	ownStorage
	// withLock runs fn holding the location's write lock. When fn fails,
	// a transactional backend undoes what fn wrote.
	withLock(ctx context.Context, fn func(lockedEntries) error) error
}

// lockedStorage adds add, getOrSet and incr to a lockingStorage.
type lockedStorage struct{ lockingStorage }

func (s lockedStorage) add(ctx context.Context, e entry, now int64) (added bool, err error) {
	err = s.withLock(ctx, func(l lockedEntries) error {
		old, exists, err := l.read(e.key, now)
		if err != nil || (exists && isFresh(old.expiresAt, now)) {
			return err
		}
		added = true
		return l.write(e, exists, now)
	})
	return added && err == nil, err
}

func (s lockedStorage) getOrSet(ctx context.Context, e entry, now int64) (value []byte, err error) {
	err = s.withLock(ctx, func(l lockedEntries) error {
		old, exists, err := l.read(e.key, now)
		if err != nil {
			return err
		}
		if exists && isFresh(old.expiresAt, now) {
			value = old.value
			return nil
		}
		return l.write(e, exists, now)
	})
	if err != nil {
		return nil, err
	}
	return value, nil
}

// incr keeps the entry's expiry (doc.go).
func (s lockedStorage) incr(ctx context.Context, key string, delta, now int64) (sum int64, err error) {
	err = s.withLock(ctx, func(l lockedEntries) error {
		e, exists, err := l.read(key, now)
		if err != nil {
			return err
		}
		if !exists || !isFresh(e.expiresAt, now) {
			return fmt.Errorf("%w: %s", ErrNotFound, quoteKey(key))
		}
		if e.value, sum, err = addInteger(key, e.value, delta); err != nil {
			return err
		}
		return l.write(e, true, now)
	})
	if err != nil {
		return 0, err
	}
	return sum, nil
}

// setEach stores entries in order, each as write does, for a backend
// whose set is all or nothing (a transaction).
func setEach(l lockedEntries, entries []entry, now int64) error {
	for _, e := range entries {
		_, exists, err := l.read(e.key, now)
		if err == nil {
			err = l.write(e, exists, now)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
