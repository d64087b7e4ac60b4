package probe

// A fuzz target for the session recipe, the one input of the probe that a
// user writes by hand (docs/probe.md). Seeds are in
// testdata/fuzz/FuzzParseRecipe.

import (
	"net/http"
	"testing"

	"golang.org/x/net/http/httpguts"
)

// FuzzParseRecipe: any file parses without panicking, and a recipe it
// accepts can be sent: every request of it builds (its method is a token,
// its URL absolute http or https), and every header field it adds, the
// pre-issued Cookie included, is one net/http will send. A recipe that
// parsed but could not be sent would end every session check as `error`
// instead of stopping with exit code 2 and the reason.
func FuzzParseRecipe(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, base string) {
		r, err := ParseRecipe(data, base)
		if err != nil {
			return
		}
		steps := append([]Step{r.Login.Step}, r.Before...)
		if r.Logout != nil {
			steps = append(steps, *r.Logout)
		}
		steps = append(steps, Step{Method: http.MethodGet, url: r.Protected.url, Headers: r.Protected.Headers})
		for i, s := range steps {
			if i == 0 && r.Login.Cookie != "" {
				if !httpguts.ValidHeaderFieldValue(r.Login.Cookie) {
					t.Fatalf("%q: login.cookie %q cannot be sent", data, r.Login.Cookie)
				}
				continue
			}
			req := s.request("fuzz")
			if _, err := http.NewRequest(req.Method, req.URL.String(), nil); err != nil {
				t.Fatalf("%q: step %d (%s %s) does not build: %v", data, i, req.Method, req.URL, err)
			}
			for name, values := range req.Header {
				for _, v := range values {
					if !httpguts.ValidHeaderFieldName(name) || !httpguts.ValidHeaderFieldValue(v) {
						t.Fatalf("%q: step %d sends the field %q: %q, which net/http refuses", data, i, name, v)
					}
				}
			}
		}
		if r.SessionCookie != "" && !httpguts.ValidHeaderFieldName(r.SessionCookie) {
			t.Fatalf("%q: session_cookie %q is no cookie name", data, r.SessionCookie)
		}
	})
}
