// Package views is the cached-views suite: server-side page caching as
// the contract's views show it (docs/contract.md, Cached views). A view
// under per-view caching (Django's cache_page) runs once per ttl and URL,
// says its ttl in Cache-Control max-age and Expires, and the same view
// without the cache runs every time; a page's template fragment (Django's
// {% cache %}) is cached per user while the rest of the page is not.
//
// The views count their real executions ("renders"), so a check sees a
// cache hit as a render count that did not move. Each check uses URLs
// (a probe parameter) and user names of its own.
package views

import (
	"github.com/httpcheck/httpcheck/harness/check"
)

var suite = check.NewSuite("views")
