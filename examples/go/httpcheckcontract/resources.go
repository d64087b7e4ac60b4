package httpcheckcontract

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// resources/{id} (feature "resources"): PUT, GET, HEAD, DELETE.
//
// GET and HEAD are http.ServeContent's: it evaluates If-Match,
// If-Unmodified-Since, If-None-Match and If-Modified-Since against the ETag
// the handler has set and the modification time it is given, and answers
// 304 (keeping every header the handler set, less the content fields) or
// 412. net/http evaluates preconditions only there: its checkPreconditions
// is not exported, and nothing of the standard library applies them to PUT
// or DELETE. So this file does that itself (RFC 9110 §13.2.2), unless
// Options.Plain.

var (
	resourceID = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,200}$`)
	token      = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
)

type resource struct {
	body        []byte
	contentType string
	etag        string // "…" or W/"…"
	useETag     bool
	useLastMod  bool
	lastMod     time.Time // whole seconds
	maxAge      int64     // -1: none
	expires     bool
	directives  []string
}

// resourceStore keeps at most limit resources in memory, forgetting the one
// put longest ago when a new one comes.
type resourceStore struct {
	mu    sync.Mutex
	limit int
	items map[string]*resource
	order *list.List // ids, oldest first
	elems map[string]*list.Element
}

func newResourceStore(limit int) *resourceStore {
	return &resourceStore{limit: limit, items: map[string]*resource{}, order: list.New(), elems: map[string]*list.Element{}}
}

func (s *resourceStore) get(id string) *resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.items[id]
}

func (s *resourceStore) put(id string, r *resource) {
	if _, ok := s.items[id]; !ok {
		if len(s.items) >= s.limit {
			oldest := s.order.Front()
			s.order.Remove(oldest)
			delete(s.items, oldest.Value.(string))
			delete(s.elems, oldest.Value.(string))
		}
		s.elems[id] = s.order.PushBack(id)
	}
	s.items[id] = r
}

func (s *resourceStore) remove(id string) {
	if e, ok := s.elems[id]; ok {
		s.order.Remove(e)
		delete(s.elems, id)
	}
	delete(s.items, id)
}

// contentLocation is the request's path as the client sent it, before
// http.StripPrefix took the base path off.
func contentLocation(r *http.Request) string {
	if r.RequestURI != "" && strings.HasPrefix(r.RequestURI, "/") {
		p, _, _ := strings.Cut(r.RequestURI, "?")
		return p
	}
	return r.URL.Path
}

func (h *handler) resource(w http.ResponseWriter, r *http.Request, args []string) error {
	id := args[0]
	if !resourceID.MatchString(id) || id == "." || id == ".." {
		return badInput("resource id %q: want 1 to 200 characters of A-Z a-z 0-9 . _ ~ -", id)
	}
	switch r.Method {
	case http.MethodPut:
		return h.resourcePut(w, r, id)
	case http.MethodDelete:
		return h.resourceDelete(w, r, id)
	}
	res := h.resources.get(id)
	if res == nil {
		return notFound("no resource %q", id)
	}
	// Everything but the validators is set before ServeContent, so that
	// its 304 carries it too (RFC 9110 §15.4.5).
	now := time.Now()
	hd := w.Header()
	hd.Set("Date", now.UTC().Format(http.TimeFormat)) // the Date that Expires counts from
	var cc []string
	if res.maxAge >= 0 {
		cc = append(cc, "max-age="+strconv.FormatInt(res.maxAge, 10))
	}
	cc = append(cc, res.directives...)
	if len(cc) > 0 {
		hd.Set("Cache-Control", strings.Join(cc, ", "))
	}
	if res.expires {
		hd.Set("Expires", now.Add(time.Duration(max(res.maxAge, 0))*time.Second).UTC().Format(http.TimeFormat))
	}
	hd.Set("Vary", "Accept-Encoding")
	hd.Set("Content-Location", contentLocation(r))
	hd.Set("Content-Type", res.contentType)
	if res.useETag {
		hd.Set("ETag", res.etag)
	}
	var modtime time.Time // zero: ServeContent sends no Last-Modified
	if res.useLastMod {
		modtime = res.lastMod
	}
	http.ServeContent(w, r, "", modtime, bytes.NewReader(res.body))
	return nil
}

// precondition evaluates the preconditions of a PUT or DELETE against the
// current representation (nil when there is none), as RFC 9110 §13.2.2
// orders them; false means 412.
func precondition(r *http.Request, cur *resource) bool {
	if im := r.Header.Get("If-Match"); im != "" {
		if cur == nil {
			return false
		}
		if strings.TrimSpace(im) != "*" && (!cur.useETag || !matchETag(im, cur.etag, true)) {
			return false
		}
	} else if ius := r.Header.Get("If-Unmodified-Since"); ius != "" && cur != nil && cur.useLastMod {
		if t, err := http.ParseTime(ius); err == nil && cur.lastMod.After(t) {
			return false
		}
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && cur != nil {
		if strings.TrimSpace(inm) == "*" || (cur.useETag && matchETag(inm, cur.etag, false)) {
			return false
		}
	}
	return true
}

// matchETag reports whether the list of entity tags in field matches tag,
// with the strong comparison or the weak one (RFC 9110 §8.8.3.2).
func matchETag(field, tag string, strong bool) bool {
	opaque := func(t string) (string, bool) { return strings.TrimPrefix(t, "W/"), strings.HasPrefix(t, "W/") }
	want, wantWeak := opaque(tag)
	for _, part := range strings.Split(field, ",") {
		got, gotWeak := opaque(strings.TrimSpace(part))
		if got != want {
			continue
		}
		if !strong || (!gotWeak && !wantWeak) {
			return true
		}
	}
	return false
}

func (h *handler) resourcePut(w http.ResponseWriter, r *http.Request, id string) error {
	q := r.URL.Query()
	next := &resource{maxAge: -1, contentType: r.Header.Get("Content-Type")}
	if next.contentType == "" {
		next.contentType = "application/octet-stream"
	}
	switch v := q.Get("validators"); v {
	case "", "both":
		next.useETag, next.useLastMod = true, true
	case "etag":
		next.useETag = true
	case "last-modified":
		next.useLastMod = true
	case "none":
	default:
		return badInput("validators %q: want both, etag, last-modified or none", v)
	}
	if q.Has("max_age") {
		n, _, err := queryInt(r, "max_age", 0, MaxSeconds)
		if err != nil {
			return err
		}
		next.maxAge = n
	}
	for _, name := range []string{"expires", "weak"} {
		if v := q.Get(name); v != "" && v != "0" && v != "1" {
			return badInput("%s %q: want 0 or 1", name, v)
		}
	}
	next.expires = q.Get("expires") == "1"
	for _, part := range strings.Split(q.Get("cache_control"), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, hasValue := strings.Cut(part, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !token.MatchString(name) || name == "max-age" || (hasValue && !token.MatchString(strings.Trim(value, `"`))) {
			return badInput("cache_control %q: want directives such as no-store, no-cache, private", part)
		}
		next.directives = append(next.directives, part)
	}
	body, err := readBody(w, r, h.opts.MaxBodyBytes)
	if err != nil {
		return err
	}
	next.body = body
	// A strong validator must change whenever the content does, twice in
	// one second too (RFC 9110 §8.8.3): a hash of the type and the content.
	sum := sha256.Sum256(append([]byte(next.contentType+"\x00"), body...))
	next.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
	if q.Get("weak") == "1" {
		next.etag = "W/" + next.etag
	}

	s := h.resources
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.items[id]
	if !h.opts.Plain && !precondition(r, cur) {
		return &Error{http.StatusPreconditionFailed, "a precondition failed; the resource is unchanged"}
	}
	next.lastMod = time.Now().Truncate(time.Second)
	if cur != nil && bytes.Equal(cur.body, next.body) && cur.contentType == next.contentType {
		next.lastMod = cur.lastMod // an identical PUT changes nothing
	}
	s.put(id, next)
	if next.useETag {
		w.Header().Set("ETag", next.etag)
	}
	if next.useLastMod {
		w.Header().Set("Last-Modified", next.lastMod.UTC().Format(http.TimeFormat))
	}
	status := http.StatusOK
	if cur == nil {
		status = http.StatusCreated
	}
	return writeJSON(w, status, map[string]any{"created": cur == nil, "id": id})
}

func (h *handler) resourceDelete(w http.ResponseWriter, r *http.Request, id string) error {
	s := h.resources
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.items[id]
	if cur == nil {
		return notFound("no resource %q", id)
	}
	if !h.opts.Plain && !precondition(r, cur) {
		return &Error{http.StatusPreconditionFailed, "a precondition failed; the resource is unchanged"}
	}
	s.remove(id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
