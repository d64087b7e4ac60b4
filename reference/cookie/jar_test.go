package cookie

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// tNow is the synthetic time at which every jar test starts.
var tNow = time.Date(2026, time.January, 2, 3, 4, 5, 0, time.UTC)

// Facts about golang.org/x/net/publicsuffix.List that these tests rely on
// (checked by TestPublicSuffixFacts): "test" is not listed, but the list's
// default rule "*" makes it a public suffix, so PublicSuffix("a.example.test")
// is "test" and "Domain=test" is rejected while "Domain=example.test" is not.
// "localhost" is a public suffix for the same reason. "co.uk" (ICANN) and
// "github.io" (private) are listed.
func TestPublicSuffixFacts(t *testing.T) {
	j := NewJar(clock.NewManual(tNow), nil)
	for d, want := range map[string]bool{
		"test": true, "example.test": false, "a.example.test": false,
		"localhost": true, "co.uk": true, "example.co.uk": false,
		"github.io": true, "x.github.io": false,
	} {
		if got := j.isPublicSuffix(d); got != want {
			t.Errorf("isPublicSuffix(%q) = %v, want %v", d, got, want)
		}
	}
}

func mustParseURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// A query is a request URL and the Cookie header it must carry.
type query struct {
	toURL string
	want  string
}

// A jarTest is one step of a scenario. At its time (tNow plus every advance
// so far in its table), the Set-Cookie lines setCookies are received in one
// response from fromURL; then content must list jar.All() as "name=value"
// separated by spaces, in (domain, path, name) order; then each query runs,
// at the same instant, in order.
type jarTest struct {
	description string
	advance     time.Duration // moved forward before the step
	fromURL     string
	setCookies  []string
	content     string
	queries     []query
}

// content renders j.All() compactly: "a=1 b=2", a nameless cookie as its
// bare value (as in a Cookie header).
func content(j *Jar) string {
	var s []string
	for _, e := range j.All() {
		if e.Name == "" {
			s = append(s, e.Value)
			continue
		}
		s = append(s, e.Name+"="+e.Value)
	}
	return strings.Join(s, " ")
}

// run runs one step against j and clk.
func (tt jarTest) run(t *testing.T, j *Jar, clk *clock.Manual) {
	t.Helper()
	clk.Advance(tt.advance)
	if tt.fromURL != "" {
		j.SetCookies(mustParseURL(tt.fromURL), tt.setCookies)
	}
	if got := content(j); got != tt.content {
		t.Errorf("%s: content\n got %q\nwant %q", tt.description, got, tt.content)
	}
	for _, q := range tt.queries {
		if got := j.Header(mustParseURL(q.toURL)); got != q.want {
			t.Errorf("%s: Header(%s)\n got %q\nwant %q", tt.description, q.toURL, got, q.want)
		}
	}
}

var (
	past   = "Thu, 01 Jan 1970 00:00:00 GMT"
	future = httpdate.Format(tNow.Add(24 * time.Hour))
)

