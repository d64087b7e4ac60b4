// Package harness is the black-box driver of httpcheck: a Target (where the
// server under test lives and what it claims in its manifest), a Browser (a
// reference cookie jar, a virtual-host dialer and an exchange recorder) and
// a Clock (the target's own virtual clock when it declares one, the wall
// clock otherwise).
//
// The harness knows nothing about Ginkgo: checks reach it through an Env,
// and the check wrapper (harness/check) turns what the harness reports into
// spec failures, errors and skips. That keeps it usable, and testable, from
// plain Go code.
package harness

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/harness/origin"
)

// Config is everything the harness needs to know about a target. The CLI
// builds one from its flags; tests build one directly.
type Config struct {
	// Target is the base URL of the contract (ends in "/"; one is added).
	Target string
	// Name labels the target in reports ("reference", "staging", ...).
	Name string
	// HostMap sends connections for a host name to another address
	// (HOST=ADDR), so virtual hosts reach the target without DNS.
	HostMap map[string]string
	// RootCAs trusts a target's certificate; nil means the system pool
	// (plus CAFile when set).
	RootCAs  *x509.CertPool
	CAFile   string
	Insecure bool
	// Timeout bounds every request: connect, headers and body. Default 10s.
	Timeout time.Duration
	// RealClock ignores a declared virtual clock and waits for real.
	RealClock bool
	// MaxWait is the longest real wait a check may ask for; checks that
	// need more are skipped. Default 10s.
	MaxWait time.Duration
	// Header holds fields sent with every request (httpcheck probe
	// --header), unless the request sets the field itself. A Cookie here
	// goes first, before the jar's cookies.
	Header http.Header
	// Origin, when set, makes the target a cache in the middle (a proxy or
	// a CDN) instead of a contract: Target is the cache's URL, Origin the
	// base URL of the harness origin (harness/origin) the cache forwards
	// to, and OriginToken its control token, if it has one. No manifest is
	// fetched (see connectProxy).
	Origin      string
	OriginToken string
	// TargetedField names the targeted cache-control field (RFC 9213)
	// the cache in the middle is expected to obey over Cache-Control;
	// "" means DefaultTargetedField. The proxy suite grades that field's
	// rules only where the cache shows it acts on the field at all.
	TargetedField string
	// Mode is the kind of target: a contract (the default), a cache in
	// the middle (ModeProxy, also implied by Origin) or a URL to probe
	// (ModeProbe).
	Mode Mode
}

// mode is the kind of target cfg describes.
func (cfg Config) mode() Mode {
	switch {
	case cfg.Mode != "":
		return cfg.Mode
	case cfg.Origin != "":
		return ModeProxy
	}
	return ModeContract
}

// Mode says what kind of target a run tests, and so which suites apply.
type Mode string

const (
	// ModeContract: a service exposing the contract (docs/contract.md).
	ModeContract Mode = "contract"
	// ModeProxy: a cache in the middle (a reverse proxy or CDN), in front
	// of the harness origin.
	ModeProxy Mode = "proxy"
	// ModeProbe: URLs of any service, without a contract (connectURL).
	ModeProbe Mode = "probe"
)

// VirtualHosts are the host names checks use. A target that serves any
// Host gets them all, each dialled to the target's own address; they cover
// siblings and a parent under one registrable domain (a/b.example.test,
// example.test) and two registrable domains just under public suffixes
// (example.co.uk, x.github.io).
var VirtualHosts = []string{
	"example.test", "a.example.test", "b.example.test", "sub.a.example.test",
	"shop.example.co.uk", "example.co.uk", "x.github.io", "y.github.io",
}

