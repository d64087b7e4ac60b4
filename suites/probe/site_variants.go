package probe

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/etag"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// What the site checks on variants and session cookies fetch and grade
// beside the site's plain GETs (site.go): each URL again without the
// site's cookies and the run's Authorization, and again with
// Accept-Encoding: gzip.

// sendsAuthorization is whether the run sends Authorization with every
// request (probe --header): Connect sets it. The variance check then
// compares each URL with and without it.
var sendsAuthorization bool

// variants is what a URL answered to the variance and coding requests.
type variants struct {
	// cookieSent is the Cookie the site checks' GET carried from the jar;
	// siteCookies the Cookie the jar held for the URL once every URL was
	// fetched.
	cookieSent, siteCookies string
	// credentialed is the GET with the site's cookies (and the run's
	// Authorization); anonymous the same without either, and anonymous2
	// once more when the two differ, to tell a response that changes with
	// credentials from one that changes on every fetch.
	credentialed, anonymous, anonymous2 *harness.Response
	// coded is the GET with Accept-Encoding: gzip, and plain the answer
	// without it that carried the same cookies.
	coded, plain *harness.Response
}

// withoutCredentials is a request header that keeps the run's
// Authorization and Cookie out (a field present with no value is never
// sent, and the harness adds only the fields a request does not set).
func withoutCredentials() http.Header { return http.Header{"Authorization": nil, "Cookie": nil} }

// withSiteCookies is the site checks' GET of a URL, sent again with the
// site's cookies when the jar held others when it was first sent.
func withSiteCookies(b *harness.Browser, t *harness.Target, a *answer, why string) *harness.Response {
	if a.siteCookies == a.cookieSent {
		return a.resp
	}
	return b.Do(harness.Request{URL: t.Base, Cookie: &a.siteCookies, NoStore: true, Note: "the site checks' GET again, with every cookie the site set, " + why})
}

// fetchVariance asks each 2xx URL again without the site's cookies and
// the run's Authorization, when there are any, for the variance check.
func fetchVariance(e *harness.Env, ts []*harness.Target, answers []answer) {
	b := e.NewBrowser()
	for i := range answers {
		a, t := &answers[i], ts[i]
		if a.resp.Status < 200 || a.resp.Status >= 300 || (a.siteCookies == "" && !sendsAuthorization) {
			continue
		}
		a.credentialed = withSiteCookies(b, t, a, "for site/credential-variance-declared")
		none := ""
		without := harness.Request{URL: t.Base, Header: withoutCredentials(), Cookie: &none, NoStore: true,
			Note: "the same GET without the site's cookies or Authorization, for site/credential-variance-declared"}
		a.anonymous = b.Do(without)
		if differs(a.credentialed, a.anonymous) {
			without.Note = "once more without credentials, to tell a response that changes with them from one that changes on every fetch"
			a.anonymous2 = b.Do(without)
		}
	}
}

// fetchCodings asks each 2xx URL that came uncompressed again with
// Accept-Encoding: gzip and the same cookies, for the coding check.
func fetchCodings(e *harness.Env, ts []*harness.Target, answers []answer) {
	b := e.NewBrowser()
	for i := range answers {
		a, t := &answers[i], ts[i]
		if a.resp.Status < 200 || a.resp.Status >= 300 || a.resp.Header.Get("Content-Encoding") != "" {
			continue
		}
		a.plain = withSiteCookies(b, t, a, "for site/compressed-variants-distinct")
		a.coded = b.Do(harness.Request{URL: t.Base, Header: http.Header{"Accept-Encoding": {"gzip"}}, Cookie: &a.siteCookies, NoStore: true,
			Note: "the same GET accepting gzip, for site/compressed-variants-distinct"})
	}
}

func differs(x, y *harness.Response) bool {
	return x.Status != y.Status || !bytes.Equal(x.Body, y.Body)
}

