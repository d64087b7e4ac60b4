package probe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/httpcheck/httpcheck/harness"
	"golang.org/x/net/http/httpguts"
)

// A Recipe tells the session probe how to log in to a service and out
// again, and how to tell a logged-in answer from another (docs/probe.md).
// It is read from JSON; unknown fields are an error, so that a typo does
// not silently change what is tested.
type Recipe struct {
	// Base is the URL the recipe's relative URLs resolve against; without
	// it, the first URL given to the probe.
	Base string `json:"base,omitempty"`
	// SessionCookie names the session cookie. Without it, the probe takes
	// the cookie the login set or changed (one whose name looks like a
	// session, if several).
	SessionCookie string `json:"session_cookie,omitempty"`
	// Before are requests sent before logging in, in order: visiting the
	// site, starting a session, filling a cart.
	Before []Step `json:"before,omitempty"`
	// Login logs in: a request, or a pre-issued Cookie header value.
	Login Login `json:"login"`
	// Protected is a URL that answers differently to a logged-in user.
	Protected Protected `json:"protected"`
	// Logout logs out; without it, the logout check is skipped.
	Logout *Step `json:"logout,omitempty"`
	// Logins is how many logins the entropy estimate reads (default 20).
	Logins int `json:"logins,omitempty"`

	// SecretFields names more fields whose values are secrets, besides
	// those named like secrets (password, token, ...): their values are
	// redacted from the reports.
	SecretFields []string `json:"secret_fields,omitempty"`

	secrets []string // secrets.go
}

// A Step is one request of a recipe.
type Step struct {
	// Method defaults to POST when the step has a form or JSON, GET
	// otherwise.
	Method string `json:"method,omitempty"`
	URL    string `json:"url"`
	// Form is sent as application/x-www-form-urlencoded, JSON as
	// application/json; at most one of them.
	Form    map[string]string `json:"form,omitempty"`
	JSON    json.RawMessage   `json:"json,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`

	url *url.URL
}

// Login is a Step, or instead a Cookie header value issued beforehand
// ("sessionid=abc123"), for services whose login the probe cannot drive.
type Login struct {
	Step
	Cookie string `json:"cookie,omitempty"`
}

// Protected is the URL whose answer tells whether the browser is logged in.
type Protected struct {
	URL      string            `json:"url"`
	Headers  map[string]string `json:"headers,omitempty"`
	LoggedIn Match             `json:"logged_in"`

	url *url.URL
}

// Match says what a logged-in answer looks like: its status, a regular
// expression its body matches (RE2 syntax), or both.
type Match struct {
	Status int    `json:"status,omitempty"`
	Body   string `json:"body,omitempty"`

	body *regexp.Regexp
}

const (
	defaultLogins = 20
	maxLogins     = 200
)