// Target is a server under test, connected: its manifest is fetched and
// valid, its clock is known.
type Target struct {
	Name     string
	Base     *url.URL // as given on the command line
	Manifest *Manifest
	Clock    TargetClock
	Timeout  time.Duration
	MaxWait  time.Duration
	// TargetedField is Config.TargetedField for a cache in the middle.
	TargetedField string

	bases     map[string]*url.URL // scheme -> base URL of the contract
	hostMap   map[string]string
	transport *http.Transport
	header    http.Header // sent with every request (Config.Header)
	// exact is set for a Target made by connectURL: Base is one URL to
	// probe, kept as given, not the base of a contract.
	exact  bool
	origin *origin.Client // the harness origin of a cache target (connectProxy)
	// instances are every target of the run, this one first, when Connect
	// was given several: the instances of one deployment, or the URLs of
	// one probe run. Nil means this target alone.
	instances []*Target
}

// Instances returns the run's targets when Connect was given several, t
// first: the instances of one deployment (several --target), or the URLs
// of one probe run. A target connected alone is its only instance.
func (t *Target) Instances() []*Target {
	if len(t.instances) == 0 {
		return []*Target{t}
	}
	return slices.Clone(t.instances)
}

// Mode says whether the target is a contract, a cache in the middle or a
// URL to probe.
func (t *Target) Mode() Mode {
	switch {
	case t.origin != nil:
		return ModeProxy
	case t.exact:
		return ModeProbe
	}
	return ModeContract
}

// ConfigError is a problem with what the user gave us or what the target
// claims (a malformed manifest): exit code 2.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// UnreachableError means the target could not be reached or answered
// garbage at the transport level: exit code 3.
type UnreachableError struct{ Err error }

func (e *UnreachableError) Error() string { return e.Err.Error() }
func (e *UnreachableError) Unwrap() error { return e.Err }

// Connect connects to what a run tests, of the kind cfg.Mode says: a
// contract target (its manifest fetched and validated, its clock set up),
// a cache in the middle (connectProxy) or a URL to probe (connectURL).
// With more configurations it connects to each, in order, and the Target
// it returns is the first, whose Instances lists them all: the instances
// of one deployment, which must be distinct and name the same deployment,
// or the URLs of one probe run, which must be distinct. The errors are
// ConfigError (exit code 2) or UnreachableError (exit code 3).
func Connect(ctx context.Context, cfg Config, more ...Config) (*Target, error) {
	var ts []*Target
	closeAll := func() {
		for _, t := range ts {
			t.Close()
		}
	}
	seen := map[string]bool{}
	for _, c := range append([]Config{cfg}, more...) {
		if c.mode() != cfg.mode() {
			closeAll()
			return nil, &ConfigError{fmt.Errorf("the targets of one run are of one kind: %s is %s, %s is %s", cfg.Target, cfg.mode(), c.Target, c.mode())}
		}
		t, err := connectOne(ctx, c)
		if err != nil {
			closeAll()
			return nil, err
		}
		ts = append(ts, t)
		key := t.Base.String()
		if cfg.mode() == ModeProbe {
			key = t.Name // a URL probed, and the same URL as a session recipe's page, are two targets
		}
		if seen[key] {
			closeAll()
			return nil, &ConfigError{fmt.Errorf("%s is given twice: %s", key, distinctWhy[cfg.mode()])}
		}
		seen[key] = true
	}
	if cfg.mode() == ModeContract {
		if err := sameDeployment(ts); err != nil {
			closeAll()
			return nil, err
		}
	}
	if len(ts) > 1 {
		for _, t := range ts {
			t.instances = ts
		}
	}
	return ts[0], nil
}

// distinctWhy says why the targets of a run must be distinct.
var distinctWhy = map[Mode]string{
	ModeContract: "instances of a deployment are distinct",
	ModeProbe:    "each URL is probed once",
	ModeProxy:    "a run tests one cache in the middle at a time",
}

// connectOne connects to one target of the kind cfg describes.
func connectOne(ctx context.Context, cfg Config) (*Target, error) {
	switch cfg.mode() {
	case ModeProxy:
		return connectProxy(ctx, cfg)
	case ModeProbe:
		return connectURL(ctx, cfg)
	}
	return connectContract(ctx, cfg)
}

