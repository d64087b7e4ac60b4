package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/reference/cookie"
	"github.com/httpcheck/httpcheck/reports"
)

// Verdicts is how the harness tells the check wrapper that a check cannot
// go on. Both methods must not return (they abort the check, as Ginkgo's
// Fail and Skip do).
type Verdicts interface {
	// Error ends the check as `error`: the target misbehaved at the
	// transport level, so the check could not grade it.
	Error(msg string)
	// Skip ends the check as `skipped`, with the reason.
	Skip(reason string)
}

// Env is what one check works with: its context (which carries the spec's
// deadline), the target, and the browsers it opened, whose exchanges are
// the check's evidence.
type Env struct {
	Ctx    context.Context
	Target *Target

	verdicts Verdicts
	browsers []*Browser
	scripts  []*Script // registered on the harness origin (cache targets)
}

// NewEnv returns an Env for one check against t. The check reaches t's
// other instances, when it has any, through Instances (deployment.go).
func NewEnv(ctx context.Context, t *Target, v Verdicts) *Env {
	return &Env{Ctx: ctx, Target: t, verdicts: v}
}

// Clock is the target's clock.
func (e *Env) Clock() TargetClock { return e.Target.Clock }

// NewBrowser opens a fresh browser: an empty jar, no history.
func (e *Env) NewBrowser() *Browser {
	b := newBrowser(e, e.Target)
	e.browsers = append(e.browsers, b)
	return b
}

// Adopt makes b work for this check: its requests use this check's
// context, its failures end this check, and its exchanges (all of them,
// from before too) become this check's evidence. It is how a check judges
// a browser that a shared setup opened.
func (e *Env) Adopt(b *Browser) {
	b.state.env = e
	if !slices.Contains(e.browsers, b) {
		e.browsers = append(e.browsers, b)
	}
}

// Exchanges returns the evidence of every browser of this check, and for a
// cache target what reached the harness origin, in the order the requests
// were sent.
func (e *Env) Exchanges() []reports.Exchange {
	var all []reports.Exchange
	for _, b := range e.browsers {
		all = append(all, b.rec().exchanges()...)
	}
	for _, s := range e.scripts {
		all = append(all, s.evidence()...)
	}
	slices.SortStableFunc(all, func(a, b reports.Exchange) int { return a.Sent.Compare(b.Sent) })
	return all
}

// Errorf ends the check as `error`.
func (e *Env) Errorf(format string, args ...any) { e.verdicts.Error(fmt.Sprintf(format, args...)) }

// Skipf ends the check as `skipped`.
func (e *Env) Skipf(format string, args ...any) { e.verdicts.Skip(fmt.Sprintf(format, args...)) }

// Require skips the check unless the target declares every feature.
func (e *Env) Require(features ...string) {
	var missing []string
	for _, f := range features {
		if !e.Target.Manifest.Has(f) {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		e.Skipf("the target does not declare %s in its manifest", strings.Join(missing, ", "))
	}
}

// RequireScheme skips the check unless the target serves the contract over
// every scheme given (manifest urls).
func (e *Env) RequireScheme(schemes ...string) {
	for _, s := range schemes {
		if !e.Target.HasScheme(s) {
			e.Skipf("the target does not serve the contract over %s (manifest urls.%s)", s, s)
		}
	}
}

// RequireVirtualHosts skips the check unless the target answers the
// harness's virtual host names.
func (e *Env) RequireVirtualHosts() {
	if !e.Target.ServesVirtualHosts() {
		e.Skipf("the target does not serve any Host (manifest hosts.any_host is false)")
	}
}

// RequireWait skips the check when letting d pass would mean waiting for
// real longer than --max-wait.
func (e *Env) RequireWait(d Duration) {
	if !e.Target.Clock.Virtual() && d > e.Target.MaxWait {
		e.Skipf("needs %s to pass, longer than --max-wait %s on a real-clock target", d, e.Target.MaxWait.Round(time.Millisecond))
	}
}

// Advance lets d pass on the target's clock, ending the check as `error`
// when the target's clock endpoint fails.
func (e *Env) Advance(d Duration) {
	if err := e.Target.Clock.Advance(e.Ctx, d); err != nil {
		e.Errorf("letting %s pass: %v", d, err)
	}
}

// Browsers returns the browsers this Env opened or adopted.
func (e *Env) Browsers() []*Browser { return slices.Clone(e.browsers) }

// SessionBrowser opens a fresh browser that can hold the target's
// session cookie: over https when the manifest declares the cookie Secure
// (a user agent never stores a Secure cookie set over http, RFC 6265bis
// §5.7), over the base URL's scheme otherwise. It skips the check when the
// target declares no sessions, or a Secure cookie without https.
func (e *Env) SessionBrowser() *Browser {
	e.Require(FeatureSessions)
	b := e.NewBrowser()
	if e.Target.Manifest.Session.CookieSecure {
		e.RequireScheme("https")
		return b.Over("https")
	}
	return b
}

// Unique returns a name no other check uses ("hc_topic_1a2b3c4d5e6f"):
// checks share a target and run in any order (contract: state is
// namespaced by the harness), and a staging target keeps what earlier runs
// left, so 48 random bits. Keys, ids, cookie names and users all come
// from here.
func Unique(topic string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return "hc_" + topic + "_" + hex.EncodeToString(b)
}

// SessionCookie is the target's session cookie (the manifest's
// session.cookie_name) as b's jar holds it, and whether it holds one.
func (b *Browser) SessionCookie() (cookie.Entry, bool) {
	s := b.target.Manifest.Session
	if s == nil {
		return cookie.Entry{}, false
	}
	for _, c := range b.Jar().All() {
		if c.Name == s.CookieName {
			return c, true
		}
	}
	return cookie.Entry{}, false
}

// SessionKey is the value of the session cookie b holds, "" for none.
func (b *Browser) SessionKey() string {
	c, _ := b.SessionCookie()
	return c.Value
}
