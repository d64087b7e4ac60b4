package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reports"
	"github.com/httpcheck/httpcheck/reports/redact"
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
	// noRedact and redact say what the reports may show (reports/redact).
	noRedact bool
	redact   listFlag
	// baselineFile lists known failures (reports.Baseline); baseline is
	// what check read from it.
	baselineFile string
	baseline     *reports.Baseline
	failOnFixed  bool
}

func (c *checkFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.out, "out", "httpcheck-report", "directory for index.html, results.json and junit.xml")
	fs.StringVar(&c.failOn, "fail-on", "must", "exit 1 when a check at this level or stronger fails: must, should, advisory or none")
	fs.Var(&c.hostMaps, "host-map", "send connections for HOST to ADDR, as HOST=ADDR (repeatable)")
	fs.StringVar(&c.ca, "ca", "", "PEM file of a CA that signs the target's certificate")
	fs.BoolVar(&c.insecure, "insecure", false, "do not verify the target's certificate")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "deadline of every request")
	fs.BoolVar(&c.noRedact, "no-redact", false, "write credentials and session values into the reports in full, for local debugging (every report says so)")
	fs.Var(&c.redact, "redact", "also redact the header or body field of this name (repeatable); Authorization, Proxy-Authorization, --header names, cookie values and fields named like secrets always are")
	fs.StringVar(&c.baselineFile, "baseline", "", "known failures: a baseline file (httpcheck baseline) or an earlier results.json; they are reported and do not fail the build")
	fs.BoolVar(&c.failOnFixed, "fail-on-fixed", false, "with --baseline, exit 1 when a known failure now passes, so that the baseline gets trimmed")
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
	for _, n := range c.redact {
		if strings.TrimSpace(n) == "" {
			return "", harness.Config{}, usagef("--redact: want a header or field name")
		}
	}
	if err := checkWritable(c.out); err != nil {
		return "", harness.Config{}, err
	}
	if c.failOnFixed && c.baselineFile == "" {
		return "", harness.Config{}, usagef("--fail-on-fixed needs --baseline")
	}
	if c.baselineFile != "" {
		f, err := os.Open(c.baselineFile)
		if err != nil {
			return "", harness.Config{}, usagef("--baseline: %v", err)
		}
		b, err := reports.ReadBaseline(f)
		f.Close()
		if err != nil {
			return "", harness.Config{}, usagef("--baseline %s: %v", c.baselineFile, err)
		}
		c.baseline = b
	}
	return minLevel, harness.Config{CAFile: c.ca, Insecure: c.insecure, HostMap: hostMap, Timeout: c.timeout}, nil
}

// checkWritable finds out before the run, not after every check has run,
// that the reports could not be written into dir. It creates nothing: a
// run that never starts (a refused manifest) leaves no report directory.
// A dir that does not exist yet is writable when its nearest existing
// ancestor is a directory that takes a new entry.
func checkWritable(dir string) error {
	probe := filepath.Clean(dir)
	for {
		fi, err := os.Stat(probe)
		if err == nil {
			if !fi.IsDir() {
				return usagef("--out %s: %s is not a directory", dir, probe)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return usagef("--out %s: %v", dir, err)
		}
		parent := filepath.Dir(probe)
		if parent == probe {
			return usagef("--out %s: no existing directory above it", dir)
		}
		probe = parent
	}
	f, err := os.CreateTemp(probe, ".httpcheck-write-test-*")
	if err != nil {
		return usagef("--out %s: cannot write the reports there: %v", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// redactor returns the run's redactor, knowing the names of --header and
// --redact and the secrets the run was given; nil with --no-redact, which
// it says on stderr.
func (c *checkFlags) redactor(stderr io.Writer, names, secrets []string) (*redact.Redactor, bool) {
	if c.noRedact {
		fmt.Fprintf(stderr, "httpcheck: %s\n", reports.Unredacted)
		return nil, true
	}
	var nonEmpty []string
	for _, s := range secrets {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	return redact.New(redact.Options{Names: append(names, c.redact...), Secrets: nonEmpty}), false
}

// envRef is $NAME or ${NAME} in a --header value.
var envRef = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))`)

// expandEnv replaces $NAME and ${NAME} in v with the environment's values,
// which it returns as secrets; a variable that is not set is a usage
// error naming it. Any other $ stays as it is.
func expandEnv(v, where string) (string, []string, error) {
	var secrets []string
	var missing string
	out := envRef.ReplaceAllStringFunc(v, func(m string) string {
		sub := envRef.FindStringSubmatch(m)
		name := sub[1] + sub[2]
		val, ok := os.LookupEnv(name)
		if !ok && missing == "" {
			missing = name
		}
		secrets = append(secrets, val)
		return val
	})
	if missing != "" {
		return "", nil, usagef("%s: environment variable %s is not set", where, missing)
	}
	return out, secrets, nil
}

// finish applies the baseline, writes the reports of a run into --out,
// says what they hold on stderr, and returns the exit code: 3 when some
// check ended in error (the target misbehaved), 1 when a check at the
// --fail-on level or stronger failed and the baseline does not list it, or
// when --fail-on-fixed and a known failure now passes, 0 otherwise.
func (c *checkFlags) finish(res *reports.Results, minLevel reports.Level, stderr io.Writer) (int, error) {
	if c.baseline != nil {
		c.baseline.Apply(res, c.baselineFile, time.Now())
	}
	if err := reports.WriteAll(c.out, res); err != nil {
		return 0, exitError{exitUnreachable, fmt.Errorf("writing the reports: %w", err)}
	}
	s := res.Summary.ByState
	index, _ := filepath.Abs(filepath.Join(c.out, "index.html"))
	fmt.Fprintf(stderr, "httpcheck: %d checks: %d passed, %d failed, %d errors, %d skipped in %s\n",
		res.Summary.Total, s[reports.Passed], s[reports.Failed], s[reports.Error], s[reports.Skipped],
		res.Duration.Round(10*time.Millisecond))
	if bl := res.Baseline; bl != nil {
		fmt.Fprintf(stderr, "httpcheck: baseline %s: %d known, %d new, %d fixed", bl.File, bl.Known, bl.New, bl.Fixed)
		if len(bl.Expired) > 0 {
			fmt.Fprintf(stderr, ", %d expired (they count no more)", len(bl.Expired))
		}
		fmt.Fprintln(stderr)
	}
	fmt.Fprintf(stderr, "httpcheck: report: %s\n", index)
	switch {
	case s[reports.Error] > 0:
		return exitUnreachable, nil
	case res.NewFailuresAtOrAbove(minLevel):
		return exitFailures, nil
	case c.failOnFixed && res.Baseline != nil && res.Baseline.Fixed > 0:
		fmt.Fprintf(stderr, "httpcheck: %d known failures now pass: trim them from %s (--fail-on-fixed)\n", res.Baseline.Fixed, c.baselineFile)
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
