// Package proxy is httpcheck's reference cache in the middle: a reverse
// proxy in front of one origin, built on the shared cache of
// reference/httpcache (RFC 9111 with Options.Shared). `httpcheck proxy`
// serves it, and suites/proxy must pass against it.
//
// What it adds to the cache is what an intermediary owes the messages it
// forwards (RFC 9110 §7.6): it removes the hop-by-hop fields (the
// Connection header field and the fields it lists, §7.6.1), adds Via to
// requests and responses (§7.6.3), adds a Date to a response that has none
// (§6.6.1), forwards the origin's 1xx responses (§15.2, interim.go), and
// answers 502 (Bad Gateway) or 504 (Gateway Timeout) when the origin
// cannot be reached. The cache adds Age to what it serves from
// storage (RFC 9111 §4), and Cache-Status to every response (RFC 9211):
// hit, or fwd with its reason and fwd-status, stored, ttl and key.
//
// The cache key is the target URI the client asked for (RFC 9110 §7.1:
// scheme, Host and path), not the origin's: two host names served by one
// proxy never share stored responses.
package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/httpcache"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// Options configure a Proxy.
type Options struct {
	// Origin is the base URL requests are forwarded to: its scheme and
	// host, and its path as a prefix of the client's path.
	Origin *url.URL
	// Clock is the cache's clock; nil means the wall clock.
	Clock clock.Clock
	// Transport sends requests to the origin, already addressed to it;
	// nil means an http.Transport with Timeout.
	Transport http.RoundTripper
	// Timeout bounds each request to the origin. Default 30 s.
	Timeout time.Duration
	// MaxStorage caps the stored responses, in bytes (httpcache.Options).
	// Zero means 64 MiB.
	MaxStorage int64
	// TargetList names the targeted cache-control fields the cache obeys
	// over Cache-Control, most applicable first (RFC 9213 §2.1); nil
	// means DefaultTargetList, an empty list none. The fields are
	// forwarded like any other (RFC 9213 §3: CDN caches "will typically
	// forward this header").
	TargetList []string
	// Private makes the cache a private one. That is wrong for a proxy,
	// which is why it exists: tests run the shared-cache checks against a
	// proxy that forgot it is shared.
	Private bool
}

// Proxy is a caching reverse proxy: an http.Handler.
type Proxy struct {
	origin  *url.URL
	clock   clock.Clock
	timeout time.Duration
	cache   *httpcache.Cache
}

// DefaultMaxStorage is the storage cap when Options.MaxStorage is zero.
const DefaultMaxStorage = 64 << 20

// DefaultTargetList is the target list when Options.TargetList is nil: the
// proxy stands where a CDN does, in front of an origin on its behalf, the
// class of cache CDN-Cache-Control addresses (RFC 9213 §3).
var DefaultTargetList = []string{"CDN-Cache-Control"}

// pseudonym names this proxy in Via (RFC 9110 §7.6.3 received-by).
const pseudonym = "httpcheck"

// New returns a proxy for o.Origin with an empty cache.
func New(o Options) *Proxy {
	p := &Proxy{origin: o.Origin, clock: o.Clock, timeout: o.Timeout}
	if p.clock == nil {
		p.clock = clock.Real{}
	}
	if p.timeout <= 0 {
		p.timeout = 30 * time.Second
	}
	next := o.Transport
	if next == nil {
		next = &http.Transport{
			Proxy:                 nil, // the origin is reached directly
			DialContext:           (&net.Dialer{Timeout: p.timeout}).DialContext,
			ResponseHeaderTimeout: p.timeout,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       30 * time.Second,
			// The proxy forwards what the origin sent; decoding it would
			// change the content it stores and serves.
			DisableCompression: true,
			// A client's Expect: 100-continue is forwarded, and the
			// content waits for the origin's 100, which is forwarded in
			// turn (interim.go), for up to this long.
			ExpectContinueTimeout: time.Second,
		}
	}
	maxStorage := o.MaxStorage
	if maxStorage == 0 {
		maxStorage = DefaultMaxStorage
	}
	targetList := o.TargetList
	if targetList == nil {
		targetList = DefaultTargetList
	}
	p.cache = httpcache.New(httpcache.Options{
		Transport:  &originTransport{origin: o.Origin, next: next},
		Clock:      p.clock,
		Shared:     !o.Private,
		MaxStorage: maxStorage,
		TargetList: targetList,
		// RFC 9211: every response says what the cache did with it.
		CacheStatus: pseudonym,
	})
	return p
}

// Cache is the proxy's cache.
func (p *Proxy) Cache() *httpcache.Cache { return p.cache }

