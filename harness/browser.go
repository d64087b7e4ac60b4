package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/httpcheck/httpcheck/reference/cookie"
	"github.com/httpcheck/httpcheck/reference/httpcache"
	"github.com/httpcheck/httpcheck/reports"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// Duration is time.Duration, named here so check code reads naturally.
type Duration = time.Duration

// Browser is one user agent: its own cookie jar, the target's dialer, and
// a recorder of every exchange. A Browser bound to a host and scheme (On,
// Over) shares its jar and recorder with the one it came from.
type Browser struct {
	target *Target
	state  *browserState
	host   string // "" is the base URL's host
	scheme string
	// via, when set, is the instance of target's deployment that requests
	// go to (Via, deployment.go); cookies stay target's.
	via *Target
}

type browserState struct {
	env   *Env // the check the browser works for now (see Env.Adopt)
	jar   *cookie.Jar
	cache *httpcache.Cache // the browser's private HTTP cache (RFC 9111)
	rec   *recorder
}

func newBrowser(e *Env, t *Target) *Browser {
	st := &browserState{env: e, jar: cookie.NewJar(t.Clock, nil), rec: &recorder{}}
	st.cache = httpcache.New(httpcache.Options{Transport: &cacheTransport{target: t, state: st}, Clock: t.Clock})
	return &Browser{target: t, state: st, scheme: t.Base.Scheme}
}

// cacheTransport is how the browser cache reaches the network: through
// the target's dialer and deadline, with every exchange recorded.
type cacheTransport struct {
	target *Target
	state  *browserState
}

