package httpcache

// Fuzz targets. Their seed corpora are in testdata/fuzz/<target>/; plain
// `go test` runs the seeds, `go test -fuzz=FuzzX` explores.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/syntax/etag"
)

// FuzzEvaluatePreconditions: evaluation never panics, 304 is only for GET
// and HEAD, and a request without precondition fields always proceeds.
func FuzzEvaluatePreconditions(f *testing.F) {
	f.Fuzz(func(t *testing.T, method, ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince, tag string, lastModified int64, exists bool) {
		h := http.Header{}
		for name, v := range map[string]string{
			"If-Match": ifMatch, "If-None-Match": ifNoneMatch,
			"If-Modified-Since": ifModifiedSince, "If-Unmodified-Since": ifUnmodifiedSince,
		} {
			if v != "" {
				for _, line := range strings.Split(v, "\n") {
					h.Add(name, line)
				}
			}
		}
		v := Validators{Exists: exists}
		if e, ok := etag.Parse(tag); ok {
			v.ETag = &e
		}
		if lastModified != 0 {
			v.LastModified = time.Unix(lastModified%(1<<40), 0)
		}
		got := EvaluatePreconditions(method, h, v, tNow)
		switch got {
		case Proceed, PreconditionFailed:
		case NotModified:
			if method != http.MethodGet && method != http.MethodHead {
				t.Errorf("%s: 304 for a method other than GET or HEAD (%v)", method, h)
			}
		default:
			t.Errorf("unknown outcome %d", got)
		}
		if len(h) == 0 && got != Proceed {
			t.Errorf("%s without preconditions: %v", method, got)
		}
	})
}
