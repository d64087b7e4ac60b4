package views

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

func itoa(n int) string { return strconv.Itoa(n) }

// requireViews skips the check unless the target declares the views.
func requireViews(e *harness.Env) { e.Require(harness.FeatureViews) }

// requireShared skips the check when the target's cache is per instance:
// two requests may reach two caches, so a miss proves nothing.
func requireShared(e *harness.Env) {
	requireViews(e)
	if s := e.Target.Manifest.Cache; s != nil && s.PerInstance {
		e.Skipf("the target's cache is per instance (manifest cache.per_instance): consecutive requests may reach caches that do not share entries")
	}
}

// render is the body of views/cached and views/uncached.
type render struct {
	Renders    int
	RenderedAt time.Time
	// text describes it for messages.
	text string
}

func (r render) String() string { return r.text }

// sameRender reports whether two answers are one render.
func (r render) sameRender(o render) bool {
	return r.Renders == o.Renders && r.RenderedAt.Equal(o.RenderedAt)
}

// cachedQuery is views/cached's query: ttl, a probe of the check's own and
// extra pairs.
func cachedQuery(ttl int, probe string, extra ...string) []string {
	return append([]string{"ttl", itoa(ttl), "probe", probe}, extra...)
}

// fetch GETs a view and returns the response, asserting nothing: for
// setups.
func fetch(b *harness.Browser, path string, query []string, header http.Header, note string) *harness.Response {
	return b.Do(harness.Request{Method: http.MethodGet, Path: path, Query: harness.Query(query...), Header: header, Note: note})
}

// readRender checks that r is a 200 with the contract's JSON and reads it.
func readRender(r *harness.Response) render {
	ginkgo.GinkgoHelper()
	Expect(r).To(verify.HaveStatus("GET "+r.URL.Path+"?"+r.URL.RawQuery, http.StatusOK))
	var body struct {
		Renders    *json.Number `json:"renders"`
		RenderedAt *string      `json:"rendered_at"`
	}
	r.Decode(&body)
	Expect(body.Renders != nil).To(verify.Hold(), "expected %s to answer a number \"renders\", observed %.160s", r.URL.Path, r.Body)
	n, err := body.Renders.Int64()
	Expect(err == nil && n >= 1).To(verify.Hold(), "expected %s to answer renders as a positive integer, observed %s", r.URL.Path, body.Renders)
	Expect(body.RenderedAt != nil).To(verify.Hold(), "expected %s to answer \"rendered_at\", observed %.160s", r.URL.Path, r.Body)
	at, err := time.Parse(time.RFC3339, *body.RenderedAt)
	Expect(err == nil).To(verify.Hold(), "expected rendered_at as an RFC 3339 time, observed %q", *body.RenderedAt)
	return render{Renders: int(n), RenderedAt: at, text: "renders " + body.Renders.String() + " at " + *body.RenderedAt}
}

// getRender GETs a view and reads its render.
func getRender(b *harness.Browser, path string, query []string, note string) (render, *harness.Response) {
	ginkgo.GinkgoHelper()
	r := fetch(b, path, query, nil, note)
	return readRender(r), r
}

// page is views/fragment as a browser reads it.
type page struct {
	doc     *goquery.Document
	user    string // the sidebar's data-user
	sidebar int    // the sidebar's data-renders
	content int    // main#content's data-renders
}

// fragmentQuery is views/fragment's query for user, with ttl when > 0.
func fragmentQuery(user string, ttl int) []string {
	q := []string{"user", user}
	if ttl > 0 {
		q = append(q, "ttl", itoa(ttl))
	}
	return q
}

// readPage checks that r is the contract's HTML page and reads it.
func readPage(r *harness.Response) page {
	ginkgo.GinkgoHelper()
	Expect(r).To(verify.HaveStatus("GET "+r.URL.Path+"?"+r.URL.RawQuery, http.StatusOK))
	ct := r.Header.Get("Content-Type")
	Expect(strings.HasPrefix(strings.ToLower(ct), "text/html")).To(verify.Hold(), "expected views/fragment to be text/html, observed Content-Type %q", ct)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.Body))
	Expect(err == nil).To(verify.Hold(), "expected views/fragment to be HTML, observed a body that does not parse: %v", err)
	sidebars, contents := doc.Find("section#sidebar"), doc.Find("main#content")
	Expect(sidebars.Length() == 1).To(verify.Hold(), "expected one section#sidebar in views/fragment, observed %d", sidebars.Length())
	Expect(contents.Length() == 1).To(verify.Hold(), "expected one main#content in views/fragment, observed %d", contents.Length())
	p := page{doc: doc}
	var ok bool
	p.user, ok = sidebars.Attr("data-user")
	Expect(ok).To(verify.Hold(), "expected section#sidebar to carry data-user, observed none")
	p.sidebar = renders(sidebars, "section#sidebar")
	p.content = renders(contents, "main#content")
	return p
}

// renders reads a positive integer data-renders.
func renders(s *goquery.Selection, what string) int {
	ginkgo.GinkgoHelper()
	v, ok := s.Attr("data-renders")
	Expect(ok).To(verify.Hold(), "expected %s to carry data-renders, observed none", what)
	n, err := strconv.Atoi(strings.TrimSpace(v))
	Expect(err == nil && n >= 1).To(verify.Hold(), "expected %s data-renders to be a positive integer, observed %q", what, v)
	return n
}

// getPage GETs views/fragment and reads it.
func getPage(b *harness.Browser, user string, ttl int, note string) page {
	ginkgo.GinkgoHelper()
	return readPage(fetch(b, "views/fragment", fragmentQuery(user, ttl), nil, note))
}