func (c *cacheTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	sent := time.Now()
	resp, body, err := c.target.roundTrip(req.Context(), req)
	c.state.rec.record(req, nil, resp, body, err, sent, "sent by the browser cache")
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func (b *Browser) rec() *recorder { return b.state.rec }

// Jar is the browser's cookie jar.
func (b *Browser) Jar() *cookie.Jar { return b.state.jar }

// On returns this browser talking to host (a VirtualHosts name).
func (b *Browser) On(host string) *Browser { c := *b; c.host = host; return &c }

// Over returns this browser talking over scheme ("http" or "https").
func (b *Browser) Over(scheme string) *Browser { c := *b; c.scheme = scheme; return &c }

// EndSession closes the browser and opens it again: session cookies go.
func (b *Browser) EndSession() { b.state.jar.EndSession() }

// URL is the absolute URL of a contract path for this browser's host and
// scheme.
func (b *Browser) URL(path string, query url.Values) *url.URL {
	return b.target.URL(b.scheme, b.host, path, query)
}

// Request is one request a check sends.
type Request struct {
	Method string
	Path   string // relative to the contract's base URL
	Query  url.Values
	// URL, when set, is the absolute URL to send to, instead of Path and
	// Query: for URLs a check was given rather than contract paths.
	URL    *url.URL
	Header http.Header
	// JSON, when not nil, is marshalled as the body with Content-Type
	// application/json. Body is sent as is otherwise.
	JSON any
	Body []byte
	// Cookie, when set, is sent as the Cookie header instead of the jar's:
	// for replaying a cookie by hand. The jar still stores what comes back
	// unless NoStore is set.
	Cookie  *string
	NoStore bool
	// Cache sends the request through the browser's HTTP cache, which may
	// answer it without a request (fresh), revalidate it (stale) or fetch
	// it. Response.Source says which.
	Cache bool
	// Note says what the check is doing, for the evidence.
	Note string
}

// Get sends GET path with the query given as name, value pairs.
func (b *Browser) Get(path string, pairs ...string) *Response {
	return b.Do(Request{Method: http.MethodGet, Path: path, Query: Query(pairs...)})
}

// PostJSON sends POST path with v as its JSON body.
func (b *Browser) PostJSON(path string, v any) *Response {
	return b.Do(Request{Method: http.MethodPost, Path: path, JSON: v})
}

// Query builds url.Values from name, value pairs.
func Query(pairs ...string) url.Values {
	if len(pairs)%2 != 0 {
		panic("harness.Query: odd number of arguments")
	}
	q := url.Values{}
	for i := 0; i < len(pairs); i += 2 {
		q.Add(pairs[i], pairs[i+1])
	}
	return q
}

// Do sends r with the jar's cookies, stores what the response sets, records
// the exchange, and returns the response. A transport failure ends the
// check as `error`.
func (b *Browser) Do(r Request) *Response {
	resp, err := b.Try(r)
	if err != nil {
		b.state.env.Errorf("%v", err)
	}
	return resp
}

// Try is Do for exchanges that are allowed to fail at the transport level:
// it returns the error instead of ending the check.
func (b *Browser) Try(r Request) (*Response, error) {
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	u := b.URL(r.Path, r.Query)
	if r.URL != nil {
		u = r.URL
	}
	// send is where the request goes; u is what the jar sees (they differ
	// for a browser sent Via another instance).
	send, sender := u, b.target
	if b.via != nil {
		sender = b.via
		if r.URL == nil {
			send = b.via.URL(b.scheme, b.host, r.Path, r.Query)
		}
		if r.Cache {
			return nil, fmt.Errorf("%s %s: the browser cache does not go through Via", r.Method, send)
		}
	}
	body := r.Body
	header := r.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	b.target.addHeader(header)
	if r.JSON != nil {
		var err error
		if body, err = json.Marshal(r.JSON); err != nil {
			panic(fmt.Sprintf("harness: request body does not marshal: %v", err))
		}
		header.Set("Content-Type", "application/json")
	}
	req, err := http.NewRequestWithContext(b.state.env.Ctx, r.Method, send.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("building %s %s: %v", r.Method, send, err)
	}
	req.Header = header
	if b.via != nil && r.URL == nil {
		// The Host of the site the user sees, as a load balancer passes
		// it on: the instances of a deployment serve one site (and a
		// per-view cache keys its pages by it).
		req.Host = u.Host
	}
	if r.Cookie != nil {
		if *r.Cookie != "" {
			req.Header.Set("Cookie", *r.Cookie)
		}
	} else if c := b.state.jar.Header(u); c != "" {
		req.Header.Set("Cookie", joinCookies(req.Header.Get("Cookie"), c))
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "httpcheck")
	}

	sent := time.Now()
	var (
		httpResp *http.Response
		respBody []byte
		ex       *reports.Exchange
		source   = httpcache.SourceNetwork
	)
	var wire string
	if r.Cache {
		mark := b.rec().mark()
		httpResp, source, err = b.state.cache.Do(req.WithContext(b.state.env.Ctx))
		wire = describeWire(b.rec().since(mark))
		if err == nil {
			respBody, err = io.ReadAll(httpResp.Body)
			httpResp.Body.Close()
		}
		if err != nil {
			return nil, fmt.Errorf("%s %s (through the browser cache): %v", r.Method, u, err)
		}
		if source == httpcache.SourceNetwork || source == httpcache.SourceReplaced {
			ex = b.rec().last() // the cache's transport recorded it
			ex.Note = joinNote(r.Note, ex.Note)
		} else {
			// Served from storage, after a revalidation or without any
			// request at all: record what the browser got.
			ex = b.rec().record(req, nil, httpResp, respBody, nil, sent, joinNote(r.Note, "served by the browser cache"))
			ex.Source = string(source)
		}
	} else {
		var interim interimLog
		httpResp, respBody, err = sender.roundTrip(interim.attach(b.state.env.Ctx), req)
		ex = b.rec().record(req, body, httpResp, respBody, err, sent, r.Note)
		ex.Interim = interim.responses()
		if err != nil {
			return nil, fmt.Errorf("%s %s: %v", r.Method, send, err)
		}
	}
	resp := &Response{
		Status:     httpResp.StatusCode,
		Header:     httpResp.Header,
		Body:       respBody,
		URL:        send,
		SetCookies: httpResp.Header.Values("Set-Cookie"),
		Source:     string(source),
		Wire:       wire,
		Interim:    ex.Interim,
		browser:    b,
	}
	if source != httpcache.SourceCache && source != httpcache.SourceRevalidated && !r.NoStore && len(resp.SetCookies) > 0 {
		resp.Decisions = b.state.jar.SetCookies(u, resp.SetCookies)
		ex.Note = joinNote(ex.Note, describeDecisions(resp.Decisions))
	}
	return resp, nil
}

// maxInterim bounds the 1xx responses one request may get: net/http
// leaves the bound to whoever reads them, and a target that sends 1xx
// without end would otherwise fill memory until the timeout.
const maxInterim = 16

// interimLog collects the 1xx responses of one request. The transport
// calls its hook from the connection's read loop, which may still run
// after a timed-out RoundTrip has returned, so reads go through the lock.
type interimLog struct {
	mu   sync.Mutex
	seen []reports.Interim
}