// LoadRecipe reads a recipe file; relative URLs resolve against base when
// the recipe names none.
func LoadRecipe(path, base string) (*Recipe, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := ParseRecipe(data, base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// ParseRecipe decodes and checks a recipe. Any string value may instead be
// {"env": "NAME"}, read from the environment: a secret, redacted from the
// reports, as are the values of fields named like secrets or listed in
// secret_fields (secrets.go).
func ParseRecipe(data []byte, base string) (*Recipe, error) {
	var r Recipe
	data, secrets, err := resolveValues(data)
	if err != nil {
		return nil, err
	}
	r.secrets = secrets
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("not a recipe: %v", err)
	}
	if dec.More() {
		return nil, errors.New("not a recipe: data after the JSON object")
	}
	if r.Base != "" {
		base = r.Base
	}
	var b *url.URL
	if base != "" {
		var err error
		if b, err = absolute(nil, base, "base"); err != nil {
			return nil, err
		}
	}
	for i := range r.Before {
		if err := r.Before[i].resolve(b, fmt.Sprintf("before[%d]", i)); err != nil {
			return nil, err
		}
	}
	switch {
	case r.Login.Cookie != "" && (r.Login.URL != "" || r.Login.Form != nil || r.Login.JSON != nil):
		return nil, errors.New("login: give a request (url) or a pre-issued cookie, not both")
	case r.Login.Cookie != "":
		if !strings.Contains(r.Login.Cookie, "=") || !httpguts.ValidHeaderFieldValue(r.Login.Cookie) {
			return nil, fmt.Errorf("login.cookie %q: want a Cookie header value, name=value", r.Login.Cookie)
		}
	default:
		if err := r.Login.resolve(b, "login"); err != nil {
			return nil, err
		}
	}
	if r.Logout != nil {
		if err := r.Logout.resolve(b, "logout"); err != nil {
			return nil, err
		}
	}
	if r.SessionCookie != "" && !httpguts.ValidHeaderFieldName(r.SessionCookie) {
		return nil, fmt.Errorf("session_cookie %q: want a cookie name (a token)", r.SessionCookie)
	}
	if r.Protected.url, err = absolute(b, r.Protected.URL, "protected.url"); err != nil {
		return nil, err
	}
	if err := checkHeaders(r.Protected.Headers, "protected.headers"); err != nil {
		return nil, err
	}
	m := &r.Protected.LoggedIn
	if m.Status == 0 && m.Body == "" {
		return nil, errors.New("protected.logged_in: give a status, a body pattern or both, to tell a logged-in answer")
	}
	if m.Body != "" {
		if m.body, err = regexp.Compile(m.Body); err != nil {
			return nil, fmt.Errorf("protected.logged_in.body: %v", err)
		}
	}
	if m.Status != 0 && (m.Status < 100 || m.Status > 599) {
		return nil, fmt.Errorf("protected.logged_in.status %d is not an HTTP status", m.Status)
	}
	switch {
	case r.Logins == 0:
		r.Logins = defaultLogins
	case r.Logins < 2 || r.Logins > maxLogins:
		return nil, fmt.Errorf("logins %d: want 2 to %d", r.Logins, maxLogins)
	}
	return &r, nil
}

func (s *Step) resolve(base *url.URL, where string) error {
	if s.Form != nil && s.JSON != nil {
		return fmt.Errorf("%s: give a form or JSON, not both", where)
	}
	if s.Method == "" {
		s.Method = http.MethodGet
		if s.Form != nil || s.JSON != nil {
			s.Method = http.MethodPost
		}
	}
	s.Method = strings.ToUpper(s.Method)
	if !httpguts.ValidHeaderFieldName(s.Method) { // a method is a token (RFC 9110 §9.1), as a field name is
		return fmt.Errorf("%s.method %q: want a method such as GET or POST", where, s.Method)
	}
	if err := checkHeaders(s.Headers, where+".headers"); err != nil {
		return err
	}
	var err error
	s.url, err = absolute(base, s.URL, where+".url")
	return err
}

// checkHeaders refuses header fields that net/http would not send: a
// recipe that parsed but could not be sent would end every session check
// as `error` instead of saying what is wrong at the start.
func checkHeaders(h map[string]string, where string) error {
	for name, v := range h {
		if !httpguts.ValidHeaderFieldName(name) {
			return fmt.Errorf("%s: %q is not a field name (a token, RFC 9110 §5.1)", where, name)
		}
		if !httpguts.ValidHeaderFieldValue(v) {
			return fmt.Errorf("%s: the value of %s holds a line break or a control character", where, name)
		}
	}
	return nil
}

// absolute resolves ref against base into an absolute http(s) URL.
func absolute(base *url.URL, ref, where string) (*url.URL, error) {
	if ref == "" {
		return nil, fmt.Errorf("%s is missing", where)
	}
	u, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %v", where, ref, err)
	}
	if !u.IsAbs() {
		if base == nil {
			return nil, fmt.Errorf("%s %q is relative, and there is no base to resolve it against (give \"base\" or a URL to probe)", where, ref)
		}
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s %q: want an http:// or https:// URL", where, ref)
	}
	return u, nil
}

// ProtectedURL is the absolute URL of the protected page: the session
// probe's target.
func (r *Recipe) ProtectedURL() string { return r.Protected.url.String() }

// request is the harness request of a step.
func (s *Step) request(note string) harness.Request {
	h := http.Header{}
	for k, v := range s.Headers {
		h.Set(k, v)
	}
	req := harness.Request{Method: s.Method, URL: s.url, Header: h, Note: note}
	switch {
	case s.Form != nil:
		form := url.Values{}
		for k, v := range s.Form {
			form.Set(k, v)
		}
		req.Body = []byte(form.Encode())
		h.Set("Content-Type", "application/x-www-form-urlencoded")
	case s.JSON != nil:
		req.Body = s.JSON
		h.Set("Content-Type", "application/json")
	}
	return req
}

// matches reports whether r is a logged-in answer.
func (m Match) matches(r *harness.Response) bool {
	return (m.Status == 0 || r.Status == m.Status) && (m.body == nil || m.body.Match(r.Body))
}

func (m Match) String() string {
	var parts []string
	if m.Status != 0 {
		parts = append(parts, fmt.Sprintf("status %d", m.Status))
	}
	if m.Body != "" {
		parts = append(parts, fmt.Sprintf("a body matching %q", m.Body))
	}
	return strings.Join(parts, " and ")
}
