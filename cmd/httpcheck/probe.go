package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/httpcheck/httpcheck/crawl"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/runner"
	"github.com/httpcheck/httpcheck/reports"
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
	var crawling crawlFlags
	crawling.register(fs)
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
	site, urls, err := crawling.run(ctx, cfg, urls, stderr)
	if err != nil {
		return 0, err
	}
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
	res.Crawl = site
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

// crawlFlags are probe's --crawl and the bounds of the crawl (crawl.Options).
type crawlFlags struct {
	start            string
	opt              crawl.Options
	include, exclude patternFlag
}

func (c *crawlFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.start, "crawl", "", "crawl the site from this URL and probe every URL found on its origin")
	fs.IntVar(&c.opt.MaxPages, "max-pages", 200, "with --crawl: fetch at most this many URLs")
	fs.IntVar(&c.opt.MaxDepth, "max-depth", 0, "with --crawl: follow links at most this many hops from the start (0: no limit)")
	fs.Var(&c.include, "include", "with --crawl: fetch only URLs this regular expression matches (repeatable)")
	fs.Var(&c.exclude, "exclude", "with --crawl: never fetch URLs this regular expression matches (repeatable)")
	fs.IntVar(&c.opt.Concurrency, "concurrency", 4, "with --crawl: requests in flight at once")
	fs.Float64Var(&c.opt.Rate, "rate", 0, "with --crawl: requests per second at most (0: no limit)")
	fs.BoolVar(&c.opt.IgnoreRobots, "ignore-robots", false, "with --crawl: fetch what robots.txt disallows")
}

// run crawls when --crawl was given, and returns the crawl for the
// reports and the URLs to probe: those given, then each 2xx URL the crawl
// fetched, once.
func (c *crawlFlags) run(ctx context.Context, cfg harness.Config, urls []string, stderr io.Writer) (*reports.Crawl, []string, error) {
	if c.start == "" {
		return nil, urls, nil
	}
	if c.opt.MaxPages < 1 || c.opt.Concurrency < 1 || c.opt.MaxDepth < 0 || c.opt.Rate < 0 {
		return nil, nil, usagef("--max-pages and --concurrency are at least 1, --max-depth and --rate at least 0")
	}
	transport, err := crawlTransport(cfg)
	if err != nil {
		return nil, nil, usagef("--crawl: %v", err)
	}
	opt := c.opt
	opt.Include, opt.Exclude = c.include.res, c.exclude.res
	opt.Timeout, opt.Header, opt.Progress = cfg.Timeout, cfg.Header, stderr
	opt.Client = &http.Client{Transport: transport}
	res, err := crawl.Crawl(ctx, c.start, opt)
	if err != nil {
		return nil, nil, usagef("%v", err)
	}
	targets := res.Targets()
	if len(targets) == 0 {
		return nil, nil, exitError{exitUnreachable, fmt.Errorf("--crawl %s: no URL answered 2xx (%d fetched, %d failed)", c.start, len(res.Pages), res.Failures())}
	}
	for _, u := range targets {
		if !slices.Contains(urls, u) {
			urls = append(urls, u)
		}
	}
	return siteReport(res), urls, nil
}

// siteReport keeps a crawl as the reports keep it.
func siteReport(res *crawl.Result) *reports.Crawl {
	out := &reports.Crawl{Start: res.Start}
	for _, p := range res.Pages {
		out.Pages = append(out.Pages, reports.CrawledURL(p))
	}
	for _, s := range res.Skipped {
		out.Skipped = append(out.Skipped, reports.SkippedURL(s))
	}
	return out
}

// crawlTransport trusts what the probe trusts (--ca, --insecure) and
// sends connections where --host-map says.
func crawlTransport(cfg harness.Config) (*http.Transport, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: cfg.Insecure, RootCAs: cfg.RootCAs}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, err
		}
		pool, _ := x509.SystemCertPool()
		if pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", cfg.CAFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	if len(cfg.HostMap) > 0 {
		var d net.Dialer
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, _ := net.SplitHostPort(addr)
			if to, ok := cfg.HostMap[host]; ok {
				addr = net.JoinHostPort(to, port)
				if _, _, err := net.SplitHostPort(to); err == nil {
					addr = to
				}
			}
			return d.DialContext(ctx, network, addr)
		}
	}
	return tr, nil
}

// patternFlag is a repeatable regular expression.
type patternFlag struct{ res []*regexp.Regexp }

func (p *patternFlag) String() string { return fmt.Sprint(p.res) }

func (p *patternFlag) Set(v string) error {
	re, err := regexp.Compile(v)
	if err != nil {
		return err
	}
	p.res = append(p.res, re)
	return nil
}
