package httpcache

// Forwarding declarations for the suites that still use the old names.

import (
	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// ParseCacheControl moved to syntax/cachecontrol; kept until the suites are updated.
var ParseCacheControl = cachecontrol.Parse

// ParseHTTPDate moved to syntax/httpdate; kept until the suites are updated.
var ParseHTTPDate = httpdate.Parse

// FormatHTTPDate moved to syntax/httpdate; kept until the suites are updated.
var FormatHTTPDate = httpdate.Format