// basicsTests are independent: each runs on a fresh jar at tNow.
var basicsTests = []jarTest{
	{
		"Host-only cookie: the exact host only, any port.",
		0, "http://www.host.test:8080/", []string{"A=a"}, "A=a",
		[]query{
			{"http://www.host.test", "A=a"},
			{"http://www.host.test:9090/", "A=a"},
			{"http://WWW.HOST.TEST/", "A=a"},
			{"http://sub.www.host.test", ""},
			{"http://host.test", ""},
		},
	},
	{
		"Domain cookie: the domain and its subdomains.",
		0, "http://www.host.test/", []string{"A=a; Domain=host.test"}, "A=a",
		[]query{
			{"http://host.test", "A=a"},
			{"http://www.host.test", "A=a"},
			{"http://a.b.host.test", "A=a"},
			{"http://xhost.test", ""},
			{"http://other.test", ""},
		},
	},
	{
		"Domain: a leading dot is ignored, case is folded (§5.6.3).",
		0, "http://www.host.test/", []string{"A=a; Domain=.HOST.test"}, "A=a",
		[]query{{"http://sub.host.test", "A=a"}},
	},
	{
		"Domain equal to the host gives a domain cookie.",
		0, "http://www.host.test/", []string{"A=a; Domain=www.host.test"}, "A=a",
		[]query{{"http://www.host.test", "A=a"}, {"http://sub.www.host.test", "A=a"}, {"http://host.test", ""}},
	},
	{
		"Domain that the host does not domain-match is rejected.",
		0, "http://www.host.test/", []string{"A=a; Domain=other.test", "B=b; Domain=sub.www.host.test", "C=c; Domain=ost.test"}, "",
		nil,
	},
	{
		"Domain=test: an unlisted TLD is a public suffix by the default rule.",
		0, "http://www.host.test/", []string{"A=a; Domain=test"}, "",
		nil,
	},
	{
		"Domain=co.uk is a public suffix.",
		0, "http://www.example.co.uk/", []string{"A=a; Domain=co.uk", "B=b; Domain=example.co.uk"}, "B=b",
		[]query{{"http://example.co.uk", "B=b"}, {"http://other.co.uk", ""}},
	},
	{
		"Domain=github.io (a private public suffix) is rejected; its subdomain is fine.",
		0, "https://x.github.io/", []string{"A=a; Domain=github.io", "B=b; Domain=x.github.io"}, "B=b",
		[]query{{"https://x.github.io", "B=b"}, {"https://y.x.github.io", "B=b"}, {"https://y.github.io", ""}},
	},
	{
		"Domain equal to a public suffix that is the host: host-only (§5.7 step 9.3).",
		0, "http://co.uk/", []string{"A=a; Domain=co.uk"}, "A=a",
		[]query{{"http://co.uk", "A=a"}, {"http://www.co.uk", ""}},
	},
	{
		"localhost is a public suffix too: Domain=localhost on localhost is host-only.",
		0, "http://localhost:8080/", []string{"A=a; Domain=localhost"}, "A=a",
		[]query{{"http://localhost", "A=a"}, {"http://a.localhost", ""}},
	},
	{
		"IPv4 host: host-only; Domain equal to the address is dropped, others rejected.",
		0, "http://192.0.2.1/", []string{"A=a", "B=b; Domain=192.0.2.1", "C=c; Domain=2.1", "D=d; Domain=.192.0.2.1"}, "A=a B=b D=d",
		[]query{{"http://192.0.2.1:8080/", "A=a; B=b; D=d"}, {"http://1.192.0.2.1/", ""}},
	},
	{
		"IPv6 host.",
		0, "http://[2001:db8::1]:8080/", []string{"A=a", "B=b; Domain=2001:db8::1"}, "A=a B=b",
		[]query{{"http://[2001:db8::1]/", "A=a; B=b"}, {"http://[2001:db8::2]/", ""}},
	},
	{
		"Default path: the directory of the request path (§5.1.4).",
		0, "http://www.host.test/some/path/file", []string{"A=a"}, "A=a",
		[]query{
			{"http://www.host.test/some/path", "A=a"},
			{"http://www.host.test/some/path/", "A=a"},
			{"http://www.host.test/some/path/deeper", "A=a"},
			{"http://www.host.test/some/pathx", ""},
			{"http://www.host.test/some", ""},
			{"http://www.host.test/", ""},
		},
	},
	{
		"Default path of a one-segment path is /.",
		0, "http://www.host.test/file", []string{"A=a"}, "A=a",
		[]query{{"http://www.host.test/", "A=a"}, {"http://www.host.test", "A=a"}},
	},
	{
		"Path=/foo path-matches /foo and /foo/..., not /foobar.",
		0, "http://www.host.test/", []string{"A=a; Path=/foo"}, "A=a",
		[]query{
			{"http://www.host.test/foo", "A=a"},
			{"http://www.host.test/foo/", "A=a"},
			{"http://www.host.test/foo/bar", "A=a"},
			{"http://www.host.test/foobar", ""},
			{"http://www.host.test/", ""},
			{"http://www.host.test/FOO", ""},
		},
	},
	{
		"Path=/foo/ does not match /foo.",
		0, "http://www.host.test/", []string{"A=a; Path=/foo/"}, "A=a",
		[]query{{"http://www.host.test/foo", ""}, {"http://www.host.test/foo/", "A=a"}, {"http://www.host.test/foo/x", "A=a"}},
	},
	{
		"Path not beginning with '/', or empty, means the default path (§5.6.4).",
		0, "http://www.host.test/dir/file", []string{"A=a; Path=foo", "B=b; Path=", "C=c; Path=/x; Path=y"}, "A=a B=b C=c",
		[]query{{"http://www.host.test/dir/", "A=a; B=b; C=c"}, {"http://www.host.test/x", ""}},
	},
	{
		"Paths are compared as sent: escaped.",
		0, "http://www.host.test/", []string{"A=a; Path=/a%20b"}, "A=a",
		[]query{{"http://www.host.test/a%20b/c", "A=a"}, {"http://www.host.test/a%2520b", ""}},
	},
	{
		"Secure: ignored from http, stored from https, sent over https only.",
		0, "https://www.host.test/", []string{"A=a; Secure", "B=b"}, "A=a B=b",
		[]query{{"https://www.host.test", "A=a; B=b"}, {"http://www.host.test", "B=b"}},
	},
	{
		"Secure from an insecure origin is ignored (§5.7 step 13).",
		0, "http://www.host.test/", []string{"A=a; Secure", "B=b"}, "B=b",
		nil,
	},
	{
		"HttpOnly cookies are stored and sent: the jar is an HTTP API.",
		0, "http://www.host.test/", []string{"A=a; HttpOnly"}, "A=a",
		[]query{{"http://www.host.test/", "A=a"}},
	},
	{
		"SameSite=None requires Secure (§5.7 step 19); unknown values mean Default.",
		0, "https://www.host.test/", []string{"A=a; SameSite=None", "B=b; SameSite=None; Secure", "C=c; SameSite=Bogus", "D=d; SameSite=lax"}, "B=b C=c D=d",
		nil,
	},
	{
		"__Secure- needs Secure and a secure origin; prefixes are case-insensitive.",
		0, "https://www.host.test/", []string{"__Secure-A=a", "__Secure-B=b; Secure", "__secure-C=c", "__SECURE-D=d; Secure"}, "__SECURE-D=d __Secure-B=b",
		nil,
	},
	{
		"__Secure- over http is ignored even with Secure.",
		0, "http://www.host.test/", []string{"__Secure-A=a; Secure", "__Secure-B=b"}, "",
		nil,
	},
	{
		"__Host- needs Secure, no Domain, Path=/.",
		0, "https://www.host.test/dir/page", []string{
			"__Host-A=a; Secure; Path=/",
			"__Host-B=b; Path=/",
			"__Host-C=c; Secure",
			"__Host-D=d; Secure; Path=/; Domain=www.host.test",
			"__Host-E=e; Secure; Path=/dir",
			"__host-F=f; Secure; Path=/",
			"__HOST-G=g; Secure",
		}, "__Host-A=a __host-F=f",
		[]query{{"https://www.host.test/", "__Host-A=a; __host-F=f"}, {"https://sub.www.host.test/", ""}},
	},
	{
		"__Host-: an invalid Path still puts a Path attribute (the default path) in the list (§5.6.4).",
		0, "https://www.host.test/", []string{"__Host-A=a; Secure; Path=x"}, "__Host-A=a",
		nil,
	},
	{
		"__Host- with Domain equal to a public-suffix host is host-only, so accepted.",
		0, "https://localhost/", []string{"__Host-A=a; Secure; Path=/; Domain=localhost"}, "__Host-A=a",
		nil,
	},
	{
		"Nameless cookies (§5.6 step 3, §5.7 steps 2 and 22).",
		0, "https://www.host.test/", []string{"foo", "=bar; Path=/p", "", "=", " ; Path=/", "=__Host-x", "__Secure-y"}, "foo bar",
		[]query{{"https://www.host.test/p", "bar; foo"}},
	},
	{
		"A name with an empty value.",
		0, "http://www.host.test/", []string{"A=", "B"}, "B A=",
		[]query{{"http://www.host.test/", "A=; B"}},
	},
	{
		"name+value of 4096 bytes fits, 4097 does not (§5.6 step 5).",
		0, "http://www.host.test/", []string{"A=" + strings.Repeat("v", 4095), "B=" + strings.Repeat("v", 4096)}, "A=" + strings.Repeat("v", 4095),
		nil,
	},
	{
		"An attribute value over 1024 bytes ignores the attribute, not the cookie (§5.6).",
		0, "http://www.host.test/dir/file", []string{"A=a; Path=/" + strings.Repeat("p", 1024), "B=b; Domain=" + strings.Repeat("d", 1025)}, "A=a B=b",
		[]query{{"http://www.host.test/dir/", "A=a; B=b"}, {"http://sub.www.host.test/dir/", ""}},
	},
	{
		"A control character other than HTAB ignores the line (§5.6 step 1).",
		0, "http://www.host.test/", []string{"A=a\x01", "B=b; Path=/\x7f", "C=c\r\nD=d", "E=e\tf"}, "E=e\tf",
		nil,
	},
	{
		"DQUOTEs and inner spaces are part of the value; outer WSP is not.",
		0, "http://www.host.test/", []string{`A="a b"`, " B = b c ; Path = / ", "C=x=y"}, `A="a b" B=b c C=x=y`,
		[]query{{"http://www.host.test/", `A="a b"; B=b c; C=x=y`}},
	},
	{
		"Attributes are case-insensitive and the last one wins; unknown ones are ignored.",
		0, "https://www.host.test/", []string{"A=a; path=/x; PATH=/y; foo=bar; SECURE; hTTpOnly"}, "A=a",
		[]query{{"https://www.host.test/y", "A=a"}, {"https://www.host.test/x", ""}, {"http://www.host.test/y", ""}},
	},
	{
		"Max-Age wins over Expires in either order; Max-Age<=0 and a past Expires store nothing.",
		0, "http://www.host.test/", []string{
			"A=a; Max-Age=0; Expires=" + future,
			"B=b; Expires=" + future + "; Max-Age=-1",
			"C=c; Expires=" + past + "; Max-Age=100",
			"D=d; Max-Age=100; Expires=" + past,
			"E=e; Expires=" + past,
			"F=f; Max-Age=x; Expires=" + past,
			"G=g; Max-Age=0",
		}, "C=c D=d",
		nil,
	},
	{
		"A host-only and a Domain cookie of the same name coexist (§5.7 step 23 identity).",
		0, "http://www.host.test/", []string{"A=1", "A=2; Domain=www.host.test"}, "A=1 A=2",
		[]query{{"http://www.host.test/", "A=1; A=2"}, {"http://sub.www.host.test/", "A=2"}},
	},
	{
		"Only http and https carry cookies.",
		0, "ftp://www.host.test/", []string{"A=a"}, "",
		[]query{{"ftp://www.host.test/", ""}},
	},
	{
		"A host that cannot be canonicalized (empty label) gets nothing.",
		0, "http://www..host.test/", []string{"A=a"}, "",
		nil,
	},
	{
		"Non-ASCII hosts are lower-cased and Punycode-encoded.",
		0, "http://bücher.test/", []string{"A=a", "B=b; Domain=xn--bcher-kva.test"}, "A=a B=b",
		[]query{{"http://xn--bcher-kva.test/", "A=a; B=b"}, {"http://BÜCHER.test/", "A=a; B=b"}},
	},
	{
		"Domain outside CHAR ignores the cookie (§5.7 step 8).",
		0, "http://bücher.test/", []string{"A=a; Domain=bücher.test"}, "",
		nil,
	},
}

