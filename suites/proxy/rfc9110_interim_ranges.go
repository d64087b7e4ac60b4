package proxy

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/reports"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// earlyHints is the 1xx the origin sends before its answer: 103 (Early
// Hints, RFC 8297) with a preload link, as a site would.
var earlyHints = origin.Interim{Status: 103, Header: [][2]string{{"Link", "</hc-style.css>; rel=preload; as=style"}}}

// Interim (1xx) responses, RFC 9110 §15.2, and answers to range requests,
// RFC 9110 §14 and §15.3.7, from a cache in the middle.
var (
	interimForwarded = suite.Must("forwarding/interim-forwarded", "the origin's 103 Early Hints reaches the client before the final response", "RFC9110 15.2").
				Quoting(`"A proxy MUST forward 1xx responses unless the proxy itself requested the generation of the 1xx response." (RFC 9110 §15.2)`)
	interimNotHTTP10 = suite.Must("forwarding/interim-not-to-http10", "an HTTP/1.0 client gets no 1xx response, even when the origin sends one", "RFC9110 15.2").
				Quoting(`"Since HTTP/1.0 did not define any 1xx status codes, a server MUST NOT send a 1xx response to an HTTP/1.0 client." (RFC 9110 §15.2)`)
	rangeFromStorage = suite.Must("ranges/206-content-range", "a single-range request for a stored response is answered in full (200) or with the requested bytes and a Content-Range that says which", "RFC9110 14.2", "RFC9110 15.3.7.1").
				Quoting(`"If a single part is being transferred, the server generating the 206 response MUST generate a Content-Range header field, describing what range of the selected representation is enclosed, and a content consisting of the range." (RFC 9110 §15.3.7.1); "A server MAY ignore the Range header field." (RFC 9110 §14.2)`)
)

// describeInterim lists 1xx responses for a failure message.
func describeInterim(in []reports.Interim) string {
	if len(in) == 0 {
		return "none"
	}
	var parts []string
	for _, r := range in {
		part := strconv.Itoa(r.Status)
		for _, f := range r.Header {
			part += fmt.Sprintf(" %s: %s", f[0], f[1])
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", then ")
}

// skipUnlessInterimSent skips the check when the origin sent no 1xx: the
// cache asked it over HTTP/1.0, which gets none (RFC 9110 §15.2), so the
// cache had nothing to forward or hold back.
func skipUnlessInterimSent(e *harness.Env, hit origin.Hit) {
	if len(hit.Interim) == 0 {
		e.Skipf("the cache asked the origin over %s, and an origin sends no 1xx to HTTP/1.0 (RFC 9110 §15.2): the cache had no 1xx to forward or hold back", hit.Proto)
	}
}

// contentRange is a byte range's Content-Range (RFC 9110 §14.4):
// "bytes first-last/complete-length".
var contentRange = regexp.MustCompile(`^bytes ([0-9]+)-([0-9]+)/([0-9]+|\*)$`)

// interimSpecs: 1xx responses through the cache, and range requests it
// answers, RFC 9110.
func interimSpecs() {
	Describe("interim responses and ranges (RFC 9110 14, 15.2)", func() {
		interimForwarded.It(func(e *harness.Env) {
			final := respond("v1", "Cache-Control: no-store")
			final.Interim = []origin.Interim{earlyHints}
			r := newResource(e, final)
			resp := r.get("the origin sends 103 Early Hints, then its answer")
			// A cache that cannot read the 1xx fails the whole exchange:
			// the rule it breaks is the one on clients.
			hits := r.hits()
			Expect(len(hits) == 1).To(verify.Hold(), "expected the request to reach the origin once, observed %s", times(len(hits)))
			skipUnlessInterimSent(e, hits[0])
			Expect(string(resp.Body) == "v1").To(verify.Hold(), "expected the origin's answer (v1) after its 103, observed %s: the cache, as the origin's client, did not read past the 1xx (RFC 9110 §15.2: \"A client MUST be able to parse one or more 1xx responses received prior to a final response, even if the client does not expect one.\")", served(resp))
			var hints *reports.Interim
			for i := range resp.Interim {
				if resp.Interim[i].Status == 103 {
					hints = &resp.Interim[i]
				}
			}
			Expect(hints != nil).To(verify.Hold(), "expected the origin's 103 (Link: %s) forwarded before the final response, observed interim responses: %s", earlyHints.Header[0][1], describeInterim(resp.Interim))
			var link string
			for _, f := range hints.Header {
				if strings.EqualFold(f[0], "Link") {
					link = f[1]
				}
			}
			Expect(link == earlyHints.Header[0][1]).To(verify.Hold(), "expected the forwarded 103 to carry the origin's Link: %s, observed Link: %q", earlyHints.Header[0][1], link)
		})
		interimNotHTTP10.It(func(e *harness.Env) {
			final := respond("v1", "Cache-Control: no-store")
			final.Interim = []origin.Interim{earlyHints}
			r := newResource(e, final)
			raw := r.b.RawVersion("HTTP/1.0", http.MethodGet, r.s.Path("r"), nil)
			hits := r.hits()
			Expect(len(hits) == 1).To(verify.Hold(), "expected the request to reach the origin once, observed %s", times(len(hits)))
			skipUnlessInterimSent(e, hits[0])
			Expect(raw.Status < 100 || raw.Status > 199).To(verify.Hold(), "expected no 1xx to an HTTP/1.0 request (the origin sent 103 to the cache), observed %q first", raw.StatusLine)
		})
		rangeFromStorage.It(func(e *harness.Env) {
			body := strings.Repeat("0123456789", 10)
			r := newResource(e, respond(body, "Cache-Control: max-age=600", `ETag: "r1"`))
			r.get("a 100-byte response with max-age=600, to store")
			resp := r.get("bytes 10 to 19 of it", "Range", "bytes=10-19")
			switch resp.Status {
			case http.StatusOK:
				Expect(string(resp.Body) == body).To(verify.Hold(), "expected a 200 to carry the whole 100 bytes, observed %d bytes", len(resp.Body))
			case http.StatusPartialContent:
				cr := resp.Header.Values("Content-Range")
				Expect(len(cr) == 1 && contentRange.MatchString(cr[0])).To(verify.Hold(), "expected a 206 with one Content-Range naming the bytes it carries, observed Content-Range: %q", cr)
				m := contentRange.FindStringSubmatch(cr[0])
				first, _ := strconv.Atoi(m[1])
				last, _ := strconv.Atoi(m[2])
				Expect(first <= last && last < len(body) && string(resp.Body) == body[first:last+1]).To(verify.Hold(), "expected the 206's content to be bytes %s of the stored representation (%q), observed %q", m[1]+"-"+m[2], body[min(first, len(body)):min(last+1, len(body))], resp.Body)
			default:
				Expect(false).To(verify.Hold(), "expected 200 (the range ignored) or 206 for a satisfiable range of a stored response, observed %s", served(resp))
			}
		})
	})
}
