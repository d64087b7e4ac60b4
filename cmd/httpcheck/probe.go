package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/runner"
	"github.com/httpcheck/httpcheck/suites/probe"
)

// cmdProbe grades deployed URLs without a contract (suites/probe,
// docs/probe.md): each URL with a fresh browser, plus a session probe when
// a recipe is given. Reports and exit codes are run's.
func cmdProbe(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlags("probe", stderr)
	var common checkFlags
	common.register(fs)
	var headers headerFlag
	fs.Var(&headers, "header", "send this field with every request, as 'Name: value' (repeatable)")
	session := fs.String("session", "", "JSON recipe of a login, for the session checks (docs/probe.md)")
	labelFilter := fs.String("label-filter", "", "Ginkgo label filter over the probe checks, e.g. 'level:MUST'")
	focus := fs.String("focus", "", "run only checks whose id or title matches this regular expression")
	// URLs come first, flags after them too: httpcheck probe URL... [flags].
	urls, err := parseInterleaved(fs, args)
	if err != nil {
		return 0, err
	}
	minLevel, cfg, err := common.check()
	if err != nil {
		return 0, err
	}
	var names, secrets []string
	if len(headers.fields) > 0 {
		cfg.Header = http.Header{}
		for _, f := range headers.fields {
			v, envSecrets, err := expandEnv(f[1], "--header "+f[0])
			if err != nil {
				return 0, err
			}
			if strings.ContainsAny(v, "\r\n") {
				return 0, usagef("--header %s: the value from the environment holds a line break", f[0])
			}
			cfg.Header.Add(f[0], v)
			// Every --header is taken for a credential: its name is
			// redacted, and its value wherever it appears.
			names, secrets = append(names, f[0]), append(append(secrets, v), envSecrets...)
		}
	}
	opts := runner.Options{Mode: harness.ModeProbe, LabelFilter: *labelFilter, Progress: stderr,
		Color: runner.ColorWanted(stderr), Tool: "httpcheck " + toolVersion()}
	if *focus != "" {
		opts.Focus = []string{*focus}
	}
	if err := opts.Validate(); err != nil {
		return 0, usageError{err.Error()}
	}

	ctx, stop := stopContext()
	defer stop()
	target, err := probe.Connect(ctx, cfg, urls, *session)
	if err != nil {
		return 0, connectError(err)
	}
	opts.Redactor, opts.NoRedact = common.redactor(stderr, append(names, probe.SessionSecretFields()...), append(secrets, probe.SessionSecrets()...))
	for _, t := range target.Instances() {
		defer t.Close()
		fmt.Fprintf(stderr, "httpcheck: probing %s\n", t.Name)
	}
	opts.Target = target
	res, err := runner.Run(opts)
	if err != nil {
		return 0, exitError{exitUnreachable, err}
	}
	return common.finish(res, minLevel, stderr)
}

// parseInterleaved parses args whose positional arguments may come before,
// between or after the flags (httpcheck probe URL... --out DIR), and
// returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
