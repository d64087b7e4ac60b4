package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// reservedPrefix begins every key the package keeps for itself in a
// session's stored data; handlers cannot set such keys nor see them.
const reservedPrefix = "_session_"

// expiryKey stores the per-session expiry set by SetExpiry, as Django does:
// an integer number of seconds, 0 meaning "at browser close". Absent means
// the settings decide.
const expiryKey = reservedPrefix + "expiry"

// ErrReservedKey is returned by Session.Set for a key beginning with
// "_session_": those keys hold the session's own metadata.
var ErrReservedKey = errors.New(`session: keys beginning with "_session_" are reserved`)

// errInterrupted is what the middleware reports when Store.Save finds the
// session gone: it expired, or a concurrent request (a logout in another
// tab) deleted it, after this request loaded it. Recreating it would undo
// the logout.
// Django's SessionInterrupted, answered with 400.
var errInterrupted = errors.New("the session ended while this request used it: it expired, or a concurrent request (a logout elsewhere?) deleted it")

// A Session is one client's session during one request. Handlers get it
// with FromRequest. It is loaded from the store on first use, so a request
// that never touches the session costs no store access; and every change is
// written back when the response starts (see Middleware). Its methods are
// safe for concurrent use; changes made after the response has started are
// not saved.
type Session struct {
	mu       sync.Mutex
	ctx      context.Context
	store    Store
	settings Settings
	clock    clock.Clock

	// cookieKey is the session cookie the request carried, "" when none.
	// It is a claim, not a key: it becomes key only once the store has
	// found a live record under it.
	cookieKey string

	loaded       bool
	key          string // the adopted key; "" until the store found it or minted one
	data         map[string]json.RawMessage
	expiry       expiryPolicy
	storedExpiry time.Time // expiry of the record key names, as loaded

	// retired keys were abandoned by Flush or CycleKey; they are deleted from
	// the store when the response starts, whatever its status.
	retired []string

	accessed, modified bool
	committed          bool
	err                error // the first store error; the middleware answers 503
}

// expiryPolicy is SetExpiry's choice. The zero value defers to Settings.
type expiryPolicy struct {
	set     bool
	seconds int // > 0: that many seconds after each save; 0: at browser close
}

func newSession(ctx context.Context, store Store, s Settings, c clock.Clock, cookieKey string) *Session {
	return &Session{ctx: ctx, store: store, settings: s, clock: c, cookieKey: cookieKey}
}

// load reads the session the request's cookie names, once. An unknown,
// expired or malformed key, or a store error, leaves the session new and
// empty with no key: the client's key is never adopted unless the store
// holds a live record under it, so an attacker cannot plant a key of their
// choosing (session fixation, ASVS 4.0.3 §3.2.1; Django's load() does the
// same). Callers hold mu.
func (s *Session) load() {
	if s.loaded {
		return
	}
	s.loaded = true
	s.data = map[string]json.RawMessage{}
	if s.cookieKey == "" || s.err != nil {
		return
	}
	data, expiry, found, err := s.store.Load(s.ctx, s.cookieKey)
	if err != nil {
		s.fail(err)
		return
	}
	// The store already refuses expired records; checking again here keeps
	// the rule in one place for any Store implementation.
	if !found || !isLive(expiry, s.clock.Now()) {
		return
	}
	s.key = s.cookieKey
	s.storedExpiry = expiry
	if raw, ok := data[expiryKey]; ok {
		var n int
		if json.Unmarshal(raw, &n) == nil && n >= 0 {
			s.expiry = expiryPolicy{set: true, seconds: n}
		}
	}
	for k := range data {
		if isReservedKey(k) {
			delete(data, k)
		}
	}
	s.data = data
}

// fail records the first store error; the middleware answers 503 for it.
func (s *Session) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// isReservedKey reports whether k belongs to the session's own metadata.
func isReservedKey(k string) bool { return strings.HasPrefix(k, reservedPrefix) }

// use loads the session and records that the response now depends on it,
// so that the middleware adds Vary: Cookie. Callers hold mu.
func (s *Session) use() {
	s.load()
	s.accessed = true
}

// Get returns the value stored under key.
func (s *Session) Get(key string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	if isReservedKey(key) {
		return nil, false
	}
	v, ok := s.data[key]
	return bytes.Clone(v), ok
}

