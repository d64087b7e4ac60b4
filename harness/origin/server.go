// Package origin is the harness's origin server for testing caches in the
// middle (proxies, CDNs): the cache under test forwards to it, and every
// check controls exactly what the cache sees from it and sees what reached
// it.
//
// A check registers a script, a list of responses, and gets back a path
// prefix of its own (/o/ID/). Requests under that prefix are answered from
// the script in the order they arrive, the last response repeating, and
// each one is logged (method, target, header fields, time, what was
// answered), so a check can count how often the cache went to the origin
// and read the conditional requests it sent. Responses can carry dates
// relative to the origin's clock, be held back, be cut short, or not come
// at all.
//
// The origin serves scripts on any path and its control endpoint under
// ControlPrefix. The harness registers scripts and reads logs over HTTP
// (Client), so an origin in the same process (`httpcheck run --cache URL
// --origin-listen ADDR`) and one on another machine (`httpcheck origin`)
// work the same way. The control endpoint answers loopback clients only,
// unless the origin has a token, which every control request must then
// carry (Authorization: Bearer TOKEN); requests that came through a proxy
// (Via, Forwarded, X-Forwarded-For) are refused either way, so a client of
// the cache under test cannot script the origin.
package origin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/httpcache"
)

// ControlPrefix is where the control endpoint lives; no script path starts
// with it.
const ControlPrefix = "/.httpcheck/"

// MaxScripts is how many scripts an origin keeps; registering more drops
// the oldest.
const MaxScripts = 20000

// Options configure a Server.
type Options struct {
	// Clock is the origin's clock, for Date and the date placeholders; nil
	// means the wall clock. A *clock.Virtual is advanced through the
	// control endpoint (POST clock/advance): tests share one with the
	// cache under test so that nobody waits.
	Clock clock.Clock
	// Token, when set, is required on every control request, from any
	// address.
	Token string
}

// Server is the origin: an http.Handler.
type Server struct {
	clock clock.Clock
	token string

	mu      sync.Mutex
	scripts map[string]*script
	order   []string // registration order, for dropping the oldest
}

type script struct {
	responses []Response
	hits      []Hit
}

// Hit is one request that reached the origin, and what it answered.
type Hit struct {
	Method string      `json:"method"`
	URI    string      `json:"uri"`    // the request target, path and query
	Header [][2]string `json:"header"` // the request's header fields, sorted by name
	// Received is the origin's clock when the request arrived; Sent when
	// the answer went out (or the connection was dropped).
	Received time.Time `json:"received"`
	Sent     time.Time `json:"sent"`
	// Wall is the origin machine's wall clock when the request arrived:
	// evidence is ordered by it, since a virtual clock runs ahead.
	Wall time.Time `json:"wall"`
	// Response is the index of the scripted response used.
	Response int `json:"response"`
	// Status is what the origin answered: the scripted status, 304 when
	// the request's preconditions said the cache had it, 0 for a reset.
	Status         int         `json:"status"`
	ResponseHeader [][2]string `json:"response_header,omitempty"`
	// Proto is the request's protocol version ("HTTP/1.1"), and Interim
	// the statuses of the scripted 1xx responses sent before the answer:
	// none to an HTTP/1.0 request (RFC 9110 §15.2).
	Proto   string `json:"proto,omitempty"`
	Interim []int  `json:"interim,omitempty"`
}

// Value returns the values of the request's header field name, joined by
// ", ", and whether it was present.
func (h Hit) Value(name string) (string, bool) {
	var vs []string
	for _, f := range h.Header {
		if strings.EqualFold(f[0], name) {
			vs = append(vs, f[1])
		}
	}
	return strings.Join(vs, ", "), len(vs) > 0
}

// IsConditional reports whether the request carried a precondition a
// cache sends to validate (If-None-Match or If-Modified-Since).
func (h Hit) IsConditional() bool {
	_, inm := h.Value("If-None-Match")
	_, ims := h.Value("If-Modified-Since")
	return inm || ims
}

// NewServer returns an origin with no scripts.
func NewServer(o Options) *Server {
	s := &Server{clock: o.Clock, token: o.Token, scripts: map[string]*script{}}
	if s.clock == nil {
		s.clock = clock.Real{}
	}
	return s
}