// attach returns ctx with a hook that appends every 1xx response the
// transport reads before the final one. net/http hides them from the
// caller otherwise, and a cache in the middle must forward them.
func (l *interimLog) attach(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			l.mu.Lock()
			defer l.mu.Unlock()
			if len(l.seen) >= maxInterim {
				return fmt.Errorf("more than %d 1xx responses before a final one", maxInterim)
			}
			l.seen = append(l.seen, reports.Interim{Status: code, Header: headerPairs(http.Header(h))})
			return nil
		},
	})
}

// responses returns a copy of what was collected so far.
func (l *interimLog) responses() []reports.Interim {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.seen)
}

// describeWire summarises the exchanges the browser cache made for one
// request: each request with its conditional fields, and each answer with
// its status and validators.
func describeWire(exs []*reports.Exchange) string {
	var parts []string
	for _, ex := range exs {
		var conds []string
		for _, h := range ex.RequestHeaders {
			if h[0] == "If-None-Match" || h[0] == "If-Modified-Since" {
				conds = append(conds, h[0]+": "+h[1])
			}
		}
		sent := ex.Method
		if len(conds) > 0 {
			sent += " with " + strings.Join(conds, " and ")
		} else {
			sent += " without conditions"
		}
		if ex.Error != "" {
			parts = append(parts, sent+" failed: "+ex.Error)
			continue
		}
		var validators []string
		for _, h := range ex.ResponseHeaders {
			if h[0] == "Etag" || h[0] == "ETag" || h[0] == "Last-Modified" {
				validators = append(validators, h[0]+": "+h[1])
			}
		}
		got := fmt.Sprintf("answered %d", ex.Status)
		if len(validators) > 0 {
			got += " with " + strings.Join(validators, " and ")
		} else {
			got += " without ETag or Last-Modified"
		}
		parts = append(parts, sent+" "+got)
	}
	return strings.Join(parts, ", then ")
}

// addHeader adds the fields of Config.Header that h does not set itself.
func (t *Target) addHeader(h http.Header) {
	for k, vs := range t.header {
		if _, set := h[k]; !set {
			h[k] = vs
		}
	}
}

// joinCookies puts two Cookie header values together, the first first.
func joinCookies(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func describeDecisions(ds []cookie.Decision) string {
	var parts []string
	for _, d := range ds {
		switch {
		case d.Reason != "":
			parts = append(parts, fmt.Sprintf("jar ignored %q: %s", d.Name, d.Reason))
		case d.Evicted:
			parts = append(parts, fmt.Sprintf("jar removed %q", d.Name))
		case d.Stored:
			parts = append(parts, fmt.Sprintf("jar stored %q", d.Name))
		}
	}
	return strings.Join(parts, "; ")
}

func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// Response is what the target answered, read in full.
type Response struct {
	Status     int
	Header     http.Header
	Body       []byte
	URL        *url.URL
	SetCookies []string
	// Decisions says what the jar did with each Set-Cookie line.
	Decisions []cookie.Decision
	// Source says where the response came from: "network", or for a
	// request sent through the browser cache, "cache" (no request was
	// sent), "revalidated" (a conditional request got a 304), "replaced"
	// (a conditional request got a new response) or "generated".
	Source string
	// Wire says, for a request through the browser cache, what the cache
	// sent and what came back ("GET with If-Modified-Since: ... answered
	// 304 without ETag or Last-Modified"), so that a check's message can
	// say what really happened, not only where the answer came from.
	// It is "" when the cache sent nothing.
	Wire string
	// Interim holds the 1xx responses that came before this one, in
	// order (RFC 9110 §15.2); none for a request through the browser
	// cache.
	Interim []reports.Interim
	browser *Browser
}

// Decode unmarshals the JSON body into v. A body that is not JSON is
// garbage at the contract level: the check ends as `error`.
func (r *Response) Decode(v any) {
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.browser.state.env.Errorf("%s answered %d with a body that is not the contract's JSON (%v): %.200q",
			r.URL, r.Status, err, r.Body)
	}
}

// Object decodes the JSON body as an object.
func (r *Response) Object() map[string]any {
	var m map[string]any
	r.Decode(&m)
	return m
}

// SetCookie returns the Set-Cookie lines of the response for cookie name.
func (r *Response) SetCookie(name string) []string {
	var out []string
	for _, line := range r.SetCookies {
		if sc, ok := setcookie.Parse(line); ok && sc.Name == name {
			out = append(out, line)
		}
	}
	return out
}
