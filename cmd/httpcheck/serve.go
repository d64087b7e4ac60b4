package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reference/cache"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/embedded"
	"github.com/httpcheck/httpcheck/reference/session"
)

func cmdServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address for plain HTTP; empty: none")
	tlsAddr := fs.String("tls-addr", "127.0.0.1:8443", "address for HTTPS with a generated certificate; empty: none")
	clockMode := fs.String("clock", "real", "real, or virtual: a clock the harness advances through POST clock/advance")
	caOut := fs.String("ca-out", "", "write the generated certificate (PEM) here, for `run --ca`; default: a file in the temporary directory")
	sessionsURL := fs.String("sessions", session.DefaultURL, "session store: memory, sqlite:PATH, file:DIR, signed (secret in $"+session.SecretKeyEnv+"), redis://HOST:PORT/DB or postgres://USER@HOST:PORT/DB")
	cacheURL := fs.String("cache", "memory", "cache backend: memory, file:DIR, sqlite:PATH, redis://HOST:PORT/DB or postgres://USER@HOST:PORT/DB")
	deployment := fs.String("deployment", "", "the manifest's deployment id: the same on every instance sharing these stores (docs/deployments.md)")
	sweep := fs.Duration("sweep", time.Hour, "how often expired sessions are deleted from the store; 0 never")
	if err := parse(fs, args); err != nil {
		return err
	}
	var clk clock.Clock
	switch *clockMode {
	case "real":
		clk = clock.Real{}
	case "virtual":
		clk = &clock.Virtual{}
	default:
		return usagef("--clock %q: want real or virtual", *clockMode)
	}
	if !strings.HasPrefix(*cacheURL, "memory") && os.Getenv(cache.SecretKeyEnv) == "" {
		fmt.Fprintf(stderr, "httpcheck serve: $%s is not set: cached pages and fragments will not be shared with other instances using this cache (docs/deployments.md)\n", cache.SecretKeyEnv)
	}
	inst, err := embedded.Start(embedded.Options{Clock: clk, HTTPAddr: *addr, TLSAddr: *tlsAddr, Hosts: harness.VirtualHosts,
		Name: "httpcheck reference server " + toolVersion(), Deployment: *deployment,
		Sessions: *sessionsURL, Cache: *cacheURL, Sweep: *sweep})
	var se *embedded.StoreError
	if errors.As(err, &se) {
		return usagef("%v", se)
	}
	if err != nil {
		return usageError{err.Error()}
	}
	defer inst.Close()
	if inst.HTTPURL != "" {
		fmt.Fprintf(stdout, "httpcheck serve: %s\n", inst.HTTPURL)
	}
	if inst.HTTPSURL != "" {
		path := *caOut
		if path == "" {
			path = filepath.Join(os.TempDir(), "httpcheck-serve-ca.pem")
		}
		if err := os.WriteFile(path, inst.CAPEM, 0o644); err != nil {
			return exitError{exitUnreachable, fmt.Errorf("writing the certificate: %w", err)}
		}
		fmt.Fprintf(stdout, "httpcheck serve: %s (certificate: %s)\n", inst.HTTPSURL, path)
	}
	fmt.Fprintf(stdout, "httpcheck serve: %s clock; stop with Ctrl-C\n", *clockMode)

	return serveUntilStopped(inst.Err())
}
