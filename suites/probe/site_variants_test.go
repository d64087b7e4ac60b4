package probe

import (
	"net/http"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// TestLooksLikeSession pins what site/session-cookies-hardened takes for a
// session cookie (docs/decisions.md, issue 17).
func TestLooksLikeSession(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for line, want := range map[string]string{
		"sessionid=abc; Path=/":                                 "its name",
		"PHPSESSID=abc":                                         "its name",
		"JSESSIONID=abc":                                        "its name",
		"connect.sid=s%3Aabc":                                   "its name",
		"_myapp_session=abc":                                    "its name",
		"sid=abc":                                               "its name",
		"remember_user_token=abc":                               "its name",
		".ASPXAUTH=abc":                                         "its name",
		"x=9f86d081884c7d659a2feaa0c55ad015":                    "its long random value",
		"x=eyJ1c2VyIjo0Mn0.Zk1abc.9sdfkjhQWErty12":              "its long random value",
		"prefs=compact":                                         "",
		"theme=dark-mode-with-large-fonts":                      "", // no digits
		"csrftoken=9f86d081884c7d659a2feaa0c55ad015":            "",
		"XSRF-TOKEN=9f86d081884c7d659a2feaa0c55ad015":           "",
		"sessionid=; Max-Age=0":                                 "",
		"sessionid=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT": "",
		"visits=1111111111111111111111111":                      "", // too few distinct characters
	} {
		sc, ok := setcookie.Parse(line)
		if !ok {
			t.Fatalf("%q does not parse", line)
		}
		if got := looksLikeSession(sc, now); got != want {
			t.Errorf("%q: %q, want %q", line, got, want)
		}
	}
}

// TestUndeclaredVariance: Vary naming what was sent, private and no-store
// declare it; with Authorization alone, RFC 9111 §3.5 already keeps the
// response from other users unless public, s-maxage or must-revalidate
// let shared caches reuse it.
func TestUndeclaredVariance(t *testing.T) {
	defer func(v bool) { sendsAuthorization = v }(sendsAuthorization)
	for _, c := range []struct {
		name    string
		cookies string
		auth    bool
		resp    *harness.Response
		ok      bool
	}{
		{"cookie, Vary: Cookie", "a=1", false, resp("Vary", "Accept-Encoding, Cookie"), true},
		{"cookie, no Vary", "a=1", false, resp("Cache-Control", "no-cache"), false},
		{"cookie, Vary: Authorization only", "a=1", false, resp("Vary", "Authorization"), false},
		{"cookie, private", "a=1", false, resp("Cache-Control", "private, max-age=60"), true},
		{"cookie, private naming a field", "a=1", false, resp("Cache-Control", `private="Set-Cookie", max-age=60`), false},
		{"cookie, no-store", "a=1", false, resp("Cache-Control", "no-store"), true},
		{"cookie, Vary: *", "a=1", false, resp("Vary", "*"), true},
		{"Authorization, max-age", "", true, resp("Cache-Control", "max-age=60"), true},
		{"Authorization, public", "", true, resp("Cache-Control", "public, max-age=60"), false},
		{"Authorization, s-maxage", "", true, resp("Cache-Control", "s-maxage=60"), false},
		{"Authorization, public, Vary: Authorization", "", true, resp("Cache-Control", "public", "Vary", "Authorization"), true},
		{"both, max-age", "a=1", true, resp("Cache-Control", "max-age=60"), false},
	} {
		sendsAuthorization = c.auth
		var a answer
		a.url, a.siteCookies, a.credentialed, a.anonymous = "http://x/", c.cookies, c.resp, resp()
		if got := undeclaredVariance(a); (got == "") != c.ok {
			t.Errorf("%s: %q, want ok=%v", c.name, got, c.ok)
		}
	}
}

// TestJudgeCodings: equal strong ETags on the two codings fail, a weak
// one on the compressed variant (as nginx's gzip filter makes it) does
// not; both variants need Vary: Accept-Encoding.
func TestJudgeCodings(t *testing.T) {
	for _, c := range []struct {
		name        string
		plain, gzip *harness.Response
		ok          bool
	}{
		{"distinct", resp("ETag", `"a"`, "Vary", "Accept-Encoding"), resp("ETag", `"a-gz"`, "Vary", "Accept-Encoding", "Content-Encoding", "gzip"), true},
		{"same strong", resp("ETag", `"a"`, "Vary", "Accept-Encoding"), resp("ETag", `"a"`, "Vary", "Accept-Encoding", "Content-Encoding", "gzip"), false},
		{"weak gzip", resp("ETag", `"a"`, "Vary", "Accept-Encoding"), resp("ETag", `W/"a"`, "Vary", "Accept-Encoding", "Content-Encoding", "gzip"), true},
		{"no Vary on the plain one", resp("ETag", `"a"`), resp("ETag", `"b"`, "Vary", "Accept-Encoding", "Content-Encoding", "gzip"), false},
		{"no Vary on the gzip one", resp("ETag", `"a"`, "Vary", "accept-encoding"), resp("ETag", `"b"`, "Content-Encoding", "gzip"), false},
	} {
		var a answer
		a.url, a.plain, a.coded = "http://x/", c.plain, c.gzip
		coded, problems := judgeCodings([]answer{a})
		if coded != 1 || (len(problems) == 0) != c.ok {
			t.Errorf("%s: %d coded, problems %q, want ok=%v", c.name, coded, problems, c.ok)
		}
	}
}

// resp is a 200 with the header fields given as name, value pairs.
func resp(kv ...string) *harness.Response {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return &harness.Response{Status: 200, Header: h, Body: []byte("a")}
}
