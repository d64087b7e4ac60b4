package proxy

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reference/httpcache"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
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

var forOriginCases = []forOrigin{
	{condIfMatch, func(*harness.Response) (string, string) { return "If-Match", `"v0"` }},
	{condIUS, func(first *harness.Response) (string, string) {
		lm, _ := httpcache.ParseHTTPDate(first.Header.Get("Last-Modified"))
		return "If-Unmodified-Since", httpcache.FormatHTTPDate(lm.Add(-time.Hour))
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
			verify.That(resp.Status == http.StatusNotModified && len(r.hits()) == 1, "expected a 304 from storage, observed %s with the origin asked %s", served(resp), times(len(r.hits())))
		})
		condINMOther.It(func(e *harness.Env) {
			r, _ := current(e)
			resp := r.get(`If-None-Match: "v0"`, "If-None-Match", `"v0"`)
			verify.That(resp.Status == http.StatusOK && string(resp.Body) == "v1", "expected the full 200 \"v1\" for If-None-Match: \"v0\", observed %s", served(resp))
		})
		condINMWeak.It(func(e *harness.Env) {
			r, _ := current(e)
			resp := r.get(`If-None-Match: W/"v1"`, "If-None-Match", `W/"v1"`)
			verify.That(resp.Status == http.StatusNotModified, "expected 304 for If-None-Match: W/\"v1\" against ETag \"v1\" (weak comparison), observed %s", served(resp))
		})
		condIMS.It(func(e *harness.Env) {
			r, first := current(e)
			reused(e, r)
			resp := r.get("If-Modified-Since: the stored Last-Modified", "If-Modified-Since", first.Header.Get("Last-Modified"))
			verify.That(resp.Status == http.StatusNotModified && len(r.hits()) == 1, "expected a 304 from storage, observed %s with the origin asked %s", served(resp), times(len(r.hits())))
		})
		condIMSDate.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600"))
			first := r.get("a fresh response without validators")
			reused(e, r)
			resp := r.get("If-Modified-Since: the stored Date", "If-Modified-Since", first.Header.Get("Date"))
			verify.That(resp.Status == http.StatusNotModified && len(r.hits()) == 1, "expected a 304 from storage for If-Modified-Since equal to the stored Date, observed %s with the origin asked %s", served(resp), times(len(r.hits())))
		})
		condPrecedence.It(func(e *harness.Env) {
			r, first := current(e)
			resp := r.get(`If-None-Match: "v0" with a matching If-Modified-Since`, "If-None-Match", `"v0"`, "If-Modified-Since", first.Header.Get("Last-Modified"))
			verify.That(resp.Status == http.StatusOK && string(resp.Body) == "v1", "expected the full 200: If-None-Match \"v0\" does not match, and If-Modified-Since is then ignored; observed %s", served(resp))
		})
		for _, c := range forOriginCases {
			c.check.It(func(e *harness.Env) {
				r, first := current(e)
				name, value := c.header(first)
				resp := r.get(name+": "+value, name, value)
				if resp.Status == http.StatusPreconditionFailed {
					verify.That(len(r.hits()) == 2, "expected %s to be evaluated by the origin, observed a 412 the cache generated without asking it", name)
				}
			})
		}
		condUnstored.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600", `ETag: "v1"`))
			resp := r.get(`If-None-Match: "v1" for something the cache has not stored`, "If-None-Match", `"v1"`)
			verify.That(len(r.hits()) == 1, "expected the conditional request forwarded to the origin, observed %s answered with the origin asked %s", served(resp), times(len(r.hits())))
		})
		cond304Fields.It(func(e *harness.Env) {
			r, _ := current(e)
			resp := r.get(`If-None-Match: "v1"`, "If-None-Match", `"v1"`)
			if resp.Status != http.StatusNotModified {
				e.Skipf("no 304 to look at (%s)", served(resp))
			}
			_, dateOK := httpcache.ParseHTTPDate(resp.Header.Get("Date"))
			verify.That(resp.Header.Get("ETag") == `"v1"` && resp.Header.Get("Cache-Control") != "" && dateOK,
				"expected the 304 to carry ETag \"v1\", Cache-Control and Date, observed ETag %q, Cache-Control %q, Date %q",
				resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"), resp.Header.Get("Date"))
		})
	})
}
