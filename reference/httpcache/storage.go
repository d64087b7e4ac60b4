package httpcache

// Stored responses and their keys: RFC 9111 §2 (cache key), §3.1 and §3.2
// (storing and updating header fields), §4.1 (Vary) and §4.4 (invalidation).

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// entry is one stored response. Entries are never modified once stored:
// freshening a response stores a new entry in its place, so a response being
// served from an entry needs no lock.
type entry struct {
	key        string // primary cache key, see cacheKey
	status     int
	statusText string // as in http.Response.Status, "200 OK"
	header     http.Header
	body       []byte
	// cc are the directives the stored response is cached by: its
	// Cache-Control, or the targeted field of RFC 9213 that overrides it,
	// named by targeted (targeted.go).
	cc       cachecontrol.Directives
	targeted string
	// uncompressed records that the transport decoded the content coding
	// (http.Response.Uncompressed): the body no longer matches a
	// Content-Encoding, which is then never updated (RFC 9111 §3.2).
	uncompressed bool
	// vary holds the selecting header fields nominated by Vary, canonical,
	// and the original request's normalized values for them (RFC 9111 §4.1).
	vary      []string
	varyValue map[string]*string // nil pointer: absent from the request
	// requestTime and responseTime are those of RFC 9111 §4.2.3, for the
	// exchange that stored or last validated the response.
	requestTime, responseTime time.Time
	// stale forces validation before reuse (RFC 9111 §4.3.5: a HEAD
	// response that does not match makes the stored response stale).
	stale bool
	seq   uint64 // storage order, for deterministic choices
}

// size is what an entry counts against Options.MaxStorage: its content and
// its header fields.
func (e *entry) size() int64 {
	n := int64(len(e.body))
	for k, vs := range e.header {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 4)
		}
	}
	return n
}

// storage holds entries by primary cache key. Several entries share a key
// when the resource varies (RFC 9111 §4.1).
type storage struct {
	mu      sync.Mutex
	entries map[string][]*entry
	seq     uint64
	// maxBytes caps used (the sum of entry sizes); 0 means no cap.
	maxBytes, used int64
	// lastUse orders entries for eviction, least recently used first. It
	// lives here, not in the entry, because entries never change.
	lastUse map[*entry]uint64
}

// touch records a use of e; s.mu is held.
func (s *storage) touch(e *entry) {
	if s.lastUse == nil {
		s.lastUse = map[*entry]uint64{}
	}
	s.seq++
	s.lastUse[e] = s.seq
}

// cacheKey is the primary cache key (RFC 9111 §2): the request method and
// target URI. Only GET responses are stored, so the method is always GET; the
// URI is the target URI (RFC 9110 §7.1) without its fragment, with scheme and
// host lower-cased and a default port removed, so that equivalent spellings
// share an entry.
func cacheKey(u *url.URL) string {
	return http.MethodGet + " " + targetURI(u)
}

func targetURI(u *url.URL) string {
	v := *u
	v.Fragment, v.RawFragment = "", ""
	v.Scheme = strings.ToLower(v.Scheme)
	v.Host = strings.ToLower(v.Host)
	if port := v.Port(); port == "80" && v.Scheme == "http" || port == "443" && v.Scheme == "https" {
		v.Host = strings.TrimSuffix(v.Host, ":"+port)
	}
	return v.String()
}

// sameOrigin reports whether two URIs have the same origin (RFC 9110 §4.3.1:
// scheme, host and port).
func sameOrigin(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		switch strings.ToLower(u.Scheme) {
		case "http":
			return "80"
		case "https":
			return "443"
		}
		return ""
	}
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) &&
		port(a) == port(b)
}