func TestBasics(t *testing.T) {
	for _, tt := range basicsTests {
		clk := clock.NewManual(tNow)
		tt.run(t, NewJar(clk, nil), clk)
	}
}

// updateAndDeleteTests share one jar and run in order, all at tNow unless a
// step advances the clock.
var updateAndDeleteTests = []jarTest{
	{
		"Set initial cookies.",
		0, "http://www.host.test/", []string{"a=1", "b=2; Path=/p", "c=3; Domain=host.test"}, "c=3 a=1 b=2",
		[]query{{"http://www.host.test/p", "b=2; a=1; c=3"}},
	},
	{
		"Replace a value.",
		0, "http://www.host.test/", []string{"a=x"}, "c=3 a=x b=2",
		nil,
	},
	{
		"Delete with Max-Age=0 on the right path.",
		0, "http://www.host.test/", []string{"b=; Max-Age=0; Path=/p"}, "c=3 a=x",
		nil,
	},
	{
		"A delete with another path or Domain matches nothing.",
		0, "http://www.host.test/", []string{"a=; Max-Age=0; Path=/other", "a=; Max-Age=0; Domain=host.test", "c=; Max-Age=0"}, "c=3 a=x",
		nil,
	},
	{
		"Delete with a past Expires.",
		0, "http://www.host.test/", []string{"c=; Domain=host.test; Expires=" + past}, "a=x",
		nil,
	},
	{
		"Set a Secure cookie over https.",
		0, "https://www.host.test/", []string{"s=1; Secure", "t=1; Secure; Path=/p"}, "a=x s=1 t=1",
		nil,
	},
	{
		"http cannot overwrite or delete it, even on a sub-path or from a related domain (§5.7 step 16).",
		0, "http://www.host.test/", []string{"s=2", "s=2; Path=/other", "s=; Max-Age=0", "s=2; Domain=host.test", "t=2; Path=/p/q"}, "a=x s=1 t=1",
		nil,
	},
	{
		"...but can set a same-named cookie whose path does not path-match the Secure one.",
		0, "http://www.host.test/", []string{"t=2"}, "a=x s=1 t=2 t=1",
		[]query{{"https://www.host.test/p", "t=1; a=x; s=1; t=2"}, {"http://www.host.test/p", "a=x; t=2"}},
	},
	{
		"https deletes the Secure cookie.",
		0, "https://www.host.test/", []string{"s=; Secure; Max-Age=0"}, "a=x t=2 t=1",
		nil,
	},
	{
		"Now http may set s.",
		0, "http://www.host.test/", []string{"s=3"}, "a=x s=3 t=2 t=1",
		nil,
	},
}

