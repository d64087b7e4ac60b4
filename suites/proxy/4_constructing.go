package proxy

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// reuseSpecs: the cache key and the method of a stored response, RFC 9111
// §4, and HEAD, RFC 9110 §9.3.2 and RFC 9111 §4.3.5.
func reuseSpecs() {
	Describe("constructing responses from caches (RFC 9111 4)", func() {
		queryInKey.It(func(e *harness.Env) {
			r := newResource(e, respond("for a=1", "Cache-Control: max-age=600"), respond("for a=2", "Cache-Control: max-age=600"))
			r.withQuery("a", "1").get("GET ?a=1")
			expectFromOrigin(r, r.withQuery("a", "2").get("GET ?a=2"), "for a=2", "GET ?a=2")
		})
		hostInKey.It(func(e *harness.Env) {
			e.RequireVirtualHosts()
			r := newResource(e, respond("for a.example.test", "Cache-Control: max-age=600"), respond("for b.example.test", "Cache-Control: max-age=600"))
			r.on("a.example.test").get("GET on host a.example.test")
			expectFromOrigin(r, r.on("b.example.test").get("the same path on host b.example.test"), "for b.example.test", "the GET on b.example.test")
		})
	})

	Describe("HEAD (RFC 9110 9.3.2, RFC 9111 4.3.5)", func() {
		const content = "the content a GET gets"
		headNotForGet.It(func(e *harness.Env) {
			r := newResource(e, respond(content, "Cache-Control: max-age=600", `ETag: "v1"`))
			r.do(http.MethodHead, "HEAD first")
			g := r.get("then GET")
			verify.That(g.Status == http.StatusOK && string(g.Body) == content, "expected the GET after a HEAD to get the content %q, observed %s", content, served(g))
		})
		headNoContent.It(func(e *harness.Env) {
			r := newResource(e, respond(content, "Cache-Control: max-age=600", `ETag: "v1"`))
			r.get("GET, to store the response")
			raw := r.b.Raw(http.MethodHead, r.s.Path("r"), nil)
			verify.That(len(raw.After) == 0, "expected no content after the header section of the response to HEAD, observed %d bytes: %.80q", len(raw.After), raw.After)
		})
		headSameFields.It(func(e *harness.Env) {
			r := newResource(e, respond(content, "Cache-Control: max-age=600", `ETag: "v1"`, "HC-Field: x"))
			r.get("GET, to store the response")
			h := r.do(http.MethodHead, "HEAD")
			verify.That(h.Header.Get("ETag") == `"v1"` && h.Header.Get("HC-Field") == "x",
				"expected the HEAD response to carry the GET response's ETag \"v1\" and HC-Field: x, observed ETag %q and HC-Field %q", h.Header.Get("ETag"), h.Header.Get("HC-Field"))
		})
	})

	Describe("Age (RFC 9111 4, 4.2.3, 5.1)", func() {
		agePresent.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600"))
			r.get("a response with max-age=600")
			second := r.get("the same again")
			skipUnlessReused(e, r, 1)
			verify.That(len(second.Header.Values("Age")) > 0, "expected Age on a response served from storage, observed none")
		})
		ageSyntax.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600"))
			r.get("a response with max-age=600")
			second := r.get("the same again")
			skipUnlessReused(e, r, 1)
			if len(second.Header.Values("Age")) == 0 {
				e.Skipf("the response served from storage has no Age (see proxy/age/present)")
			}
			_, ok := ageOf(second)
			verify.That(ok, "expected Age to be one non-negative integer, observed %q", second.Header.Values("Age"))
		})

		// Stale on arrival: an Age beyond max-age. The second GET must go
		// to the origin, which answers "v2".
		for _, c := range []struct {
			check *check.Check
			age   string
		}{
			{ageCounted, "7200"},
			{ageOverflow, "99999999999999999999"},
		} {
			c.check.It(func(e *harness.Env) {
				r := newResource(e, respond("v1", "Cache-Control: max-age=3600", "Age: "+c.age), respond("v2", "Cache-Control: max-age=3600"))
				r.get("a response with max-age=3600 and Age: " + c.age)
				expectKnownStale(r, r.get("the same again"), "the second GET")
			})
		}

		ageFirstMember.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600", "Age: 100, 5"))
			r.get("a response with Age: 100, 5")
			second := r.get("the same again")
			skipUnlessReused(e, r, 1)
			age, ok := ageOf(second)
			verify.That(ok && age >= 100*time.Second, "expected Age of at least 100 (the first member of \"100, 5\"), observed %q", second.Header.Values("Age"))
		})
		ageInvalid.It(func(e *harness.Env) {
			requireReuse(e)
			r := newResource(e, respond("v1", "Cache-Control: max-age=600", "Age: about a minute"), respond("v2", "Cache-Control: max-age=600"))
			r.get("a response with Age: about a minute")
			second := r.get("the same again")
			expectReusedAsControl(r, second, "v1", "a response with max-age=600 and an Age that is not an integer")
			_, ok := ageOf(second)
			verify.That(ok, "expected the invalid Age replaced by the cache's own, observed %q", second.Header.Values("Age"))
		})
	})
}

// ageWaiting: the Age of a response that stayed in storage through the
// shared wait.
func ageWaiting(w *check.WaitGroup) {
	// stored GETs a response and notes when; the verification GETs it
	// again and reads Age against the time that passed.
	stored := func(e *harness.Env, lines ...string) (r *resource, at time.Time) {
		r = newResource(e, respond("v1", lines...))
		at = e.Clock().Now()
		r.get("before the wait")
		return r, at
	}
	within := func(e *harness.Env, r *resource, at time.Time, base time.Duration) {
		GinkgoHelper()
		second := r.get("after the wait")
		skipUnlessReused(e, r, 1)
		age, ok := ageOf(second)
		elapsed := e.Clock().Now().Sub(at)
		lo, hi := base+elapsed-1500*time.Millisecond, base+elapsed+2500*time.Millisecond
		verify.That(ok && age >= lo && age <= hi, "expected Age between %d and %d (%s Age from the origin, %s in storage), observed %q",
			int(lo.Seconds()), int(hi.Seconds()), base, elapsed.Round(100*time.Millisecond), second.Header.Values("Age"))
	}
	w.It(ageGrows, func(e *harness.Env) func(*harness.Env) {
		r, at := stored(e, "Cache-Control: max-age=600")
		return func(e *harness.Env) { within(e, r, at, 0) }
	})
	w.It(ageUpstream, func(e *harness.Env) func(*harness.Env) {
		r, at := stored(e, "Cache-Control: max-age=600", "Age: 100")
		return func(e *harness.Env) { within(e, r, at, 100*time.Second) }
	})
}
