package cookie

import (
	"testing"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// FuzzSetCookies checks that the jar accepts any Set-Cookie line from a few
// kinds of origin without panicking, says consistently what it did with it
// (stored or evicted, or else a reason), and can build a Cookie header
// afterwards. The parsing itself is fuzzed in syntax/setcookie (FuzzParse).
// Seeds are the lines of the jar's scenarios and testdata/fuzz/FuzzSetCookies.
func FuzzSetCookies(f *testing.F) {
	for _, tests := range [][]jarTest{basicsTests, updateAndDeleteTests, expiryTests} {
		for _, tt := range tests {
			for _, line := range tt.setCookies {
				f.Add(line)
			}
		}
	}
	fromURLs := []string{"https://www.host.test/dir/page", "http://192.0.2.1/", "http://www.example.co.uk/"}
	f.Fuzz(func(t *testing.T, line string) {
		j := NewJar(clock.NewManual(tNow), nil)
		for _, from := range fromURLs {
			u := mustParseURL(from)
			for _, d := range j.SetCookies(u, []string{line}) {
				if (d.Stored || d.Evicted) == (d.Reason != "") {
					t.Fatalf("inconsistent decision %+v", d)
				}
			}
			j.Header(u)
		}
	})
}
