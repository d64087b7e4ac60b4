package runner

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reference/cache"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/server"
	"github.com/httpcheck/httpcheck/reference/session"
)

// Reference says how to start the bundled reference server in-process.
type Reference struct {
	// RealClock runs it on the wall clock; by default it runs on a virtual
	// clock that the harness advances, so expiry checks need no waiting.
	RealClock bool
	// Wrap wraps its handler: fault tests inject a broken behaviour here.
	Wrap func(http.Handler) http.Handler
	// Sessions is the session store URL; "" means SQLite in a temporary
	// directory (the embedded default), removed when the server closes.
	Sessions string
	// WrapSessions, when set, wraps the opened session store: fault tests
	// inject what no handler wrapper can reach (a Delete that does nothing,
	// one record shared by every client).
	WrapSessions func(session.Store) session.Store
	// SessionSettings override ReferenceSessionSettings when not nil.
	SessionSettings *session.Settings
	// Cache is the cache backend URL; "" means memory.
	Cache string
}

// StartReference starts the reference server on loopback, over HTTP and
// HTTPS, and returns it with a harness configuration that trusts its
// freshly generated certificate.
func StartReference(r Reference) (*server.Instance, harness.Config, error) {
	var clk clock.Clock = &clock.Virtual{}
	if r.RealClock {
		clk = clock.Real{}
	}
	tmp, err := os.MkdirTemp("", "httpcheck-reference-")
	if err != nil {
		return nil, harness.Config{}, err
	}
	sessionsURL := r.Sessions
	if sessionsURL == "" {
		sessionsURL = "sqlite:" + filepath.Join(tmp, "sessions.sqlite3")
	}
	store, err := session.Open(sessionsURL, clk)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, harness.Config{}, fmt.Errorf("sessions %s: %w", sessionsURL, err)
	}
	if r.WrapSessions != nil {
		store = r.WrapSessions(store)
	}
	cacheURL := r.Cache
	if cacheURL == "" {
		cacheURL = "memory"
	}
	caches, err := cache.OpenAliases(cacheURL, server.DefaultCacheAliases(), clk)
	if err != nil {
		store.Close()
		os.RemoveAll(tmp)
		return nil, harness.Config{}, fmt.Errorf("cache %s: %w", cacheURL, err)
	}
	settings := ReferenceSessionSettings()
	if r.SessionSettings != nil {
		settings = *r.SessionSettings
	}
	srv := server.New(server.Options{Clock: clk, Hosts: harness.VirtualHosts,
		Sessions: store, SessionSettings: settings, SessionBackend: backendName(sessionsURL), Caches: caches})
	inst, err := server.Start(srv, server.Listen{
		HTTPAddr:  "127.0.0.1:0",
		TLSAddr:   "127.0.0.1:0",
		Wrap:      r.Wrap,
		CertNames: harness.VirtualHosts,
	})
	if err != nil {
		caches.Close()
		store.Close()
		os.RemoveAll(tmp)
		return nil, harness.Config{}, err
	}
	inst.OnClose(func() {
		caches.Close()
		store.Close()
		os.RemoveAll(tmp)
	})
	return inst, harness.Config{Target: inst.HTTPURL, Name: "reference", RootCAs: inst.CAPool}, nil
}

// ReferenceSessionSettings are the session settings of the in-process
// reference: Django's defaults (session.DefaultSettings) with a Secure
// cookie, as a deployment should have them (OWASP ASVS 4.0.3 §3.4.1). The
// reference serves HTTPS beside HTTP, and the sessions and auth suites drive
// a target whose manifest declares cookie_secure over https. `httpcheck
// serve` does the same whenever it serves HTTPS.
func ReferenceSessionSettings() session.Settings {
	s := session.DefaultSettings()
	s.Secure = true
	return s
}

// backendName is the scheme of a store URL ("sqlite", "redis", ...).
func backendName(url string) string {
	name, _, _ := strings.Cut(url, ":")
	return name
}
