// Package httpcheckcontract serves the httpcheck contract (httpcheck/1,
// docs/contract.md of github.com/httpcheck/httpcheck) from a Go net/http
// service, with the service's own session manager and caches.
//
// Mount it under a prefix of a test or staging build, and only there:
//
//	mux.Handle("/httpcheck/", http.StripPrefix("/httpcheck", httpcheckcontract.New(httpcheckcontract.Options{
//		Enabled:  os.Getenv("HTTPCHECK_CONTRACT_ENABLED") == "1",
//		URLs:     map[string]string{"https": "https://staging.example.com/httpcheck/"},
//		Sessions: gorillasessions.New(store, "session"), // your gorilla/sessions store
//		Caches:   map[string]httpcheckcontract.Cache{"default": gocache.New(c), ...},
//	})))
//
// Never enable it in production: the endpoints let any caller set cookies,
// write to and clear the caches it is given, and log in as anyone without a
// password.
//
// What each endpoint calls: cookies go through http.SetCookie and
// Request.Cookies; sessions and login through the Sessions the service
// passes (package gorillasessions adapts github.com/gorilla/sessions); the
// cache API through the Cache of each alias (package gocache adapts
// github.com/patrickmn/go-cache); resources through http.ServeContent. Go has
// no page cache or template fragment cache of its own, so the cached views
// use CachePage and a fragment cache of this package, on the "default"
// alias.
//
// Where the standard library and the session manager leave work to the
// service, the package does it as a careful service would (percent-encoded
// cookie values, Cache-Control: no-store, Vary: Cookie, preconditions on PUT
// and DELETE, memcached-portable cache keys). Options.Plain turns that off,
// to see the libraries as they are.
//
// The package depends on nothing but the standard library; it is meant to
// be copied into a service's tree.
package httpcheckcontract

