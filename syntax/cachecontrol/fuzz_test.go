package cachecontrol

// Fuzz targets. Their seed corpora are in testdata/fuzz/<target>/; plain
// `go test` runs the seeds, `go test -fuzz=FuzzX` explores.

import (
	"strings"
	"testing"
	"time"
)

// FuzzParse: parsing never panics, a well-formed field (no
// problems) renders to a canonical form that parses back to itself, and the
// typed accessors agree with Has.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		d := Parse(strings.Split(s, "\n"))
		if len(d.Problems()) == 0 {
			canon := d.String()
			again := Parse([]string{canon})
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
