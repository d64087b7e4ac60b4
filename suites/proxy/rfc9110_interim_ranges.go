package proxy

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
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
	interimParsed = suite.Must("forwarding/interim-parsed", "after the origin's 103 Early Hints, the origin's final response reaches the client", "RFC9110 15.2").
			Quoting(`"A client MUST be able to parse one or more 1xx responses received prior to a final response, even if the client does not expect one." (RFC 9110 §15.2)`)
	// ADVISORY: the MUST binds a proxy, and most caches in the middle are
	// gateways ("reverse proxies"), which act as an origin server toward
	// the client (RFC 9110 §3.7); an origin server need send no 103.
	interimForwarded = suite.Advisory("forwarding/interim-forwarded", "the origin's 103 Early Hints reaches the client before the final response", "RFC9110 15.2", "RFC9110 3.7", "RFC8297 2").
				Quoting(`"A proxy MUST forward 1xx responses unless the proxy itself requested the generation of the 1xx response." (RFC 9110 §15.2), for a proxy; a gateway "acts as an origin server for the outbound connection" (RFC 9110 §3.7)`)
	interimNotHTTP10 = suite.Must("forwarding/interim-not-to-http10", "an HTTP/1.0 client gets no 1xx response, even when the origin sends one", "RFC9110 15.2").
				Quoting(`"Since HTTP/1.0 did not define any 1xx status codes, a server MUST NOT send a 1xx response to an HTTP/1.0 client." (RFC 9110 §15.2)`)
	rangeFromStorage = suite.Must("ranges/206-content-range", "a single-range request for a stored response is answered in full (200) or with the requested bytes and a Content-Range that says which", "RFC9110 14.2", "RFC9110 15.3.7.1", "RFC9110 15.5.17").
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

// skipUnlessInterimSent skips the check unless the origin sent a 1xx to
// the cache: a cache that asked over HTTP/1.0 gets none (RFC 9110 §15.2),
// and one that answered without asking had none, so it had nothing to
// forward or hold back.
func skipUnlessInterimSent(e *harness.Env, hits []origin.Hit) {
	if !slices.ContainsFunc(hits, func(h origin.Hit) bool { return len(h.Interim) > 0 }) {
		var protos []string
		for _, h := range hits {
			protos = append(protos, h.Proto)
		}
		e.Skipf("the origin sent the cache no 1xx (it was asked %s, over %v; an origin sends no 1xx to HTTP/1.0, RFC 9110 §15.2): nothing to forward or hold back", times(len(hits)), protos)
	}
}

// contentRange is a byte range's Content-Range (RFC 9110 §14.4):
// "bytes first-last/complete-length".
var contentRange = regexp.MustCompile(`^bytes ([0-9]+)-([0-9]+)/([0-9]+|\*)$`)

// interimSpecs: 1xx responses through the cache, and range requests it
// answers, RFC 9110.
func interimSpecs() {
	Describe("interim responses and ranges (RFC 9110 14, 15.2)", func() {
		// earlyHintsFirst requests a resource whose origin sends a 103
		// before its answer, and skips the check when the origin sent no
		// 1xx (the cache asked over HTTP/1.0).
		earlyHintsFirst := func(e *harness.Env) (*resource, *harness.Response) {
			final := respond("v1", "Cache-Control: no-store")
			final.Interim = []origin.Interim{earlyHints}
			r := newResource(e, final)
			resp := r.get("the origin sends 103 Early Hints, then its answer")
			skipUnlessInterimSent(e, r.hits())
			return r, resp
		}
		interimParsed.It(func(e *harness.Env) {
			_, resp := earlyHintsFirst(e)
			Expect(string(resp.Body) == "v1").To(verify.Hold(), "expected the origin's answer (v1) after its 103, observed %s: the cache, as the origin's client, did not read past the 1xx", served(resp))
		})
		interimForwarded.It(func(e *harness.Env) {
			_, resp := earlyHintsFirst(e)
			Expect(slices.ContainsFunc(resp.Interim, func(in reports.Interim) bool { return in.Status == 103 })).To(verify.Hold(), "expected the origin's 103 (Link: %s) before the final response, observed interim responses: %s", earlyHints.Header[0][1], describeInterim(resp.Interim))
		})
		interimNotHTTP10.It(func(e *harness.Env) {
			final := respond("v1", "Cache-Control: no-store")
			final.Interim = []origin.Interim{earlyHints}
			r := newResource(e, final)
			raw := r.b.RawVersion("HTTP/1.0", http.MethodGet, r.s.Path("r"), nil)
			// A 1xx to an HTTP/1.0 request is wrong wherever it came from;
			// no 1xx says something only if the cache had one to hold back.
			Expect(raw.Status < 100 || raw.Status > 199).To(verify.Hold(), "expected no 1xx to an HTTP/1.0 request, observed %q first", raw.StatusLine)
			skipUnlessInterimSent(e, r.hits())
		})
		rangeFromStorage.It(func(e *harness.Env) {
			body := strings.Repeat("0123456789", 10)
			r := newResource(e, respond(body, "Cache-Control: max-age=600", `ETag: "r1"`))
			r.get("a 100-byte response with max-age=600, to store")
			resp := r.get("bytes 10 to 19 of it", "Range", "bytes=10-19")
			switch resp.Status {
			case http.StatusOK:
				// Range ignored, which §14.2 allows: the 200 is then the
				// whole representation.
				Expect(string(resp.Body) == body).To(verify.Hold(), "expected a 200 to a range request to carry the whole representation (RFC 9110 §14.2 lets a server ignore Range, not cut the 200), 100 bytes; observed %d bytes", len(resp.Body))
			case http.StatusPartialContent:
				cr := resp.Header.Values("Content-Range")
				Expect(len(cr) == 1 && contentRange.MatchString(cr[0])).To(verify.Hold(), "expected a 206 with one Content-Range naming the bytes it carries, observed Content-Range: %q", cr)
				m := contentRange.FindStringSubmatch(cr[0])
				first, _ := strconv.Atoi(m[1])
				last, _ := strconv.Atoi(m[2])
				Expect(first <= last && last < len(body)).To(verify.Hold(), "expected a 206's Content-Range to name bytes of the 100-byte representation, observed Content-Range: %s", cr[0])
				Expect(string(resp.Body) == body[first:last+1]).To(verify.Hold(), "expected the 206's content to be bytes %d-%d of the stored representation (%q), observed %q", first, last, body[first:last+1], resp.Body)
			case http.StatusRequestedRangeNotSatisfiable:
				Expect(false).To(verify.Hold(), "expected 200 or 206 for bytes=10-19 of a 100-byte representation, observed 416, which means \"none of the requested ranges are satisfiable\" (RFC 9110 §15.5.17)")
			default:
				e.Skipf("the cache answered the range request with %s, neither a 200, a 206 nor a 416: nothing about ranges to grade", served(resp))
			}
		})
	})
}
