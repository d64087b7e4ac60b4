package server

// Fuzz targets for what the reference server reads from any client: the
// path, the JSON body and the request as a whole. Seed corpora are in
// testdata/fuzz/<target>/; docs/reliability.md has the long runs. The
// hostile catalogue (hostile_test.go) is the same idea as a table, on a
// real socket.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/httpcheck/httpcheck/reference/cache"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/session"
)

// FuzzCheckJSONText: checkJSONText refuses invalid UTF-8, and whatever it
// lets through decodes without a replacement character the text did not
// hold (encoding/json's silent U+FFFD for a lone surrogate or a bad byte).
func FuzzCheckJSONText(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		err := checkJSONText(data)
		if !utf8.Valid(data) && err == nil {
			t.Fatalf("%q: invalid UTF-8 let through", data)
		}
		if err != nil || !json.Valid(data) {
			return
		}
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		lower := bytes.ToLower(data)
		if hasReplacement(v) && !bytes.Contains(data, []byte("\uFFFD")) && !bytes.Contains(lower, []byte(`\ufffd`)) {
			t.Fatalf("%q decodes with a U+FFFD it does not hold: %q", data, v)
		}
	})
}

// hasReplacement reports whether a decoded JSON value holds U+FFFD in a
// string or a member name.
func hasReplacement(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.ContainsRune(v, utf8.RuneError)
	case []any:
		for _, e := range v {
			if hasReplacement(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if strings.ContainsRune(k, utf8.RuneError) || hasReplacement(e) {
				return true
			}
		}
	}
	return false
}

// FuzzIsCleanPath: a path is clean exactly when it is absolute and has no
// empty, "." or ".." segment (but may end in "/").
func FuzzIsCleanPath(f *testing.F) {
	f.Fuzz(func(t *testing.T, p string) {
		want := p == "/"
		if len(p) > 1 && p[0] == '/' {
			want = true
			for _, s := range strings.Split(strings.TrimSuffix(p[1:], "/"), "/") {
				if s == "" || s == "." || s == ".." {
					want = false
				}
			}
		}
		if got := isCleanPath(p); got != want {
			t.Fatalf("isCleanPath(%q) = %v, want %v (path.Clean: %q)", p, got, want, path.Clean(p))
		}
	})
}

// FuzzContractRequest sends any method, path, query, Cookie, conditional
// field and body to a reference server with every feature (memory
// stores), and wants what the contract promises whatever came in: no 5xx
// and no panic, and a JSON answer from every endpoint that answers JSON.
func FuzzContractRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, method, target, cookieField, conditional, body string) {
		clk := &clock.Virtual{}
		store, err := session.Open("memory", clk)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		caches, err := cache.OpenAliases("memory", DefaultCacheAliases(), clk)
		if err != nil {
			t.Fatal(err)
		}
		defer caches.Close()
		srv := New(Options{Clock: clk, Sessions: store, SessionSettings: session.DefaultSettings(), Caches: caches})

		u, err := url.ParseRequestURI(target)
		if err != nil || method == "" || strings.ContainsAny(method, " \r\n") {
			return // net/http answers these itself, before any handler
		}
		r := &http.Request{Method: method, URL: u, RequestURI: target, Host: "a.example.test",
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{},
			Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
		if cookieField != "" {
			r.Header.Set("Cookie", cookieField)
		}
		if conditional != "" {
			name, value, _ := strings.Cut(conditional, ":")
			for _, n := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
				if strings.EqualFold(strings.TrimSpace(name), n) {
					r.Header.Set(n, value)
				}
			}
		}
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %q answered %d: %.300q", method, target, w.Code, w.Body.Bytes())
		}
		if w.Code >= 300 && w.Code < 400 && w.Code != http.StatusNotModified {
			t.Fatalf("%s %q answered %d: the contract never redirects", method, target, w.Code)
		}
		ct := w.Header().Get("Content-Type")
		isResource := strings.HasPrefix(u.Path, "/resources/") && w.Code < 300
		isPage := strings.HasPrefix(u.Path, "/views/fragment") && w.Code == http.StatusOK
		if w.Code != http.StatusNoContent && w.Code != http.StatusNotModified && !isResource && !isPage {
			if ct != "application/json" || !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%s %q answered %d with %q: %.300q", method, target, w.Code, ct, w.Body.Bytes())
			}
		}
	})
}
