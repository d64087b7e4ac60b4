package main

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/internal/httpsyntax"
)

// cmdOrigin serves the harness origin standalone, for a cache under test
// on another machine: `httpcheck run --proxy URL --origin URL` scripts it
// over its control endpoint.
func cmdOrigin(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("origin", stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "address to listen on; the cache under test forwards here")
	token := fs.String("token", "", "require this token on control requests (Authorization: Bearer TOKEN); without one, only loopback clients may script the origin")
	if err := parse(fs, args); err != nil {
		return err
	}
	inst, err := origin.Start(*addr, origin.Options{Token: *token})
	if err != nil {
		return usagef("--addr: %v", err)
	}
	defer inst.Close()
	fmt.Fprintf(stdout, "httpcheck origin: %s (control under %s, %s); stop with Ctrl-C\n", inst.URL, origin.ControlPrefix,
		map[bool]string{true: "token required", false: "loopback clients only"}[*token != ""])

	return serveUntilStopped(inst.Err())
}

// proxyFlags are run's flags for a cache in the middle (a reverse proxy or
// a CDN, graded by the proxy suite): its URL and the harness origin it
// forwards to, started here (--origin-listen) or running elsewhere
// (--origin). "cache" alone names the contract's cache API, as in
// `serve --cache`; run's --cache is kept as a deprecated spelling of
// --proxy (docs/decisions.md).
type proxyFlags struct {
	proxy, listen, remote, token string
	targeted                     string
	deprecated                   bool // --cache was used
}

func (c *proxyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.proxy, "proxy", "", "URL of a cache in the middle (a reverse proxy or CDN) to test instead of a contract target; runs the proxy suite")
	fs.Func("cache", "deprecated spelling of --proxy", func(v string) error {
		c.proxy, c.deprecated = v, true
		return nil
	})
	fs.StringVar(&c.listen, "origin-listen", "", "with --proxy: serve the harness origin at this address, where the proxy forwards (HOST:PORT)")
	fs.StringVar(&c.remote, "origin", "", "with --proxy: base URL of a harness origin already running (httpcheck origin)")
	fs.StringVar(&c.token, "origin-token", "", "with --proxy: the control token of the harness origin (with --origin-listen: default a random one)")
	fs.StringVar(&c.targeted, "targeted-field", harness.DefaultTargetedField, "with --proxy: the targeted cache-control field (RFC 9213) the cache obeys over Cache-Control; its rules are graded where the cache acts on it")
}

// enabled reports whether the run tests a cache in the middle.
func (c *proxyFlags) enabled() bool { return c.proxy != "" }

// config checks the flags, starts the origin when asked, and returns the
// harness configuration of the cache target and a function that stops the
// origin.
func (c *proxyFlags) config(stderr io.Writer, targets []string) (harness.Config, func(), error) {
	if c.deprecated {
		fmt.Fprintln(stderr, "httpcheck: run --cache is deprecated: use --proxy (--cache names the cache API, as in serve --cache)")
	}
	switch {
	case len(targets) > 0:
		return harness.Config{}, nil, usagef("--proxy and --target are exclusive: a run tests a contract or a cache in the middle")
	case !httpsyntax.IsToken(c.targeted):
		return harness.Config{}, nil, usagef("--targeted-field %q is not a field name (RFC 9110 §5.1: a token)", c.targeted)
	case (c.listen == "") == (c.remote == ""):
		return harness.Config{}, nil, usagef("--proxy needs the harness origin the proxy forwards to: --origin-listen HOST:PORT to serve it here, or --origin URL of one running elsewhere")
	}
	if c.remote != "" {
		return harness.Config{Target: c.proxy, Origin: c.remote, OriginToken: c.token, TargetedField: c.targeted}, func() {}, nil
	}
	// The origin this run starts is scripted by this run only: without a
	// token of the user's, a random one keeps the cache's other clients
	// (whose requests reach the origin from the cache's address, loopback
	// perhaps, and not always with Via) out of its control endpoint.
	token := c.token
	if token == "" {
		b := make([]byte, 16)
		rand.Read(b)
		token = hex.EncodeToString(b)
	}
	inst, err := origin.Start(c.listen, origin.Options{Token: token})
	if err != nil {
		return harness.Config{}, nil, usagef("--origin-listen: %v", err)
	}
	fmt.Fprintf(stderr, "httpcheck: harness origin at %s; the proxy under test must forward there\n", inst.URL)
	return harness.Config{Target: c.proxy, Origin: inst.URL, OriginToken: token, TargetedField: c.targeted}, func() { inst.Close() }, nil
}
