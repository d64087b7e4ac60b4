package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/httpcheck/httpcheck/reference/httpcache"
	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/etag"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// resource is one representation stored by PUT resources/{id}, with the
// validators and freshness chosen when it was put.
type resource struct {
	body         []byte
	contentType  string
	etag         etag.Tag
	lastModified time.Time

	// Choices made at PUT (contract: resources).
	useETag, useLastModified bool
	maxAge                   int // seconds; -1 for none
	expires                  bool
	cacheControl             string // extra directives, e.g. "no-store"
}

// resourceStore keeps resources in memory: they are per-check test state,
// namespaced by the harness, and bounded so a client cannot fill memory:
// past maxResources the one put longest ago is forgotten.
type resourceStore struct {
	mu    sync.Mutex
	items map[string]*resource
	order []string // ids in the order they were created, oldest first
}

// remember records a new id; mu is held. Deleted ids linger in order
// until it is twice the bound, then it is compacted to the live ones.
func (rs *resourceStore) remember(id string) {
	rs.order = append(rs.order, id)
	if len(rs.order) > 2*maxResources {
		live := make([]string, 0, len(rs.items))
		seen := map[string]bool{}
		for i := len(rs.order) - 1; i >= 0; i-- { // newest first: keep the latest creation of an id
			if x := rs.order[i]; rs.items[x] != nil && !seen[x] {
				seen[x] = true
				live = append(live, x)
			}
		}
		slices.Reverse(live)
		rs.order = live
	}
}

// evictOldest forgets the resource created longest ago; mu is held.
func (rs *resourceStore) evictOldest() {
	for len(rs.order) > 0 {
		id := rs.order[0]
		rs.order = rs.order[1:]
		if _, ok := rs.items[id]; ok {
			delete(rs.items, id)
			return
		}
	}
}

const maxResources = 10000

