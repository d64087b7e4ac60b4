package probe

import (
	"context"
	"errors"
	"fmt"

	"github.com/httpcheck/httpcheck/harness"
)

// Connect sets up the targets of a probe run: one per URL (harness
// ConnectURL, with cfg's TLS trust, timeouts, host map and header), and,
// when recipe names a file, one more for the session recipe's protected
// page, which it hands to the session checks (UseSession). Relative URLs
// in the recipe resolve against its "base", or else the first URL. The
// errors are harness.ConfigError (a bad URL or recipe, exit code 2) or
// harness.UnreachableError (exit code 3).
func Connect(ctx context.Context, cfg harness.Config, urls []string, recipe string) ([]*harness.Target, error) {
	if len(urls) == 0 && recipe == "" {
		return nil, &harness.ConfigError{Err: errors.New("give a URL to probe, or a session recipe (--session FILE)")}
	}
	seen := map[string]bool{}
	var targets []*harness.Target
	closeAll := func() {
		for _, t := range targets {
			t.Close()
		}
	}
	for _, u := range urls {
		c := cfg
		c.Target, c.Name = u, ""
		t, err := harness.ConnectURL(ctx, c)
		if err != nil {
			closeAll()
			return nil, err
		}
		if seen[t.Name] {
			t.Close()
			closeAll()
			return nil, &harness.ConfigError{Err: fmt.Errorf("URL %s is given twice", t.Name)}
		}
		seen[t.Name] = true
		targets = append(targets, t)
	}
	if recipe == "" {
		return targets, nil
	}
	base := ""
	if len(urls) > 0 {
		base = targets[0].Base.String()
	}
	r, err := LoadRecipe(recipe, base)
	if err != nil {
		closeAll()
		return nil, &harness.ConfigError{Err: fmt.Errorf("--session: %w", err)}
	}
	c := cfg
	c.Target, c.Name = r.ProtectedURL(), "session: "+r.ProtectedURL()
	t, err := harness.ConnectURL(ctx, c)
	if err != nil {
		closeAll()
		return nil, err
	}
	UseSession(t, r)
	return append(targets, t), nil
}