// lookup returns the stored response chosen for a request with header h, or
// nil. Of several matches the most recent by Date is chosen (RFC 9111 §4:
// "the most recent one (as determined by the Date header field)"), and of
// equal dates the one stored last.
func (s *storage) lookup(key string, h http.Header) *entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *entry
	for _, e := range s.entries[key] {
		if !secondaryKeysMatch(e, h) {
			continue
		}
		if best == nil || isMoreRecent(e, best) {
			best = e
		}
	}
	if best != nil {
		s.touch(best)
	}
	return best
}

// hasKey reports whether any response is stored under the primary key.
func (s *storage) hasKey(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries[key]) > 0
}

func isMoreRecent(a, b *entry) bool {
	da, db := dateValue(a.header, a.responseTime), dateValue(b.header, b.responseTime)
	if !da.Equal(db) {
		return da.After(db)
	}
	return a.seq > b.seq
}

// put stores e for a request with header h. Stored responses that the same
// request would have chosen are replaced by it.
func (s *storage) put(e *entry, h http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries == nil {
		s.entries = map[string][]*entry{}
	}
	s.seq++
	e.seq = s.seq
	s.touch(e)
	kept := []*entry{e}
	s.used += e.size()
	for _, old := range s.entries[e.key] {
		if !secondaryKeysMatch(old, h) {
			kept = append(kept, old)
		} else {
			s.used -= old.size()
			delete(s.lastUse, old)
		}
	}
	s.entries[e.key] = kept
	s.evict()
}

// evict removes the least recently used entries until the storage is
// within its cap. RFC 9111 leaves replacement to the cache; a proxy that
// runs for long must have one.
func (s *storage) evict() {
	for s.maxBytes > 0 && s.used > s.maxBytes {
		var lru *entry
		for e, use := range s.lastUse {
			if lru == nil || use < s.lastUse[lru] {
				lru = e
			}
		}
		if lru == nil {
			return
		}
		s.removeLocked(lru)
	}
}

// replace puts e in place of old, if old is still stored; it reports whether
// it did. A response freshened while another request replaced or removed it
// is not stored again.
func (s *storage) replace(old, e *entry) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.entries[old.key]
	for i, x := range list {
		if x == old {
			s.seq++
			e.seq = s.seq
			list[i] = e
			s.used += e.size() - old.size()
			delete(s.lastUse, old)
			s.touch(e)
			s.evict()
			return true
		}
	}
	return false
}

// remove deletes e if it is still stored.
func (s *storage) remove(e *entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removeLocked(e)
}

func (s *storage) removeLocked(e *entry) {
	list := s.entries[e.key]
	for i, x := range list {
		if x == e {
			list = append(list[:i:i], list[i+1:]...)
			s.used -= e.size()
			delete(s.lastUse, e)
			break
		}
	}
	if len(list) == 0 {
		delete(s.entries, e.key)
	} else {
		s.entries[e.key] = list
	}
}

// invalidate removes every stored response for the target URI u: RFC 9111
// §4.4 lets a cache "either remove all stored responses whose target URI
// matches the given URI or mark them as invalid".
func (s *storage) invalidate(u *url.URL) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := cacheKey(u)
	for _, e := range s.entries[key] {
		s.used -= e.size()
		delete(s.lastUse, e)
	}
	delete(s.entries, key)
}

func (s *storage) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = nil
	s.used = 0
	s.lastUse = nil
}

func (s *storage) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, list := range s.entries {
		n += len(list)
	}
	return n
}

// varyFields returns the field names nominated by Vary (RFC 9110 §12.5.5),
// canonical, and whether Vary contains "*".
func varyFields(h http.Header) (fields []string, star bool) {
	for _, line := range h.Values("Vary") {
		for _, f := range strings.Split(line, ",") {
			f = httpsyntax.TrimOWS(f)
			switch {
			case f == "":
			case f == "*":
				star = true
			default:
				fields = append(fields, http.CanonicalHeaderKey(f))
			}
		}
	}
	return fields, star
}