func TestUpdateAndDelete(t *testing.T) {
	clk := clock.NewManual(tNow)
	j := NewJar(clk, nil)
	for _, tt := range updateAndDeleteTests {
		tt.run(t, j, clk)
	}
}

// expiryTests share one jar and run in order; each advance moves the clock.
var expiryTests = []jarTest{
	{
		"At tNow: lifetimes of 1, 2 and 3 seconds, and session cookies.",
		0, "http://www.host.test/", []string{
			"a=1; Max-Age=1",
			"b=2; Expires=" + httpdate.Format(tNow.Add(2*time.Second)),
			"c=3; Max-Age=3; Expires=" + past,
			"d=4",
			"e=5; Domain=host.test",
		}, "e=5 a=1 b=2 c=3 d=4",
		nil,
	},
	{"tNow+1s: a expired at its expiry-time.", time.Second, "", nil, "e=5 b=2 c=3 d=4", []query{{"http://www.host.test/", "b=2; c=3; d=4; e=5"}}},
	{"tNow+2s", time.Second, "", nil, "e=5 c=3 d=4", nil},
	{"tNow+3s", time.Second, "", nil, "e=5 d=4", []query{{"http://www.host.test/", "d=4; e=5"}}},
	{"tNow+400 days: session cookies never expire.", 400 * 24 * time.Hour, "", nil, "e=5 d=4", nil},
}

