// Package server is the reference server: every endpoint of the httpcheck
// contract (docs/contract.md), wired to the reference packages, so that it
// passes every check by construction and shows what "correct" looks like.
//
// It serves any Host (the harness's virtual hosts reach it by dialling its
// address), answers JSON, and never answers 5xx to bad input: a malformed
// request gets a 4xx with {"error": "..."}.
package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/httpcheck/httpcheck/reference/cache"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/session"
)

// Options configures a Server.
type Options struct {
	// Clock is the server's time. A *clock.Virtual enables the contract's
	// clock endpoints and the "clock" feature.
	Clock clock.Clock
	// Name is the manifest's "server" string.
	Name string
	// Hosts are the host names the manifest lists; the server answers any.
	Hosts []string
	// Sessions is the session store; nil serves no sessions or login.
	Sessions        session.Store
	SessionSettings session.Settings
	// SessionBackend names the store for the manifest ("sqlite", ...).
	SessionBackend string
	// Caches are the cache aliases; nil serves no cache API or views.
	Caches *cache.Aliases
	// Deployment, when set, is the manifest's "deployment": the name every
	// instance of one deployment (sharing its stores) reports.
	Deployment string
}

// Server is the reference implementation of the contract.
type Server struct {
	opts    Options
	virtual *clock.Virtual
	mux     *http.ServeMux

	resources resourceStore

	mu   sync.Mutex
	urls map[string]string
}

// MaxBodyBytes bounds request bodies: the contract's requests are small.
// A larger body gets 413 (docs/reliability.md).
const MaxBodyBytes = 1 << 20

const maxBody = MaxBodyBytes

// New returns a reference server.
func New(o Options) *Server {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Name == "" {
		o.Name = "httpcheck reference server"
	}
	s := &Server{opts: o, mux: http.NewServeMux(), urls: map[string]string{},
		resources: resourceStore{items: map[string]*resource{}}}
	s.virtual, _ = o.Clock.(*clock.Virtual)
	s.routes()
	return s
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /manifest", s.manifest)
	s.mux.HandleFunc("GET /cookies/set", s.cookieSet)
	s.mux.HandleFunc("GET /cookies/delete", s.cookieDelete)
	s.mux.HandleFunc("GET /cookies/get", s.cookieGet)
	s.mux.HandleFunc("GET /cookies/all", s.cookieAll)
	s.resourceRoutes()
	if s.opts.Sessions != nil {
		s.sessionRoutes()
	}
	if s.opts.Caches != nil {
		s.cacheRoutes()
	}
	if s.virtual != nil {
		s.mux.HandleFunc("GET /clock", s.clockNow)
		s.mux.HandleFunc("POST /clock/advance", s.clockAdvance)
	}
	s.mux.HandleFunc("/", s.notFound)
}

// notFound answers what no route took: 405 when the path exists under
// another method, 404 otherwise, both as the contract's JSON errors.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, strings.Join(allowed, ", ")))
		return
	}
	writeError(w, http.StatusNotFound, fmt.Sprintf("no contract endpoint %s %s", r.Method, r.URL.Path))
}

// SetURL records the base URL the server is reachable at over scheme, for
// the manifest's "urls".
func (s *Server) SetURL(scheme, url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.urls[scheme] = url
}

// ServeHTTP stamps Date from the server's clock (so a virtual clock shows
// in every response), bounds the body, and routes.
//
// Two requests are answered before routing: a path with empty or dot
// segments gets 400 (isCleanPath), and a body declared larger than
// MaxBodyBytes gets 413 at once, without waiting for bytes that the
// handler would refuse anyway.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
	if r.Method != http.MethodConnect && !isCleanPath(r.URL.Path) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("path %.200q has an empty, \".\" or \"..\" segment (RFC 3986 §3.3)", r.URL.Path))
		return
	}
	if r.ContentLength > maxBody {
		writeBodyError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body of %d bytes, over %d", r.ContentLength, maxBody))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	s.mux.ServeHTTP(w, r)
}

func (s *Server) now() time.Time { return s.opts.Clock.Now() }

func (s *Server) manifest(w http.ResponseWriter, r *http.Request) {
	features := []string{"cookies", "resources"}
	extra := map[string]any{}
	if s.opts.Sessions != nil {
		features = append(features, "sessions", "auth")
		extra["session"] = s.sessionManifest()
	}
	if s.opts.Caches != nil {
		features = append(features, "cache", "views")
		extra["cache"] = s.cacheManifest()
	}
	if s.virtual != nil {
		features = append(features, "clock")
	}
	s.mu.Lock()
	urls := make(map[string]string, len(s.urls))
	for k, v := range s.urls {
		urls[k] = v
	}
	s.mu.Unlock()
	m := map[string]any{
		"contract": "httpcheck/1",
		"server":   s.opts.Name,
		"features": features,
		"hosts":    map[string]any{"any_host": true, "names": s.opts.Hosts},
		"urls":     urls,
	}
	for k, v := range extra {
		m[k] = v
	}
	if s.opts.Deployment != "" {
		m["deployment"] = s.opts.Deployment
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) clockNow(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"now": s.now().UTC().Format(time.RFC3339Nano)})
}

// maxAdvance bounds one clock step: far enough for a 400-day cookie, short
// enough that time arithmetic never overflows.
const maxAdvance = 10 * 365 * 24 * time.Hour

func (s *Server) clockAdvance(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Seconds *float64 `json:"seconds"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if req.Seconds == nil {
		writeError(w, http.StatusBadRequest, `missing "seconds"`)
		return
	}
	if secs := *req.Seconds; !(secs >= 0 && secs <= maxAdvance.Seconds()) { // also rejects NaN
		writeError(w, http.StatusBadRequest, fmt.Sprintf(`"seconds" must be between 0 and %d`, int(maxAdvance.Seconds())))
		return
	}
	s.virtual.Advance(time.Duration(*req.Seconds * float64(time.Second)))
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
	s.clockNow(w, r)
}

// writeJSON answers v as JSON. Contract answers are per-client and never
// cacheable.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"answer does not encode as JSON"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// readJSON decodes the request body into v, answering 400 (or 408, 413:
// readBody) and returning false when it cannot.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	data, status, err := readBody(r)
	if err != nil {
		writeBodyError(w, status, err.Error())
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "request body is not the expected JSON: "+err.Error())
		return false
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, "request body has data after the JSON value")
		return false
	}
	return true
}