// resourceID keeps ids to a safe alphabet: they never name files, but a
// narrow alphabet keeps the contract simple to implement anywhere.
var resourceID = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,200}$`)

func (s *Server) resourceRoutes() {
	s.mux.HandleFunc("GET /resources/{id}", s.resourceGet)
	s.mux.HandleFunc("HEAD /resources/{id}", s.resourceGet)
	s.mux.HandleFunc("PUT /resources/{id}", s.resourcePut)
	s.mux.HandleFunc("DELETE /resources/{id}", s.resourceDelete)
}

func (s *Server) resourceIDOf(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("id")
	if !resourceID.MatchString(id) || id == "." || id == ".." {
		writeError(w, http.StatusBadRequest, `a resource id is 1 to 200 characters of A-Z a-z 0-9 . _ ~ -, and neither "." nor ".."`)
		return "", false
	}
	return id, true
}

// validators describes the current representation of id for precondition
// evaluation (RFC 9110 §13.2.2).
func (res *resource) validators() httpcache.Validators {
	if res == nil {
		return httpcache.Validators{}
	}
	v := httpcache.Validators{Exists: true}
	if res.useETag {
		tag := res.etag
		v.ETag = &tag
	}
	if res.useLastModified {
		v.LastModified = res.lastModified
	}
	return v
}

// writeMetadata writes the representation metadata and freshness of res:
// the fields a 200 carries and, per RFC 9110 §15.4.5, a 304 must repeat
// (ETag, Cache-Control, Expires, Vary, Content-Location, Date).
func (s *Server) writeMetadata(h http.Header, r *http.Request, res *resource, notModified bool) {
	now := s.now()
	h.Set("Date", httpdate.Format(now))
	if res.useETag {
		h.Set("ETag", res.etag.String())
	}
	// RFC 9110 §15.4.5: a 304 SHOULD NOT carry other representation
	// metadata, except what guides cache updates: Last-Modified helps only
	// when there is no ETag.
	if res.useLastModified && (!notModified || !res.useETag) {
		h.Set("Last-Modified", httpdate.Format(res.lastModified))
	}
	var cc []string
	if res.maxAge >= 0 {
		cc = append(cc, "max-age="+strconv.Itoa(res.maxAge))
	}
	if res.cacheControl != "" {
		cc = append(cc, res.cacheControl)
	}
	if len(cc) > 0 {
		h.Set("Cache-Control", strings.Join(cc, ", "))
	}
	if res.expires {
		// Expires agrees with Date + max-age, so HTTP/1.0 caches and
		// modern ones reach the same freshness (RFC 9111 §5.3).
		h.Set("Expires", httpdate.Format(now.Add(time.Duration(max(res.maxAge, 0))*time.Second)))
	}
	h.Set("Vary", "Accept-Encoding")
	h.Set("Content-Location", r.URL.Path)
}

func (s *Server) resourceGet(w http.ResponseWriter, r *http.Request) {
	id, ok := s.resourceIDOf(w, r)
	if !ok {
		return
	}
	s.resources.mu.Lock()
	res := s.resources.items[id]
	s.resources.mu.Unlock()
	if res == nil {
		// RFC 9110 §13.2.1: preconditions are evaluated only when the
		// response would otherwise be 2xx; a 404 stays a 404.
		writeError(w, http.StatusNotFound, fmt.Sprintf("no resource %q", id))
		return
	}
	switch httpcache.EvaluatePreconditions(r.Method, r.Header, res.validators(), s.now()) {
	case httpcache.NotModified:
		s.writeMetadata(w.Header(), r, res, true)
		w.WriteHeader(http.StatusNotModified) // RFC 9110 §15.4.5: no content
		return
	case httpcache.PreconditionFailed:
		writeError(w, http.StatusPreconditionFailed, "a precondition failed")
		return
	}
	s.writeMetadata(w.Header(), r, res, false)
	w.Header().Set("Content-Type", res.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(res.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(res.body)
	}
}

// resourcePut creates or replaces a representation. If-Match and
// If-Unmodified-Since make it safe against lost updates (RFC 9110
// §13.1.1, §13.1.4); If-None-Match: * makes it create-only.
func (s *Server) resourcePut(w http.ResponseWriter, r *http.Request) {
	id, ok := s.resourceIDOf(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	next := &resource{maxAge: -1, contentType: r.Header.Get("Content-Type")}
	if next.contentType == "" {
		next.contentType = "text/plain; charset=utf-8"
	}
	switch v := q.Get("validators"); v {
	case "", "both":
		next.useETag, next.useLastModified = true, true
	case "etag":
		next.useETag = true
	case "last-modified":
		next.useLastModified = true
	case "none":
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("validators %q: want both, etag, last-modified or none", v))
		return
	}
	if v := q.Get("max_age"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxLifetimeSeconds {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("max_age %q: want a number of seconds from 0 to %d", v, maxLifetimeSeconds))
			return
		}
		next.maxAge = n
	}
	next.expires = isTrue(q.Get("expires"))
	weak := isTrue(q.Get("weak"))
	if v := q.Get("cache_control"); v != "" {
		// An extension of the contract: extra directives for the
		// freshness checks (no-store, no-cache, private, ...).
		d := cachecontrol.Parse([]string{v})
		if p := d.Problems(); len(p) > 0 {
			writeError(w, http.StatusBadRequest, "cache_control: "+strings.Join(p, "; "))
			return
		}
		next.cacheControl = d.String()
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		// Not always too large: a body that stalls times out (408), a
		// malformed chunked one is a 400 (bodyError).
		status, msg := bodyError(err)
		writeBodyError(w, status, msg)
		return
	}
	next.body = body
	// A strong validator changes whenever the representation data does
	// (RFC 9110 §8.8.3): a hash of the content and its type does exactly
	// that, and tells apart two changes within one second, which
	// Last-Modified cannot.
	sum := sha256.Sum256(append([]byte(next.contentType+"\x00"), body...))
	next.etag = etag.Tag{Weak: weak, Opaque: hex.EncodeToString(sum[:12])}

	s.resources.mu.Lock()
	defer s.resources.mu.Unlock()
	cur := s.resources.items[id]
	now := s.now()
	if out := httpcache.EvaluatePreconditions(r.Method, r.Header, cur.validators(), now); out != httpcache.Proceed {
		writeError(w, out.StatusCode(), "a precondition failed; the resource is unchanged")
		return
	}
	next.lastModified = now.Truncate(time.Second)
	if cur != nil && cur.etag.Opaque == next.etag.Opaque {
		next.lastModified = cur.lastModified // the representation did not change
	}
	if cur == nil && len(s.resources.items) >= maxResources {
		// Resources are per-check test state: forget the one put longest
		// ago rather than refuse valid input from a long-lived server.
		s.resources.evictOldest()
	}
	s.resources.items[id] = next
	if cur == nil {
		s.resources.remember(id)
	}
	status := http.StatusOK
	if cur == nil {
		status = http.StatusCreated
	}
	h := w.Header()
	if next.useETag {
		h.Set("ETag", next.etag.String())
	}
	if next.useLastModified {
		h.Set("Last-Modified", httpdate.Format(next.lastModified))
	}
	writeJSON(w, status, map[string]any{"id": id, "created": cur == nil})
}

func (s *Server) resourceDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := s.resourceIDOf(w, r)
	if !ok {
		return
	}
	s.resources.mu.Lock()
	defer s.resources.mu.Unlock()
	cur := s.resources.items[id]
	if cur == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no resource %q", id))
		return
	}
	if out := httpcache.EvaluatePreconditions(r.Method, r.Header, cur.validators(), s.now()); out != httpcache.Proceed {
		writeError(w, out.StatusCode(), "a precondition failed; the resource is unchanged")
		return
	}
	delete(s.resources.items, id)
	w.WriteHeader(http.StatusNoContent)
}
