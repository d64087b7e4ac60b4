package faulttest

// Caches in the middle: suites of harness.ModeProxy run against the
// reference proxy (reference/proxy) in front of the harness origin, broken
// variants of it (BrokenProxy), and real proxies started by the tests
// (Cache).

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/proxy"
)

// ReferenceProxy is the reference proxy in front of a harness origin, both
// on loopback and on one virtual clock, for a suite's tests.
type ReferenceProxy struct {
	CacheURL, OriginURL string
	closers             []func()
}

// Close stops the proxy and the origin.
func (r *ReferenceProxy) Close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
}

// StartReferenceProxy starts the harness origin and the reference proxy
// in front of it, broken as f's Configure and Wrap say (the zero Fault:
// unbroken).
func StartReferenceProxy(f Fault) (*ReferenceProxy, error) {
	vc := &clock.Virtual{}
	o, err := origin.Start("127.0.0.1:0", origin.Options{Clock: vc})
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(o.URL)
	opts := proxy.Options{Origin: u, Clock: vc, Timeout: 5 * time.Second}
	if f.Configure != nil {
		f.Configure(&opts)
	}
	p := proxy.New(opts)
	var h http.Handler = p
	if f.Wrap != nil {
		h = f.Wrap(h)
	}
	srv := httptest.NewServer(h)
	return &ReferenceProxy{CacheURL: srv.URL + "/", OriginURL: o.URL,
		closers: []func(){func() { o.Close() }, srv.Close, p.Cache().Wait}}, nil
}
