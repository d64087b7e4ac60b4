package harness

import (
	"fmt"
	"strings"
	"time"
)

// A deployment is several instances of one service behind a load balancer
// (httpcheck run --target URL1 --target URL2 ...). Every suite runs against
// the first instance, Env.Target; the checks of a deployment
// (suites/cluster) also reach the others, through Env.Instances and
// Browser.Via, and keep their clocks together with AlignClocks and
// AdvanceAll.

// sameDeployment checks that the instances' manifests name one deployment.
func sameDeployment(ts []*Target) error {
	for _, t := range ts[1:] {
		if t.Manifest.Deployment != ts[0].Manifest.Deployment {
			var claims []string
			for _, t := range ts {
				d := "no deployment"
				if t.Manifest.Deployment != "" {
					d = fmt.Sprintf("deployment %q", t.Manifest.Deployment)
				}
				claims = append(claims, fmt.Sprintf("%s declares %s", t.Base, d))
			}
			return &ConfigError{fmt.Errorf("the targets are not instances of one deployment: %s (manifest \"deployment\")", strings.Join(claims, ", "))}
		}
	}
	return nil
}

// Instances returns every instance of the deployment under test, the
// check's target first. A run with one target has one instance.
func (e *Env) Instances() []*Target { return e.Target.Instances() }

// RequireInstances skips the check unless the run has at least n instances
// of one deployment.
func (e *Env) RequireInstances(n int) {
	if got := len(e.Instances()); got < n {
		e.Skipf("needs %d instances of one deployment (run with --target for each), the run has %d", n, got)
	}
}

// RequireEverywhere skips the check unless every instance declares every
// feature.
func (e *Env) RequireEverywhere(features ...string) {
	for _, t := range e.Instances() {
		for _, f := range features {
			if !t.Manifest.Has(f) {
				e.Skipf("the instance at %s does not declare %s in its manifest", t.Base, f)
			}
		}
	}
}

// Via returns this browser sending its requests to instance t of the
// deployment, as a load balancer would: each request carries the Host of
// the first instance's site, the one the user sees, and the jar keeps
// cookies for that site, whichever instance answers; the exchanges show
// which one did. The browser cache is not used through Via.
func (b *Browser) Via(t *Target) *Browser {
	c := *b
	c.via = t
	if t == b.target {
		c.via = nil
	}
	return &c
}

// clocks reports whether every instance's clock is virtual; it skips the
// check when some are and some are not, since their times cannot be kept
// together.
func (e *Env) clocks() (virtual bool) {
	ts := e.Instances()
	virtual = ts[0].Clock.Virtual()
	for _, t := range ts[1:] {
		if t.Clock.Virtual() != virtual {
			e.Skipf("the instances disagree about their clocks: %s is virtual, %s is not (manifest features \"clock\")",
				pick(virtual, ts[0], t).Base, pick(virtual, t, ts[0]).Base)
		}
	}
	return virtual
}

func pick(first bool, a, b *Target) *Target {
	if first {
		return a
	}
	return b
}

// AlignClocks brings the instances' virtual clocks level, to within a
// second, with the one furthest ahead: every suite moves the first
// instance's clock only, and an entry written through one instance must
// not look expired, or fresh, through another because their clocks
// disagree. Real clocks are left alone (they are the instances' wall
// clocks, kept together by NTP).
func (e *Env) AlignClocks() {
	if !e.clocks() {
		return
	}
	ahead := e.latest()
	for _, t := range e.Instances() {
		if d := ahead.Sub(t.Clock.Now()).Truncate(time.Second); d > 0 {
			e.advance(t, d)
		}
	}
}

// AdvanceAll lets d pass on every instance: on virtual clocks, each is
// moved to at least d past the one furthest ahead; on real clocks, the
// harness waits once. Check RequireWait first.
func (e *Env) AdvanceAll(d Duration) {
	if !e.clocks() {
		e.Advance(d)
		return
	}
	target := e.latest().Add(d)
	for _, t := range e.Instances() {
		if step := target.Sub(t.Clock.Now()); step > 0 {
			e.advance(t, step)
		}
	}
}

// latest is the time of the clock furthest ahead.
func (e *Env) latest() time.Time {
	var latest time.Time
	for _, t := range e.Instances() {
		if now := t.Clock.Now(); now.After(latest) {
			latest = now
		}
	}
	return latest
}

func (e *Env) advance(t *Target, d Duration) {
	if err := t.Clock.Advance(e.Ctx, d); err != nil {
		e.Errorf("letting %s pass on %s: %v", d, t.Base, err)
	}
}
