package sessions

import (
	"crypto/rand"
	"math/big"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
)

// inventKey returns a key shaped like real, one the target issued: the
// same length, the same punctuation in the same places, and letters and
// digits drawn from those real uses. A target that checks only the shape of
// a key cannot tell it from one of its own.
func inventKey(real string) string {
	var alphabet []rune
	for _, c := range real {
		if isAlnum(c) && !strings.ContainsRune(string(alphabet), c) {
			alphabet = append(alphabet, c)
		}
	}
	if len(alphabet) < 2 {
		alphabet = []rune("abcdefghijklmnopqrstuvwxyz234567")
	}
	for {
		out := []rune(real)
		for i, c := range out {
			if isAlnum(c) {
				n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
				out[i] = alphabet[n.Int64()]
			}
		}
		if s := string(out); s != real {
			return s
		}
	}
}

func isAlnum(c rune) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// sharedCacheProblem says why a shared cache may keep r: "" when r
// carries no-store or an unqualified private.
func sharedCacheProblem(r *harness.Response) string {
	d := cachecontrol.Parse(r.Header.Values("Cache-Control"))
	private, fields := d.Private()
	switch {
	case d.NoStore():
		return ""
	case private && len(fields) == 0:
		return ""
	case private:
		return "private names only some fields (" + strings.Join(fields, ", ") + "), so a shared cache may keep the rest"
	case len(r.Header.Values("Cache-Control")) == 0:
		return "no Cache-Control at all"
	}
	return "Cache-Control: " + strings.Join(r.Header.Values("Cache-Control"), ", ")
}

// varies reports whether the Vary header fields of r list Cookie (or *).
func varies(r *harness.Response) bool {
	for _, v := range r.Header.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if f == "*" || strings.EqualFold(f, "Cookie") {
				return true
			}
		}
	}
	return false
}

// Fixation, OWASP WSTG SESS-03 and ASVS 4.0.3 §3.2.1: the server, not the
// client, names a session.
var (
	fixationInvent = suite.Advisory("fixation/invented-key", "a session key the client invents is never adopted: the server names the session with a key of its own", "OWASP WSTG SESS-03", "OWASP ASVS 3.2.1")
)

// Caches: a session answer is one user's.
var (
	varyCookie = suite.Should("caching/vary-cookie", "answers that read the session carry Vary: Cookie", "RFC9110 12.5.5")
	notShared  = suite.Advisory("caching/not-shared", "answers that set the session cookie carry Cache-Control private or no-store, so no shared cache serves them to another user", "RFC9111 5.2.2.5", "RFC9111 5.2.2.7", "OWASP WSTG SESS-02")
)

var _ = Describe("sessions", Label("suite:sessions"), func() {
	Describe("fixation", func() {
		fixationInvent.It(func(e *harness.Env) {
			real := heldKeyAfterSet(e)
			invented := inventKey(real)
			k := uniqueKey("planted")
			header := settings(e).CookieName + "=" + invented
			By("sending session/set with an invented key " + invented)
			r := e.SessionBrowser().Do(harness.Request{Method: http.MethodPost, Path: "session/set",
				JSON: map[string]any{"key": k, "value": "planted"}, Cookie: &header, Note: "a session cookie the client invented"})
			Expect(r).To(verify.HaveStatus("session/set with an invented session cookie", http.StatusOK))
			if _, sc, ok := sessionCookie(e, r); ok {
				Expect(sc.Value != invented).To(verify.Hold(), "expected the server to name the new session with a key of its own, observed it adopt the invented key %q", invented)
			}
			got := replayGet(e, invented, k)
			Expect(!got.Found).To(verify.Hold(), "expected the invented key %q to name no session, observed it holding %s = %s", invented, k, got.value())
		})
	})

	Describe("caches", func() {
		varyCookie.It(func(e *harness.Env) {
			b := e.SessionBrowser()
			k := uniqueKey("vary")
			set(b, k, `"v"`)
			for _, r := range []*harness.Response{
				b.Get("session/get", "key", k),
				b.Get("session/all"),
				b.Get("session/expiry"),
			} {
				Expect(r).To(verify.HaveStatus("GET "+r.URL.Path, http.StatusOK))
				Expect(varies(r)).To(verify.Hold(), "expected Vary: Cookie on GET %s, which reads the session, observed Vary %q", r.URL.Path, strings.Join(r.Header.Values("Vary"), ", "))
			}
		})

		notShared.It(func(e *harness.Env) {
			b := e.SessionBrowser()
			k := uniqueKey("shared")
			setting := 0
			for _, r := range []*harness.Response{
				set(b, k, `"v"`),
				setExpiry(b, longLifetime),
				set(b, k, `"changed"`),
			} {
				if _, _, ok := sessionCookie(e, r); !ok {
					continue
				}
				setting++
				problem := sharedCacheProblem(r)
				Expect(problem == "").To(verify.Hold(), "expected the answer to %s, which sets the session cookie, to carry Cache-Control private or no-store, observed %s", r.URL.Path, problem)
			}
			Expect(setting > 0).To(verify.Hold(), "expected at least one session answer to set the session cookie, observed none")
		})
	})
})

// heldKeyAfterSet starts a session in a fresh browser and returns its key.
func heldKeyAfterSet(e *harness.Env) string {
	GinkgoHelper()
	b := e.SessionBrowser()
	set(b, uniqueKey("real"), `"v"`)
	k := b.SessionKey()
	Expect(k != "").To(verify.Hold(), "expected session/set to give a new browser a session cookie, observed none")
	return k
}
