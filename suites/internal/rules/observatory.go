package rules

// Cookie security as the Mozilla HTTP Observatory scores it: its "cookies"
// test (httpobs/scanner/analyzer/headers.py, and the score modifiers of
// httpobs/docs/scoring.md, revision of 2024-02-27). The Observatory is a
// widely used baseline for what a site's cookies should carry, so the
// probe grades by the same reading and reports the Observatory's own
// result names and modifiers.
//
// How the Observatory reads cookies, kept as it is:
//   - A cookie "looks like a session" when its name contains "login" or
//     "sess" (any case), and like an anti-CSRF token when it contains
//     "csrf".
//   - Every cookie should be Secure (-20 without; -5 when HSTS protects
//     the site); a session cookie too (-40; -10 with HSTS), and HttpOnly
//     (-30).
//   - SameSite must be Strict or Lax; a bare SameSite counts as Lax; any
//     other value, None included, is invalid (-20). An anti-CSRF cookie
//     without SameSite costs -20. A session cookie without SameSite costs
//     nothing, but the +5 bonus goes only to sites whose cookies use
//     SameSite.
//   - The result is the worst found.

import (
	"net/http"
	"slices"
	"strings"

	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// Observatory results and their score modifiers.
var ObservatoryModifiers = map[string]int{
	"cookies-secure-with-httponly-sessions-and-samesite": 5,
	"cookies-not-found":                                         0,
	"cookies-secure-with-httponly-sessions":                     0,
	"cookies-without-secure-flag-but-protected-by-hsts":         -5,
	"cookies-session-without-secure-flag-but-protected-by-hsts": -10,
	"cookies-without-secure-flag":                               -20,
	"cookies-samesite-flag-invalid":                             -20,
	"cookies-anticsrf-without-samesite-flag":                    -20,
	"cookies-session-without-httponly-flag":                     -30,
	"cookies-session-without-secure-flag":                       -40,
}

// observatoryBadness orders the failing results from least to most bad, as
// the Observatory's "goodness" list does.
var observatoryBadness = []string{
	"cookies-without-secure-flag-but-protected-by-hsts",
	"cookies-without-secure-flag",
	"cookies-session-without-secure-flag-but-protected-by-hsts",
	"cookies-samesite-flag-invalid",
	"cookies-anticsrf-without-samesite-flag",
	"cookies-session-without-httponly-flag",
	"cookies-session-without-secure-flag",
}

// ObservatoryCookie is one cookie as the Observatory sees it.
type ObservatoryCookie struct {
	Name              string
	Secure, HttpOnly  bool
	SameSite          string // "Strict", "Lax", "" (absent) or "invalid"
	Session, AntiCSRF bool
}

// ReadObservatoryCookie reads one Set-Cookie line as the Observatory does;
// ok is false for a line a user agent ignores entirely.
func ReadObservatoryCookie(line string) (c ObservatoryCookie, ok bool) {
	sc, ok := setcookie.Parse(line)
	if !ok {
		return ObservatoryCookie{}, false
	}
	c = ObservatoryCookie{Name: sc.Name, Secure: sc.Secure, HttpOnly: sc.HttpOnly,
		Session: LooksLikeSession(sc.Name), AntiCSRF: strings.Contains(strings.ToLower(sc.Name), "csrf")}
	for _, a := range sc.Attributes {
		if !strings.EqualFold(a.Name, "SameSite") || c.SameSite != "" {
			continue // the Observatory reads the first SameSite
		}
		switch v := strings.ToLower(strings.TrimSpace(a.Value)); v {
		case "", "lax":
			c.SameSite = "Lax"
		case "strict":
			c.SameSite = "Strict"
		default:
			c.SameSite = "invalid"
		}
	}
	return c, true
}

// LooksLikeSession reports whether the Observatory takes a cookie of this
// name for a session identifier: the name contains "login" or "sess".
func LooksLikeSession(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "login") || strings.Contains(n, "sess")
}

// ProtectedByHSTS reports whether a response over https carries a
// Strict-Transport-Security of at least six months, which the Observatory
// counts as protecting cookies without Secure (its "hsts" test passing).
func ProtectedByHSTS(scheme string, h http.Header) bool {
	v := h.Values("Strict-Transport-Security")
	if scheme != "https" || len(v) != 1 || strings.Contains(v[0], ",") {
		return false
	}
	for _, p := range strings.Split(v[0], ";") {
		if n, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(p)), "max-age="); ok {
			secs, ok := cachecontrol.Parse([]string{"max-age=" + n}).MaxAge()
			return ok && secs.Seconds() >= 15552000
		}
	}
	return false
}

// ObservatoryFinding is one of the Observatory's results for one cookie.
type ObservatoryFinding struct {
	Cookie   string
	Result   string
	Modifier int
}

// ObservatoryFindings returns the Observatory's failing results for each
// cookie, in order.
func ObservatoryFindings(cookies []ObservatoryCookie, hsts bool) []ObservatoryFinding {
	var out []ObservatoryFinding
	add := func(c ObservatoryCookie, result string) {
		out = append(out, ObservatoryFinding{c.Name, result, ObservatoryModifiers[result]})
	}
	for _, c := range cookies {
		if c.SameSite == "invalid" {
			add(c, "cookies-samesite-flag-invalid")
		}
		switch {
		case !c.Secure && hsts:
			add(c, "cookies-without-secure-flag-but-protected-by-hsts")
		case !c.Secure:
			add(c, "cookies-without-secure-flag")
		}
		if c.AntiCSRF && c.SameSite == "" {
			add(c, "cookies-anticsrf-without-samesite-flag")
		}
		switch {
		case c.Session && !c.Secure && hsts:
			add(c, "cookies-session-without-secure-flag-but-protected-by-hsts")
		case c.Session && !c.Secure:
			add(c, "cookies-session-without-secure-flag")
		}
		if c.Session && !c.HttpOnly {
			add(c, "cookies-session-without-httponly-flag")
		}
	}
	return out
}

// ObservatoryResult is the Observatory's verdict on a site's cookies: the
// worst of the findings, or a passing result.
func ObservatoryResult(cookies []ObservatoryCookie, hsts bool) (result string, modifier int) {
	if len(cookies) == 0 {
		return "cookies-not-found", 0
	}
	worst := -1
	for _, f := range ObservatoryFindings(cookies, hsts) {
		worst = max(worst, slices.Index(observatoryBadness, f.Result))
	}
	switch {
	case worst >= 0:
		result = observatoryBadness[worst]
	case slices.ContainsFunc(cookies, func(c ObservatoryCookie) bool { return c.SameSite == "Strict" || c.SameSite == "Lax" }):
		result = "cookies-secure-with-httponly-sessions-and-samesite"
	default:
		result = "cookies-secure-with-httponly-sessions"
	}
	return result, ObservatoryModifiers[result]
}
