package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reports"
)

// checkFlags are the flags of every command that runs checks against
// something and writes reports (run, probe): where the reports go, which
// level fails the build, and how to reach and trust the target.
type checkFlags struct {
	out, failOn string
	hostMaps    listFlag
	ca          string
	insecure    bool
	timeout     time.Duration
}

func (c *checkFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.out, "out", "httpcheck-report", "directory for index.html, results.json and junit.xml")
	fs.StringVar(&c.failOn, "fail-on", "must", "exit 1 when a check at this level or stronger fails: must, should, advisory or none")
	fs.Var(&c.hostMaps, "host-map", "send connections for HOST to ADDR, as HOST=ADDR (repeatable)")
	fs.StringVar(&c.ca, "ca", "", "PEM file of a CA that signs the target's certificate")
	fs.BoolVar(&c.insecure, "insecure", false, "do not verify the target's certificate")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "deadline of every request")
}

// check validates the flags and returns the --fail-on level and the
// harness configuration they make (CA, --insecure, host map, timeout).
func (c *checkFlags) check() (reports.Level, harness.Config, error) {
	minLevel, err := parseFailOn(c.failOn)
	if err != nil {
		return "", harness.Config{}, err
	}
	if c.timeout <= 0 {
		return "", harness.Config{}, usagef("--timeout must be positive")
	}
	hostMap := map[string]string{}
	for _, hm := range c.hostMaps {
		host, addr, ok := strings.Cut(hm, "=")
		if !ok || host == "" || addr == "" {
			return "", harness.Config{}, usagef("--host-map %q: want HOST=ADDR", hm)
		}
		hostMap[host] = addr
	}
	return minLevel, harness.Config{CAFile: c.ca, Insecure: c.insecure, HostMap: hostMap, Timeout: c.timeout}, nil
}

// finish writes the reports of a run into out, says what they hold on
// stderr, and returns the exit code: 3 when some check ended in error
// (the target broke at the transport level), 1 when a check at minLevel
// or stronger failed, 0 otherwise.
func finish(res *reports.Results, out string, minLevel reports.Level, stderr io.Writer) (int, error) {
	if err := reports.WriteAll(out, res); err != nil {
		return 0, exitError{exitUnreachable, fmt.Errorf("writing the reports: %w", err)}
	}
	s := res.Summary.ByState
	index, _ := filepath.Abs(filepath.Join(out, "index.html"))
	fmt.Fprintf(stderr, "httpcheck: %d checks: %d passed, %d failed, %d errors, %d skipped in %s\nhttpcheck: report: %s\n",
		res.Summary.Total, s[reports.Passed], s[reports.Failed], s[reports.Error], s[reports.Skipped],
		res.Duration.Round(10*time.Millisecond), index)
	switch {
	case s[reports.Error] > 0:
		return exitUnreachable, nil
	case res.FailedAtOrAbove(minLevel):
		return exitFailures, nil
	}
	return exitOK, nil
}

// headerFlag collects --header 'Name: value' fields.
type headerFlag struct{ fields [][2]string }

func (h *headerFlag) String() string { return fmt.Sprint(h.fields) }

func (h *headerFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
		return fmt.Errorf("%q: want 'Name: value'", v)
	}
	h.fields = append(h.fields, [2]string{name, strings.TrimSpace(value)})
	return nil
}
