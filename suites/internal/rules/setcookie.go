package rules

// Rules on the Set-Cookie lines a server sends: RFC 6265bis §4.1 and the
// limits user agents enforce (§5.5, §5.6, §5.7).

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// maxLifetime is the cookie-age-limit of RFC 6265bis §5.5: user agents cap
// Max-Age and Expires at 400 days.
const maxLifetime = 400 * 24 * time.Hour

// problemTexts returns the texts of line's problems of the given kinds, or
// of every kind when none is given.
func problemTexts(line string, kinds ...setcookie.ProblemKind) []string {
	var texts []string
	for _, p := range setcookie.Diagnose(line) {
		if len(kinds) == 0 || slices.Contains(kinds, p.Kind) {
			texts = append(texts, p.Text)
		}
	}
	return texts
}

// SetCookieGrammar grades one Set-Cookie line by setcookie.Diagnose: the
// problems of the given kinds, or of every kind when none is given
// (RFC 6265bis §4.1.1: servers SHOULD NOT send lines outside the grammar).
func SetCookieGrammar(line string, kinds ...setcookie.ProblemKind) string {
	texts := problemTexts(line, kinds...)
	if len(texts) == 0 {
		return ""
	}
	return fmt.Sprintf("expected Set-Cookie in the set-cookie-string grammar, observed %q: %s", line, strings.Join(texts, "; "))
}

// DuplicateAttributes grades one Set-Cookie line: each attribute at most
// once (RFC 6265bis §4.1.1).
func DuplicateAttributes(line string) string {
	texts := problemTexts(line, setcookie.ProblemDuplicateAttribute)
	if len(texts) == 0 {
		return ""
	}
	return fmt.Sprintf("expected each attribute at most once, observed %q: %s", line, strings.Join(texts, "; "))
}

// OneCookiePerName grades the Set-Cookie lines of one response: no two for
// one cookie name (RFC 6265bis §4.1.1). where names the response, as in
// "the answer to /cookies/set".
func OneCookiePerName(lines []string, where string) string {
	seen := map[string]bool{}
	for _, line := range lines {
		sc, ok := setcookie.Parse(line)
		if !ok {
			continue
		}
		if seen[sc.Name] {
			return fmt.Sprintf("expected one Set-Cookie per cookie name in a response, observed two for %s in %s", sc.Name, where)
		}
		seen[sc.Name] = true
	}
	return ""
}

// NameValueSize grades one Set-Cookie line: name and value within 4096
// bytes, or user agents ignore the cookie (RFC 6265bis §4.1.2, §5.6 step 5).
func NameValueSize(line string) string {
	if texts := problemTexts(line, setcookie.ProblemNameValueSize); len(texts) > 0 {
		return "expected no cookie over 4096 bytes of name and value, observed one where " + strings.Join(texts, "; ")
	}
	return ""
}

// AttributeSize grades one Set-Cookie line: every attribute value within
// 1024 bytes, or user agents ignore the attribute (RFC 6265bis §5.6
// attribute step 6).
func AttributeSize(line string) string {
	if texts := problemTexts(line, setcookie.ProblemAttributeSize); len(texts) > 0 {
		return "expected no attribute value over 1024 bytes, observed one where " + strings.Join(texts, "; ")
	}
	return ""
}

// Prefix grades one Set-Cookie line: a __Secure- or __Host- cookie carries
// what its prefix requires, or user agents ignore it (RFC 6265bis §4.1.3,
// §5.7 steps 20-22).
func Prefix(line string) string {
	if texts := problemTexts(line, setcookie.ProblemPrefix); len(texts) > 0 {
		return fmt.Sprintf("expected a prefixed cookie to meet its prefix's requirements, observed %q: %s", line, strings.Join(texts, "; "))
	}
	return ""
}

// SameSiteNoneSecure grades one Set-Cookie line: SameSite=None only with
// Secure, or user agents ignore the cookie (RFC 6265bis §5.7 step 19).
func SameSiteNoneSecure(line string) string {
	if texts := problemTexts(line, setcookie.ProblemSameSiteNone); len(texts) > 0 {
		return fmt.Sprintf("expected SameSite=None only with Secure, observed %q", line)
	}
	return ""
}

