// Package sessions is the sessions suite: a target's server-side sessions
// (docs/contract.md, Sessions) graded through the contract's session
// endpoints with the reference jar. One session per client, kept on the
// server and named by a cookie; data of every JSON kind kept exactly; a
// cookie whose attributes are what the manifest says; a lifetime the server
// enforces whatever the client keeps (OWASP ASVS 4.0.3 §3.3.1); keys only
// the server mints; and answers no shared cache hands to another user.
//
// Login and logout are the auth suite's. The sessions suite grades what
// every session has, logged in or not.
//
// A target whose manifest declares a Secure session cookie is driven over
// https (a user agent never stores a Secure cookie set over http, RFC
// 6265bis §5.7); without https the suite is skipped with that reason.
package sessions

import (
	"github.com/httpcheck/httpcheck/harness/check"
)

var suite = check.NewSuite("sessions")
