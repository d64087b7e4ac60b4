package proxy

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// notStoredCase is a response a shared cache must not reuse: the check
// sends it twice, and the second GET must reach the origin, which answers
// "v2" then.
type notStoredCase struct {
	check *check.Check
	first origin.Response
}

// lastYear is a Last-Modified a year back: a cache that applied a
// heuristic to such a response would find it fresh for weeks.
const lastYear = "Last-Modified: {date-31536000}"

var notStoredCases = []notStoredCase{
	{noStore, respond("v1", "Cache-Control: no-store, max-age=600", `ETag: "v1"`)},
	{private, respond("v1", "Cache-Control: private, max-age=600", `ETag: "v1"`)},
	{privateSMaxAge, respond("v1", "Cache-Control: private, s-maxage=600, max-age=600", `ETag: "v1"`)},
	{mustUnderstand, status(299, "v1", "Cache-Control: must-understand, max-age=600", `ETag: "v1"`)},
	{notHeuristic302, status(http.StatusFound, "v1", "Location: /elsewhere", lastYear)},
	{notHeuristic307, status(http.StatusTemporaryRedirect, "v1", "Location: /elsewhere", lastYear)},
	{notHeuristic403, status(http.StatusForbidden, "v1", lastYear)},
}

func storingSpecs() {
	Describe("storing responses (RFC 9111 3)", func() {
		for _, c := range notStoredCases {
			c.check.It(func(e *harness.Env) {
				r := newResource(e, c.first, respond("v2", "Cache-Control: max-age=600", `ETag: "v2"`))
				r.get("the response the cache must not store")
				expectFromOrigin(r, r.get("the same again"), "v2", "the second GET")
			})
		}

		privateQualified.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", `Cache-Control: private="HC-Secret", max-age=600`, "HC-Secret: for-one-user", "HC-Public: for-all"))
			r.get("a response whose HC-Secret field is private")
			second := r.get("the same again")
			if len(r.hits()) > 1 {
				return // the origin answered again: its fields are its own
			}
			verify.That(second.Header.Get("HC-Secret") == "", "expected the stored response without HC-Secret (private=\"HC-Secret\"), observed HC-Secret: %q served from storage", second.Header.Get("HC-Secret"))
		})

		incomplete.It(func(e *harness.Env) {
			const whole = "the whole content, which the origin first cut short"
			r := newResource(e,
				origin.Response{Header: fields("Cache-Control: max-age=600", "Content-Type: text/plain"), Body: whole, Truncate: true},
				respond(whole, "Cache-Control: max-age=600", "Content-Type: text/plain"))
			r.try("the origin sends half the content it announced, then closes the connection")
			second, err := r.try("the same again")
			if n := len(r.hits()); n == 1 {
				switch {
				case err != nil:
					verify.That(false, "expected the second GET to reach the origin for the complete response; observed the cache answer it without the origin, cut short again (%v)", err)
				case second.Status < 300:
					verify.That(false, "expected the second GET to reach the origin for the complete response; observed %s served without the origin", served(second))
				}
			}
		})

		unrecognizedFields.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600", "HC-Extension-Field: kept"))
			r.get("a response with a field no cache knows")
			second := r.get("the same again")
			skipUnlessReused(e, r, 1)
			verify.That(second.Header.Get("HC-Extension-Field") == "kept", "expected the stored response with HC-Extension-Field: kept, observed %q", second.Header.Get("HC-Extension-Field"))
		})
	})

	Describe("responses to authenticated requests (RFC 9111 3.5)", func() {
		const credentials = "Basic YWxpY2U6b3Blbi1zZXNhbWU=" // alice:open-sesame
		authOthers.It(func(e *harness.Env) {
			r := newResource(e, respond("for alice", "Cache-Control: max-age=600"), respond("for anyone", "Cache-Control: max-age=600"))
			r.get("GET with Authorization", "Authorization", credentials)
			expectFromOrigin(r, r.get("GET without Authorization"), "for anyone", "a GET without Authorization")
		})
		authSame.It(func(e *harness.Env) {
			r := newResource(e, respond("for alice", "Cache-Control: max-age=600"), respond("for alice, asked again", "Cache-Control: max-age=600"))
			r.get("GET with Authorization", "Authorization", credentials)
			expectFromOrigin(r, r.get("the same GET with the same Authorization", "Authorization", credentials), "for alice, asked again", "the second GET with Authorization")
		})
	})
}
