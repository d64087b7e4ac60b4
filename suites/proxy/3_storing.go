package proxy

import (
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

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

// The sentences the storing checks quote: what a shared cache may store
// (RFC 9111 §3, §3.5), what it keeps of a response (§3.1), and the
// directives that forbid storing (§5.2, §5.2.2.5, §5.2.2.7).
const (
	reqPrivate         = `"The unqualified private response directive indicates that a shared cache MUST NOT store the response (i.e., the response is intended for a single user)." (RFC 9111 §5.2.2.7)`
	reqNotHeuristic    = `"A cache MUST NOT store a response to a request unless: ... the response contains at least one of the following: a public response directive (see Section 5.2.2.9); a private response directive, if the cache is not shared (see Section 5.2.2.7); an Expires header field (see Section 5.3); a max-age response directive (see Section 5.2.2.1); if the cache is shared: an s-maxage response directive (see Section 5.2.2.10); a cache extension that allows it to be cached (see Section 5.2.3); or a status code that is defined as heuristically cacheable (see Section 4.2.2)." (RFC 9111 §3)`
	reqNoStore         = `"The no-store response directive indicates that a cache MUST NOT store any part of either the immediate request or the response and MUST NOT use the response to satisfy any other request." (RFC 9111 §5.2.2.5)`
	reqCaseInsensitive = ` "Cache directives are identified by a token, to be compared case-insensitively" (RFC 9111 §5.2)`
	reqMustUnderstand  = `"A cache MUST NOT store a response to a request unless: ... if the response status code is 206 or 304, or the must-understand cache directive (see Section 5.2.2.3) is present: the cache understands the response status code" (RFC 9111 §3)`
	reqStoreAllFields  = `"Caches MUST include all received response header fields -- including unrecognized ones -- when storing a response; this assures that new HTTP header fields can be successfully deployed." (RFC 9111 §3.1)`
	reqIncomplete      = `"A cache MUST NOT use an incomplete response to answer requests unless the response has been made complete, or the request is partial and specifies a range wholly within the incomplete response." (RFC 9111 §3.3)`
	reqAuth            = `"A shared cache MUST NOT use a cached response to a request with an Authorization header field (Section 11.6.2 of [HTTP]) to satisfy any subsequent request unless the response contains a Cache-Control field with a response directive (Section 5.2.2) that allows it to be stored by a shared cache, and the cache conforms to the requirements of that directive for that response." (RFC 9111 §3.5)`
)

// Storing responses, RFC 9111 §3.
var (
	noStore               = suite.Must("storing/no-store", "a response with no-store is never reused", "RFC9111 3", "RFC9111 5.2.2.5").Quoting(reqNoStore)
	noStoreCase           = suite.Must("storing/no-store-case-insensitive", "nO-StOrE is no-store: directive names are case-insensitive", "RFC9111 5.2", "RFC9111 5.2.2.5").Quoting(reqNoStore + reqCaseInsensitive)
	noStoreOwnLine        = suite.Must("storing/no-store-own-line", "no-store on a Cache-Control line of its own, after a line with max-age=600, is obeyed", "RFC9111 5.2.2.5", "RFC9110 5.3").Quoting(reqNoStore)
	privateCase           = suite.Must("storing/private-case-insensitive", "PRIVATE is private: the response is not stored by the shared cache", "RFC9111 5.2", "RFC9111 5.2.2.7").Quoting(reqPrivate + reqCaseInsensitive)
	mustUnderstandNoStore = suite.Must("storing/must-understand-no-store-599", "a 599 with no-store, must-understand and max-age is not stored by a cache that cannot understand 599", "RFC9111 3", "RFC9111 5.2.2.3").Quoting(reqMustUnderstand)
	postNotForGet         = suite.Must("reuse/post-not-for-get", "a response to POST with max-age and no Content-Location is not reused for a GET", "RFC9111 4", "RFC9110 9.3.3").Quoting(reqReuse)
	private               = suite.Must("storing/private", "a response with private is not stored by the shared cache", "RFC9111 3", "RFC9111 5.2.2.7").Quoting(reqPrivate)
	privateSMaxAge        = suite.Must("storing/private-with-s-maxage", "private wins over s-maxage: the response is not stored", "RFC9111 3", "RFC9111 5.2.2.7").Quoting(reqPrivate)
	privateQualified      = suite.Must("storing/private-qualified", `private="Field": the field is never served from storage`, "RFC9111 5.2.2.7").
				Quoting(`"If a qualified private response directive is present, with one or more field names, then only the listed header fields are limited to a single user: a shared cache MUST NOT store the listed header fields if they are present in the original response but MAY store the remainder of the response message without those fields." (RFC 9111 §5.2.2.7)`)
	mustUnderstand     = suite.Must("storing/must-understand-unknown-status", "a response with must-understand and a status code the cache cannot understand (299) is not stored", "RFC9111 3", "RFC9111 5.2.2.3").Quoting(reqMustUnderstand)
	notHeuristic302    = suite.Must("storing/not-heuristic-302", "a 302 without explicit freshness is not stored: 302 is not heuristically cacheable", "RFC9111 3", "RFC9110 15.1").Quoting(reqNotHeuristic)
	notHeuristic307    = suite.Must("storing/not-heuristic-307", "a 307 without explicit freshness is not stored: 307 is not heuristically cacheable", "RFC9111 3", "RFC9110 15.1").Quoting(reqNotHeuristic)
	notHeuristic403    = suite.Must("storing/not-heuristic-403", "a 403 without explicit freshness is not stored: 403 is not heuristically cacheable", "RFC9111 3", "RFC9110 15.1").Quoting(reqNotHeuristic)
	incomplete         = suite.Must("storing/incomplete", "a response cut short is not used to answer a later request", "RFC9111 3.3").Quoting(reqIncomplete)
	partialNotFull     = suite.Must("storing/partial-not-for-full", "a stored 206 is not served to a later request for the whole content", "RFC9111 3.3", "RFC9111 3.4").Quoting(reqIncomplete)
	unrecognizedFields = suite.Must("storing/unrecognized-fields", "a response served from storage keeps the header fields the cache does not know", "RFC9111 3.1").Quoting(reqStoreAllFields)
	authOthers         = suite.Must("authorization/not-reused-for-others", "a response to a request with Authorization (max-age only) is not reused for a request without it", "RFC9111 3.5").Quoting(reqAuth)
	authSame           = suite.Must("authorization/not-reused-for-same", "a response to a request with Authorization (max-age only) is not reused even for the same credentials", "RFC9111 3.5").Quoting(reqAuth)
)

var notStoredCases = []notStoredCase{
	{noStore, respond("v1", "Cache-Control: no-store, max-age=600", `ETag: "v1"`)},
	{private, respond("v1", "Cache-Control: private, max-age=600", `ETag: "v1"`)},
	{privateSMaxAge, respond("v1", "Cache-Control: private, s-maxage=600, max-age=600", `ETag: "v1"`)},
	{mustUnderstand, status(299, "v1", "Cache-Control: must-understand, max-age=600", `ETag: "v1"`)},
	{notHeuristic302, status(http.StatusFound, "v1", "Location: /elsewhere", lastYear)},
	{notHeuristic307, status(http.StatusTemporaryRedirect, "v1", "Location: /elsewhere", lastYear)},
	{notHeuristic403, status(http.StatusForbidden, "v1", lastYear)},
	{noStoreCase, respond("v1", "Cache-Control: nO-StOrE, max-age=600", `ETag: "v1"`)},
	{noStoreOwnLine, respond("v1", "Cache-Control: max-age=600", "Cache-Control: no-store", `ETag: "v1"`)},
	{privateCase, respond("v1", "Cache-Control: PRIVATE, max-age=600", `ETag: "v1"`)},
	{mustUnderstandNoStore, status(599, "v1", "Cache-Control: no-store, must-understand, max-age=600", `ETag: "v1"`)},
}

// storedField is a response header field a response served from storage
// must keep (RFC 9111 §3.1): one no cache knows, and ones caches are
// known to drop.
type storedField struct {
	check       *check.Check
	name, value string
}

var storedFieldCases = func() []storedField {
	out := []storedField{{unrecognizedFields, "HC-Extension-Field", "kept"}}
	for _, f := range []struct{ name, value string }{
		{"Content-Location", "/elsewhere/r"},
		{"Set-Cookie", "hc-stored=1; Path=/"},
		{"Content-Security-Policy", "default-src 'self'"},
		{"X-Frame-Options", "DENY"},
		{"Clear-Site-Data", `"cache"`},
	} {
		id := "storing/keeps-" + strings.ToLower(f.name)
		title := "a response served from storage keeps its " + f.name + " field"
		var c *check.Check
		if f.name != "Set-Cookie" {
			c = suite.Must(id, title, "RFC9111 3.1").Quoting(reqStoreAllFields)
		} else {
			// Set-Cookie alone: RFC 9111 §7.3 treats a stored response
			// that replays one user's cookie to another as a risk for
			// servers to control, and a cache that keeps it out of every
			// hit (Squid, by design) closes that risk. Advice, then, not
			// the §3.1 MUST the other fields stay under.
			c = suite.Advisory(id, title, "RFC9111 3.1", "RFC9111 7.3").
				Quoting(reqStoreAllFields + ` "Note that the Set-Cookie response header field [COOKIE] does not inhibit caching; a cacheable response with a Set-Cookie header field can be (and often is) used to satisfy subsequent requests to caches." (RFC 9111 §7.3)`)
		}
		out = append(out, storedField{c, f.name, f.value})
	}
	return out
}()

// staleStatus is a response with explicit freshness of one second and a
// status code other than 200, known to the cache or not: after the shared
// wait it is stale whatever the cache stored, and must not be reused
// (RFC 9111 §4.2.4).
type staleStatus struct {
	check *check.Check
	code  int
}

var staleStatuses = func() []staleStatus {
	var out []staleStatus
	for _, code := range []int{203, 204, 301, 302, 303, 307, 308, 400, 404, 410, 500, 501, 502, 503, 504, 299, 499, 599} {
		id := fmt.Sprintf("status/%d-goes-stale", code)
		title := fmt.Sprintf("a %d with max-age=1 is not reused once stale", code)
		out = append(out, staleStatus{suite.Must(id, title, "RFC9111 4.2.4", "RFC9111 3").Quoting(reqStale), code})
	}
	return out
}()

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
			Expect(second.Header.Get("HC-Secret") == "").To(verify.Hold(), "expected the stored response without HC-Secret (private=\"HC-Secret\"), observed HC-Secret: %q served from storage", second.Header.Get("HC-Secret"))
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
					Expect(false).To(verify.Hold(), "expected the second GET to reach the origin for the complete response; observed the cache answer it without the origin, cut short again (%v)", err)
				case second.Status < 300:
					Expect(false).To(verify.Hold(), "expected the second GET to reach the origin for the complete response; observed %s served without the origin", served(second))
				}
			}
		})

		partialNotFull.It(func(e *harness.Env) {
			const whole = "0123456789"
			r := newResource(e,
				status(http.StatusPartialContent, whole[:4], "Cache-Control: max-age=600", `ETag: "v1"`, "Content-Range: bytes 0-3/10"),
				respond(whole, "Cache-Control: max-age=600", `ETag: "v1"`))
			r.get("Range: bytes=0-3, answered 206 with the first four bytes", "Range", "bytes=0-3")
			if hits := r.hits(); len(hits) == 1 {
				if _, ok := hits[0].Value("Range"); !ok {
					e.Skipf("the cache asked the origin for the whole content (no Range), and the scripted origin answered 206 all the same: nothing to grade")
				}
			}
			resp := r.get("then the whole content, without Range")
			Expect(resp.Status == http.StatusOK && string(resp.Body) == whole).To(verify.Hold(), "expected the whole content (200 %q) for a request without Range, observed %s", whole, served(resp))
		})
		for _, c := range storedFieldCases {
			c.check.It(func(e *harness.Env) {
				r := newResource(e, respond("v1", "Cache-Control: max-age=600", c.name+": "+c.value))
				r.get("a response with " + c.name + ": " + c.value)
				second := r.get("the same again")
				skipUnlessReused(e, r, 1)
				Expect(second.Header.Get(c.name) == c.value).To(verify.Hold(), "expected the stored response with %s: %s, observed %q", c.name, c.value, second.Header.Get(c.name))
			})
		}
	})

	Describe("responses to POST (RFC 9110 9.3.3)", func() {
		postNotForGet.It(func(e *harness.Env) {
			r := newResource(e, respond("the POST's answer", "Cache-Control: max-age=600"), respond("v2", "Cache-Control: max-age=600"))
			r.do(http.MethodPost, "POST, answered with max-age=600 and no Content-Location")
			expectFromOrigin(r, r.get("then GET"), "v2", "the GET after a POST")
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

// storingWaiting: responses with other status codes that went stale during
// the shared wait.
func storingWaiting(w *check.WaitGroup) {
	for _, c := range staleStatuses {
		w.It(c.check, func(e *harness.Env) func(*harness.Env) {
			r := newResource(e, status(c.code, "", "Cache-Control: max-age=1"), respond("v2", "Cache-Control: max-age=600"))
			r.get(fmt.Sprintf("before the wait: a %d with max-age=1", c.code))
			return func(e *harness.Env) {
				expectFromOrigin(r, r.get("after the wait, when it is stale"), "v2", "the GET after the wait")
			}
		})
	}
}
