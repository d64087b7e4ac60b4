package harness_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/proxy"
)

// startProxyAndOrigin starts the harness origin and the reference proxy in
// front of it, sharing one virtual clock.
func startProxyAndOrigin(t *testing.T) (cacheURL, originURL string) {
	t.Helper()
	vc := &clock.Virtual{}
	o, err := origin.Start("127.0.0.1:0", origin.Options{Clock: vc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	u, _ := url.Parse(o.URL)
	p := httptest.NewServer(proxy.New(proxy.Options{Origin: u, Clock: vc}))
	t.Cleanup(p.Close)
	return p.URL + "/", o.URL
}

// TestCacheTarget shows how a check of a cache in the middle uses the
// harness: register a script on the origin, send requests through the
// cache, count what reached the origin, read the evidence.
func TestCacheTarget(t *testing.T) {
	cacheURL, originURL := startProxyAndOrigin(t)
	target, err := harness.Connect(context.Background(), harness.Config{Target: cacheURL, Origin: originURL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if target.Mode() != harness.ModeProxy || !target.Clock.Virtual() || !target.ServesVirtualHosts() {
		t.Fatalf("mode %s, virtual clock %v, any host %v; want cache, true, true", target.Mode(), target.Clock.Virtual(), target.ServesVirtualHosts())
	}
	v := &verdicts{}
	e := harness.NewEnv(context.Background(), target, v)
	run(func() {
		// The script: a response fresh for a minute.
		s := e.Script(origin.Response{Header: [][2]string{{"Cache-Control", "max-age=60"}}, Body: "v1"})
		b := e.NewBrowser()
		first := b.Get(s.Path("r"))
		// Time passes on the clock the origin shares with the cache.
		e.Advance(10 * time.Second)
		second := b.Get(s.Path("r"))
		if first.Status != 200 || string(second.Body) != "v1" || second.Header.Get("Age") != "10" {
			t.Errorf("through the cache: %d, then %q with Age %q; want 200, then v1 with Age 10", first.Status, second.Body, second.Header.Get("Age"))
		}
		// Only the first request reached the origin.
		if hits := s.Hits(); len(hits) != 1 {
			t.Errorf("origin hits %d, want 1", len(hits))
		}
	})
	if v.errMsg != "" || v.skipMsg != "" {
		t.Fatalf("the check ended early: %s%s", v.errMsg, v.skipMsg)
	}
	// The evidence has both sides: two exchanges with the cache, one at
	// the origin between them.
	var sources []string
	for _, x := range e.Exchanges() {
		sources = append(sources, x.Source)
	}
	if got := strings.Join(sources, " "); got != "network origin network" {
		t.Errorf("evidence sources %q, want \"network origin network\"", got)
	}
}

// TestCacheTargetErrors: a cache that answers without asking the origin is
// a configuration error; an origin or a cache that cannot be reached is
// unreachable; a script on a contract target skips the check.
func TestCacheTargetErrors(t *testing.T) {
	_, originURL := startProxyAndOrigin(t)
	selfish := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("mine")) }))
	defer selfish.Close()
	ctx := context.Background()

	_, err := harness.Connect(ctx, harness.Config{Target: selfish.URL, Origin: originURL})
	var ce *harness.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "without asking the harness origin") {
		t.Errorf("a cache that does not forward: %v, want a configuration error", err)
	}
	dead := httptest.NewServer(nil)
	dead.Close()
	_, err = harness.Connect(ctx, harness.Config{Target: selfish.URL, Origin: dead.URL, Timeout: time.Second})
	var ue *harness.UnreachableError
	if !errors.As(err, &ue) {
		t.Errorf("an origin that is down: %v, want unreachable", err)
	}
	_, err = harness.Connect(ctx, harness.Config{Target: dead.URL, Origin: originURL, Timeout: time.Second})
	if !errors.As(err, &ue) {
		t.Errorf("a cache that is down: %v, want unreachable", err)
	}

	_, contract := startReference(t)
	v := &verdicts{}
	run(func() { harness.NewEnv(ctx, contract, v).Script(origin.Response{}) })
	if !strings.Contains(v.skipMsg, "--cache") {
		t.Errorf("a script on a contract target: skip %q, want a skip that names --cache", v.skipMsg)
	}
}