// Set stores value under key. value must be valid JSON; it is stored
// compacted, as it will be read back in later requests. Keys beginning with
// "_session_" are reserved (ErrReservedKey).
func (s *Session) Set(key string, value json.RawMessage) error {
	if isReservedKey(key) {
		return fmt.Errorf("%w: %q", ErrReservedKey, key)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, value); err != nil {
		return fmt.Errorf("session: value of %q is not valid JSON: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	s.data[key] = buf.Bytes()
	s.modified = true
	return nil
}

// Delete removes key and reports whether it was there. Removing an absent
// key does not modify the session.
func (s *Session) Delete(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	if _, ok := s.data[key]; !ok || isReservedKey(key) {
		return false
	}
	delete(s.data, key)
	s.modified = true
	return true
}

// All returns a copy of everything handlers stored in the session.
func (s *Session) All() map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	all := make(map[string]json.RawMessage, len(s.data))
	for k, v := range s.data {
		all[k] = bytes.Clone(v)
	}
	return all
}

// maxLifetime caps a lifetime in seconds, so that a client-chosen
// SetExpiry(1<<62) cannot overflow time.Duration into a date in the past.
// A century is far past what any browser keeps a cookie (the cookie-age-limit
// of RFC 6265bis §5.5 is 400 days).
const maxLifetime = 100 * 365 * 24 * 60 * 60

// SetExpiry sets this session's lifetime, stored with the session so that
// the server enforces it, not only the cookie (ASVS 4.0.3 §3.3.1):
//
//	seconds > 0   the session expires that many seconds after it is last saved
//	              (the cookie gets the same Max-Age);
//	seconds == 0  the cookie lasts until the browser closes; the server keeps
//	              the session for Settings.CookieAge after it is last saved;
//	seconds < 0   the session expires now: exactly Flush.
//
// Lifetimes over a century are cut to a century.
//
// Like Django's set_expiry with an integer, the lifetime slides: each save
// starts it again.
func (s *Session) SetExpiry(seconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seconds < 0 {
		s.flush()
		return
	}
	s.use()
	s.expiry = expiryPolicy{set: true, seconds: min(seconds, maxLifetime)}
	s.modified = true
}

// age returns the lifetime this session gets when it is saved, and whether
// its cookie lasts until the browser closes (then it has no Max-Age).
func (s *Session) age() (age time.Duration, atBrowserClose bool) {
	if s.expiry.set {
		if s.expiry.seconds == 0 {
			return time.Duration(s.settings.CookieAge) * time.Second, true
		}
		return time.Duration(s.expiry.seconds) * time.Second, false
	}
	return time.Duration(s.settings.CookieAge) * time.Second, s.settings.ExpireAtBrowserClose
}

// willSave reports whether this response will save the session.
func (s *Session) willSave() bool { return s.modified || s.settings.SaveEveryRequest }

// ExpirySeconds returns how many seconds the server will keep the session
// from now: the lifetime it will be saved with when this response saves it
// (or when it is new), otherwise what is left of its stored lifetime,
// rounded up. Django's get_expiry_age returns the configured lifetime
// whatever has elapsed since the last save.
func (s *Session) ExpirySeconds() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	if s.key == "" || s.willSave() {
		age, _ := s.age()
		return int(age / time.Second)
	}
	left := s.storedExpiry.Sub(s.clock.Now())
	return int(math.Ceil(left.Seconds()))
}

// ExpiresAtBrowserClose reports whether the session cookie lasts only until
// the browser closes: SetExpiry(0), or Settings.ExpireAtBrowserClose when
// SetExpiry was not called.
func (s *Session) ExpiresAtBrowserClose() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	_, atClose := s.age()
	return atClose
}

// CycleKey gives the session a new key and keeps its data; the old key is
// deleted from the store. Call it on login (ASVS 4.0.3 §3.2.1: a new session
// token on authentication), so that a key the client held before, possibly
// planted by an attacker, never names an authenticated session. The new key
// is minted and the old one deleted when the response starts; until then
// Key returns "".
func (s *Session) CycleKey() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	s.retire()
	s.modified = true
}

// Flush deletes the session's data and key server-side and starts a new,
// empty session: what logout does (ASVS 4.0.3 §3.3.1). The old key is
// deleted from the store when the response starts, even if the handler then
// fails. Anything stored after Flush goes into a new session with a new key;
// if nothing is, the cookie is deleted.
func (s *Session) Flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flush()
}

func (s *Session) flush() {
	s.use()
	s.retire()
	s.data = map[string]json.RawMessage{}
	s.expiry = expiryPolicy{}
	s.modified = true
}

// retire abandons the current key; it is deleted from the store when the
// response starts and a new one is minted if the session is saved.
func (s *Session) retire() {
	if s.key != "" {
		s.retired = append(s.retired, s.key)
	}
	s.key = ""
	s.storedExpiry = time.Time{}
}

// Key returns the session key the client holds and will keep, or "" when the
// session has none yet: a new session, or one whose key CycleKey or Flush
// abandoned. A new key is issued when the session is saved.
func (s *Session) Key() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.use()
	return s.key
}

// isEmpty reports whether the session holds nothing worth a record: no data
// and no per-session expiry.
func (s *Session) isEmpty() bool { return len(s.data) == 0 && !s.expiry.set }

// stored returns the data as the store keeps it: the handlers' keys plus the
// metadata under reserved keys.
func (s *Session) stored() map[string]json.RawMessage {
	m := make(map[string]json.RawMessage, len(s.data)+1)
	for k, v := range s.data {
		m[k] = v
	}
	if s.expiry.set {
		m[expiryKey] = json.RawMessage(fmt.Sprint(s.expiry.seconds))
	}
	return m
}
