// Package cookies is the cookies suite: what a target's Set-Cookie headers
// make a conforming user agent (RFC 6265bis, draft 22) store and send back,
// checked through the contract's cookies endpoints with the reference jar.
//
// The target is graded on what it emits; the reference jar (a browser per
// the RFC) turns that into what a user would see. A target passes a
// "rejected" check either by refusing to emit the cookie (4xx) or by
// emitting it so that browsers reject it: both keep the user safe.
package cookies

import (
	"github.com/httpcheck/httpcheck/harness/check"
)

var suite = check.NewSuite("cookies")
