package httpcache

import (
	"testing"
	"time"
)

var cdn = []string{"CDN-Cache-Control"}

// targetedTests: RFC 9213 §2.1, a shared cache whose target list is
// [CDN-Cache-Control] unless a scenario says otherwise.
var targetedTests = []scenario{
	{name: "RFC9213 2.1 the targeted field's max-age wins over Cache-Control's", shared: true, targets: cdn, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=1", "CDN-Cache-Control: max-age=600"}, body: "v1"}}, want: "network 200 v1"},
		{at: 300 * s, req: "GET /r", want: "cache 200 v1 CDN-Cache-Control=max-age=600", show: []string{"CDN-Cache-Control"}},
	}},
	{name: "RFC9213 2.1 the targeted field's no-store wins over Cache-Control's max-age", shared: true, targets: cdn, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600", "CDN-Cache-Control: no-store"}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{{body: "v2"}}, want: "network 200 v2"},
	}},
	{name: "RFC9213 3 Cache-Control no-store with a targeted max-age is stored", shared: true, targets: cdn, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: no-store", "CDN-Cache-Control: max-age=600"}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9213 2.1 Expires is ignored when a targeted field decides", shared: true, targets: cdn, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Expires: " + at(time.Hour), "CDN-Cache-Control: must-revalidate", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9213 2.1 the targeted private is obeyed by a shared cache", shared: true, targets: cdn, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600", "CDN-Cache-Control: private"}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{{body: "v2"}}, want: "network 200 v2"},
	}},
	{name: "RFC9213 2.1 the targeted no-cache makes a stored response validated", shared: true, targets: cdn, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600", "CDN-Cache-Control: no-cache, max-age=600", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9213 2.2 an invalid targeted field is ignored: Cache-Control decides", shared: true, targets: cdn, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600", "CDN-Cache-Control: Max-Age=0, no-store"}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9213 2.2 an empty targeted field is ignored", shared: true, targets: cdn, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600", "CDN-Cache-Control: "}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9213 2.1 the first field of the target list with a valid value decides", shared: true, targets: []string{"Example-Cache-Control", "CDN-Cache-Control"}, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"CDN-Cache-Control: no-store", "Example-Cache-Control: max-age=600"}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9213 2.1 a field not on the target list changes nothing", shared: true, targets: cdn, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600", "Other-Cache-Control: no-store"}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1 Other-Cache-Control=no-store", show: []string{"Other-Cache-Control"}},
	}},
	{name: "RFC9213 2.1 a cache without a target list ignores CDN-Cache-Control", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600", "CDN-Cache-Control: no-store"}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9213 2.1 a 304's targeted field updates the stored policy", shared: true, targets: cdn, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"CDN-Cache-Control: max-age=1", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 2 * s, req: "GET /r", origin: []reply{{status: 304, header: []string{"CDN-Cache-Control: max-age=600", `ETag: "v1"`}}}, want: "revalidated 200 v1"},
		{at: 100 * s, req: "GET /r", want: "cache 200 v1"},
	}},
}

func TestRFC9213Targeted(t *testing.T) { run(t, targetedTests) }

// TestParseTargeted: Structured Fields Dictionaries (RFC 8941 §4.2.2) as
// cache directives (RFC 9213 §2.2).
func TestParseTargeted(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // the directives in Cache-Control syntax; "invalid" when ignored
	}{
		{"max-age=60", "max-age=60"},
		{"no-store", "no-store"},
		{"max-age=60, must-revalidate", "max-age=60, must-revalidate"},
		{`no-cache="set-cookie, x-a"`, `no-cache="set-cookie, x-a"`},
		{"none", "none"},
		{"max-age=60;foo=bar, private", "max-age=60, private"},
		{"max-age=1, max-age=60", "max-age=60"},
		{"no-store=?0, max-age=60", "max-age=60"},
		{"max-age=1.5", ""},
		{"foo=(a b), max-age=5", "max-age=5"},
		{"foo=:aGk=:, max-age=5", "max-age=5"},
		{"  max-age=60  ", "max-age=60"},
		{"Max-Age=60", "invalid"},
		{"max-age=60,", "invalid"},
		{"max-age=", "invalid"},
		{`private="unterminated`, "invalid"},
		{"max-age=1234567890123456", "invalid"},
		{"", "invalid"},
	} {
		got := "invalid"
		if d, ok := parseTargeted([]string{c.in}); ok {
			got = d.String()
		}
		if got != c.want {
			t.Errorf("parseTargeted(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
