package crawltest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Hostile serves a site built to keep a crawler busy: a link loop, an
// infinite calendar, a page of HugeBytes, a redirect chain that never
// ends, a page that answers after Slow, a redirect loop, and links to
// other origins, javascript: and mailto:. A bounded crawl ends anyway.
type Hostile struct {
	HugeBytes int           // 0: 8 MiB
	Slow      time.Duration // 0: 30 s
}

func (h Hostile) Handler() http.Handler {
	huge, slow := h.HugeBytes, h.Slow
	if huge == 0 {
		huge = 8 << 20
	}
	if slow == 0 {
		slow = 30 * time.Second
	}
	mux := http.NewServeMux()
	html := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!doctype html><html><body>"+body+"</body></html>")
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<a href="/loop/a">loop</a> <a href="/calendar/2024/1">calendar</a> <a href="/huge">huge</a>
			<a href="/chain/0">chain</a> <a href="/slow">slow</a> <a href="/redirect-loop">redirect loop</a>
			<a href="http://evil.example/">other origin</a> <a href="javascript:alert(1)">js</a>
			<a href="mailto:x@example.com">mail</a> <a href="ftp://example.com/f">ftp</a>`)
	})
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) { html(w, `<a href="/loop/b">b</a> <a href="/">home</a>`) })
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) { html(w, `<a href="/loop/a">a</a>`) })
	mux.HandleFunc("/calendar/{year}/{month}", func(w http.ResponseWriter, r *http.Request) {
		var y, m int
		fmt.Sscan(r.PathValue("year"), &y)
		fmt.Sscan(r.PathValue("month"), &m)
		html(w, fmt.Sprintf(`<a href="/calendar/%d/%d">next</a> <a href="/calendar/%d/%d">next year</a>`, y+(m/12), m%12+1, y+1, m))
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		chunk := strings.Repeat(`<a href="/huge">again</a>`, 1024)
		for sent := 0; sent < huge && r.Context().Err() == nil; sent += len(chunk) {
			fmt.Fprint(w, chunk)
		}
	})
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusFound)
	})
	mux.HandleFunc("/redirect-loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/redirect-loop", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
		}
		html(w, "late")
	})
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	return mux
}