func TestExpiry(t *testing.T) {
	clk := clock.NewManual(tNow)
	j := NewJar(clk, nil)
	for _, tt := range expiryTests {
		tt.run(t, j, clk)
	}
}

func TestEndSession(t *testing.T) {
	clk := clock.NewManual(tNow)
	j := NewJar(clk, nil)
	j.SetCookies(mustParseURL("http://www.host.test/"), []string{
		"session=1", "persistent=2; Max-Age=60", "expires=3; Expires=" + future, "domain=4; Domain=host.test",
	})
	j.EndSession()
	if got, want := content(j), "expires=3 persistent=2"; got != want {
		t.Errorf("after EndSession: %q, want %q", got, want)
	}
}

// Test400DayCap: both Max-Age and Expires are capped at 400 days from the
// time of storage (§5.5, §5.6.1 step 4, §5.6.2 step 6).
func Test400DayCap(t *testing.T) {
	clk := clock.NewManual(tNow)
	j := NewJar(clk, nil)
	limit := tNow.Add(400 * 24 * time.Hour)
	tests := []struct {
		line string
		want time.Time
	}{
		{"a=1; Max-Age=34560000", limit},
		{"b=1; Max-Age=34560001", limit},
		{"c=1; Max-Age=99999999999999999999999", limit},
		{"d=1; Max-Age=34559999", limit.Add(-time.Second)},
		{"e=1; Expires=Fri, 31 Dec 9999 23:59:59 GMT", limit},
		{"f=1; Expires=" + future, tNow.Add(24 * time.Hour)},
	}
	for _, tt := range tests {
		j.SetCookies(mustParseURL("http://www.host.test/"), []string{tt.line})
	}
	for i, e := range j.All() {
		if !e.Persistent || !e.Expiry.Equal(tests[i].want) {
			t.Errorf("%s: persistent %v, expiry %v; want %v", tests[i].line, e.Persistent, e.Expiry, tests[i].want)
		}
	}
	clk.Set(limit.Add(-time.Second))
	if got, want := content(j), "a=1 b=1 c=1 e=1"; got != want {
		t.Errorf("a second before the cap: %q, want %q", got, want)
	}
	clk.Set(limit)
	if got := content(j); got != "" {
		t.Errorf("at the cap: %q, want none", got)
	}
}

