package faulttest

import (
	"encoding/json"
	"net/http"
	"strings"
)

// WithManifest wraps a reference so that its manifest says what edit makes
// of it: for a deployment whose manifest claims what its behaviour does
// not do, or the other way round.
func WithManifest(edit func(m map[string]any)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/manifest") {
				next.ServeHTTP(w, r)
				return
			}
			rec := &bufferedWriter{header: http.Header{}}
			next.ServeHTTP(rec, r)
			var m map[string]any
			if rec.status != http.StatusOK || json.Unmarshal(rec.body, &m) != nil {
				copyHeader(w.Header(), rec.header)
				w.WriteHeader(rec.status)
				w.Write(rec.body)
				return
			}
			edit(m)
			body, _ := json.Marshal(m)
			copyHeader(w.Header(), rec.header)
			w.Header().Del("Content-Length")
			w.WriteHeader(http.StatusOK)
			w.Write(body)
		})
	}
}

// bufferedWriter keeps a whole response.
type bufferedWriter struct {
	header http.Header
	status int
	body   []byte
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	b.body = append(b.body, p...)
	return len(p), nil
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = vs
	}
}