// connectContract checks the configuration, fetches and validates the
// target's manifest and sets up its clock.
func connectContract(ctx context.Context, cfg Config) (*Target, error) {
	base, err := parseBase(cfg.Target)
	if err != nil {
		return nil, &ConfigError{err}
	}
	t, err := newTarget(cfg, base)
	if err != nil {
		return nil, err
	}
	m, err := t.fetchManifest(ctx)
	if err != nil {
		return nil, err
	}
	t.Manifest = m
	for scheme, u := range m.URLs {
		if scheme == base.Scheme {
			continue // the URL we were given wins: the manifest may not know its public name
		}
		pu, _ := parseBase(u)
		t.bases[scheme] = pu
	}
	if m.Has(FeatureClock) && !cfg.RealClock {
		vc := &virtualClock{target: t}
		if err := vc.sync(ctx); err != nil {
			return nil, err
		}
		t.Clock = vc
	} else {
		t.Clock = realClock{}
	}
	return t, nil
}

// connectURL sets up a Target for one URL of a service that exposes no
// contract (httpcheck probe): cfg.Target is that URL, kept exactly as
// given, query included. The Target has an empty manifest (it declares no
// feature) and the wall clock. connectURL sends GET to the URL once, so
// that a URL that cannot be reached is reported (UnreachableError) before
// any check waits for it; what it answers does not matter here.
func connectURL(ctx context.Context, cfg Config) (*Target, error) {
	u, err := parseExactURL(cfg.Target)
	if err != nil {
		return nil, &ConfigError{err}
	}
	if cfg.Name == "" {
		cfg.Name = u.String()
	}
	t, err := newTarget(cfg, u)
	if err != nil {
		return nil, err
	}
	t.exact = true
	t.Manifest = &Manifest{}
	t.Clock = realClock{}
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	for k, vs := range t.header {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", "httpcheck")
	if _, _, err := t.roundTrip(ctx, req); err != nil {
		t.Close()
		return nil, &UnreachableError{fmt.Errorf("GET %s: %v", u, err)}
	}
	return t, nil
}

// parseExactURL checks a URL to probe: absolute, http or https. A fragment
// is dropped, as user agents never send it.
func parseExactURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("URL %q: %v", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("URL %q: want an absolute http:// or https:// URL", s)
	}
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

// newTarget sets up what every Target has: its timeouts, TLS trust, host
// map, header and transport.
func newTarget(cfg Config, base *url.URL) (*Target, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 10 * time.Second
	}
	tlsConf, err := tlsConfig(cfg)
	if err != nil {
		return nil, &ConfigError{err}
	}
	t := &Target{
		Name:    cfg.Name,
		Base:    base,
		Timeout: cfg.Timeout,
		MaxWait: cfg.MaxWait,
		bases:   map[string]*url.URL{base.Scheme: base},
		hostMap: map[string]string{},
		header:  cfg.Header.Clone(),
	}
	if t.Name == "" {
		t.Name = base.Host
	}
	for h, a := range cfg.HostMap {
		t.hostMap[strings.ToLower(h)] = a
	}
	dialer := &net.Dialer{Timeout: cfg.Timeout}
	t.transport = &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, t.dialAddress(addr))
		},
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       30 * time.Second,
		// Cookies and caching are the subject; compression would only
		// hide what the target really sent.
		DisableCompression: true,
	}
	return t, nil
}

func parseBase(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("no target URL")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("target URL %q: %v", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("target URL %q: want an absolute http:// or https:// URL", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("target URL %q: a base URL has no query or fragment", s)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

func tlsConfig(cfg Config) (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.Insecure}
	pool := cfg.RootCAs
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("--ca: %v", err)
		}
		if pool == nil {
			if pool, err = x509.SystemCertPool(); err != nil {
				pool = x509.NewCertPool()
			}
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca %s: no PEM certificate in it", cfg.CAFile)
		}
	}
	c.RootCAs = pool
	return c, nil
}

