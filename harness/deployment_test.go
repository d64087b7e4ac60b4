package harness_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/server"
	"github.com/httpcheck/httpcheck/reference/session"
)

// startInstances starts n reference servers that share one memory session
// store, each on its own virtual clock, and names them deployment.
func startInstances(t *testing.T, n int, deployment func(i int) string) []harness.Config {
	t.Helper()
	store, err := session.Open("memory", clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var cfgs []harness.Config
	for i := range n {
		srv := server.New(server.Options{Clock: &clock.Virtual{}, Hosts: harness.VirtualHosts, Deployment: deployment(i),
			Sessions: store, SessionSettings: session.DefaultSettings(), SessionBackend: "memory"})
		inst, err := server.Start(srv, server.Listen{HTTPAddr: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { inst.Close() })
		cfgs = append(cfgs, harness.Config{Target: inst.HTTPURL, Timeout: 5 * time.Second})
	}
	return cfgs
}

func connectDeployment(t *testing.T, cfgs []harness.Config) []*harness.Target {
	t.Helper()
	primary, err := harness.Connect(context.Background(), cfgs[0], cfgs[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	ts := primary.Instances()
	t.Cleanup(func() {
		for _, target := range ts {
			target.Close()
		}
	})
	return ts
}

func TestConnectInstances(t *testing.T) {
	same := func(int) string { return "shop" }
	ts := connectDeployment(t, startInstances(t, 3, same))
	if len(ts) != 3 || ts[2].Manifest.Deployment != "shop" {
		t.Fatalf("connected %d instances, the last declaring %q", len(ts), ts[len(ts)-1].Manifest.Deployment)
	}

	one := startInstances(t, 1, same)
	for name, tc := range map[string]struct {
		cfgs []harness.Config
		says string
	}{
		"mismatch":   {startInstances(t, 2, func(i int) string { return []string{"shop", "blog"}[i] }), `declares deployment "blog"`},
		"one silent": {startInstances(t, 2, func(i int) string { return []string{"shop", ""}[i] }), "declares no deployment"},
		"twice":      {[]harness.Config{one[0], one[0]}, "given twice"},
	} {
		_, err := harness.Connect(context.Background(), tc.cfgs[0], tc.cfgs[1:]...)
		var ce *harness.ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: Connect = %v, want a ConfigError saying %q", name, err, tc.says)
		}
	}
}

// TestViaAndClocks: a browser sent Via each instance keeps one jar, as
// behind a load balancer; AlignClocks and AdvanceAll keep the instances'
// virtual clocks together.
func TestViaAndClocks(t *testing.T) {
	ts := connectDeployment(t, startInstances(t, 3, func(int) string { return "" }))
	v := &verdicts{}
	e := harness.NewEnv(context.Background(), ts[0], v)
	run(func() {
		if got := len(e.Instances()); got != 3 {
			t.Fatalf("Instances: %d", got)
		}
		e.RequireInstances(3)
		b := e.NewBrowser()
		r := b.Via(ts[1]).PostJSON("session/set", map[string]any{"key": "k", "value": 1})
		if r.Status != http.StatusOK || !strings.HasPrefix(r.URL.String(), ts[1].Base.String()) {
			t.Fatalf("set via instance 2: %d at %s", r.Status, r.URL)
		}
		r = b.Via(ts[2]).Get("session/get", "key", "k")
		if !strings.Contains(string(r.Body), `"found":true`) || !strings.HasPrefix(r.URL.String(), ts[2].Base.String()) {
			t.Errorf("get via instance 3 at %s: %s", r.URL, r.Body)
		}
		if got := len(e.Exchanges()); got != 2 {
			t.Errorf("%d exchanges recorded, want 2", got)
		}

		// The first instance runs ahead (other suites move its clock).
		if err := ts[0].Clock.Advance(context.Background(), time.Hour); err != nil {
			t.Fatal(err)
		}
		e.AlignClocks()
		for i, target := range ts {
			if d := ts[0].Clock.Now().Sub(target.Clock.Now()); d < -50*time.Millisecond || d > time.Second+50*time.Millisecond {
				t.Errorf("after AlignClocks, instance %d is %v behind the first", i+1, d)
			}
		}
		before := ts[1].Clock.Now()
		e.AdvanceAll(10 * time.Second)
		for i, target := range ts {
			if d := target.Clock.Now().Sub(before); d < 10*time.Second || d > 12*time.Second {
				t.Errorf("after AdvanceAll(10s), instance %d moved %v", i+1, d)
			}
		}
	})
	if v.errMsg != "" || v.skipMsg != "" {
		t.Fatalf("the check stopped: %s%s", v.errMsg, v.skipMsg)
	}
	alone := connectDeployment(t, startInstances(t, 1, func(int) string { return "" }))
	run(func() { harness.NewEnv(context.Background(), alone[0], v).RequireInstances(2) })
	if !strings.Contains(v.skipMsg, "needs 2 instances") {
		t.Errorf("RequireInstances on a single target: skip %q", v.skipMsg)
	}
}
