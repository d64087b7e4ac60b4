package faulttest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
)

// OnHeaders wraps a handler so that hook may rewrite the response header
// just before it is sent: the simplest way to break what a server emits.
func OnHeaders(hook func(r *http.Request, h http.Header)) func(http.Handler) http.Handler {
	return OnResponse(func(r *http.Request, _ int, h http.Header) { hook(r, h) })
}

// OnResponse is OnHeaders for a hook that needs the status too.
func OnResponse(hook func(r *http.Request, status int, h http.Header)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(&headerHook{ResponseWriter: w, hook: func(status int, h http.Header) { hook(r, status, h) }}, r)
		})
	}
}

type headerHook struct {
	http.ResponseWriter
	hook func(int, http.Header)
	done bool
}

func (w *headerHook) WriteHeader(code int) {
	// A 1xx goes before the response the hook rewrites (RFC 9110 §15.2).
	if !w.done && (code < 100 || code > 199) {
		w.done = true
		w.hook(code, w.Header())
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *headerHook) Write(b []byte) (int, error) {
	if !w.done {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// RewriteSetCookie rewrites every Set-Cookie line of responses to paths
// ending in pathSuffix ("" for all); f returns the lines to send instead.
func RewriteSetCookie(pathSuffix string, f func(r *http.Request, line string) []string) func(http.Handler) http.Handler {
	return OnHeaders(func(r *http.Request, h http.Header) {
		if !strings.HasSuffix(r.URL.Path, pathSuffix) {
			return
		}
		var out []string
		for _, line := range h.Values("Set-Cookie") {
			out = append(out, f(r, line)...)
		}
		h.Del("Set-Cookie")
		for _, l := range out {
			h.Add("Set-Cookie", l)
		}
	})
}

// Replace answers requests to paths ending in pathSuffix with h instead of
// the reference server.
func Replace(pathSuffix string, h http.HandlerFunc) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, pathSuffix) {
				h(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Attributes splits a Set-Cookie line into its name=value pair and its
// attributes, trimmed.
func Attributes(line string) (pair string, attrs []string) {
	parts := strings.Split(line, ";")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts[0], parts[1:]
}

// Join puts a pair and attributes back into a Set-Cookie line.
func Join(pair string, attrs []string) string {
	return strings.Join(append([]string{pair}, attrs...), "; ")
}

// DropAttributes removes the named attributes (case-insensitive) from a
// Set-Cookie line.
func DropAttributes(line string, names ...string) string {
	pair, attrs := Attributes(line)
	var kept []string
	for _, a := range attrs {
		n, _, _ := strings.Cut(a, "=")
		drop := false
		for _, name := range names {
			if strings.EqualFold(strings.TrimSpace(n), name) {
				drop = true
			}
		}
		if !drop {
			kept = append(kept, a)
		}
	}
	return Join(pair, kept)
}

// SetAttribute replaces (or adds) attribute name with value ("" for a
// flag such as Secure).
func SetAttribute(line, name, value string) string {
	line = DropAttributes(line, name)
	pair, attrs := Attributes(line)
	a := name
	if value != "" {
		a += "=" + value
	}
	return Join(pair, append(attrs, a))
}

// Attribute returns the value of attribute name, and whether it is there.
func Attribute(line, name string) (string, bool) {
	_, attrs := Attributes(line)
	for _, a := range attrs {
		n, v, _ := strings.Cut(a, "=")
		if strings.EqualFold(strings.TrimSpace(n), name) {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// Probe runs next for a copy of r without its conditional header fields
// and returns the header next would answer with: a fault that needs the
// resource's current validators reads them here.
func Probe(next http.Handler, r *http.Request) http.Header {
	probe := r.Clone(r.Context())
	probe.Method = http.MethodHead
	for _, f := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		probe.Header.Del(f)
	}
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, probe)
	return rec.Result().Header
}

// OnRequest wraps a handler so that f may rewrite requests to paths
// containing pathPart before the server sees them, or answer them itself
// (f returns true when it did).
func OnRequest(pathPart string, f func(next http.Handler, w http.ResponseWriter, r *http.Request) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, pathPart) && f(next, w, r) {
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// RewriteRequests wraps a handler so that f rewrites every request to a
// path containing pathPart ("" for all) before the server sees it.
func RewriteRequests(pathPart string, f func(r *http.Request)) func(http.Handler) http.Handler {
	return OnRequest(pathPart, func(_ http.Handler, _ http.ResponseWriter, r *http.Request) bool {
		f(r)
		return false
	})
}

// IfModifiedSinceWins drops If-None-Match from every request to a path
// containing pathPart that also carries If-Modified-Since, so that the date
// alone decides: nginx's not-modified filter, against RFC 9110 §13.2.2's
// order of evaluation. The conditional, probe and proxy suites each grade
// that order.
func IfModifiedSinceWins(pathPart string) func(http.Handler) http.Handler {
	return RewriteRequests(pathPart, func(r *http.Request) {
		if r.Header.Get("If-Modified-Since") != "" {
			r.Header.Del("If-None-Match")
		}
	})
}

// Chain applies wrappers in order, the first outermost.
func Chain(wraps ...func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		for i := len(wraps) - 1; i >= 0; i-- {
			h = wraps[i](h)
		}
		return h
	}
}

// NotModifiedWithBody answers the raw conditional GETs of resources that
// when selects (a request of the harness's raw exchanges, which closes the
// connection) with a 304 that carries a body, which RFC 9110 §15.4.5
// forbids: net/http would never send those bytes, so the connection is
// hijacked and the answer written by hand.
func NotModifiedWithBody(when func(r *http.Request) bool) func(http.Handler) http.Handler {
	return OnRequest("/resources/", func(next http.Handler, w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !when(r) || r.Header.Get("Connection") != "close" {
			return false
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return false
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 304 Not Modified\r\nETag: " + Probe(next, r).Get("ETag") + "\r\nConnection: close\r\n\r\nthe body a 304 must not have")
		buf.Flush()
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		return true
	})
}