// dialAddress maps the address a request names to the address to dial:
// the host map first, then virtual hosts to the target's own host.
func (t *Target) dialAddress(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	host = strings.ToLower(host)
	if a, ok := t.hostMap[host]; ok {
		if _, _, err := net.SplitHostPort(a); err == nil {
			return a
		}
		return net.JoinHostPort(a, port)
	}
	if t.isVirtual(host) {
		for _, b := range t.bases {
			if b.Port() == port || (b.Port() == "" && port == defaultPort(b.Scheme)) {
				return net.JoinHostPort(b.Hostname(), port)
			}
		}
	}
	return addr
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

func (t *Target) isVirtual(host string) bool {
	for _, v := range VirtualHosts {
		if v == host {
			return true
		}
	}
	return false
}

// HasScheme reports whether the target serves the contract over scheme.
func (t *Target) HasScheme(scheme string) bool { _, ok := t.bases[scheme]; return ok }

// ServesVirtualHosts reports whether checks may send the VirtualHosts: the
// target serves any Host (manifest hosts.any_host). A host map only says
// where to dial; it does not make a target answer other names.
func (t *Target) ServesVirtualHosts() bool { return t.Manifest.Hosts.AnyHost }

// URL returns the absolute URL of a contract path over scheme, on host
// (empty host: the base URL's own host). The port stays the base URL's.
//
// On a Target made by connectURL, the empty path is the probed URL itself,
// its query kept unless a non-empty query is given; another path is
// resolved against it as a relative reference.
func (t *Target) URL(scheme, host, path string, query url.Values) *url.URL {
	b, ok := t.bases[scheme]
	if !ok {
		b = t.Base
	}
	u := *b
	if host != "" {
		if p := b.Port(); p != "" {
			u.Host = net.JoinHostPort(host, p)
		} else {
			u.Host = host
		}
	}
	if t.exact {
		if path != "" {
			ref, err := url.Parse(path)
			if err == nil {
				u = *u.ResolveReference(ref)
			}
		}
		if len(query) > 0 {
			u.RawQuery = query.Encode()
		}
		return &u
	}
	u.Path = b.Path + strings.TrimPrefix(path, "/")
	u.RawPath = ""
	u.RawQuery = query.Encode()
	return &u
}

// Exact reports whether the Target is one URL to probe (connectURL)
// rather than the base of a contract.
func (t *Target) Exact() bool { return t.exact }

// Close releases idle connections.
func (t *Target) Close() {
	t.transport.CloseIdleConnections()
	if t.origin != nil {
		t.origin.Close()
	}
}

// maxBody caps how much of a response body the harness reads: a target
// that streams forever must not hold a check past its deadline or fill
// memory.
const maxBody = 4 << 20

// roundTrip sends one request with the target's deadline and reads the
// whole body (up to maxBody).
func (t *Target) roundTrip(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()
	resp, err := t.transport.RoundTrip(req.WithContext(ctx))
	if err != nil {
		return nil, nil, describeTransportError(err, t.Timeout)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return resp, body, fmt.Errorf("reading the response body: %w", describeTransportError(err, t.Timeout))
	}
	if len(body) > maxBody {
		return resp, body[:maxBody], fmt.Errorf("response body exceeds %d bytes", maxBody)
	}
	return resp, body, nil
}

func describeTransportError(err error, timeout time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no complete answer within %s: %w", timeout, err)
	}
	return err
}

func (t *Target) fetchManifest(ctx context.Context) (*Manifest, error) {
	u := t.URL(t.Base.Scheme, "", "manifest", nil)
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	req.Header.Set("Accept", "application/json")
	resp, body, err := t.roundTrip(ctx, req)
	if err != nil {
		return nil, &UnreachableError{fmt.Errorf("GET %s: %v", u, err)}
	}
	if resp.StatusCode >= 500 {
		// A gateway in front of a service that is down (502, 503, 504):
		// the target is unreachable, not misconfigured.
		return nil, &UnreachableError{fmt.Errorf("GET %s answered %s", u, resp.Status)}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &ConfigError{fmt.Errorf("GET %s answered %s; a target must serve its manifest there (docs/contract.md)", u, resp.Status)}
	}
	m, err := ParseManifest(body)
	if err != nil {
		return nil, &ConfigError{fmt.Errorf("GET %s: %v", u, err)}
	}
	return m, nil
}