// TestOrder: §5.8.3 step 4 sorts longer paths first, then earlier creation
// times; replacing a cookie keeps its creation time (§5.7 step 23.3) and so
// its place. Steps are one second apart.
func TestOrder(t *testing.T) {
	clk := clock.NewManual(tNow)
	j := NewJar(clk, nil)
	u := mustParseURL("http://www.host.test/x/y")
	for _, line := range []string{"a=1; Path=/", "b=2; Path=/", "c=3; Path=/x", "d=4; Path=/x/y", "e=5; Domain=host.test; Path=/", "a=9; Path=/"} {
		j.SetCookies(u, []string{line})
		clk.Advance(time.Second)
	}
	if got, want := j.Header(u), "d=4; c=3; a=9; b=2; e=5"; got != want {
		t.Errorf("Header = %q, want %q", got, want)
	}
	// Within one response every cookie has the same creation time: the order
	// of the lines decides.
	j2 := NewJar(clk, nil)
	j2.SetCookies(u, []string{"z=1; Path=/", "y=2; Path=/", "x=3; Path=/"})
	if got, want := j2.Header(u), "z=1; y=2; x=3"; got != want {
		t.Errorf("same instant: Header = %q, want %q", got, want)
	}
}

// TestEntry checks every field of a stored cookie, and that retrieval
// updates the last-access-time while replacement keeps the creation-time.
func TestEntry(t *testing.T) {
	clk := clock.NewManual(tNow)
	j := NewJar(clk, nil)
	j.SetCookies(mustParseURL("https://www.host.test/dir/page"), []string{
		"a=1; Domain=host.test; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=60",
		"b=2",
	})
	got := j.All()
	want := []Entry{
		{Name: "a", Value: "1", Domain: "host.test", Path: "/", Persistent: true, Secure: true, HttpOnly: true,
			SameSite: "Strict", Expiry: tNow.Add(time.Minute), Creation: tNow, LastAccess: tNow},
		{Name: "b", Value: "2", Domain: "www.host.test", Path: "/dir", HostOnly: true, Creation: tNow, LastAccess: tNow},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("All():\n got %+v\nwant %+v", got, want)
	}
	clk.Advance(10 * time.Second)
	j.Cookies(mustParseURL("https://www.host.test/"))
	j.SetCookies(mustParseURL("https://www.host.test/dir/page"), []string{"b=3; SameSite=Lax"})
	got = j.All()
	if a := got[0]; !a.LastAccess.Equal(tNow.Add(10*time.Second)) || !a.Creation.Equal(tNow) {
		t.Errorf("a after retrieval: creation %v, last access %v", a.Creation, a.LastAccess)
	}
	if b := got[1]; b.Value != "3" || b.SameSite != "Lax" || !b.Creation.Equal(tNow) || !b.LastAccess.Equal(tNow.Add(10*time.Second)) {
		t.Errorf("b after replacement: %+v", b)
	}
}

