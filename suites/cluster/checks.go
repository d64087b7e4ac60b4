// Package cluster is the suite of a deployment: several instances of one
// service behind a load balancer, tested together with
// `httpcheck run --target URL1 --target URL2 ...` (docs/deployments.md).
// Users are not pinned to an instance, so the instances must behave as one
// server: a session created through one is read, updated, expired and
// logged out through the others; a cache entry set through one is seen,
// deleted and expired through the others, and counted once by each
// increment; a page cached by the per-view cache through one is served by
// all.
//
// Each check talks to every instance with one browser (harness
// Browser.Via): the Host and the cookies are those of the one site the
// user sees, the first instance's, whichever instance answers, as behind a
// load balancer. The instances' clocks are brought level first (every other
// suite moves only the first instance's clock) and moved together.
//
// With one target the suite declares no specs, so an ordinary run shows
// none of its checks. When the manifest says each instance has its own
// cache (cache.per_instance), the cache and views checks are skipped with
// that reason: the deployment does not share its caches, by design.
package cluster

import (
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reports"
)

var define = check.Definer("cluster")

const (
	must     = reports.Must
	advisory = reports.Advisory
)

// Sessions: the store behind them is the deployment's, not an instance's.
var (
	sessionRead   = define("sessions/read-elsewhere", must, "a session created through one instance is read, with its data, through every other", "contract sessions", "contract deployments")
	sessionUpdate = define("sessions/update-elsewhere", must, "a session updated through each instance in turn shows every update through the others, none lost", "contract sessions", "contract deployments")
	sessionExpiry = define("sessions/expiry-elsewhere", must, "a session given 4 seconds through one instance is refused by every instance once they pass", "contract sessions", "contract deployments", "OWASP ASVS 3.3.1")
	sessionLogout = define("sessions/logout-elsewhere", must, "a login through one instance is seen by the others, and a logout through another ends the session on every instance", "contract auth", "contract deployments", "OWASP ASVS 3.3.1")
)

// The cache API: one cache for the deployment.
var (
	cacheSeen   = define("cache/seen-elsewhere", must, "a cache entry set through one instance is read, with its value, through every other", "contract cache", "contract deployments")
	cacheDelete = define("cache/delete-elsewhere", must, "a cache entry deleted through one instance is gone from every instance", "contract cache", "contract deployments")
	cacheExpiry = define("cache/expire-elsewhere", must, "a cache entry set for 4 seconds through one instance has expired on every instance once they pass", "contract cache", "contract deployments")
	cacheIncr   = define("cache/incr-across", advisory, "concurrent increments of one key through every instance are all counted", "contract cache", "contract deployments")
)

// The per-view cache: a page cached through one instance is the
// deployment's.
var viewShared = define("views/shared", must, "a page cached by the per-view cache through one instance is served from that entry by every other", "contract views", "contract deployments")
