package rules

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/httpcache"
	"github.com/httpcheck/httpcheck/syntax/etag"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// tNow is the fixed time of every case.
var tNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func date(t time.Time) string { return httpdate.Format(t) }

// lineCase is one independent Set-Cookie case: the rule's verdict on line
// must contain want, or be "" when want is "".
type lineCase struct {
	rule func(string) string
	line string
	want string
}

func TestSetCookieRules(t *testing.T) {
	grammar := func(l string) string { return SetCookieGrammar(l) }
	syntaxOnly := func(l string) string { return SetCookieGrammar(l, setcookie.ProblemSyntax) }
	lifetime := func(l string) string { return LifetimeLimit(l, tNow) }
	agrees := func(l string) string { return CookieExpiresAgrees(l, tNow) }
	long := strings.Repeat("v", 4100)
	for _, tc := range []lineCase{
		{grammar, "a=1; Path=/; HttpOnly", ""},
		{grammar, "a=x y", "value contains ' '"},
		{grammar, "a=1; HttpOnly; HttpOnly", "appears twice"}, // every kind
		{syntaxOnly, "a=1; HttpOnly; HttpOnly", ""},
		{syntaxOnly, "__Host-a=1", ""},
		{syntaxOnly, "a=1; Max-Age=0", "Max-Age is not a positive integer"},
		{DuplicateAttributes, "a=1; HttpOnly", ""},
		{DuplicateAttributes, "a=1; Path=/; path=/x", "attribute Path appears twice"},
		{NameValueSize, "a=" + long, "name+value is 4101 bytes"},
		{NameValueSize, "a=1; Path=/" + long, ""},
		{AttributeSize, "a=1; Path=/" + long, "Path is 4101 bytes"},
		{AttributeSize, "a=" + long, ""},
		{Prefix, "__Secure-a=1; Secure", ""},
		{Prefix, "__Secure-a=1", "__Secure- prefix requires Secure"},
		{Prefix, "__Host-a=1; Secure; Path=/x", "__Host- prefix requires Path=/"},
		{SameSiteNoneSecure, "a=1; SameSite=None; Secure", ""},
		{SameSiteNoneSecure, "a=1; SameSite=None", "SameSite=None only with Secure"},
		{ExpiresFormat, "a=1; Expires=" + date(tNow), ""},
		{ExpiresFormat, "a=1; Expires=Monday, 02-Mar-26 10:00:00 GMT", "IMF-fixdate"},
		{ExpiresFormat, "a=1; Expires=Tue, 02 Mar 2026 10:00:00 GMT", "IMF-fixdate"}, // the day-name is wrong
		{lifetime, "a=1; Max-Age=34560000", ""},
		{lifetime, "a=1; Max-Age=34560001", "Max-Age of at most 400 days"},
		{lifetime, "a=1; Max-Age=99999999999999999999999", "Max-Age of at most 400 days"},
		{lifetime, "a=1; Expires=" + date(tNow.Add(400*24*time.Hour)), ""},
		{lifetime, "a=1; Expires=" + date(tNow.Add(401*24*time.Hour)), "Expires at most 400 days away"},
		{agrees, "a=1; Max-Age=60", ""},
		{agrees, "a=1; Max-Age=60; Expires=" + date(tNow.Add(61*time.Second)), ""},
		{agrees, "a=1; Max-Age=60; Expires=" + date(tNow.Add(time.Hour)), "Date + Max-Age"},
		{agrees, "a=1; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT", ""},
		{agrees, "a=1; Max-Age=0; Expires=" + date(tNow.Add(time.Hour)), "not after Date"},
		// Max-Age over the cap: the promise as sent, not the capped one.
		{agrees, "a=1; Max-Age=43200000; Expires=" + date(tNow.Add(43200000*time.Second)), ""},
	} {
		got := tc.rule(tc.line)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%.60q: got %q, want one containing %q", tc.line, got, tc.want)
		}
	}
}

