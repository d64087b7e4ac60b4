// Package clock is the one source of time for the reference packages and the
// harness. Expiry is the heart of cookies, sessions and caches, and a suite
// that waits for real seconds is a slow suite: every component takes a Clock
// so that tests and the virtual-clock mode of the reference server can move
// time forward instead of sleeping.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Virtual is the wall clock plus an offset that only grows. It keeps ticking
// with real time, so durations measured on it stay plausible, and Advance
// jumps it forward for everything that reads it (Date headers, cookie
// Expires, session and cache expiry). The zero value is the wall clock.
type Virtual struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the wall clock plus the accumulated offset.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return time.Now().Add(v.offset)
}

// Advance moves the clock forward by d. A negative d is ignored: time
// running backwards would let expired state come back to life.
func (v *Virtual) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.offset += d
}

// Manual is a clock that stands still until it is set or advanced; unit
// tests use it so that every timestamp in a table is exact.
type Manual struct {
	mu sync.Mutex
	t  time.Time
}

// NewManual returns a Manual clock reading t.
func NewManual(t time.Time) *Manual { return &Manual{t: t} }

// Now returns the clock's current reading.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

// Advance moves the clock forward by d.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = m.t.Add(d)
}

// Set moves the clock to t.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = t
}
