package harness

import (
	"net/http"
	"strings"
)

// CacheStatus is a response's Cache-Status field (RFC 9211) as one line,
// its members in order, "" when the target sent none: what the caches on
// the path said they did (hit, or fwd with a reason, stored, ttl), for a
// check's failure message. The exchange evidence records the field with
// every other; this puts it where a reader of a failure looks first.
func CacheStatus(h http.Header) string {
	return strings.Join(h.Values("Cache-Status"), ", ")
}