// ServeHTTP forwards r through the cache.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), p.timeout)
	defer cancel()
	interim := newInterimForwarder(w, r)
	out, err := p.outbound(interim.attach(ctx), r)
	if err != nil {
		w.Header().Set("Cache-Status", pseudonym+`; detail="bad request"`)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, _, err := p.cache.Do(out)
	interim.stop()
	if err != nil {
		p.gatewayError(w, err)
		return
	}
	defer resp.Body.Close()

	h := w.Header()
	for k, vs := range resp.Header {
		h[k] = vs
	}
	removeHopByHop(h)
	h.Add("Via", via(resp.ProtoMajor, resp.ProtoMinor))
	if len(resp.Header.Values("Date")) == 0 {
		// RFC 9110 §6.6.1: a recipient with a clock that receives a
		// response without Date MUST append one if it is cached or
		// forwarded downstream.
		h.Set("Date", httpdate.Format(p.clock.Now()))
	}
	w.WriteHeader(resp.StatusCode)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		// The origin stopped mid-content: the client must see an
		// incomplete response, not a complete short one.
		panic(http.ErrAbortHandler)
	}
}

// outbound is the request the cache sees: the client's target URI
// (RFC 9110 §7.1), the client's header without its hop-by-hop fields, and
// Via.
func (p *Proxy) outbound(ctx context.Context, r *http.Request) (*http.Request, error) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	target, err := url.Parse(scheme + "://" + r.Host + r.URL.RequestURI())
	if err != nil || r.Host == "" {
		return nil, fmt.Errorf("cannot reconstruct the target URI from Host %q and %q", r.Host, r.URL.RequestURI())
	}
	out, err := http.NewRequestWithContext(ctx, r.Method, target.String(), r.Body)
	if err != nil {
		return nil, err
	}
	out.ContentLength = r.ContentLength
	if r.ContentLength == 0 {
		out.Body = http.NoBody
	}
	out.Header = r.Header.Clone()
	removeHopByHop(out.Header)
	out.Header.Add("Via", via(r.ProtoMajor, r.ProtoMinor))
	return out, nil
}

// gatewayError answers for an origin that could not be reached: 504
// (Gateway Timeout) when it did not answer in time, 502 (Bad Gateway)
// otherwise (RFC 9110 §15.6.3, §15.6.5).
func (p *Proxy) gatewayError(w http.ResponseWriter, err error) {
	status := http.StatusBadGateway
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		status = http.StatusGatewayTimeout
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Date", httpdate.Format(p.clock.Now()))
	// RFC 9211 §2.2: the request went forward and no response came back.
	w.Header().Set("Cache-Status", pseudonym+`; fwd=miss; detail="origin unreachable"`)
	w.Header().Add("Via", via(1, 1))
	http.Error(w, "httpcheck proxy: the origin did not answer: "+err.Error(), status)
}

// via is this proxy's Via member for a message received over HTTP/major.minor.
func via(major, minor int) string {
	if major == 0 {
		major, minor = 1, 1
	}
	if major > 1 {
		return fmt.Sprintf("%d %s", major, pseudonym)
	}
	return fmt.Sprintf("%d.%d %s", major, minor, pseudonym)
}

// hopByHop are the fields an intermediary removes whether or not Connection
// lists them (RFC 9110 §7.6.1: "Proxy-Connection, Keep-Alive, TE,
// Transfer-Encoding, and Upgrade"; Trailer describes the framing of one
// connection).
var hopByHop = []string{"Connection", "Proxy-Connection", "Keep-Alive", "TE", "Transfer-Encoding", "Upgrade", "Trailer"}

// removeHopByHop removes the Connection header field, the fields it names
// and the other hop-by-hop fields: "Intermediaries MUST parse a received
// Connection header field before a message is forwarded and, for each
// connection-option in this field, remove any header or trailer field(s)
// from the message with the same name as the connection-option, and then
// remove the Connection header field itself" (RFC 9110 §7.6.1).
func removeHopByHop(h http.Header) {
	for _, line := range h.Values("Connection") {
		for _, opt := range strings.Split(line, ",") {
			if opt = strings.TrimSpace(opt); opt != "" {
				h.Del(opt)
			}
		}
	}
	for _, f := range hopByHop {
		h.Del(f)
	}
}

// originTransport addresses the cache's requests to the origin: the
// target URI's path and query under the origin's base URL. The cache keeps
// keying its storage by the client's target URI.
type originTransport struct {
	origin *url.URL
	next   http.RoundTripper
}

func (t *originTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	u := *t.origin
	u.Path = strings.TrimSuffix(t.origin.Path, "/") + req.URL.Path
	u.RawPath = ""
	u.RawQuery = req.URL.RawQuery
	out.URL = &u
	out.Host = ""
	return t.next.RoundTrip(out)
}
