package rules

// Rules on the header fields that date and cache a response: Date and the
// HTTP-date format (RFC 9110 §5.6.7, §6.6.1), Cache-Control (RFC 9111
// §5.2), Expires (RFC 9111 §5.3), Age (RFC 9111 §5.1) and Vary (RFC 9110
// §12.5.5).

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// DatePresent grades a response header: a Date is there (RFC 9110 §6.6.1:
// an origin server with a clock MUST send one). what names the response,
// as in "the 200".
func DatePresent(h http.Header, what string) string {
	if h.Get("Date") == "" {
		return "expected a Date on " + what + ", observed none"
	}
	return ""
}

// SingleField grades a header field that is not a list, such as Date: a
// sender "MUST NOT generate multiple field lines with the same name in a
// message ... unless that field's definition allows multiple field line
// values to be recombined as a comma-separated list" (RFC 9110 §5.3), and
// an HTTP-date is one date. Two Date lines come, for instance, from an
// application that sets Date and a server that adds its own.
func SingleField(h http.Header, field, what string) string {
	if vs := h.Values(field); len(vs) > 1 {
		return fmt.Sprintf("expected one %s field line on %s, observed %d (%q); RFC 9110 §5.3: a sender MUST NOT generate multiple field lines with the same name unless the field is a list",
			field, what, len(vs), vs)
	}
	return ""
}

// IMFFixdate grades the value of an HTTP-date field: a sender MUST generate
// the IMF-fixdate format (RFC 9110 §5.6.7), with the day-name that matches
// the date; the obsolete RFC 850 and asctime formats are for recipients.
func IMFFixdate(field, value string) string {
	if !isIMFFixdate(value) {
		return fmt.Sprintf("expected %s as an IMF-fixdate, observed %q", field, value)
	}
	return ""
}

// isIMFFixdate reports whether v is exactly an IMF-fixdate: it parses as
// one and reads back the same, day-name included.
func isIMFFixdate(v string) bool {
	t, ok := httpdate.Parse(v)
	return ok && httpdate.Format(t) == v
}

// maxSkew is how far a Date may be from the harness's clock.
const maxSkew = 30 * time.Second

// DateAccurate grades a Date value against now: within 30 seconds, so that
// the ages caches compute from it mean something (RFC 9110 §6.6.1).
func DateAccurate(date string, now time.Time) string {
	d, ok := httpdate.Parse(date)
	if !ok {
		return fmt.Sprintf("expected a Date, observed %q", date)
	}
	if skew := d.Sub(now); skew <= -maxSkew || skew >= maxSkew {
		return fmt.Sprintf("expected Date within 30 s of the harness's clock, observed %s off", skew.Round(time.Second))
	}
	return ""
}

// ExpiresAgreesWithMaxAge grades a response that carries Cache-Control
// max-age and Expires: Expires is Date plus max-age, within a second, so
// that HTTP/1.0 caches (which only know Expires) keep it as long as the
// others (RFC 9111 §5.3). Without max-age the rule does not apply.
func ExpiresAgreesWithMaxAge(h http.Header) string {
	maxAge, ok := cachecontrol.Parse(h.Values("Cache-Control")).MaxAge()
	if !ok {
		return ""
	}
	date, ok1 := httpdate.Parse(h.Get("Date"))
	exp, ok2 := httpdate.Parse(h.Get("Expires"))
	if !ok1 || !ok2 {
		return fmt.Sprintf("expected Date and Expires, observed %q and %q", h.Get("Date"), h.Get("Expires"))
	}
	if diff := exp.Sub(date.Add(maxAge)); diff < -time.Second || diff > time.Second {
		return fmt.Sprintf("expected Expires = Date + max-age (%s), observed %s (%s off)",
			httpdate.Format(date.Add(maxAge)), h.Get("Expires"), diff)
	}
	return ""
}

