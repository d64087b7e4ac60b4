package cookie

// Forwarding declarations for the suites that still use the old names.

import "github.com/httpcheck/httpcheck/syntax/setcookie"

// Cookie moved to syntax/setcookie; kept until the suites are updated.
type Cookie = setcookie.Cookie

// SetCookie moved to syntax/setcookie as Received; kept until the suites are updated.
type SetCookie = setcookie.Received

// ParseSetCookie moved to syntax/setcookie as Parse; kept until the suites are updated.
var ParseSetCookie = setcookie.Parse

// ParseCookieHeader moved to syntax/setcookie; kept until the suites are updated.
var ParseCookieHeader = setcookie.ParseCookieHeader

// DecodeValue moved to syntax/setcookie; kept until the suites are updated.
var DecodeValue = setcookie.DecodeValue

// ProblemSyntax moved to syntax/setcookie; kept until the suites are updated.
const ProblemSyntax = setcookie.ProblemSyntax