// secondaryKeysMatch reports whether the request header fields nominated by
// the stored response's Vary match those presented (RFC 9111 §4.1): after
// normalization they are equal, or absent from both requests.
func secondaryKeysMatch(e *entry, h http.Header) bool {
	for _, f := range e.vary {
		want := e.varyValue[f]
		got, present := normalizedFieldValue(h.Values(f))
		if present != (want != nil) || present && got != *want {
			return false
		}
	}
	return true
}

// captureVary records the request's values for the fields Vary nominates.
func captureVary(fields []string, h http.Header) map[string]*string {
	m := make(map[string]*string, len(fields))
	for _, f := range fields {
		if v, ok := normalizedFieldValue(h.Values(f)); ok {
			m[f] = &v
		} else {
			m[f] = nil
		}
	}
	return m
}

// normalizedFieldValue applies the normalizations RFC 9111 §4.1 allows for
// any field: combining field lines and removing whitespace around list
// members. Semantic normalizations (case, order) depend on the field and are
// not applied, so values that differ only in those do not match.
func normalizedFieldValue(lines []string) (string, bool) {
	if len(lines) == 0 {
		return "", false
	}
	var members []string
	for _, line := range lines {
		for _, m := range strings.Split(line, ",") {
			members = append(members, httpsyntax.TrimOWS(m))
		}
	}
	return strings.Join(members, ","), true
}

// Header fields never stored (RFC 9111 §3.1): Connection and the fields it
// lists, fields whose semantics require removal before forwarding (RFC 9110
// §7.6.1), and the fields specific to a client's proxy.
var unstoredFields = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "TE", "Transfer-Encoding", "Upgrade", "Trailer",
	"Proxy-Authenticate", "Proxy-Authentication-Info", "Proxy-Authorization",
}

// storedHeader is the header section to store for a response
// (RFC 9111 §3.1). In a shared cache the fields listed by a qualified private
// directive are left out (RFC 9111 §5.2.2.7). A response without Date gets
// one: RFC 9110 §6.6.1 requires a recipient with a clock to append the time
// it was received to a response it caches.
func storedHeader(h http.Header, cc cachecontrol.Directives, shared bool, responseTime time.Time) http.Header {
	s := h.Clone()
	if s == nil {
		s = http.Header{}
	}
	removeUnstoredFields(s)
	if shared {
		if _, fields := cc.Private(); fields != nil {
			for _, f := range fields {
				s.Del(f)
			}
		}
	}
	if len(s.Values("Date")) == 0 {
		s.Set("Date", httpdate.Format(responseTime))
	}
	return s
}

func removeUnstoredFields(h http.Header) {
	for _, line := range h.Values("Connection") {
		for _, f := range strings.Split(line, ",") {
			if f = httpsyntax.TrimOWS(f); f != "" {
				h.Del(f)
			}
		}
	}
	for _, f := range unstoredFields {
		h.Del(f)
	}
}

// updatedHeader returns the stored header updated from a newer response's
// header (RFC 9111 §3.2): each field of the newer response replaces the
// stored values, with these exceptions:
//   - the fields excepted from storage (RFC 9111 §3.1);
//   - Content-Length;
//   - Content-Range, which is "automatically processed and removed";
//   - Content-Encoding when the transport decoded the stored body, a field
//     "the cache's stored response depends upon".
//
// The stored Age is dropped as well: Age describes the message it arrived
// in (RFC 9111 §5.1), and a validated response's age starts again from the
// validating response (RFC 9111 §4.2.3 "since the stored response was last
// validated"); keeping the old value would count the old age twice.
func updatedHeader(stored, newer http.Header, uncompressed bool) http.Header {
	h := stored.Clone()
	h.Del("Age")
	n := newer.Clone()
	removeUnstoredFields(n)
	n.Del("Content-Length")
	n.Del("Content-Range")
	if uncompressed {
		n.Del("Content-Encoding")
	}
	for name, values := range n {
		h[name] = values
	}
	return h
}
