// Package conditional is the conditional-requests suite: validators (ETag,
// Last-Modified; RFC 9110 §8.8), the precondition fields and their order
// of evaluation (RFC 9110 §13), and what a 304 carries (RFC 9110 §15.4.5),
// checked on the contract's resources.
package conditional

import (
	"github.com/httpcheck/httpcheck/harness/check"
)

var suite = check.NewSuite("conditional")
