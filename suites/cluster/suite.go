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
)

var suite = check.NewSuite("cluster")
