package httpdate

// Fuzz targets. Their seed corpora are in testdata/fuzz/<target>/; plain
// `go test` runs the seeds, `go test -fuzz=FuzzX` explores.

import (
	"testing"
	"time"
)

// FuzzParse: parsing never panics, results are in UTC, and formatting a
// result parses back to the same instant, whether names matched in their
// own case (ParseAt) or in any case (ParseCaseInsensitive).
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string, time.Time) (time.Time, bool){ParseAt, ParseCaseInsensitive} {
			d, ok := parse(s, tNow)
			if !ok {
				continue
			}
			if d.Location() != time.UTC || d.Nanosecond() != 0 {
				t.Errorf("%q: %v is not a whole second in UTC", s, d)
			}
			back, ok := ParseAt(Format(d), tNow)
			if !ok || !back.Equal(d) {
				t.Errorf("%q: %v formats as %q, which parses as %v, %v", s, d, Format(d), back, ok)
			}
		}
	})
}
