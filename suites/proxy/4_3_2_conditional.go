package proxy

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// current is a fresh response with both validators; the origin answers
// the same again, evaluating preconditions as an origin does.
func current(e *harness.Env) (*resource, *harness.Response) {
	r := newResource(e, respond("v1", "Cache-Control: max-age=600", `ETag: "v1"`, "Last-Modified: {date-3600}"))
	return r, r.get("a fresh response with ETag \"v1\" and Last-Modified")
}

// reused GETs r once more and skips unless the cache served it from
// storage: the cache's own evaluation is only visible then.
func reused(e *harness.Env, r *resource) {
	r.get("the same again, to see whether the cache reuses it")
	skipUnlessReused(e, r, 1)
}

// forOrigin is a precondition only the origin evaluates; the origin
// answers 412 to it.
type forOrigin struct {
	check  *check.Check
	header func(first *harness.Response) (name, value string)
}

// The sentences the checks on clients' conditional requests quote: when a
// cache evaluates them (RFC 9111 §4.3.2) and in what order (RFC 9110
// §13.2.2).
const (
	reqReceivedValidation = `"If a cache receives a request that can be satisfied by reusing a stored 200 (OK) or 206 (Partial Content) response, as per Section 4, the cache SHOULD evaluate any applicable conditional header field preconditions received in that request with respect to the corresponding validators contained within the stored response." (RFC 9111 §4.3.2)`
	reqNotForCache        = `"A cache MUST NOT evaluate conditional header fields that only apply to an origin server, occur in a request with semantics that cannot be satisfied with a cached response, or occur in a request with a target resource for which it has no stored responses; such preconditions are likely intended for some other (inbound) server." (RFC 9111 §4.3.2)`
	reqINMWeak            = `"A recipient MUST use the weak comparison function when comparing entity tags for If-None-Match (Section 8.8.3.2), since weak entity tags can be used for cache validation even if there have been changes to the representation data." (RFC 9110 §13.1.2)`
	reqINMOverIMS         = `"A recipient MUST ignore If-Modified-Since if the request contains an If-None-Match header field; the condition in If-None-Match is considered to be a more accurate replacement for the condition in If-Modified-Since, and the two are only combined for the sake of interoperating with older intermediaries that might not implement If-None-Match." (RFC 9110 §13.1.3)`
	reqPreconditionOrder  = `"A recipient cache or origin server MUST evaluate the request preconditions defined by this specification in the following order" (RFC 9110 §13.2.2); "If the field value is a list of entity tags, the condition is false if one of the listed tags matches the entity tag of the selected representation." (RFC 9110 §13.1.2)`
)

// Handling a received validation request, RFC 9111 §4.3.2 and RFC 9110 §13.
var (
	condINM      = suite.Should("conditional/if-none-match-304", "If-None-Match with the stored ETag is answered 304 from storage", "RFC9111 4.3.2").Quoting(reqReceivedValidation)
	condINMOther = suite.Must("conditional/if-none-match-other-200", "If-None-Match with another ETag gets the full 200", "RFC9110 13.1.2", "RFC9110 13.2.2").Quoting(reqPreconditionOrder)
	condINMWeak  = suite.Must("conditional/if-none-match-weak", `If-None-Match compares weakly: W/"x" matches a stored "x"`, "RFC9110 13.1.2").Quoting(reqINMWeak)
	condIMS      = suite.Should("conditional/if-modified-since-304", "If-Modified-Since at the stored Last-Modified is answered 304 from storage", "RFC9111 4.3.2").Quoting(reqReceivedValidation)
	condIMSDate  = suite.Should("conditional/if-modified-since-date", "without Last-Modified, If-Modified-Since is compared with the stored Date", "RFC9111 4.3.2").
			Quoting(`"If a request contains an If-Modified-Since header field and the Last-Modified header field is not present in a stored response, a cache SHOULD use the stored response's Date field value (or, if no Date field is present, the time that the stored response was received) to evaluate the conditional." (RFC 9111 §4.3.2)`)
	condPrecedence = suite.Must("conditional/if-none-match-precedence", "a non-matching If-None-Match gets the 200 even with a matching If-Modified-Since", "RFC9110 13.1.3").Quoting(reqINMOverIMS)
	condINMOverIMS = suite.Must("conditional/if-none-match-over-if-modified-since", "a matching If-None-Match gets the 304 even with an If-Modified-Since before Last-Modified", "RFC9110 13.1.3", "RFC9111 4.3.2").Quoting(reqINMOverIMS)
	condIMSEarlier = suite.Must("conditional/if-modified-since-earlier-200", "an If-Modified-Since before the stored Last-Modified gets the full 200", "RFC9110 13.1.3", "RFC9110 13.2.2").
			Quoting(`"If the selected representation's last modification date is earlier or equal to the date provided in the field value, the condition is false." "Otherwise, the condition is true." (RFC 9110 §13.1.3)`)
	condIMSInvalid = suite.Must("conditional/if-modified-since-invalid-ignored", "an If-Modified-Since that is not a date is ignored: the full 200", "RFC9110 13.1.3").
			Quoting(`"A recipient MUST ignore the If-Modified-Since header field if the received field value is not a valid HTTP-date, the field value has more than one member, or if the request method is neither GET nor HEAD." (RFC 9110 §13.1.3)`)
	condINMList = suite.Should("conditional/if-none-match-list-304", `If-None-Match: "v0", "v1" with "v1" stored is answered 304 from storage`, "RFC9111 4.3.2", "RFC9110 13.1.2").Quoting(reqReceivedValidation)
	condINMStar = suite.Should("conditional/if-none-match-star-304", "If-None-Match: * with a response stored is answered 304 from storage", "RFC9111 4.3.2", "RFC9110 13.1.2").
			Quoting(reqReceivedValidation + ` "If the field value is "*", the condition is false if the origin server has a current representation for the target resource." (RFC 9110 §13.1.2)`)
	condStoredWeak = suite.Must("conditional/if-none-match-stored-weak", `If-None-Match compares weakly: "x" matches a stored W/"x"`, "RFC9110 13.1.2").Quoting(reqINMWeak)
	condIfMatch    = suite.Must("conditional/if-match-for-origin", "If-Match is the origin's to evaluate: the cache does not answer 412 itself", "RFC9111 4.3.2").Quoting(reqNotForCache)
	condIUS        = suite.Must("conditional/if-unmodified-since-for-origin", "If-Unmodified-Since is the origin's to evaluate: the cache does not answer 412 itself", "RFC9111 4.3.2").Quoting(reqNotForCache)
	condUnstored   = suite.Must("conditional/unstored-forwarded", "a conditional request for something not stored is forwarded to the origin", "RFC9111 4.3.2").Quoting(reqNotForCache)
	cond304Fields  = suite.Must("conditional/304-fields", "a 304 for the client carries the ETag, Cache-Control and Date the 200 would", "RFC9110 15.4.5").
			Quoting(`"The server generating a 304 response MUST generate any of the following header fields that would have been sent in a 200 (OK) response to the same request: Content-Location, Date, ETag, and Vary; Cache-Control and Expires (see [CACHING])" (RFC 9110 §15.4.5)`)
)