// ServeHTTP answers control requests and scripted requests; anything else
// is a 404.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, ControlPrefix); ok {
		s.control(w, r, rest)
		return
	}
	id, sc := s.lookup(r.URL.Path)
	if sc == nil {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "httpcheck origin: no script for "+r.URL.Path, http.StatusNotFound)
		return
	}
	s.answer(w, r, id)
}

// lookup finds the script a path belongs to: the first path segment that
// is a script id. Matching a segment anywhere lets a cache put the origin
// under a prefix of its own.
func (s *Server) lookup(path string) (string, *script) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, seg := range strings.Split(path, "/") {
		if sc, ok := s.scripts[seg]; ok {
			return seg, sc
		}
	}
	return "", nil
}

// answer serves the next response of script id.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, id string) {
	now := s.clock.Now()
	s.mu.Lock()
	sc := s.scripts[id]
	i := min(len(sc.hits), len(sc.responses)-1)
	resp := sc.responses[i]
	sc.hits = append(sc.hits, Hit{Method: r.Method, URI: r.URL.RequestURI(), Header: pairs(r.Header, r.Host), Received: now, Wall: time.Now(), Response: i, Proto: r.Proto})
	n := len(sc.hits) - 1
	s.mu.Unlock()

	status, h := resp.status(), http.Header{}
	defer func() {
		s.mu.Lock()
		sc.hits[n].Sent = s.clock.Now()
		sc.hits[n].Status = status
		sc.hits[n].ResponseHeader = pairs(h, "")
		s.mu.Unlock()
	}()

	// "A server MUST NOT send a 1xx response to an HTTP/1.0 client"
	// (RFC 9110 §15.2); net/http would send it.
	if r.ProtoAtLeast(1, 1) && len(resp.Interim) > 0 {
		sendInterim(w, resp.Interim, s.clock.Now())
		s.mu.Lock()
		for _, in := range resp.Interim {
			sc.hits[n].Interim = append(sc.hits[n].Interim, in.Status)
		}
		s.mu.Unlock()
	}
	if d := time.Duration(resp.DelayMillis) * time.Millisecond; d > 0 {
		t := time.NewTimer(min(d, MaxDelay))
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	if resp.Reset {
		status = 0
		panic(http.ErrAbortHandler)
	}
	h = resp.header(s.clock.Now())
	body := resp.Body
	if out := resp.outcome(r, h, s.clock.Now()); out != httpcache.Proceed {
		status = out.StatusCode()
		if status == http.StatusNotModified {
			for _, f := range contentFields {
				h.Del(f)
			}
		}
		body = ""
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	if resp.Truncate {
		w.Header().Set("Content-Length", fmt.Sprint(2*len(body)+2))
		w.WriteHeader(status)
		io.WriteString(w, body[:len(body)/2])
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead && bodyAllowed(status) {
		io.WriteString(w, body)
	}
}

// sendInterim writes the scripted 1xx responses. net/http sends the
// handler's header map with each and keeps it, so each one's fields are
// removed again after it.
func sendInterim(w http.ResponseWriter, interim []Interim, now time.Time) {
	for _, in := range interim {
		h := w.Header()
		for _, f := range in.Header {
			name := http.CanonicalHeaderKey(f[0])
			h[name] = append(h[name], expand(f[1], now))
		}
		w.WriteHeader(in.Status)
		for _, f := range in.Header {
			delete(h, http.CanonicalHeaderKey(f[0]))
		}
	}
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// pairs flattens a header, sorted by name, with Host first when given.
func pairs(h http.Header, host string) [][2]string {
	var out [][2]string
	if host != "" {
		out = append(out, [2]string{"Host", host})
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

// register stores a script and returns its id.
func (s *Server) register(rs []Response) string {
	b := make([]byte, 8)
	rand.Read(b)
	id := hex.EncodeToString(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[id] = &script{responses: rs}
	s.order = append(s.order, id)
	if len(s.order) > MaxScripts {
		delete(s.scripts, s.order[0])
		s.order = s.order[1:]
	}
	return id
}

// hits returns the log of script id.
func (s *Server) hits(id string) ([]Hit, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.scripts[id]
	if !ok {
		return nil, false
	}
	return append([]Hit(nil), sc.hits...), true
}

// ScriptPath is the path prefix of script id.
func ScriptPath(id string) string { return "/o/" + id + "/" }

// control serves the control endpoint:
//
//	POST scripts                 {"responses": [...]} -> 201 {"id", "path"}
//	GET  scripts/ID/hits         -> {"hits": [...]}
//	GET  clock                   -> {"now", "virtual"}
//	POST clock/advance           {"seconds": N} -> {"now", "virtual"} (virtual clocks only)
func (s *Server) control(w http.ResponseWriter, r *http.Request, rest string) {
	w.Header().Set("Cache-Control", "no-store")
	if err := s.authorize(r); err != nil {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": err.Error()})
		return
	}
	switch {
	case rest == "scripts" && r.Method == http.MethodPost:
		var body struct {
			Responses []Response `json:"responses"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want {\"responses\": [...]}: " + err.Error()})
			return
		}
		if err := Validate(body.Responses); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		id := s.register(body.Responses)
		writeJSON(w, http.StatusCreated, map[string]string{"id": id, "path": ScriptPath(id)})
	case strings.HasPrefix(rest, "scripts/") && strings.HasSuffix(rest, "/hits") && r.Method == http.MethodGet:
		id := strings.TrimSuffix(strings.TrimPrefix(rest, "scripts/"), "/hits")
		hits, ok := s.hits(id)
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no script " + id})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"hits": hits})
	case rest == "clock" && r.Method == http.MethodGet:
		s.writeClock(w)
	case rest == "clock/advance" && r.Method == http.MethodPost:
		vc, ok := s.clock.(*clock.Virtual)
		if !ok {
			writeJSON(w, http.StatusConflict, map[string]string{"error": "this origin runs on the wall clock"})
			return
		}
		var body struct {
			Seconds float64 `json:"seconds"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body); err != nil || body.Seconds < 0 || body.Seconds > 1e9 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want {\"seconds\": N} with N >= 0"})
			return
		}
		vc.Advance(time.Duration(body.Seconds * float64(time.Second)))
		s.writeClock(w)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no control endpoint " + r.Method + " " + rest})
	}
}

func (s *Server) writeClock(w http.ResponseWriter) {
	_, virtual := s.clock.(*clock.Virtual)
	writeJSON(w, http.StatusOK, map[string]any{"now": s.clock.Now().UTC().Format(time.RFC3339Nano), "virtual": virtual})
}

// authorize admits a control request: with a token, one that carries it;
// without, one from a loopback address. Neither may have come through a
// proxy.
func (s *Server) authorize(r *http.Request) error {
	for _, f := range []string{"Via", "Forwarded", "X-Forwarded-For"} {
		if r.Header.Get(f) != "" {
			return fmt.Errorf("control requests must not come through a proxy (%s)", f)
		}
	}
	if s.token != "" {
		got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1 {
			return errors.New("control requests need Authorization: Bearer <the origin's token>")
		}
		return nil
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return errors.New("control requests are accepted from loopback only; give the origin a --token to script it from elsewhere")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// Instance is an origin listening on an address.
type Instance struct {
	Server *Server
	// URL is the origin's base URL ("http://127.0.0.1:PORT/"); a cache
	// under test forwards to it.
	URL  string
	srv  *http.Server
	errc chan error
}

// Start serves a new origin on addr ("127.0.0.1:0" picks a port).
func Start(addr string, o Options) (*Instance, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := NewServer(o)
	inst := &Instance{Server: s, URL: "http://" + dialable(ln.Addr().String()) + "/", errc: make(chan error, 1),
		srv: &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 64 << 10}}
	go func() {
		err := inst.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		inst.errc <- err
	}()
	return inst, nil
}

// dialable turns a listening address into one a client on this machine can
// dial: an unspecified host (0.0.0.0, ::) becomes loopback.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		if ip.To4() != nil {
			host = "127.0.0.1"
		} else {
			host = "::1"
		}
	}
	return net.JoinHostPort(host, port)
}

// Err receives the error that stopped the server (nil after Close).
func (inst *Instance) Err() <-chan error { return inst.errc }

// Close stops the origin.
func (inst *Instance) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return inst.srv.Shutdown(ctx)
}
