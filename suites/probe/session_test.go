package probe_test

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/httpcheck/httpcheck/reports"
)

// formApp is a small site with a form login, written for this test: a
// theme cookie on every page, a session cookie (app_sess) only from login,
// server-side sessions that logout deletes, and /me, private, saying who
// is signed in. Its deliberate gap: the session cookie has no Secure (it
// serves plain http).
type formApp struct {
	mu       sync.Mutex
	sessions map[string]string // id -> user
}

func newSessionID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (a *formApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark", Path: "/"})
	a.mu.Lock()
	defer a.mu.Unlock()
	c, _ := r.Cookie("app_sess")
	user := ""
	if c != nil {
		user = a.sessions[c.Value]
	}
	switch r.URL.Path {
	case "/login":
		if r.Method != http.MethodPost || r.FormValue("password") != "secret" {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		id := newSessionID()
		a.sessions[id] = r.FormValue("user")
		http.SetCookie(w, &http.Cookie{Name: "app_sess", Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	case "/me":
		w.Header().Set("Cache-Control", "private, max-age=0")
		if user != "" {
			w.Write([]byte("Signed in as " + user))
			return
		}
		w.Write([]byte("Anonymous"))
	case "/logout":
		if c != nil {
			delete(a.sessions, c.Value)
		}
		http.SetCookie(w, &http.Cookie{Name: "app_sess", Path: "/", MaxAge: -1})
	default:
		w.Write([]byte("home"))
	}
}

func writeRecipe(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "recipe.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func states(res *reports.Results) map[string]string {
	out := map[string]string{}
	for _, c := range res.Checks {
		out[strings.TrimPrefix(c.ID, "probe/session/")] = string(c.State) + " " + c.Message
	}
	return out
}

func expectStates(t *testing.T, got map[string]string, want map[string]string) {
	t.Helper()
	for id, state := range want {
		if !strings.HasPrefix(got[id], state) {
			t.Errorf("%s: got %q, want %s", id, got[id], state)
		}
	}
}

// TestSessionRecipeForms: a form login, the session cookie's name inferred
// (the login set app_sess, and theme did not change), no session cookie
// before login (so nothing to rotate), and a pre-issued cookie instead of
// a login.
func TestSessionRecipeForms(t *testing.T) {
	app := &formApp{sessions: map[string]string{}}
	srv := httptest.NewServer(app)
	defer srv.Close()

	form := writeRecipe(t, `{
		"base": "`+srv.URL+`/",
		"before": [{"url": "/"}],
		"login": {"url": "/login", "form": {"user": "alice", "password": "secret"}},
		"protected": {"url": "/me", "logged_in": {"status": 200, "body": "Signed in as alice"}},
		"logout": {"method": "POST", "url": "/logout"}
	}`)
	got := states(probeRun{recipe: form}.run(t))
	expectStates(t, got, map[string]string{
		"rotates-on-login":          "skipped there was no app_sess cookie before login",
		"pre-login-cookie-rejected": "skipped",
		"logout-invalidates":        "passed",
		"id-entropy":                "passed",
		"cookie-attributes":         "failed expected the session cookie to carry Secure",
		"protected-page-not-stored": "passed",
	})

	app.mu.Lock()
	app.sessions["issued-by-the-test"] = "bob"
	app.mu.Unlock()
	issued := writeRecipe(t, `{
		"base": "`+srv.URL+`/",
		"login": {"cookie": "app_sess=issued-by-the-test"},
		"protected": {"url": "/me", "logged_in": {"body": "Signed in as bob"}},
		"logout": {"method": "POST", "url": "/logout"}
	}`)
	got = states(probeRun{recipe: issued}.run(t))
	expectStates(t, got, map[string]string{
		"rotates-on-login":          "skipped the recipe logs in with a pre-issued cookie",
		"pre-login-cookie-rejected": "skipped",
		"logout-invalidates":        "passed",
		"id-entropy":                "skipped",
		"cookie-attributes":         "skipped",
		"protected-page-not-stored": "passed",
	})

	wrong := writeRecipe(t, `{
		"base": "`+srv.URL+`/",
		"login": {"url": "/login", "form": {"user": "alice", "password": "wrong"}},
		"protected": {"url": "/me", "logged_in": {"body": "Signed in as alice"}}
	}`)
	for id, s := range states(probeRun{recipe: wrong}.run(t)) {
		if !strings.HasPrefix(s, "error") || !strings.Contains(s, "does not answer as logged in") && !strings.Contains(s, "setup") {
			t.Errorf("a login that fails: %s is %q, want an error", id, s)
		}
	}
}
