package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reports"
)

// Several --target values are the instances of one deployment, behind a
// load balancer: every suite runs against the first instance, and the
// cluster suite checks what the instances must share (sessions, caches)
// across all of them (docs/deployments.md).

// connectDeployment connects to every instance, with cfg's settings, and
// says on stderr how the run uses them. Instances that do not agree on
// their manifest's deployment id are a usage error.
func connectDeployment(ctx context.Context, stderr io.Writer, urls []string, cfg harness.Config) (*harness.Target, error) {
	cfgs := make([]harness.Config, len(urls))
	for i, u := range urls {
		c := cfg
		c.Target = u
		cfgs[i] = c
	}
	target, err := harness.Connect(ctx, cfgs[0], cfgs[1:]...)
	if err != nil {
		return nil, connectError(err)
	}
	ts := target.Instances()
	for i, t := range ts {
		role := "cluster suite"
		if i == 0 {
			role = "every suite"
		}
		t.Name = fmt.Sprintf("%s (instance %d: %s)", t.Base.Host, i+1, role)
	}
	name := "a deployment"
	if d := ts[0].Manifest.Deployment; d != "" {
		name = fmt.Sprintf("deployment %q", d)
	}
	fmt.Fprintf(stderr, "httpcheck: %s of %d instances: every suite runs against the first; the cluster suite uses them all\n", name, len(ts))
	for i, t := range ts {
		fmt.Fprintf(stderr, "httpcheck: instance %d: %s (%s, %s)\n", i+1, t.Base, reports.Printable(t.Manifest.Server), clockNote(t))
	}
	return target, nil
}

// connectError turns a failure to connect into the exit code it deserves:
// 2 for what the user or the manifest got wrong, 3 for a target that
// could not be reached.
func connectError(err error) error {
	var ce *harness.ConfigError
	if errors.As(err, &ce) {
		return usageError{err.Error()}
	}
	return exitError{exitUnreachable, fmt.Errorf("target unreachable: %w", err)}
}

func clockNote(t *harness.Target) string {
	if t.Clock.Virtual() {
		return "virtual clock"
	}
	return "real clock"
}
