package cache

import (
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// The hit paths alone, in the process, without a network: what a per-view
// cache hit and a fragment hit cost beside rendering, in time and in
// allocations per operation (issue 19). Only public API is used, so the
// same file measures an older version of the package.
//
//	go test ./reference/cache -run '^$' -bench 'PageHit|Fragment' -benchmem

// discardWriter is a ResponseWriter that keeps nothing but its header map,
// reset between requests as net/http gives each request a new one.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// benchView is a view about as cheap as the reference's views/uncached.
var benchView = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"renders":1,"rendered_at":"2026-01-01T00:00:00.000000000Z"}`+"\n")
})

// BenchmarkPageHit: a GET answered by the per-view cache, and the view
// rendered without it, on the memory backend.
func BenchmarkPageHit(b *testing.B) {
	c := openBench(b)
	cached := CachePage(c, time.Hour, clock.NewManual(tNow))(benchView)
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"hit", cached}, {"render", benchView}} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "http://bench.test/v?ttl=3600", nil)
			w := &discardWriter{h: http.Header{}}
			bc.h.ServeHTTP(w, r) // the miss that fills the cache
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				bc.h.ServeHTTP(w, r)
			}
		})
	}
}

// benchFragmentPage is a page around a sidebar fragment, as views/fragment.
const benchFragmentPage = `{{define "sidebar"}}<section id="sidebar" data-user="{{.}}"><h2>{{.}}</h2><p>Rendered.</p></section>{{end}}` +
	`<main>{{.}}</main>`

// BenchmarkFragment: the page with its sidebar fragment from the cache
// (hit), and the same page including the sidebar template directly
// (render).
func BenchmarkFragment(b *testing.B) {
	c := openBench(b)
	page := template.New("page")
	f := NewFragments(c, page)
	page = template.Must(page.Funcs(f.FuncMap()).Parse(`{{cachefragment "sidebar" 3600 . .}}` + benchFragmentPage))
	rendered := template.Must(template.New("page").Parse(`{{template "sidebar" .}}` + benchFragmentPage))
	for _, bc := range []struct {
		name string
		t    *template.Template
	}{{"hit", page}, {"render", rendered}} {
		b.Run(bc.name, func(b *testing.B) {
			if err := bc.t.Execute(io.Discard, "ann"); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				bc.t.Execute(io.Discard, "ann")
			}
		})
	}
}