func TestOneCookiePerName(t *testing.T) {
	if v := OneCookiePerName([]string{"a=1", "b=2", "A=3"}, "x"); v != "" {
		t.Errorf("distinct names: %s", v)
	}
	v := OneCookiePerName([]string{"a=1", "b=2", "a=3; Path=/"}, "the answer to /set")
	if !strings.Contains(v, "two for a in the answer to /set") {
		t.Errorf("repeated name: got %q", v)
	}
}

func TestHasMaxAgeAndExpires(t *testing.T) {
	for line, want := range map[string]bool{
		"a=1; Max-Age=5; Expires=" + date(tNow): true,
		"a=1; Max-Age=5":                        false,
		"a=1; Max-Age=x; Expires=" + date(tNow): false,
	} {
		if got := HasMaxAgeAndExpires(line); got != want {
			t.Errorf("HasMaxAgeAndExpires(%q) = %v", line, got)
		}
	}
}

// headerCase is one independent header case.
type headerCase struct {
	name string
	got  string
	want string
}

func check(t *testing.T, cases []headerCase) {
	t.Helper()
	for _, tc := range cases {
		if (tc.want == "") != (tc.got == "") || !strings.Contains(tc.got, tc.want) {
			t.Errorf("%s: got %q, want one containing %q", tc.name, tc.got, tc.want)
		}
	}
}

func hdr(pairs ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(pairs); i += 2 {
		h.Add(pairs[i], pairs[i+1])
	}
	return h
}

func TestCachingRules(t *testing.T) {
	now := date(tNow)
	check(t, []headerCase{
		{"Date present", DatePresent(hdr("Date", now), "the 200"), ""},
		{"Date absent", DatePresent(hdr(), "the 200"), "expected a Date on the 200"},
		{"IMF-fixdate", IMFFixdate("Date", now), ""},
		{"RFC 850", IMFFixdate("Date", tNow.Format("Monday, 02-Jan-06 15:04:05 GMT")), "expected Date as an IMF-fixdate"},
		{"asctime", IMFFixdate("Expires", tNow.Format(time.ANSIC)), "expected Expires as an IMF-fixdate"},
		{"wrong day-name", IMFFixdate("Date", "Tue, 02 Mar 2026 10:00:00 GMT"), "IMF-fixdate"},
		{"empty", IMFFixdate("Date", ""), "IMF-fixdate"},
		{"accurate", DateAccurate(now, tNow.Add(29*time.Second)), ""},
		{"an hour fast", DateAccurate(date(tNow.Add(time.Hour)), tNow), "1h0m0s off"},
		{"no date", DateAccurate("", tNow), "expected a Date"},
		{"agrees", ExpiresAgreesWithMaxAge(hdr("Date", now, "Cache-Control", "max-age=60", "Expires", date(tNow.Add(time.Minute)))), ""},
		{"disagrees", ExpiresAgreesWithMaxAge(hdr("Date", now, "Cache-Control", "max-age=60", "Expires", now)), "Date + max-age"},
		{"no max-age", ExpiresAgreesWithMaxAge(hdr("Date", now, "Expires", now)), ""},
		{"max-age, no Expires", ExpiresAgreesWithMaxAge(hdr("Date", now, "Cache-Control", "max-age=60")), "expected Date and Expires"},
		{"cache-control ok", CacheControlSyntax([]string{"max-age=60, private"}), ""},
		{"cache-control conflict", CacheControlSyntax([]string{"max-age=60, public, private"}), "public conflicts with private"},
		{"cache-control duplicate", CacheControlSyntax([]string{"max-age=60", "max-age=60"}), "appears 2 times"},
		{"cache-control bad value", CacheControlSyntax([]string{"max-age=soon"}), "not delta-seconds"},
		{"cookie response private", CookieResponseNotShared(hdr("Cache-Control", "private, max-age=60")), ""},
		{"cookie response no-store", CookieResponseNotShared(hdr("Cache-Control", "no-store")), ""},
		{"cookie response public", CookieResponseNotShared(hdr("Cache-Control", "public, max-age=60")), "private or no-store"},
		{"cookie response bare", CookieResponseNotShared(hdr()), "private or no-store"},
		{"age", AgeDeltaSeconds([]string{"12"}), ""},
		{"age negative", AgeDeltaSeconds([]string{"-1"}), "delta-seconds"},
		{"age twice", AgeDeltaSeconds([]string{"1", "2"}), "one Age field"},
		{"vary ok", VaryNoStar([]string{"Accept-Encoding"}), ""},
		{"vary star", VaryNoStar([]string{"Accept-Encoding, *"}), "no Vary: *"},
		{"vary narrow", VaryNarrow([]string{"Accept-Encoding, Origin", "Accept-Language, Cookie"}), ""},
		{"vary wide", VaryNarrow([]string{"Accept-Encoding, Origin, Accept-Language, Cookie, Accept"}), "at most 4 request fields, observed 5"},
		{"vary repeats count once", VaryNarrow([]string{"Origin, origin, ORIGIN, Accept, Cookie, Cookie"}), ""},
		{"vary user-agent", VaryNoUserAgent([]string{"accept-encoding,user-agent"}), "no Vary: User-Agent"},
	})
}

