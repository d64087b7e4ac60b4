package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/internal/httpsyntax"
	"github.com/httpcheck/httpcheck/reference/proxy"
)

// cmdProxy serves the reference shared cache as a reverse proxy in front
// of an origin: what `httpcheck run --proxy` grades, done right.
func cmdProxy(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("proxy", stderr)
	listen := fs.String("listen", "127.0.0.1:8081", "address to listen on")
	originURL := fs.String("origin", "", "base URL of the origin to forward to (required), e.g. http://127.0.0.1:8090/")
	maxStorage := fs.Int64("max-storage", proxy.DefaultMaxStorage, "bytes of stored responses before the least recently used are evicted")
	timeout := fs.Duration("timeout", 30*time.Second, "deadline of each request to the origin")
	targets := fs.String("target-list", strings.Join(proxy.DefaultTargetList, ","), "targeted cache-control fields obeyed over Cache-Control, most applicable first, comma-separated (RFC 9213); empty for none")
	if err := parse(fs, args); err != nil {
		return err
	}
	u, err := url.Parse(*originURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--origin %q: want the origin's absolute http:// or https:// URL", *originURL)
	}
	if *maxStorage <= 0 || *timeout <= 0 {
		return usagef("--max-storage and --timeout must be positive")
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return usagef("--listen: %v", err)
	}
	targetList, err := parseTargetList(*targets)
	if err != nil {
		return err
	}
	p := proxy.New(proxy.Options{Origin: u, MaxStorage: *maxStorage, Timeout: *timeout, TargetList: targetList})
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil // what Shutdown makes it answer: a clean end
		}
		errc <- err
	}()
	fmt.Fprintf(stdout, "httpcheck proxy: http://%s/ -> %s (shared cache, %d bytes); stop with Ctrl-C\n", ln.Addr(), u, *maxStorage)

	if err := serveUntilStopped(errc); err != nil {
		return err
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
	p.Cache().Wait()
	return nil
}

// parseTargetList reads --target-list: field names separated by commas; an
// empty value is an empty list, not the default.
func parseTargetList(v string) ([]string, error) {
	list := []string{}
	for _, name := range strings.Split(v, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		if !httpsyntax.IsToken(name) {
			return nil, usagef("--target-list: %q is not a field name", name)
		}
		list = append(list, name)
	}
	return list, nil
}