// decisionTests share one jar and run in order, at tNow. want is the
// compact decision: "stored", "evicted", or the Reason.
var decisionTests = []struct {
	fromURL, line, want string
}{
	{"http://www.host.test/", "a=1", "stored"},
	{"http://www.host.test/", "a=2", "stored"},
	{"http://www.host.test/", "a=; Max-Age=0", "evicted"},
	{"http://www.host.test/", "a=; Max-Age=0", "cookie is already expired and there is no cookie to remove"},
	{"http://www.host.test/", "a=1\x00", "line contains a control character"},
	{"http://www.host.test/", "a=" + strings.Repeat("x", 4096), "name+value is over the 4096-byte limit"},
	{"http://www.host.test/", "=", "cookie has an empty name and an empty value"},
	{"http://www.example.co.uk/", "a=1; Domain=co.uk", "Domain co.uk is a public suffix"},
	{"http://www.host.test/", "a=1; Domain=other.test", "Domain other.test does not domain-match the request host www.host.test"},
	{"http://192.0.2.1/", "a=1; Domain=0.2.1", "Domain 0.2.1 does not domain-match the request host 192.0.2.1"},
	{"http://www.host.test/", "a=1; Domain=hösт.test", "Domain hösт.test contains a character that is not in CHAR"},
	{"http://www.host.test/", "a=1; Secure", "Secure cookie from an insecure origin"},
	{"https://www.host.test/", "s=1; Secure", "stored"},
	{"http://www.host.test/", "s=2", "an insecure origin cannot overwrite the Secure cookie s (domain www.host.test, path /)"},
	{"https://www.host.test/", "a=1; SameSite=None", "SameSite=None requires Secure"},
	{"https://www.host.test/", "__Secure-a=1", "__Secure- prefix requires Secure"},
	{"https://www.host.test/", "__Host-a=1; Path=/", "__Host- prefix requires Secure"},
	{"https://www.host.test/", "__Host-a=1; Secure; Path=/; Domain=www.host.test", "__Host- prefix forbids a Domain attribute"},
	{"https://www.host.test/", "__Host-a=1; Secure", "__Host- prefix requires Path=/"},
	{"https://www.host.test/", "=__Host-a", "nameless cookie whose value begins with a cookie prefix"},
	{"ws://www.host.test/", "a=1", `URL scheme "ws" does not carry cookies`},
	{"http://www..test/", "a=1", `request host "www..test" cannot be canonicalized: empty label`},
}