// ExpiresFormat grades one Set-Cookie line: every Expires attribute is a
// sane-cookie-date, an IMF-fixdate (RFC 6265bis §4.1.1, RFC 9110 §5.6.7).
func ExpiresFormat(line string) string {
	for _, v := range attributeValues(line, "Expires") {
		if !setcookie.IsSaneCookieDate(v) {
			return fmt.Sprintf("expected Expires as an IMF-fixdate like \"Sun, 06 Nov 1994 08:49:37 GMT\", observed %q in %q", v, line)
		}
	}
	return ""
}

// LifetimeLimit grades one Set-Cookie line: no Max-Age over 400 days and no
// Expires more than 400 days after now (with a minute's slack), since user
// agents cap both there (RFC 6265bis §4.1.2.1, §4.1.2.2, §5.5). It reads
// Max-Age as sent, before the user agent's cap.
func LifetimeLimit(line string, now time.Time) string {
	sc, ok := setcookie.Parse(line)
	if !ok {
		return ""
	}
	if secs, ok := maxAgeSent(sc); ok && secs > int64(maxLifetime/time.Second) {
		return fmt.Sprintf("expected Max-Age of at most 400 days (34560000), observed %q", line)
	}
	if sc.HasExpires && sc.Expires.After(now.Add(maxLifetime+time.Minute)) {
		return fmt.Sprintf("expected Expires at most 400 days away, observed %q", line)
	}
	return ""
}

// HasMaxAgeAndExpires reports whether a Set-Cookie line carries a valid
// Max-Age and a valid Expires, the case CookieExpiresAgrees grades.
func HasMaxAgeAndExpires(line string) bool {
	sc, ok := setcookie.Parse(line)
	_, hasMaxAge := maxAgeSent(sc)
	return ok && hasMaxAge && sc.HasExpires
}

// CookieExpiresAgrees grades one Set-Cookie line that carries both Max-Age
// and Expires: Expires is date (the response's Date) plus Max-Age, within
// two seconds, so that user agents that only know Expires keep the cookie
// as long as the others (RFC 6265bis §4.1.2.1). A Max-Age of zero or less
// agrees with any Expires not after date: both say "expire now". A line
// with only one of them cannot disagree.
func CookieExpiresAgrees(line string, date time.Time) string {
	sc, ok := setcookie.Parse(line)
	secs, hasMaxAge := maxAgeSent(sc)
	if !ok || !hasMaxAge || !sc.HasExpires {
		return ""
	}
	if secs <= 0 {
		if sc.Expires.After(date) {
			return fmt.Sprintf("expected Expires not after Date (%s) beside Max-Age=%d, observed %s in %q",
				date.UTC().Format(httpDate), secs, sc.Expires.UTC().Format(httpDate), line)
		}
		return ""
	}
	secs = min(secs, 100*365*24*3600) // beyond any Expires a cookie-date can carry; no overflow
	want := date.Add(time.Duration(secs) * time.Second)
	if diff := sc.Expires.Sub(want); diff < -2*time.Second || diff > 2*time.Second {
		return fmt.Sprintf("expected Expires to be Date + Max-Age (%s), observed %s (%s off) in %q",
			want.UTC().Format(httpDate), sc.Expires.UTC().Format(httpDate), diff, line)
	}
	return ""
}

const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// maxAgeSent returns the last Max-Age of sc as sent: an optional '-' and
// digits (RFC 6265bis §5.6.2), not capped at 400 days. Values beyond int64
// saturate.
func maxAgeSent(sc setcookie.Received) (int64, bool) {
	var secs int64
	found := false
	for _, a := range sc.Attributes {
		if !strings.EqualFold(a.Name, "Max-Age") {
			continue
		}
		digits := strings.TrimPrefix(a.Value, "-")
		if digits == "" || strings.Trim(digits, "0123456789") != "" {
			continue // RFC 6265bis §5.6.2 steps 1-3: ignored
		}
		n, err := strconv.ParseInt(a.Value, 10, 64)
		if err != nil { // out of range
			n = int64(^uint64(0) >> 1)
			if a.Value[0] == '-' {
				n = -n
			}
		}
		secs, found = n, true
	}
	return secs, found
}

// attributeValues returns the values of every attribute named name
// (case-insensitively) in a Set-Cookie line, in order.
func attributeValues(line, name string) []string {
	sc, _ := setcookie.Parse(line)
	var out []string
	for _, a := range sc.Attributes {
		if strings.EqualFold(a.Name, name) {
			out = append(out, a.Value)
		}
	}
	return out
}
