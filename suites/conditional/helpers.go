package conditional

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// resource is a representation a check created on the target, with the
// validators its first GET carried.
type resource struct {
	b     *harness.Browser
	id    string
	first *harness.Response // the 200 to a plain GET right after PUT
}

func (r *resource) path() string { return "resources/" + r.id }

// create PUTs body as a new resource with the given query (validators,
// max_age, expires, weak) and GETs it once.
func create(e *harness.Env, body string, query ...string) *resource {
	GinkgoHelper()
	e.Require(harness.FeatureResources)
	r := &resource{b: e.NewBrowser(), id: harness.Unique("cond")}
	put := r.put(body, nil, query...)
	Expect(put).To(verify.HaveStatus("PUT of a new resource", http.StatusCreated, http.StatusOK))
	r.first = r.get(nil)
	Expect(r.first).To(verify.HaveStatus("GET of the resource just put", http.StatusOK))
	return r
}

// header builds an http.Header from name, value pairs.
func header(pairs ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(pairs); i += 2 {
		h.Add(pairs[i], pairs[i+1])
	}
	return h
}

func (r *resource) get(h http.Header) *harness.Response {
	return r.b.Do(harness.Request{Method: http.MethodGet, Path: r.path(), Header: h})
}

func (r *resource) head(h http.Header) *harness.Response {
	return r.b.Do(harness.Request{Method: http.MethodHead, Path: r.path(), Header: h})
}

func (r *resource) put(body string, h http.Header, query ...string) *harness.Response {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	return r.b.Do(harness.Request{Method: http.MethodPut, Path: r.path(), Query: harness.Query(query...), Header: h, Body: []byte(body)})
}

func (r *resource) delete(h http.Header) *harness.Response {
	return r.b.Do(harness.Request{Method: http.MethodDelete, Path: r.path(), Header: h})
}

// etag returns the ETag of the first GET, failing the check when the
// target sent none although asked to.
func (r *resource) etag() string {
	GinkgoHelper()
	tag := r.first.Header.Get("ETag")
	Expect(tag != "").To(verify.Hold(), "expected an ETag on the GET of a resource put with validators=both, observed none")
	return tag
}

// lastModified returns the Last-Modified of the first GET.
func (r *resource) lastModified() time.Time {
	GinkgoHelper()
	v := r.first.Header.Get("Last-Modified")
	t, ok := httpdate.Parse(v)
	Expect(ok).To(verify.Hold(), "expected a Last-Modified HTTP-date on the GET of a resource put with validators=both, observed %q", v)
	return t
}

// body reads the resource's current body with a plain GET.
func (r *resource) body() string {
	GinkgoHelper()
	g := r.get(nil)
	Expect(g).To(verify.HaveStatus("GET of the resource", http.StatusOK))
	return string(g.Body)
}

func httpDate(t time.Time) string { return httpdate.Format(t) }

// conditional sends the conditional GET p, built from the validators of
// the first GET, and grades the status it gets.
func (r *resource) conditional(p rules.Precondition) *harness.Response {
	GinkgoHelper()
	var etag string
	var lm time.Time
	if p.NeedsETag {
		etag = r.etag()
	}
	if p.NeedsLastModified {
		lm = r.lastModified()
	}
	resp := r.get(p.Header(etag, lm))
	Expect(p.Judge(resp.Status)).To(verify.Pass())
	return resp
}
