package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"
)

// TargetClock is the target's time as the harness follows it (not
// reference/clock, which is a server's own time source). The jar and
// every comparison read Now; checks that need time to pass call Advance.
type TargetClock interface {
	Now() time.Time
	// Virtual reports whether Advance moves a virtual clock instead of
	// waiting for real.
	Virtual() bool
	// Advance lets d pass: on a virtual-clock target it moves the target's
	// clock (POST clock/advance) and the harness's own together; on a real
	// clock it sleeps, or returns ctx's error when ctx ends first.
	Advance(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) Virtual() bool  { return false }
func (realClock) Advance(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// virtualClock follows the target's clock: the wall clock plus the offset
// the target reported the last time we asked.
type virtualClock struct {
	target *Target
	mu     sync.Mutex
	offset time.Duration
}

func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *virtualClock) Virtual() bool { return true }

// sync reads the target's clock (GET clock), so that a target advanced by
// an earlier run and the harness agree from the first check on.
func (c *virtualClock) sync(ctx context.Context) error {
	u := c.target.URL(c.target.Base.Scheme, "", "clock", nil)
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	return c.exchange(ctx, req)
}

func (c *virtualClock) Advance(ctx context.Context, d time.Duration) error {
	secs := math.Ceil(d.Seconds())
	body, _ := json.Marshal(map[string]float64{"seconds": secs})
	u := c.target.URL(c.target.Base.Scheme, "", "clock/advance", nil)
	req, _ := http.NewRequest(http.MethodPost, u.String(), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return c.exchange(ctx, req)
}

func (c *virtualClock) exchange(ctx context.Context, req *http.Request) error {
	sent := time.Now()
	resp, body, err := c.target.roundTrip(ctx, req)
	if err != nil {
		return &UnreachableError{fmt.Errorf("%s %s: %v", req.Method, req.URL, err)}
	}
	if resp.StatusCode != http.StatusOK {
		return &ConfigError{fmt.Errorf("%s %s answered %s; a target that declares \"clock\" must serve it", req.Method, req.URL, resp.Status)}
	}
	var answer struct {
		Now time.Time `json:"now"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.Now.IsZero() {
		return &ConfigError{fmt.Errorf("%s %s: want {\"now\": RFC3339}, got %.200q", req.Method, req.URL, body)}
	}
	// The target read its clock somewhere between sending and receiving;
	// take the midpoint.
	mid := sent.Add(time.Since(sent) / 2)
	c.mu.Lock()
	c.offset = answer.Now.Sub(mid)
	c.mu.Unlock()
	return nil
}