func TestValidatorRules(t *testing.T) {
	h200 := hdr("ETag", `"v1"`, "Cache-Control", "max-age=60", "Expires", date(tNow.Add(time.Minute)), "Date", date(tNow), "Last-Modified", date(tNow.Add(-time.Hour)))
	check(t, []headerCase{
		{"repeats", NotModifiedRepeats("ETag", h200, hdr("ETag", `"v1"`)), ""},
		{"missing", NotModifiedRepeats("Cache-Control", h200, hdr()), `expected the 304 to carry Cache-Control (the 200 had "max-age=60"), observed none`},
		{"different", NotModifiedRepeats("ETag", h200, hdr("ETag", `"v2"`)), `expected the 304's ETag to be the 200's "\"v1\""`},
		{"expires moves on", NotModifiedRepeats("Expires", h200, hdr("Expires", date(tNow.Add(time.Hour)))), ""},
		{"the 200 had none", NotModifiedRepeats("Vary", h200, hdr()), ""},
		{"304 date", NotModifiedDate(hdr("Date", date(tNow))), ""},
		{"304 no date", NotModifiedDate(hdr()), "expected the 304 to carry a Date"},
		{"no content", NotModifiedNoContent(nil), ""},
		{"content", NotModifiedNoContent([]byte("body")), "4 bytes after the header section"},
		{"stable", ETagStable(`"a"`, `"a"`), ""},
		{"unstable", ETagStable(`"a"`, `"b"`), "the same ETag"},
		{"changed", ETagChanged(`"a"`, `"b"`), ""},
		{"unchanged", ETagChanged(`"a"`, `"a"`), "a new ETag"},
		{"gone", ETagChanged(`"a"`, ""), "a new ETag"},
		{"head", HeadCarriesValidators(h200, hdr("ETag", `"v1"`, "Last-Modified", h200.Get("Last-Modified"))), ""},
		{"head without", HeadCarriesValidators(h200, hdr("ETag", `"v1"`)), "HEAD's Last-Modified"},
		{"last-modified past", LastModifiedNotFuture(h200), ""},
		{"last-modified future", LastModifiedNotFuture(hdr("Date", date(tNow), "Last-Modified", date(tNow.Add(time.Hour)))), "not later than Date"},
		{"no date", LastModifiedNotFuture(hdr("Last-Modified", date(tNow))), "expected a Date"},
	})
}

