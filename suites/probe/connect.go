package probe

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/httpcheck/httpcheck/harness"
)

// Connect sets up the targets of a probe run, one per URL, with cfg's TLS
// trust, timeouts, host map and header, and, when recipe names a file, one
// more for the session recipe's protected page, which it hands to the
// session checks (UseSession). It returns the first; its Instances are
// all of them. Relative URLs in the recipe resolve against its "base", or
// else the first URL. The errors are harness.ConfigError (a bad URL or
// recipe, exit code 2) or harness.UnreachableError (exit code 3).
func Connect(ctx context.Context, cfg harness.Config, urls []string, recipe string) (*harness.Target, error) {
	if len(urls) == 0 && recipe == "" {
		return nil, &harness.ConfigError{Err: errors.New("give a URL to probe, or a session recipe (--session FILE)")}
	}
	cfg.Mode = harness.ModeProbe
	sendsAuthorization = cfg.Header.Get("Authorization") != ""
	var cfgs []harness.Config
	for _, u := range urls {
		c := cfg
		c.Target, c.Name = u, ""
		cfgs = append(cfgs, c)
	}
	var r *Recipe
	if recipe != "" {
		base := ""
		if len(urls) > 0 {
			if u, err := url.Parse(urls[0]); err == nil {
				base = u.String()
			}
		}
		var err error
		if r, err = LoadRecipe(recipe, base); err != nil {
			return nil, &harness.ConfigError{Err: fmt.Errorf("--session: %w", err)}
		}
		c := cfg
		c.Target, c.Name = r.ProtectedURL(), "session: "+r.ProtectedURL()
		cfgs = append(cfgs, c)
	}
	target, err := harness.Connect(ctx, cfgs[0], cfgs[1:]...)
	if err != nil {
		return nil, err
	}
	if r != nil {
		ts := target.Instances()
		UseSession(ts[len(ts)-1], r)
	}
	return target, nil
}
