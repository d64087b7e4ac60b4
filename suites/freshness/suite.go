// Package freshness is the HTTP-caching suite: what a target's Date,
// Expires and Cache-Control make a browser's cache do (RFC 9111), checked
// with the harness's private cache on the contract's resources: a fresh
// response is reused without a request (the "strong cache"), a stale one
// is revalidated with its validators (the "negotiation cache").
package freshness

import (
	"github.com/httpcheck/httpcheck/harness/check"
)

var suite = check.NewSuite("freshness")