// CacheControlSyntax grades the lines of a Cache-Control field by
// httpcache's parser: the directive grammar, no duplicates, arguments of
// the right form, no conflicts such as public with private or no-store
// with max-age (RFC 9111 §5.2).
func CacheControlSyntax(lines []string) string {
	if problems := cachecontrol.Parse(lines).Problems(); len(problems) > 0 {
		return fmt.Sprintf("expected a well-formed Cache-Control, observed %q: %s", lines, strings.Join(problems, "; "))
	}
	return ""
}

// CookieResponseNotShared grades a response that sets a cookie: it carries
// Cache-Control private or no-store, so that no shared cache stores it and
// serves one user's cookie to another (RFC 9111 §5.2.2.7, OWASP WSTG
// SESS-02).
func CookieResponseNotShared(h http.Header) string {
	return PrivateOrNoStore(h, "a response with Set-Cookie")
}

// PrivateOrNoStore grades a response meant for one user (what names it):
// Cache-Control private or no-store, so that no shared cache serves it to
// another (RFC 9111 §5.2.2.5, §5.2.2.7; OWASP WSTG SESS-04).
func PrivateOrNoStore(h http.Header, what string) string {
	d := cachecontrol.Parse(h.Values("Cache-Control"))
	// A qualified private="X-Foo" lets a shared cache store the rest of
	// the response, Set-Cookie included, unless it names Set-Cookie
	// (RFC 9111 §5.2.2.7).
	private, fields := d.Private()
	if private && (len(fields) == 0 || slices.ContainsFunc(fields, func(f string) bool { return strings.EqualFold(f, "Set-Cookie") })) {
		return ""
	}
	if d.NoStore() {
		return ""
	}
	return fmt.Sprintf("expected %s to carry Cache-Control private or no-store, observed %q", what, d.String())
}

// AgeDeltaSeconds grades the lines of an Age field: one value, a
// non-negative integer (RFC 9111 §5.1: Age = delta-seconds).
func AgeDeltaSeconds(lines []string) string {
	if len(lines) != 1 {
		return fmt.Sprintf("expected one Age field, observed %d: %q", len(lines), lines)
	}
	v := strings.TrimSpace(lines[0])
	if v == "" || strings.Trim(v, "0123456789") != "" {
		return fmt.Sprintf("expected Age as delta-seconds (a non-negative integer), observed %q", lines[0])
	}
	return ""
}

// varyFields splits the lines of a Vary field into lower-cased members.
func varyFields(lines []string) []string {
	var out []string
	for _, line := range lines {
		for _, f := range strings.Split(line, ",") {
			if f = strings.ToLower(strings.TrimSpace(f)); f != "" && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// VaryNoStar grades a Vary field: not "*", which tells every cache that
// nothing may reuse the response (RFC 9110 §12.5.5, RFC 9111 §4.1).
func VaryNoStar(lines []string) string {
	if slices.Contains(varyFields(lines), "*") {
		return fmt.Sprintf("expected no Vary: *, which makes the response unusable by any cache, observed %q", lines)
	}
	return ""
}

// MaxVaryFields is the widest Vary that VaryNarrow accepts.
const MaxVaryFields = 4

// VaryNarrow grades a Vary field: it names at most MaxVaryFields request
// fields. Every field multiplies the variants a cache must keep and lowers
// the chance any of them is reused (RFC 9111 §4.1).
func VaryNarrow(lines []string) string {
	fields := slices.DeleteFunc(varyFields(lines), func(f string) bool { return f == "*" })
	if len(fields) > MaxVaryFields {
		return fmt.Sprintf("expected Vary to name at most %d request fields, observed %d: %q", MaxVaryFields, len(fields), lines)
	}
	return ""
}

// VaryNoUserAgent grades a Vary field: not User-Agent, which splits every
// cache by each browser's version string so that little is ever reused
// (RFC 9111 §4.1).
func VaryNoUserAgent(lines []string) string {
	if slices.Contains(varyFields(lines), "user-agent") {
		return fmt.Sprintf("expected no Vary: User-Agent, which keeps a variant per browser version, observed %q", lines)
	}
	return ""
}
