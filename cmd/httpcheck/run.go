package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/runner"
	"github.com/httpcheck/httpcheck/reference/embedded"
	"github.com/httpcheck/httpcheck/reports"
	_ "github.com/httpcheck/httpcheck/suites/all"
)

func cmdRun(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlags("run", stderr)
	var targets, suites listFlag
	var common checkFlags
	common.register(fs)
	var proxy proxyFlags
	proxy.register(fs)
	fs.Var(&targets, "target", "base URL of the target's contract; repeat it for each instance of one deployment (docs/deployments.md); none: the bundled reference server")
	fs.Var(&suites, "suite", "run only this suite (repeatable)")
	labelFilter := fs.String("label-filter", "", "Ginkgo label filter, e.g. 'level:MUST && !rfc:9111'")
	focus := fs.String("focus", "", "run only checks whose id or title matches this regular expression")
	realClock := fs.Bool("real-clock", false, "wait for real even when the target declares a virtual clock")
	maxWait := fs.Duration("max-wait", 10*time.Second, "skip checks that would have to wait longer than this on a real clock")
	name := fs.String("name", "", "label of the target in the reports and in the columns of httpcheck report's matrix (default: its host and port; \"reference\" without --target)")
	if err := parse(fs, args); err != nil {
		return 0, err
	}
	minLevel, flagCfg, err := common.check()
	if err != nil {
		return 0, err
	}
	if *maxWait < 0 {
		return 0, usagef("--max-wait must not be negative")
	}
	opts := runner.Options{Suites: suites, LabelFilter: *labelFilter, Progress: stderr,
		Color: runner.ColorWanted(stderr), Tool: "httpcheck " + toolVersion()}
	if *focus != "" {
		opts.Focus = []string{*focus}
	}
	if proxy.enabled() {
		opts.Mode = harness.ModeProxy // the cache suites, not the contract's (origin.go)
	}
	if err := opts.Validate(); err != nil {
		return 0, usageError{err.Error()}
	}

	ctx, stop := stopContext()
	defer stop()

	var cfg harness.Config
	if proxy.enabled() {
		c, closeOrigin, err := proxy.config(stderr, targets)
		if err != nil {
			return 0, err
		}
		defer closeOrigin()
		cfg = c
		cfg.CAFile, cfg.Insecure = flagCfg.CAFile, flagCfg.Insecure
	} else if len(targets) == 0 {
		inst, err := embedded.Start(embedded.Options{HTTPAddr: "127.0.0.1:0", TLSAddr: "127.0.0.1:0", Hosts: harness.VirtualHosts})
		if err != nil {
			return 0, exitError{exitUnreachable, fmt.Errorf("starting the reference server: %w", err)}
		}
		defer inst.Close()
		fmt.Fprintf(stderr, "httpcheck: no --target; testing the bundled reference server at %s and %s\n", inst.HTTPURL, inst.HTTPSURL)
		cfg = harness.Config{Target: inst.HTTPURL, Name: "reference", RootCAs: inst.CAPool}
	} else {
		cfg = harness.Config{Target: targets[0], CAFile: flagCfg.CAFile, Insecure: flagCfg.Insecure}
	}
	cfg.HostMap, cfg.Timeout, cfg.RealClock, cfg.MaxWait = flagCfg.HostMap, flagCfg.Timeout, *realClock, *maxWait
	if *maxWait == 0 {
		cfg.MaxWait = time.Nanosecond // 0 means: never wait for real
	}

	if *name != "" {
		if len(targets) > 1 {
			return 0, usagef("--name labels one target; the instances of a deployment are named by their hosts")
		}
		cfg.Name = *name
	}

	if len(targets) > 1 {
		// The instances of one deployment (deployment.go).
		target, err := connectDeployment(ctx, stderr, targets, cfg)
		if err != nil {
			return 0, err
		}
		for _, t := range target.Instances() {
			defer t.Close()
		}
		opts.Target = target
	} else {
		target, err := harness.Connect(ctx, cfg)
		if err != nil {
			return 0, connectError(err)
		}
		defer target.Close()
		opts.Target = target
		fmt.Fprintf(stderr, "httpcheck: %s (%s, %s)\n", target.Base, reports.Printable(target.Manifest.Server), clockNote(target))
	}

	opts.Redactor, opts.NoRedact = common.redactor(stderr, nil, []string{cfg.OriginToken})
	res, err := runner.Run(opts)
	if err != nil {
		return 0, exitError{exitUnreachable, err}
	}
	return common.finish(res, minLevel, stderr)
}

func parseFailOn(s string) (reports.Level, error) {
	switch strings.ToLower(s) {
	case "must":
		return reports.Must, nil
	case "should":
		return reports.Should, nil
	case "advisory":
		return reports.Advisory, nil
	case "none":
		return "", nil
	}
	return "", usagef("--fail-on %q: want must, should, advisory or none", s)
}