import (
	"encoding/json"
	"log"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Contract is the version of the contract this package serves.
const Contract = "httpcheck/1"

// MaxSeconds is 400 days: the longest lifetime a browser keeps a cookie
// (RFC 6265bis §4.1.2.1), and the contract's bound for session lifetimes
// and view ttls.
const MaxSeconds = 400 * 24 * 3600

// Options configure the contract handler.
type Options struct {
	// Enabled must be true, or every request is answered 404: the switch
	// that keeps the contract out of production. It is read once, by New.
	Enabled bool
	// URLs is the manifest's urls: the contract's base URL per scheme
	// ("http", "https"), for the checks that need both schemes.
	URLs map[string]string
	// Server is the manifest's server, free text shown in reports.
	Server string
	// AnyHost says that the service answers any Host header, as net/http
	// does unless the service checks Host itself: the manifest's
	// hosts.any_host, which turns on the cookie-scoping checks.
	AnyHost bool
	// Hosts is the manifest's hosts.names (informational).
	Hosts []string
	// Sessions is the service's session manager, nil for none: features
	// sessions and auth.
	Sessions Sessions
	// Caches are the cache aliases the cache API reaches, by name: feature
	// cache. The checks write to them and clear one of them: give it caches
	// that tests may empty.
	Caches map[string]Cache
	// ViewCache names the alias of Caches that views/cached and the
	// fragment of views/fragment use: "default" when empty. Feature views
	// is declared when that alias exists.
	ViewCache string
	// PerInstance says that each instance of the deployment has a cache of
	// its own (an in-process cache behind several processes).
	PerInstance bool
	// Deployment names the deployment this instance belongs to.
	Deployment string
	// Plain shows the libraries as they are: cookie values are not encoded,
	// answers get no Cache-Control or Vary, cookies go to http.SetCookie
	// without Cookie.Valid first, PUT and DELETE evaluate no preconditions,
	// and cache keys are not held to memcached's rules. For comparison
	// only.
	Plain bool
	// MaxBodyBytes bounds request bodies (413 above it); 1 MiB when 0.
	MaxBodyBytes int64
	// MaxResources bounds the stored resources; past it a PUT forgets the
	// resource put longest ago. 10,000 when 0.
	MaxResources int
	// ErrorLog receives store failures (5xx); the standard logger when nil.
	ErrorLog *log.Logger
}

// handler serves the contract.
type handler struct {
	opts      Options
	resources *resourceStore
	counters  *counters
}

// New returns the contract's handler. It expects paths relative to the
// contract's base URL ("/manifest", "/cookies/set"...): mount it with
// http.StripPrefix.
func New(o Options) http.Handler {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.MaxResources <= 0 {
		o.MaxResources = 10000
	}
	if o.ViewCache == "" {
		o.ViewCache = "default"
	}
	if o.ErrorLog == nil {
		o.ErrorLog = log.Default()
	}
	return &handler{opts: o, resources: newResourceStore(o.MaxResources), counters: newCounters()}
}

type route struct {
	methods []string
	serve   func(w http.ResponseWriter, r *http.Request, args []string) error
	noStore bool // Cache-Control: no-store (all but the cached views and resources)
	session bool // Vary: Cookie
}

func (h *handler) routes(path string) (route, []string, bool) {
	get, post := []string{http.MethodGet, http.MethodHead}, []string{http.MethodPost}
	fixed := map[string]route{
		"manifest":         {get, h.manifest, true, false},
		"cookies/set":      {get, h.cookieSet, true, false},
		"cookies/delete":   {get, h.cookieDelete, true, false},
		"cookies/get":      {get, h.cookieGet, true, false},
		"cookies/all":      {get, h.cookieAll, true, false},
		"session/set":      {post, h.sessionSet, true, true},
		"session/get":      {get, h.sessionGet, true, true},
		"session/delete":   {post, h.sessionDelete, true, true},
		"session/all":      {get, h.sessionAll, true, true},
		"session/expiry":   {[]string{http.MethodGet, http.MethodHead, http.MethodPost}, h.sessionExpiry, true, true},
		"session/flush":    {post, h.sessionFlush, true, true},
		"session/login":    {post, h.login, true, true},
		"session/whoami":   {get, h.whoami, true, true},
		"session/logout":   {post, h.logout, true, true},
		"views/cached":     {get, h.viewCached, false, false},
		"views/uncached":   {get, h.viewUncached, true, false},
		"views/fragment":   {get, h.viewFragment, true, false},
		"resources/{id}":   {[]string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete}, h.resource, false, false},
		"cache/{alias}/op": {post, h.cacheOp, true, false},
	}
	if rt, ok := fixed[path]; ok && !strings.Contains(path, "{") {
		return rt, nil, true
	}
	parts := strings.Split(path, "/")
	switch {
	case len(parts) == 2 && parts[0] == "resources":
		return fixed["resources/{id}"], parts[1:], true
	case len(parts) == 3 && parts[0] == "cache":
		return fixed["cache/{alias}/op"], parts[1:], true
	}
	return route{}, nil, false
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.opts.Enabled {
		writeError(w, http.StatusNotFound, "the httpcheck contract is not enabled")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	rt, args, ok := h.routes(path)
	if !ok {
		writeError(w, http.StatusNotFound, "no contract endpoint "+quote(r.URL.Path))
		return
	}
	if rt.noStore && !h.opts.Plain {
		w.Header().Set("Cache-Control", "no-store")
	}
	if rt.session && !h.opts.Plain {
		w.Header().Add("Vary", "Cookie")
	}
	if !slices.Contains(rt.methods, r.Method) {
		w.Header().Set("Allow", strings.Join(rt.methods, ", "))
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed here")
		return
	}
	if err := rt.serve(w, r, args); err != nil {
		h.fail(w, err)
	}
}

// manifest answers GET manifest: what the service really runs with.
func (h *handler) manifest(w http.ResponseWriter, r *http.Request, _ []string) error {
	o := h.opts
	features := []string{"cookies"}
	m := map[string]any{
		"contract": Contract,
		"server":   o.Server,
		"hosts":    map[string]any{"any_host": o.AnyHost, "names": nonNil(o.Hosts)},
	}
	if m["server"] == "" {
		m["server"] = "Go net/http (httpcheckcontract)"
	}
	if len(o.URLs) > 0 {
		urls := map[string]string{}
		for k, v := range o.URLs {
			if (k == "http" || k == "https") && v != "" {
				urls[k] = v
			}
		}
		m["urls"] = urls
	}
	if o.Sessions != nil {
		features = append(features, "sessions", "auth")
		m["session"] = sessionManifest(o.Sessions.Settings())
	}
	if len(o.Caches) > 0 {
		features = append(features, "cache")
		aliases := map[string]any{}
		for name, c := range o.Caches {
			aliases[name] = cacheManifest(c.Settings())
		}
		m["cache"] = map[string]any{"aliases": aliases, "per_instance": o.PerInstance}
	}
	if _, ok := o.Caches[o.ViewCache]; ok {
		features = append(features, "views")
	}
	features = append(features, "resources")
	m["features"] = features
	if o.Deployment != "" {
		m["deployment"] = o.Deployment
	}
	return writeJSON(w, http.StatusOK, m)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// counters count renders of the views, keyed by URL or user, in this
// process's memory; they all restart from zero once 100,000 exist.
type counters struct {
	mu sync.Mutex
	n  map[string]int64
}

func newCounters() *counters { return &counters{n: map[string]int64{}} }

func (c *counters) incr(key string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.n[key]; !ok && len(c.n) >= 100000 {
		clear(c.n)
	}
	c.n[key]++
	return c.n[key]
}

// fail answers an error from an endpoint: the status of a *Error, else a
// 500 that is logged (a store failure, never bad input).
func (h *handler) fail(w http.ResponseWriter, err error) {
	if e, ok := err.(*Error); ok {
		writeError(w, e.Status, e.Message)
		return
	}
	h.opts.ErrorLog.Printf("httpcheckcontract: %v", err)
	writeError(w, http.StatusInternalServerError, err.Error())
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