// TestPreconditionsAgreeWithTheReference: the answer each conditional GET
// expects is the one reference/httpcache's EvaluatePreconditions, the
// literal reading of RFC 9110 §13.2.2, gives.
func TestPreconditionsAgreeWithTheReference(t *testing.T) {
	lm := tNow.Add(-time.Hour)
	tag, _ := etag.Parse(`"v1"`)
	v := httpcache.Validators{Exists: true, ETag: &tag, LastModified: lm}
	for _, p := range []Precondition{IfNoneMatchCurrent, IfNoneMatchStar, IfModifiedSinceEqual, INMMismatchWithCurrentIMS, INMMatchWithOldIMS} {
		want := http.StatusOK
		if code := httpcache.EvaluatePreconditions(http.MethodGet, p.Header(`"v1"`, lm), v, tNow).StatusCode(); code != 0 {
			want = code
		}
		if p.Want != want {
			t.Errorf("%s: expects %d, the reference answers %d", p.What, p.Want, want)
		}
		if p.Judge(want) != "" || !strings.Contains(p.Judge(599), "observed 599") {
			t.Errorf("%s: Judge(%d) = %q, Judge(599) = %q", p.What, want, p.Judge(want), p.Judge(599))
		}
	}
}

func TestObservatory(t *testing.T) {
	read := func(lines ...string) []ObservatoryCookie {
		var out []ObservatoryCookie
		for _, l := range lines {
			c, ok := ReadObservatoryCookie(l)
			if !ok {
				t.Fatalf("unreadable %q", l)
			}
			out = append(out, c)
		}
		return out
	}
	for _, tc := range []struct {
		lines  []string
		hsts   bool
		result string
	}{
		{nil, false, "cookies-not-found"},
		{[]string{"sessionid=1; Secure; HttpOnly; SameSite=Lax"}, false, "cookies-secure-with-httponly-sessions-and-samesite"},
		{[]string{"sessionid=1; Secure; HttpOnly"}, false, "cookies-secure-with-httponly-sessions"},
		{[]string{"theme=dark"}, false, "cookies-without-secure-flag"},
		{[]string{"theme=dark"}, true, "cookies-without-secure-flag-but-protected-by-hsts"},
		{[]string{"PHPSESSID=1; HttpOnly"}, false, "cookies-session-without-secure-flag"},
		{[]string{"PHPSESSID=1; HttpOnly"}, true, "cookies-session-without-secure-flag-but-protected-by-hsts"},
		{[]string{"user_login=1; Secure"}, false, "cookies-session-without-httponly-flag"},
		{[]string{"csrftoken=1; Secure"}, false, "cookies-anticsrf-without-samesite-flag"},
		{[]string{"csrftoken=1; Secure; SameSite"}, false, "cookies-secure-with-httponly-sessions-and-samesite"},
		{[]string{"a=1; Secure; SameSite=None"}, false, "cookies-samesite-flag-invalid"},
		// The worst wins.
		{[]string{"a=1; SameSite=None", "sess=1; Secure"}, false, "cookies-session-without-httponly-flag"},
	} {
		result, mod := ObservatoryResult(read(tc.lines...), tc.hsts)
		if result != tc.result || mod != ObservatoryModifiers[tc.result] {
			t.Errorf("%q (hsts %v): got %s (%d), want %s", tc.lines, tc.hsts, result, mod, tc.result)
		}
	}
	if LooksLikeSession("theme") || !LooksLikeSession("JSESSIONID") || !LooksLikeSession("wp_Login_x") {
		t.Error("LooksLikeSession does not follow the Observatory's names")
	}
}

func TestProtectedByHSTS(t *testing.T) {
	for _, tc := range []struct {
		scheme, sts string
		want        bool
	}{
		{"https", "max-age=31536000; includeSubDomains", true},
		{"https", "max-age=15552000", true},
		{"https", "max-age=86400", false},
		{"http", "max-age=31536000", false},
		{"https", "", false},
		{"https", "max-age=31536000, max-age=31536000", false},
	} {
		h := http.Header{}
		if tc.sts != "" {
			h.Set("Strict-Transport-Security", tc.sts)
		}
		if got := ProtectedByHSTS(tc.scheme, h); got != tc.want {
			t.Errorf("%s %q: %v, want %v", tc.scheme, tc.sts, got, tc.want)
		}
	}
}
