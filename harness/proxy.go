package harness

// Caches in the middle: a Target that is a proxy or a CDN in front of the
// harness origin (harness/origin), and the scripts checks register there.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/reports"
)

// DefaultTargetedField is the targeted cache-control field a cache in the
// middle is graded on unless told otherwise: the one RFC 9213 §3 defines,
// for CDNs.
const DefaultTargetedField = "CDN-Cache-Control"

// connectProxy sets up a Target for a cache in the middle: cfg.Target is
// the cache's URL and cfg.Origin the base URL of the harness origin it
// forwards to. There is no contract and so no manifest: the Target gets a
// synthetic one (it serves any Host, and declares the clock when the origin
// runs a virtual clock it shares with the cache, as in the project's own
// tests). connectProxy sends one request through the cache to a fresh
// script, and fails unless it reaches the origin: a cache that forwards
// elsewhere would make every check meaningless.
func connectProxy(ctx context.Context, cfg Config) (*Target, error) {
	base, err := parseBase(cfg.Target)
	if err != nil {
		return nil, &ConfigError{err}
	}
	if cfg.Origin == "" {
		return nil, &ConfigError{errors.New("a cache target needs the harness origin it forwards to")}
	}
	client, err := origin.NewClient(cfg.Origin, cfg.OriginToken, cfg.Timeout)
	if err != nil {
		return nil, &ConfigError{err}
	}
	t, err := newTarget(cfg, base)
	if err != nil {
		client.Close()
		return nil, err
	}
	t.origin = client
	t.TargetedField = cfg.TargetedField
	if t.TargetedField == "" {
		t.TargetedField = DefaultTargetedField
	}
	now, virtual, err := client.Clock(ctx)
	if err != nil {
		t.Close()
		var ce *origin.ControlError
		if errors.As(err, &ce) {
			return nil, &ConfigError{err}
		}
		return nil, &UnreachableError{err}
	}
	t.Manifest = &Manifest{
		Contract: ContractVersion,
		Server:   "cache in the middle, in front of the harness origin at " + client.URL(),
		Hosts:    ManifestHosts{AnyHost: true},
		Raw:      map[string]any{"mode": string(ModeProxy), "cache": base.String(), "origin": client.URL(), "targeted_field": t.TargetedField},
	}
	if virtual && !cfg.RealClock {
		c := &originClock{origin: client}
		c.set(now, time.Now(), time.Now())
		t.Clock = c
		t.Manifest.Features = []string{FeatureClock}
	} else {
		t.Clock = realClock{}
	}
	t.Manifest.Raw["clock"] = map[bool]string{true: "virtual", false: "real"}[t.Clock.Virtual()]
	if err := t.probeProxy(ctx); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// probeProxy sends GET through the cache for a fresh no-store script and
// checks that it reached the origin.
func (t *Target) probeProxy(ctx context.Context) error {
	id, path, err := t.origin.Register(ctx, []origin.Response{{Header: [][2]string{{"Cache-Control", "no-store"}}, Body: "httpcheck probe\n"}})
	if err != nil {
		return &UnreachableError{err}
	}
	u := t.URL(t.Base.Scheme, "", path+"probe", nil)
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	req.Header.Set("User-Agent", "httpcheck")
	resp, _, err := t.roundTrip(ctx, req)
	if err != nil {
		return &UnreachableError{fmt.Errorf("the cache at %s: GET %s: %v", t.Base, u, err)}
	}
	hits, err := t.origin.Hits(ctx, id)
	if err != nil {
		return &UnreachableError{err}
	}
	if len(hits) == 0 {
		return &ConfigError{fmt.Errorf("the cache at %s answered GET %s with %s without asking the harness origin at %s: it must forward there (the address given to --origin-listen)",
			t.Base, u, resp.Status, t.origin.URL())}
	}
	return nil
}

// Origin is the harness origin of a cache target, nil for a contract.
func (t *Target) Origin() *origin.Client { return t.origin }

// originClock follows a virtual clock that the harness origin shares with
// the cache under test, in the way virtualClock follows a contract's.
type originClock struct {
	origin *origin.Client
	mu     sync.Mutex
	offset time.Duration
}

func (c *originClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *originClock) Virtual() bool { return true }

func (c *originClock) Advance(ctx context.Context, d time.Duration) error {
	sent := time.Now()
	now, err := c.origin.Advance(ctx, d)
	if err != nil {
		return err
	}
	c.set(now, sent, time.Now())
	return nil
}

// set takes the origin's reading now, made between sent and received.
func (c *originClock) set(now, sent, received time.Time) {
	mid := sent.Add(received.Sub(sent) / 2)
	c.mu.Lock()
	c.offset = now.Sub(mid)
	c.mu.Unlock()
}

// Script is a list of responses registered on the harness origin under a
// path of its own: the check sends requests under Path through the cache,
// and Hits says which of them reached the origin.
type Script struct {
	env  *Env
	id   string
	path string // "/o/ID/"

	mu   sync.Mutex
	last []origin.Hit // the hits read most recently, for the evidence
}

// Script registers responses on the harness origin. A check on a contract
// target is skipped: scripts need a cache in the middle.
func (e *Env) Script(responses ...origin.Response) *Script {
	if e.Target.origin == nil {
		e.Skipf("this check tests a cache in the middle: run it with --cache URL --origin-listen ADDR")
	}
	id, path, err := e.Target.origin.Register(e.Ctx, responses)
	if err != nil {
		e.Errorf("registering a script on the harness origin: %v", err)
	}
	s := &Script{env: e, id: id, path: path}
	e.scripts = append(e.scripts, s)
	return s
}

// Scripts returns the scripts this Env registered or adopted.
func (e *Env) Scripts() []*Script { return append([]*Script(nil), e.scripts...) }

// AdoptScript makes s work for this check, as Adopt does for a browser:
// what reached the origin for it becomes this check's evidence.
func (e *Env) AdoptScript(s *Script) {
	s.env = e
	for _, x := range e.scripts {
		if x == s {
			return
		}
	}
	e.scripts = append(e.scripts, s)
}

// Path is the path of a resource of the script, relative to the target's
// base URL: Path("r") is "o/ID/r".
func (s *Script) Path(rest string) string {
	return strings.TrimPrefix(s.path, "/") + strings.TrimPrefix(rest, "/")
}

// Hits returns every request of the script that reached the origin so far.
// An origin that cannot tell ends the check as `error`.
func (s *Script) Hits() []origin.Hit {
	hits, err := s.env.Target.origin.Hits(s.env.Ctx, s.id)
	if err != nil {
		s.env.Errorf("reading the harness origin's log: %v", err)
	}
	s.mu.Lock()
	s.last = hits
	s.mu.Unlock()
	return hits
}

// WaitHits waits up to d for the origin to have seen at least n requests
// of the script, and returns them: a cache may contact the origin after
// it answered (a background revalidation).
func (s *Script) WaitHits(n int, d time.Duration) []origin.Hit {
	deadline := time.Now().Add(d)
	for {
		hits := s.Hits()
		if len(hits) >= n || time.Now().After(deadline) {
			return hits
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// evidence turns the requests that reached the origin into exchanges. It
// reads the log once more, so the evidence is complete even when the check
// stopped early; if that fails, the last reading stands.
func (s *Script) evidence() []reports.Exchange {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hits, err := s.env.Target.origin.Hits(ctx, s.id)
	s.mu.Lock()
	if err == nil {
		s.last = hits
	}
	hits = s.last
	s.mu.Unlock()
	base := strings.TrimSuffix(s.env.Target.origin.URL(), "/")
	out := make([]reports.Exchange, 0, len(hits))
	for i, h := range hits {
		note := fmt.Sprintf("reached the harness origin (request %d of this script; answered with scripted response %d)", i+1, h.Response+1)
		if h.Status == 0 {
			note = fmt.Sprintf("reached the harness origin (request %d of this script), which dropped the connection as scripted", i+1)
		}
		sent := h.Wall
		out = append(out, reports.Exchange{
			Method:          h.Method,
			URL:             base + h.URI,
			RequestHeaders:  h.Header,
			Status:          h.Status,
			ResponseHeaders: h.ResponseHeader,
			Source:          "origin",
			Note:            note,
			Sent:            sent,
			Received:        sent.Add(h.Sent.Sub(h.Received)),
		})
	}
	return out
}