// varyNames returns the field names a response's Vary lines nominate, in
// lower case.
func varyNames(h http.Header) []string {
	var out []string
	for _, line := range h.Values("Vary") {
		for _, f := range strings.Split(line, ",") {
			if f = strings.ToLower(strings.TrimSpace(f)); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

// privateOrNoStore reports whether no shared cache may store the
// response at all: private without field names, or no-store.
func privateOrNoStore(cc cachecontrol.Directives) bool {
	private, fields := cc.Private()
	return (private && len(fields) == 0) || cc.NoStore()
}

// undeclaredVariance grades a response that changed with credentials: it
// names what it varies on in Vary, or no shared cache may store it. A
// response to a request with Authorization is kept from other users by
// RFC 9111 §3.5 unless it carries public, s-maxage or must-revalidate.
func undeclaredVariance(a answer) string {
	h := a.credentialed.Header
	cc := cachecontrol.Parse(h.Values("Cache-Control"))
	vary := varyNames(h)
	_, sMaxAge := cc.SMaxAge()
	switch {
	case privateOrNoStore(cc), slices.Contains(vary, "*"):
		return ""
	case a.siteCookies != "" && slices.Contains(vary, "cookie"):
		return ""
	case sendsAuthorization && slices.Contains(vary, "authorization"):
		return ""
	case sendsAuthorization && a.siteCookies == "" && !cc.Public() && !sMaxAge && !cc.MustRevalidate():
		return ""
	}
	sent := "the site's cookies"
	switch {
	case sendsAuthorization && a.siteCookies != "":
		sent = "the site's cookies and Authorization"
	case sendsAuthorization:
		sent = "Authorization"
	}
	return fmt.Sprintf("%s answered %s with %s and %s without, with %s and %s",
		a.url, describeAnswer(a.credentialed), sent, describeAnswer(a.anonymous), fieldOrNone(h, "Vary"), fieldOrNone(h, "Cache-Control"))
}

func describeAnswer(r *harness.Response) string {
	return fmt.Sprintf("%d (%d bytes, %s)", r.Status, len(r.Body), fieldOrNone(r.Header, "ETag"))
}

// fieldOrNone shows a header field as "Name: value", or "no Name".
func fieldOrNone(h http.Header, name string) string {
	if v := h.Values(name); len(v) > 0 {
		return name + ": " + strings.Join(v, ", ")
	}
	return "no " + name
}

// judgeVariance lists the URLs whose response changed with credentials
// without saying so, and how many were compared.
func judgeVariance(answers []answer) (compared, varied, unstable int, problems []string) {
	for _, a := range answers {
		if a.anonymous == nil {
			continue
		}
		compared++
		if !differs(a.credentialed, a.anonymous) {
			continue
		}
		if a.anonymous2 != nil && differs(a.anonymous, a.anonymous2) {
			unstable++ // it changes on every fetch: nothing to attribute to credentials
			continue
		}
		varied++
		if p := undeclaredVariance(a); p != "" {
			problems = append(problems, p)
		}
	}
	return compared, varied, unstable, problems
}

// judgeCodings lists the URLs whose compressed and uncompressed variants
// share a strong ETag or do not both carry Vary: Accept-Encoding, and how
// many URLs answered with a content coding.
func judgeCodings(answers []answer) (coded int, problems []string) {
	for _, a := range answers {
		if a.coded == nil || a.coded.Status < 200 || a.coded.Status >= 300 {
			continue
		}
		coding := strings.ToLower(strings.TrimSpace(a.coded.Header.Get("Content-Encoding")))
		if coding == "" || coding == "identity" {
			continue
		}
		coded++
		var wrong []string
		x, xok := etag.Parse(a.plain.Header.Get("ETag"))
		y, yok := etag.Parse(a.coded.Header.Get("ETag"))
		if xok && yok && etag.StrongMatch(x, y) {
			wrong = append(wrong, fmt.Sprintf("both carry the strong ETag %s", x))
		}
		for _, r := range []struct {
			what string
			resp *harness.Response
		}{{"the " + coding + " variant", a.coded}, {"the uncompressed one", a.plain}} {
			if v := varyNames(r.resp.Header); !slices.Contains(v, "accept-encoding") && !slices.Contains(v, "*") {
				wrong = append(wrong, fmt.Sprintf("%s has %s", r.what, fieldOrNone(r.resp.Header, "Vary")))
			}
		}
		if len(wrong) > 0 {
			problems = append(problems, a.url+": "+strings.Join(wrong, ", "))
		}
	}
	return coded, problems
}

// sessionCookie is one Set-Cookie line of a cookie that looks like a
// session, where it was first seen, and why it looks like one.
type sessionCookie struct {
	line, url, why string
}

// sessionWords mark cookies that stand for a session under a name the
// Observatory's reading ("sess" or "login") misses: "remember me" and
// authentication cookies (remember_user_token, auth_token, .ASPXAUTH).
var sessionWords = []string{"remember", "auth"}

// looksLikeSession says why a cookie looks like a session cookie, or ""
// when it does not: by its name (the Observatory's "sess" or "login"; a
// name that is sid or ends in .sid, _sid or -sid; one containing remember
// or auth), or by its value (at least 22 characters, enough for 128 bits
// in base64, of the base64, base64url and hex alphabets with . % and =,
// mixing letters and digits, with at least 12 distinct characters).
// Anti-CSRF tokens (csrf or xsrf in the name) are left out: scripts must
// read them, so they cannot be HttpOnly. So are cookies being deleted.
func looksLikeSession(sc setcookie.Received, now time.Time) string {
	n := strings.ToLower(sc.Name)
	switch {
	case sc.Value == "" || strings.Contains(n, "csrf") || strings.Contains(n, "xsrf"):
		return ""
	case expired(sc, now):
		return ""
	case rules.LooksLikeSession(sc.Name):
		return "its name"
	case n == "sid" || strings.HasSuffix(n, ".sid") || strings.HasSuffix(n, "_sid") || strings.HasSuffix(n, "-sid"):
		return "its name"
	case slices.ContainsFunc(sessionWords, func(s string) bool { return strings.Contains(n, s) }):
		return "its name"
	case randomLooking(sc.Value):
		return "its long random value"
	}
	return ""
}

// expired reports whether the cookie is being deleted: Max-Age of zero
// or less, or else an Expires in the past (RFC 6265bis §5.6.2: Max-Age
// wins).
func expired(sc setcookie.Received, now time.Time) bool {
	if sc.HasMaxAge {
		return sc.MaxAge <= 0
	}
	return sc.HasExpires && sc.Expires.Before(now)
}

func randomLooking(v string) bool {
	v = strings.Trim(v, `"`)
	if len(v) < 22 {
		return false
	}
	seen := map[rune]bool{}
	var letters, digits bool
	for _, c := range v {
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letters = true
		case strings.ContainsRune("+/-_.%=", c):
		default:
			return false
		}
		seen[c] = true
	}
	return letters && digits && len(seen) >= 12
}

// sessionCookies collects, once per cookie name and set of attributes,
// the cookies the site set that look like sessions.
func sessionCookies(answers []answer, now time.Time) []sessionCookie {
	var out []sessionCookie
	seen := map[string]bool{}
	for _, a := range answers {
		for _, line := range a.resp.SetCookies {
			sc, ok := setcookie.Parse(line)
			if !ok {
				continue
			}
			why := looksLikeSession(sc, now)
			_, attrs, _ := strings.Cut(line, ";")
			key := sc.Name + "\x00" + normaliseAttributes(attrs)
			if why == "" || seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, sessionCookie{line: line, url: a.url, why: why})
		}
	}
	return out
}

// hardeningGaps says what a session cookie lacks, each with the Mozilla
// Observatory's result for it and its score modifier; hsts is whether the
// response that set it carried a Strict-Transport-Security the Observatory
// counts.
func hardeningGaps(c sessionCookie, hsts bool) []string {
	oc, ok := rules.ReadObservatoryCookie(c.line)
	if !ok {
		return nil
	}
	oc.Session = true // by the site check's reading, which may be broader
	var gaps []string
	mod := func(r string) string { return fmt.Sprintf("%s, %d", r, rules.ObservatoryModifiers[r]) }
	for _, f := range rules.ObservatoryFindings([]rules.ObservatoryCookie{oc}, hsts) {
		switch f.Result {
		case "cookies-session-without-secure-flag", "cookies-session-without-secure-flag-but-protected-by-hsts":
			gaps = append(gaps, "no Secure (Observatory: "+mod(f.Result)+")")
		case "cookies-session-without-httponly-flag":
			gaps = append(gaps, "no HttpOnly (Observatory: "+mod(f.Result)+")")
		case "cookies-samesite-flag-invalid":
			gaps = append(gaps, "a SameSite other than Lax or Strict (Observatory: "+mod(f.Result)+")")
		}
	}
	if oc.SameSite == "" {
		r := "cookies-secure-with-httponly-sessions-and-samesite"
		gaps = append(gaps, fmt.Sprintf("no SameSite (Observatory: withholds the +%d of %s)", rules.ObservatoryModifiers[r], r))
	}
	return gaps
}

// judgeSessionCookies lists the session cookies that lack Secure, HttpOnly
// or SameSite, by name, attributes and URL (never the value).
func judgeSessionCookies(answers []answer, now time.Time) (found int, problems []string) {
	cs := sessionCookies(answers, now)
	for _, c := range cs {
		var hsts bool
		for _, a := range answers {
			if a.url == c.url {
				hsts = rules.ProtectedByHSTS(a.resp.URL.Scheme, a.resp.Header)
			}
		}
		if gaps := hardeningGaps(c, hsts); len(gaps) > 0 {
			sc, _ := setcookie.Parse(c.line)
			_, attrs, _ := strings.Cut(c.line, ";")
			problems = append(problems, fmt.Sprintf("%s (a session cookie by %s, set on %s with %q): %s",
				sc.Name, c.why, c.url, normaliseAttributes(attrs), strings.Join(gaps, ", ")))
		}
	}
	return len(cs), problems
}