var forOriginCases = []forOrigin{
	{condIfMatch, func(*harness.Response) (string, string) { return "If-Match", `"v0"` }},
	{condIUS, func(first *harness.Response) (string, string) {
		lm, _ := httpdate.Parse(first.Header.Get("Last-Modified"))
		return "If-Unmodified-Since", httpdate.Format(lm.Add(-time.Hour))
	}},
}

// conditionalSpecs: conditional requests from the cache's clients,
// RFC 9111 §4.3.2 and RFC 9110 §13.
func conditionalSpecs() {
	Describe("conditional requests from clients (RFC 9111 4.3.2)", func() {
		condINM.It(func(e *harness.Env) {
			r, _ := current(e)
			reused(e, r)
			resp := r.get(`If-None-Match: "v1"`, "If-None-Match", `"v1"`)
			Expect(resp.Status == http.StatusNotModified && len(r.hits()) == 1).To(verify.Hold(), "expected a 304 from storage, observed %s with the origin asked %s", served(resp), times(len(r.hits())))
		})
		condINMOther.It(func(e *harness.Env) {
			r, _ := current(e)
			resp := r.get(`If-None-Match: "v0"`, "If-None-Match", `"v0"`)
			Expect(resp.Status == http.StatusOK && string(resp.Body) == "v1").To(verify.Hold(), "expected the full 200 \"v1\" for If-None-Match: \"v0\", observed %s", served(resp))
		})
		condINMWeak.It(func(e *harness.Env) {
			r, _ := current(e)
			resp := r.get(`If-None-Match: W/"v1"`, "If-None-Match", `W/"v1"`)
			Expect(resp.Status == http.StatusNotModified).To(verify.Hold(), "expected 304 for If-None-Match: W/\"v1\" against ETag \"v1\" (weak comparison), observed %s", served(resp))
		})
		condIMS.It(func(e *harness.Env) {
			r, first := current(e)
			reused(e, r)
			resp := r.get("If-Modified-Since: the stored Last-Modified", "If-Modified-Since", first.Header.Get("Last-Modified"))
			Expect(resp.Status == http.StatusNotModified && len(r.hits()) == 1).To(verify.Hold(), "expected a 304 from storage, observed %s with the origin asked %s", served(resp), times(len(r.hits())))
		})
		condIMSDate.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600"))
			first := r.get("a fresh response without validators")
			reused(e, r)
			resp := r.get("If-Modified-Since: the stored Date", "If-Modified-Since", first.Header.Get("Date"))
			Expect(resp.Status == http.StatusNotModified && len(r.hits()) == 1).To(verify.Hold(), "expected a 304 from storage for If-Modified-Since equal to the stored Date, observed %s with the origin asked %s", served(resp), times(len(r.hits())))
		})
		condPrecedence.It(func(e *harness.Env) {
			r, first := current(e)
			resp := r.get(`If-None-Match: "v0" with a matching If-Modified-Since`, "If-None-Match", `"v0"`, "If-Modified-Since", first.Header.Get("Last-Modified"))
			Expect(resp.Status == http.StatusOK && string(resp.Body) == "v1").To(verify.Hold(), "expected the full 200: If-None-Match \"v0\" does not match, and If-Modified-Since is then ignored; observed %s", served(resp))
		})
		condINMOverIMS.It(func(e *harness.Env) {
			r, first := current(e)
			if control := r.get(`If-None-Match: "v1" alone`, "If-None-Match", `"v1"`); control.Status != http.StatusNotModified {
				e.Skipf("the cache does not answer even a matching If-None-Match alone with 304 (%s), which RFC 9111 §4.3.2 recommends; see conditional/if-none-match-304", served(control))
			}
			lm, _ := httpdate.Parse(first.Header.Get("Last-Modified"))
			resp := r.get(`If-None-Match: "v1" with If-Modified-Since an hour before Last-Modified`, "If-None-Match", `"v1"`, "If-Modified-Since", httpdate.Format(lm.Add(-time.Hour)))
			Expect(resp.Status == http.StatusNotModified).To(verify.Hold(), "expected 304: If-None-Match \"v1\" matches, and If-Modified-Since is then ignored; observed %s", served(resp))
		})
		condIMSEarlier.It(func(e *harness.Env) {
			r, first := current(e)
			lm, _ := httpdate.Parse(first.Header.Get("Last-Modified"))
			resp := r.get("If-Modified-Since an hour before Last-Modified", "If-Modified-Since", httpdate.Format(lm.Add(-time.Hour)))
			Expect(resp.Status == http.StatusOK && string(resp.Body) == "v1").To(verify.Hold(), "expected the full 200 \"v1\": the stored response was modified after the If-Modified-Since date; observed %s", served(resp))
		})
		condIMSInvalid.It(func(e *harness.Env) {
			r, _ := current(e)
			resp := r.get("If-Modified-Since that is not a date", "If-Modified-Since", "yesterday, more or less")
			Expect(resp.Status == http.StatusOK && string(resp.Body) == "v1").To(verify.Hold(), "expected the full 200 \"v1\" for an If-Modified-Since that is not an HTTP-date, observed %s", served(resp))
		})
		for _, c := range []struct {
			check *check.Check
			inm   string
		}{{condINMList, `"v0", "v1"`}, {condINMStar, "*"}} {
			c.check.It(func(e *harness.Env) {
				r, _ := current(e)
				reused(e, r)
				resp := r.get("If-None-Match: "+c.inm, "If-None-Match", c.inm)
				Expect(resp.Status == http.StatusNotModified && len(r.hits()) == 1).To(verify.Hold(), "expected a 304 from storage for If-None-Match: %s, observed %s with the origin asked %s", c.inm, served(resp), times(len(r.hits())))
			})
		}
		condStoredWeak.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600", `ETag: W/"v1"`))
			r.get(`a fresh response with the weak ETag W/"v1"`)
			resp := r.get(`If-None-Match: "v1"`, "If-None-Match", `"v1"`)
			Expect(resp.Status == http.StatusNotModified).To(verify.Hold(), "expected 304 for If-None-Match: \"v1\" against ETag W/\"v1\" (weak comparison), observed %s", served(resp))
		})
		for _, c := range forOriginCases {
			c.check.It(func(e *harness.Env) {
				r, first := current(e)
				name, value := c.header(first)
				resp := r.get(name+": "+value, name, value)
				if resp.Status == http.StatusPreconditionFailed {
					Expect(len(r.hits()) == 2).To(verify.Hold(), "expected %s to be evaluated by the origin, observed a 412 the cache generated without asking it", name)
				}
			})
		}
		condUnstored.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600", `ETag: "v1"`))
			resp := r.get(`If-None-Match: "v1" for something the cache has not stored`, "If-None-Match", `"v1"`)
			Expect(len(r.hits()) == 1).To(verify.Hold(), "expected the conditional request forwarded to the origin, observed %s answered with the origin asked %s", served(resp), times(len(r.hits())))
		})
		cond304Fields.It(func(e *harness.Env) {
			r, _ := current(e)
			resp := r.get(`If-None-Match: "v1"`, "If-None-Match", `"v1"`)
			if resp.Status != http.StatusNotModified {
				e.Skipf("no 304 to look at (%s)", served(resp))
			}
			_, dateOK := httpdate.Parse(resp.Header.Get("Date"))
			Expect(resp.Header.Get("ETag") == `"v1"` && resp.Header.Get("Cache-Control") != "" && dateOK).To(verify.Hold(), "expected the 304 to carry ETag \"v1\", Cache-Control and Date, observed ETag %q, Cache-Control %q, Date %q", resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"), resp.Header.Get("Date"))
		})
	})
}
