// Package sessionflow is what the sessions and auth suites both do with a
// target's session cookie: read it out of an answer's Set-Cookie lines,
// quote those lines in a check's message, and replay a cookie value by
// hand, as anyone who copied it could. Both suites grade what a key does
// after the browser has let go of it (a flush, a login, a logout, an
// expiry), so both need the same replay; keeping it here keeps the two
// suites' replays identical.
package sessionflow

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// SetCookie returns the last Set-Cookie line of r for the cookie called
// name, parsed; ok is false when r sets no such cookie. The last line is
// the one a user agent keeps: a stored cookie replaces an earlier one of
// the same name, domain and path (RFC 6265bis §5.7).
func SetCookie(r *harness.Response, name string) (line string, sc setcookie.Received, ok bool) {
	lines := r.SetCookie(name)
	if len(lines) == 0 {
		return "", sc, false
	}
	line = lines[len(lines)-1]
	sc, _ = setcookie.Parse(line)
	return line, sc, true
}

// DescribeLines quotes Set-Cookie lines for a check's message, "none"
// when there are none, so that a message says what the target did send
// where it was expected to set the session cookie.
func DescribeLines(lines []string) string {
	if len(lines) == 0 {
		return "none"
	}
	q := make([]string, len(lines))
	for i, l := range lines {
		q[i] = strconv.Quote(l)
	}
	return strings.Join(q, ", ")
}

// Replay sends GET path with the cookie called name set by hand to value,
// from a fresh session browser that keeps nothing of the answer, and
// expects 200. Whatever the original browser did with the cookie since (a
// logout deletes it, a login replaces it), a copy of it still reaches the
// server: the server alone decides what it names.
func Replay(e *harness.Env, name, value, path string, query ...string) *harness.Response {
	ginkgo.GinkgoHelper()
	header := name + "=" + value
	r := e.SessionBrowser().Do(harness.Request{Method: http.MethodGet, Path: path, Query: harness.Query(query...),
		Cookie: &header, NoStore: true, Note: "replaying a session cookie by hand"})
	Expect(r).To(verify.HaveStatus(path+" with a replayed cookie", http.StatusOK))
	return r
}
