// Package embedded starts the reference server in this process, with its
// session store and cache aliases: the one place that `httpcheck run` (the
// bundled target), `httpcheck serve` and the project's tests start it from.
// The harness, which grades any target, imports none of it.
package embedded

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/reference/cache"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/server"
	"github.com/httpcheck/httpcheck/reference/session"
)

// Options say how to start the reference server.
type Options struct {
	// Clock is the server's clock; nil is a virtual clock that the
	// harness advances (POST clock/advance), so expiry checks need no
	// waiting.
	Clock clock.Clock
	// HTTPAddr and TLSAddr are where it listens for HTTP and for HTTPS
	// with a certificate generated at start; "" serves no such address.
	HTTPAddr, TLSAddr string
	// Hosts are the virtual hosts it answers, and its certificate's names.
	Hosts []string
	// Name is the manifest's server, Deployment its deployment id.
	Name, Deployment string
	// Sessions is the session store URL; "" is SQLite in a temporary
	// directory (the embedded default), removed when the server closes.
	Sessions string
	// WrapSessions, when set, wraps the opened session store: fault tests
	// inject what no handler wrapper can reach (a Delete that does
	// nothing, one record shared by every client).
	WrapSessions func(session.Store) session.Store
	// SessionSettings override SessionSettings(TLSAddr != "") when set.
	SessionSettings *session.Settings
	// Cache is the cache backend URL; "" is memory.
	Cache string
	// Wrap wraps its handler: fault tests inject a broken behaviour here.
	Wrap func(http.Handler) http.Handler
	// Sweep is how often expired sessions are deleted from the store
	// (session.Sweep); 0 never.
	Sweep time.Duration
}

// Start opens the stores and starts the server. Closing the instance
// closes the stores too.
func Start(o Options) (*server.Instance, error) {
	clk := o.Clock
	if clk == nil {
		clk = &clock.Virtual{}
	}
	tmp, err := os.MkdirTemp("", "httpcheck-reference-")
	if err != nil {
		return nil, err
	}
	sessionsURL := o.Sessions
	if sessionsURL == "" {
		sessionsURL = "sqlite:" + filepath.Join(tmp, "sessions.sqlite3")
	}
	store, err := session.Open(sessionsURL, clk)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, &StoreError{Flag: "sessions", Err: err}
	}
	if o.WrapSessions != nil {
		store = o.WrapSessions(store)
	}
	cacheURL := o.Cache
	if cacheURL == "" {
		cacheURL = "memory"
	}
	caches, err := cache.OpenAliases(cacheURL, server.DefaultCacheAliases(), clk)
	if err != nil {
		store.Close()
		os.RemoveAll(tmp)
		return nil, &StoreError{Flag: "cache", Err: err}
	}
	settings := SessionSettings(o.TLSAddr != "")
	if o.SessionSettings != nil {
		settings = *o.SessionSettings
	}
	backend, _, _ := strings.Cut(sessionsURL, ":")
	srv := server.New(server.Options{Clock: clk, Name: o.Name, Hosts: o.Hosts, Deployment: o.Deployment,
		Sessions: store, SessionSettings: settings, SessionBackend: backend, Caches: caches})
	inst, err := server.Start(srv, server.Listen{HTTPAddr: o.HTTPAddr, TLSAddr: o.TLSAddr, Wrap: o.Wrap, CertNames: o.Hosts})
	if err != nil {
		caches.Close()
		store.Close()
		os.RemoveAll(tmp)
		return nil, err
	}
	sweeping, stopSweeping := context.WithCancel(context.Background())
	if o.Sweep > 0 {
		go session.Sweep(sweeping, store, o.Sweep)
	}
	inst.OnClose(func() {
		stopSweeping()
		caches.Close()
		store.Close()
		os.RemoveAll(tmp)
	})
	return inst, nil
}

// StoreError is a session store or cache backend that could not be
// opened: a bad URL, or a server that does not answer.
type StoreError struct {
	Flag string // "sessions" or "cache"
	Err  error
}

func (e *StoreError) Error() string { return fmt.Sprintf("--%s: %v", e.Flag, e.Err) }
func (e *StoreError) Unwrap() error { return e.Err }

// SessionSettings are the reference's session settings: Django's defaults
// (session.DefaultSettings), with a Secure cookie whenever it serves
// HTTPS, as a deployment should have them (OWASP ASVS 4.0.3 §3.4.1); the
// sessions and auth suites then drive it over https.
func SessionSettings(https bool) session.Settings {
	s := session.DefaultSettings()
	s.Secure = https
	return s
}