func TestDecisions(t *testing.T) {
	j := NewJar(clock.NewManual(tNow), nil)
	for _, tt := range decisionTests {
		ds := j.SetCookies(mustParseURL(tt.fromURL), []string{tt.line})
		d := ds[0]
		got := d.Reason
		switch {
		case d.Stored && d.Evicted:
			got = "stored and evicted"
		case d.Stored:
			got = "stored"
		case d.Evicted:
			got = "evicted"
		}
		if got != tt.want {
			t.Errorf("%s %q:\n got %q\nwant %q", tt.fromURL, tt.line, got, tt.want)
		}
		if (d.Stored || d.Evicted) == (d.Reason != "") || d.Line != tt.line {
			t.Errorf("%q: inconsistent decision %+v", tt.line, d)
		}
	}
}

// testPSL is a fake public suffix list: every domain's public suffix is its
// last label, except that "private.test" is a suffix too. Its deliberate
// bug: it knows nothing else (no co.uk).
type testPSL struct{}

func (testPSL) String() string { return "testPSL" }
func (testPSL) PublicSuffix(d string) string {
	if d == "private.test" || strings.HasSuffix(d, ".private.test") {
		return "private.test"
	}
	return d[strings.LastIndexByte(d, '.')+1:]
}

func TestCustomPSL(t *testing.T) {
	j := NewJar(clock.NewManual(tNow), testPSL{})
	j.SetCookies(mustParseURL("http://a.private.test/"), []string{"a=1; Domain=private.test", "b=2; Domain=a.private.test"})
	j.SetCookies(mustParseURL("http://www.example.co.uk/"), []string{"c=3; Domain=co.uk"})
	if got, want := content(j), "b=2 c=3"; got != want {
		t.Errorf("content = %q, want %q", got, want)
	}
}

func TestConcurrent(t *testing.T) {
	j := NewJar(clock.NewManual(tNow), nil)
	u := mustParseURL("http://www.host.test/")
	done := make(chan bool)
	for i := range 4 {
		go func() {
			for k := range 100 {
				j.SetCookies(u, []string{fmt.Sprintf("c%d=%d", i, k)})
				j.Header(u)
				j.All()
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
	if got, want := content(j), "c0=99 c1=99 c2=99 c3=99"; got != want {
		t.Errorf("content = %q, want %q", got, want)
	}
}

func BenchmarkSetCookies(b *testing.B) {
	j := NewJar(clock.NewManual(tNow), nil)
	u := mustParseURL("https://www.host.test/dir/page")
	lines := []string{
		"sid=31d4d96e407aad42; Path=/; Secure; HttpOnly; SameSite=Lax",
		"lang=en-US; Path=/; Domain=host.test; Max-Age=3600",
		"pref=dark; Expires=" + future,
	}
	for b.Loop() {
		j.SetCookies(u, lines)
	}
}

func BenchmarkHeader(b *testing.B) {
	j := NewJar(clock.NewManual(tNow), nil)
	u := mustParseURL("https://www.host.test/dir/page")
	for i := range 20 {
		j.SetCookies(mustParseURL("https://www.host.test/"), []string{fmt.Sprintf("c%d=v%d; Path=/; Max-Age=3600", i, i)})
		j.SetCookies(mustParseURL("https://other.test/"), []string{fmt.Sprintf("o%d=v%d", i, i)})
	}
	for b.Loop() {
		j.Header(u)
	}
}
