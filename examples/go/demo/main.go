// Command demo is a small Go service with the httpcheck contract mounted
// under /httpcheck/: net/http, gorilla/sessions, go-cache. It serves http
// and https from one process, so both schemes share its sessions, caches
// and resources.
//
//	HTTPCHECK_CONTRACT_ENABLED=1 go run ./examples/go/demo -https 127.0.0.1:0 -cert cert.pem -key key.pem
//	serving http=http://127.0.0.1:8080/httpcheck/ https=https://127.0.0.1:41235/httpcheck/
//
// Port 0 picks a free port. Once it listens it prints that one line on
// stdout, and it stops on SIGTERM or SIGINT. Without
// HTTPCHECK_CONTRACT_ENABLED=1 every contract endpoint answers 404.
//
// -sessions picks the gorilla/sessions store: "filesystem" (the default; a
// FilesystemStore in -session-dir, or a temporary directory removed at
// exit) or "cookie" (a CookieStore). Either gets the same options, those of
// a staging service: HttpOnly, SameSite=Lax, Secure when https is served,
// and gorilla's default lifetime of 30 days. -plain shows the libraries as
// they are (httpcheckcontract.Options.Plain).
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"github.com/httpcheck/httpcheck/examples/go/httpcheckcontract"
	"github.com/httpcheck/httpcheck/examples/go/httpcheckcontract/gocache"
	"github.com/httpcheck/httpcheck/examples/go/httpcheckcontract/gorillasessions"
)

func main() {
	httpAddr := flag.String("http", "127.0.0.1:0", "address to serve http on")
	httpsAddr := flag.String("https", "", "address to serve https on (needs -cert and -key); none when empty")
	certFile := flag.String("cert", "", "PEM certificate chain for https")
	keyFile := flag.String("key", "", "PEM private key for https")
	store := flag.String("sessions", "filesystem", "session store: filesystem or cookie")
	sessionDir := flag.String("session-dir", "", "directory of the FilesystemStore (default: a temporary one)")
	plain := flag.Bool("plain", false, "show net/http and gorilla as they are (httpcheckcontract.Options.Plain)")
	flag.Parse()
	if *httpsAddr != "" && (*certFile == "" || *keyFile == "") {
		log.Fatal("demo: -https needs -cert and -key")
	}
	if err := run(*httpAddr, *httpsAddr, *certFile, *keyFile, *store, *sessionDir, *plain); err != nil {
		log.Fatalf("demo: %v", err)
	}
}

func run(httpAddr, httpsAddr, certFile, keyFile, storeName, sessionDir string, plain bool) error {
	// Listen first: the manifest's urls need the ports.
	listeners := map[string]net.Listener{}
	urls := map[string]string{}
	ln, err := net.Listen("tcp", httpAddr)
	if err != nil {
		return err
	}
	listeners["http"], urls["http"] = ln, "http://"+ln.Addr().String()+"/httpcheck/"
	if httpsAddr != "" {
		if _, err := tls.LoadX509KeyPair(certFile, keyFile); err != nil {
			return err
		}
		ln, err := net.Listen("tcp", httpsAddr)
		if err != nil {
			return err
		}
		listeners["https"], urls["https"] = ln, "https://"+ln.Addr().String()+"/httpcheck/"
	}

	// The service's session store, as a staging service would configure
	// it. Keys from crypto/rand: sessions die with the process.
	options := sessions.Options{Path: "/", MaxAge: 86400 * 30, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: httpsAddr != ""}
	hashKey, blockKey := securecookie.GenerateRandomKey(64), securecookie.GenerateRandomKey(32)
	var store sessions.Store
	switch storeName {
	case "filesystem":
		if sessionDir == "" {
			dir, err := os.MkdirTemp("", "httpcheck-go-demo-sessions-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			sessionDir = dir
		}
		fs := sessions.NewFilesystemStore(sessionDir, hashKey, blockKey)
		fs.Options = &options
		fs.MaxAge(options.MaxAge) // the codecs' MaxAge too: the timestamp check
		store = fs
	case "cookie":
		cs := sessions.NewCookieStore(hashKey, blockKey)
		cs.Options = &options
		cs.MaxAge(options.MaxAge)
		store = cs
	default:
		return fmt.Errorf("-sessions %q: want filesystem or cookie", storeName)
	}

	// Two go-cache aliases with Django's default timeout of 300 s: one
	// that most checks share and the views use, and one the checks may
	// clear.
	caches := map[string]httpcheckcontract.Cache{
		"default":   gocache.New(300*time.Second, time.Minute),
		"secondary": gocache.New(300*time.Second, time.Minute),
	}

	contract := httpcheckcontract.New(httpcheckcontract.Options{
		Enabled:  os.Getenv("HTTPCHECK_CONTRACT_ENABLED") == "1",
		URLs:     urls,
		Server:   fmt.Sprintf("httpcheck Go demo (net/http, gorilla/sessions %s, go-cache)", storeName),
		AnyHost:  true, // net/http answers any Host
		Sessions: gorillasessions.New(store, "session"),
		Caches:   caches,
		Plain:    plain,
	})
	mux := http.NewServeMux()
	mux.Handle("/httpcheck/", http.StripPrefix("/httpcheck", contract))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "the httpcheck Go demo: see /httpcheck/manifest", http.StatusNotFound)
	})

	servers := map[string]*http.Server{}
	errs := make(chan error, len(listeners))
	for scheme, ln := range listeners {
		srv := &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
		}
		servers[scheme] = srv
		go func() {
			var err error
			if scheme == "https" {
				err = srv.ServeTLS(ln, certFile, keyFile)
			} else {
				err = srv.Serve(ln)
			}
			if !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("%s: %w", scheme, err)
			}
		}()
	}
	line := "serving http=" + urls["http"]
	if u, ok := urls["https"]; ok {
		line += " https=" + u
	}
	fmt.Println(line)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	select {
	case <-ctx.Done():
	case err := <-errs:
		return err
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range servers {
		srv.Shutdown(shutdown)
	}
	return nil
}
