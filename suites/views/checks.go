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
	"github.com/httpcheck/httpcheck/reports"
)

func define(id string, level reports.Level, title string, refs ...string) *check.Check {
	return check.Define(check.Check{ID: "views/" + id, Level: level, Title: title, Refs: refs})
}

const (
	must     = reports.Must
	advisory = reports.Advisory
)

// The per-view cache: views/cached?ttl=T.
var (
	cachedOnce = define("cached/renders-once", must, "a second GET of views/cached within its ttl is a hit: the same renders and rendered_at", "contract views").
			Quoting(`"A hit within T shows the same renders and rendered_at." (docs/contract.md, What the views checks expect)`)
	cachedShared = define("cached/shared-across-clients", must, "another client with another User-Agent gets the same cached render: the key is the URL", "contract views").
			Quoting(`"The key is the URL, and only the URL. A second client with another User-Agent gets the same cached render ..." (docs/contract.md, What the views checks expect)`)
	cachedAfterTTL = define("cached/renders-after-ttl", must, "once the ttl passes, views/cached renders again", "contract views").
			Quoting(`"Once T has passed the view renders again." (docs/contract.md, What the views checks expect)`)
	cachedLives = define("cached/lives-until-ttl", must, "views/cached stays cached through a wait shorter than its ttl", "contract views").
			Quoting(`"GET views/cached?ttl=T[&anything=else] is wrapped in the framework's whole-response cache with a lifetime of T seconds ..." (docs/contract.md, Cached views)`)
	cachedQueryKey = define("cached/query-string-is-key", must, "URLs that differ only in their query string are different entries", "contract views").
			Quoting(`"The key is the URL, and only the URL. ... URLs that differ only in their query string are separate entries." (docs/contract.md, What the views checks expect)`)
	cachedMaxAge = define("cached/max-age-is-ttl", must, "views/cached answers Cache-Control max-age equal to its ttl", "contract views", "RFC9111 5.2.2.1").
			Quoting(`"views/cached carries Cache-Control: max-age=T ..., as Django's cache_page sets them (MUST)." (docs/contract.md, What the views checks expect)`)
	cachedExpires = define("cached/expires-is-date-plus-ttl", must, "views/cached answers an Expires of Date plus its ttl", "contract views", "RFC9111 5.3", "RFC9110 6.6.1").
			Quoting(`"views/cached carries ... Expires = Date + T, as Django's cache_page sets them (MUST)." (docs/contract.md, What the views checks expect)`)
	cachedBadTTL = define("cached/bad-ttl-is-400", must, "a ttl that is not a positive integer answers 400 with a JSON error", "contract views", "contract general").
			Quoting(`"T is a positive whole number of seconds, and a missing or malformed ttl gets 400." (docs/contract.md, Cached views)`)
	uncachedEvery = define("uncached/renders-every-time", must, "views/uncached renders on every request: renders grows each time", "contract views").
			Quoting(`"views/uncached renders on every request." (docs/contract.md, What the views checks expect)`)
)

// The fragment cache: views/fragment?user=U[&ttl=T].
var (
	fragmentPage = define("fragment/page-structure", must, "views/fragment is an HTML page with one section#sidebar (data-user, data-renders) and one main#content (data-renders)", "contract views").
			Quoting(`"views/fragment is one section#sidebar with data-user and data-renders, and one main#content with data-renders." (docs/contract.md, What the views checks expect)`)
	fragmentCached = define("fragment/sidebar-cached", must, "a second request for the same user serves the stored sidebar: the same data-renders", "contract views").
			Quoting(`"The sidebar goes through the template fragment cache, one entry per user, kept T seconds (500 when ttl is absent) ..." (docs/contract.md, Cached views)`)
	fragmentContent = define("fragment/content-renders-every-time", must, "main#content renders on every request, while the sidebar is cached", "contract views").
			Quoting(`"main is rendered on every request, and its data-renders counts those renders." (docs/contract.md, Cached views)`)
	fragmentPerUser = define("fragment/per-user", must, "two users see two sidebars, each with its own data-user", "contract views").
			Quoting(`"The sidebar is kept per user ..." (docs/contract.md, What the views checks expect)`)
	fragmentAfterTTL = define("fragment/renders-after-ttl", must, "once the fragment's ttl passes, the sidebar renders again", "contract views").
				Quoting(`"The sidebar goes through the template fragment cache, one entry per user, kept T seconds ..." (docs/contract.md, Cached views)`)
	fragmentLives = define("fragment/lives-until-ttl", must, "the sidebar stays cached through a wait shorter than its ttl", "contract views").
			Quoting(`"The sidebar goes through the template fragment cache, one entry per user, kept T seconds ..." (docs/contract.md, Cached views)`)
	fragmentDefaultTTL = define("fragment/default-ttl", must, "without ttl the sidebar is cached for 500 seconds, and renders again after them", "contract views").
				Quoting(`"The sidebar is kept per user, for 500 seconds when ttl is absent ..." (docs/contract.md, What the views checks expect)`)
	fragmentEscaped = define("fragment/user-escaped", advisory, "a user name full of markup comes back as the data-user text, never as markup", "OWASP ASVS 5.3.3", "contract views")
	fragmentNoUser  = define("fragment/missing-user-is-400", must, "views/fragment without a user answers 400 with a JSON error", "contract views", "contract general").
			Quoting(`"A missing user gets 400." (docs/contract.md, Cached views)`)
)
