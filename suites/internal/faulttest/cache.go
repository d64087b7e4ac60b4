package faulttest

// Caches in the middle: suites of harness.ModeProxy run against the
// reference proxy (reference/proxy) in front of the harness origin, broken
// variants of it, and real proxies started by the tests.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/proxy"
	"github.com/httpcheck/httpcheck/reports"
)

// envOrigin carries the harness origin's URL to a child testing a cache.
const envOrigin = "HTTPCHECK_FAULT_ORIGIN"

// CacheFault is one deliberately broken cache in the middle: the reference
// proxy, misconfigured or wrapped.
type CacheFault struct {
	Name string
	// Breaks are the checks this fault must make fail, as in Fault.
	Breaks []*check.Check
	// Configure changes the proxy's options: Private, or a Transport that
	// breaks what the cache sends to or receives from the origin
	// (Transport is nil when Configure runs; wrap http.DefaultTransport).
	Configure func(o *proxy.Options)
	// Wrap breaks the proxy's handler: what the client sends and gets.
	Wrap func(http.Handler) http.Handler
}

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
// in front of it, broken as f says (the zero CacheFault: unbroken).
func StartReferenceProxy(f CacheFault) (*ReferenceProxy, error) {
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

// PassesAgainstReferenceProxy is a cache suite's bootstrap test: it runs
// the suite in this process against the reference proxy on a virtual
// clock, and every check of the suite must pass there.
func PassesAgainstReferenceProxy(t *testing.T, suite string) {
	t.Helper()
	rp, err := StartReferenceProxy(CacheFault{})
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	passesAgainst(t, suite, harness.Config{Target: rp.CacheURL, Origin: rp.OriginURL, Name: "reference proxy"}, "the reference proxy")
}

// RunCache runs suite against every broken cache and checks that the
// checks each one breaks fail with their ids, as Run does for contract
// suites; every check of the suite must be broken by some fault.
func RunCache(t *testing.T, suite string, faults []CacheFault) {
	t.Helper()
	broken := map[string]bool{}
	for _, f := range faults {
		for _, c := range f.Breaks {
			broken[c.ID] = true
		}
	}
	for _, c := range check.All() {
		if c.Suite() == suite && !broken[c.ID] {
			t.Errorf("check %s is broken by no fault: add a fault that makes it fail", c.ID)
		}
	}
	for _, f := range faults {
		t.Run(f.Name, func(t *testing.T) {
			rp, err := StartReferenceProxy(f)
			if err != nil {
				t.Fatal(err)
			}
			defer rp.Close()
			res := RunAgainstCache(t, suite, rp.CacheURL, rp.OriginURL)
			states := map[string]reports.Check{}
			for _, c := range res.Checks {
				states[c.ID] = c
			}
			for _, c := range f.Breaks {
				got, ok := states[c.ID]
				switch {
				case !ok:
					t.Errorf("%s did not run against fault %s", c.ID, f.Name)
				case got.State != reports.Failed:
					t.Errorf("%s: want failed against fault %s, got %s %s", c.ID, f.Name, got.State, got.Message)
				}
			}
			var others []string
			for _, c := range res.Checks {
				if c.State != reports.Passed && c.State != reports.Skipped && !slices.ContainsFunc(f.Breaks, func(b *check.Check) bool { return b.ID == c.ID }) {
					others = append(others, c.ID+" ("+string(c.State)+")")
				}
			}
			if len(others) > 0 {
				t.Logf("fault %s also breaks: %s", f.Name, strings.Join(others, ", "))
			}
		})
	}
}

// RunAgainstCache runs suite in a child process against the cache at
// cacheURL, which forwards to the harness origin at originURL, and returns
// the results. The origin's clock decides the run's: virtual for the
// reference proxy, real for nginx or Varnish.
func RunAgainstCache(t *testing.T, suite, cacheURL, originURL string) *reports.Results {
	t.Helper()
	out := filepath.Join(t.TempDir(), "results.json")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envTarget+"="+cacheURL, envOrigin+"="+originURL, envSuite+"="+suite, envResults+"="+out)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child run: %v\n%s", err, output)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res reports.Results
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	return &res
}
