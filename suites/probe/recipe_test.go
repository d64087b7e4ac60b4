package probe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseRecipe: what a recipe may say, and how each mistake is reported.
// The cases are independent.
func TestParseRecipe(t *testing.T) {
	const base = "https://shop.example.test/app/"
	for _, tc := range []struct {
		name, json, want string
	}{
		{"not JSON", `login:`, "not a recipe"},
		{"an unknown field", `{"protected": {"url": "/me", "logged_in": {"status": 200}}, "login": {"url": "/login"}, "logut": {}}`, `unknown field "logut"`},
		{"no login", `{"protected": {"url": "/me", "logged_in": {"status": 200}}}`, "login.url is missing"},
		{"login and cookie", `{"protected": {"url": "/me", "logged_in": {"status": 200}}, "login": {"url": "/login", "cookie": "sid=1"}}`, "not both"},
		{"a cookie without =", `{"protected": {"url": "/me", "logged_in": {"status": 200}}, "login": {"cookie": "sid"}}`, "name=value"},
		{"form and JSON", `{"protected": {"url": "/me", "logged_in": {"status": 200}}, "login": {"url": "/login", "form": {"a": "b"}, "json": {}}}`, "a form or JSON, not both"},
		{"no protected URL", `{"protected": {"logged_in": {"status": 200}}, "login": {"url": "/login"}}`, "protected.url is missing"},
		{"no way to tell", `{"protected": {"url": "/me"}, "login": {"url": "/login"}}`, "give a status, a body pattern or both"},
		{"a bad pattern", `{"protected": {"url": "/me", "logged_in": {"body": "(("}}, "login": {"url": "/login"}}`, "protected.logged_in.body"},
		{"a bad status", `{"protected": {"url": "/me", "logged_in": {"status": 42}}, "login": {"url": "/login"}}`, "not an HTTP status"},
		{"one login", `{"protected": {"url": "/me", "logged_in": {"status": 200}}, "login": {"url": "/login"}, "logins": 1}`, "want 2 to 200"},
		{"not http", `{"protected": {"url": "ftp://x.test/me", "logged_in": {"status": 200}}, "login": {"url": "/login"}}`, "want an http:// or https:// URL"},
		{"a method with a space", `{"protected": {"url": "/me", "logged_in": {"status": 200}}, "login": {"url": "/login", "method": "GE T"}}`, "login.method"},
		{"a header with a line break", `{"protected": {"url": "/me", "logged_in": {"status": 200}}, "login": {"url": "/login", "headers": {"X-A": "a\r\nSet-Cookie: x=1"}}}`, "login.headers"},
		{"a header name with a space", `{"protected": {"url": "/me", "headers": {"Bad Name": "x"}, "logged_in": {"status": 200}}, "login": {"url": "/login"}}`, "protected.headers"},
		{"a cookie with a line break", `{"protected": {"url": "/me", "logged_in": {"status": 200}}, "login": {"cookie": "sid=1\r\nX-Evil: 1"}}`, "login.cookie"},
		{"a session cookie that is no name", `{"protected": {"url": "/me", "logged_in": {"status": 200}}, "login": {"url": "/login"}, "session_cookie": "a b"}`, "session_cookie"},
	} {
		_, err := ParseRecipe([]byte(tc.json), base)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
	// Relative URLs need a base.
	if _, err := ParseRecipe([]byte(`{"protected": {"url": "/me", "logged_in": {"status": 200}}, "login": {"url": "/login"}}`), ""); err == nil || !strings.Contains(err.Error(), "no base") {
		t.Errorf("relative URLs without a base: got %v", err)
	}
}

func TestParseRecipeResolves(t *testing.T) {
	r, err := ParseRecipe([]byte(`{
		"before": [{"url": "cart"}],
		"login": {"url": "login", "form": {"user": "alice", "password": "secret"}},
		"protected": {"url": "/account", "logged_in": {"body": "Signed in as alice"}},
		"logout": {"method": "post", "url": "https://auth.example.test/logout"}
	}`), "https://shop.example.test/app/page?x=1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ what, got, want string }{
		{"before", r.Before[0].url.String(), "https://shop.example.test/app/cart"},
		{"before method", r.Before[0].Method, "GET"},
		{"login", r.Login.url.String(), "https://shop.example.test/app/login"},
		{"login method", r.Login.Method, "POST"},
		{"protected", r.ProtectedURL(), "https://shop.example.test/account"},
		{"logout", r.Logout.url.String(), "https://auth.example.test/logout"},
		{"logout method", r.Logout.Method, "POST"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
		}
	}
	if r.Logins != defaultLogins {
		t.Errorf("logins %d, want the default %d", r.Logins, defaultLogins)
	}
	req := r.Login.request("login")
	if req.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || string(req.Body) != "password=secret&user=alice" {
		t.Errorf("the login form is sent as %q: %q", req.Header.Get("Content-Type"), req.Body)
	}
}

// TestReferenceRecipe: the recipe in docs/ parses, and names the contract's
// login endpoints on the address `httpcheck serve` listens on.
func TestReferenceRecipe(t *testing.T) {
	r, err := LoadRecipe(filepath.Join("..", "..", "docs", "probe-reference-recipe.json"), "")
	if err != nil {
		t.Fatal(err)
	}
	if r.ProtectedURL() != "https://127.0.0.1:8443/session/whoami" || r.SessionCookie != "sessionid" {
		t.Errorf("protected %s, cookie %s", r.ProtectedURL(), r.SessionCookie)
	}
	if _, err := os.Stat(filepath.Join("..", "..", "docs", "probe.md")); err != nil {
		t.Errorf("docs/probe.md documents the recipe: %v", err)
	}
}
