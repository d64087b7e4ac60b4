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

// FuzzParseCacheControl: parsing never panics, a well-formed field (no
// problems) renders to a canonical form that parses back to itself, and the
// typed accessors agree with Has.
func FuzzParseCacheControl(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		d := ParseCacheControl(strings.Split(s, "\n"))
		if len(d.Problems()) == 0 {
			canon := d.String()
			again := ParseCacheControl([]string{canon})
			if again.String() != canon || len(again.Problems()) != 0 {
				t.Errorf("%q: canonical %q reparses as %q with problems %q", s, canon, again.String(), again.Problems())
			}
		}
		for name, get := range map[string]func() (time.Duration, bool){
			"max-age": d.MaxAge, "s-maxage": d.SMaxAge, "min-fresh": d.MinFresh, "max-stale": d.MaxStale,
			"stale-while-revalidate": d.StaleWhileRevalidate, "stale-if-error": d.StaleIfError,
		} {
			v, ok := get()
			if ok != d.Has(name) || v < 0 || v > maxDeltaSeconds*time.Second {
				t.Errorf("%q: %s = %v, %v; Has = %v", s, name, v, ok, d.Has(name))
			}
		}
		if present, fields := d.NoCache(); present != d.Has("no-cache") || !present && fields != nil {
			t.Errorf("%q: NoCache = %v, %q", s, present, fields)
		}
	})
}

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
