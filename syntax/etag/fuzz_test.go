package etag

// Fuzz targets. Their seed corpora are in testdata/fuzz/<target>/; plain
// `go test` runs the seeds, `go test -fuzz=FuzzX` explores.

import (
	"strings"
	"testing"
)

// FuzzParseList: parsing never panics, and a parsed list renders to a
// value that parses to the same list.
func FuzzParseList(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		tags, star, ok := ParseList(s)
		if !ok {
			if tags != nil || star {
				t.Errorf("%q: not ok but tags %v, star %v", s, tags, star)
			}
			return
		}
		if star {
			if len(tags) != 0 {
				t.Errorf("%q: star with tags %v", s, tags)
			}
			return
		}
		var parts []string
		for _, e := range tags {
			parts = append(parts, e.String())
			if one, ok := Parse(e.String()); !ok || one != e {
				t.Errorf("%q: tag %v does not round-trip", s, e)
			}
		}
		again, star2, ok2 := ParseList(strings.Join(parts, ", "))
		if !ok2 || star2 || len(again) != len(tags) {
			t.Fatalf("%q: rendering %q reparses as %v, %v, %v", s, parts, again, star2, ok2)
		}
		for i := range tags {
			if again[i] != tags[i] {
				t.Errorf("%q: tag %d %v reparses as %v", s, i, tags[i], again[i])
			}
		}
	})
}
