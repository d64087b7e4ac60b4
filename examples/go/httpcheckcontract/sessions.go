package httpcheckcontract

import (
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// SessionSettings are the session settings a service really runs with:
// the manifest's session object.
type SessionSettings struct {
	CookieName string
	// CookieAge is the session's lifetime in seconds: the cookie's Max-Age
	// and the server-side expiry. 0 when there is none (the cookie lasts
	// until the browser closes).
	CookieAge            int
	ExpireAtBrowserClose bool
	SaveEveryRequest     bool
	Secure, HTTPOnly     bool
	SameSite             http.SameSite
	Path, Domain         string
	// Backend names the store: free text. "CookieStore" tells httpcheck
	// that the data lives in the cookie itself.
	Backend string
}

// Sessions is a service's session manager, as the contract drives it.
// Package gorillasessions implements it for github.com/gorilla/sessions.
type Sessions interface {
	// Settings are the settings the manifest reports.
	Settings() SessionSettings
	// Load returns the session of the request, a new empty one when the
	// request names none, or names one that the store does not know or no
	// longer honours. An error is a store failure (answered 503).
	Load(w http.ResponseWriter, r *http.Request) (Session, error)
}

// Session is one client's session. Values are JSON values as Value
// returns them: nil, bool, string, int64, float64, json.Number, []any and
// map[string]any.
type Session interface {
	Get(key string) (value any, found bool)
	Set(key string, value any)
	Delete(key string)
	Keys() []string
	// MaxAge is the session's lifetime in seconds, 0 when its cookie lasts
	// until the browser closes.
	MaxAge() int
	// SetMaxAge gives the session a lifetime of its own: seconds > 0, or 0
	// for a cookie that lasts until the browser closes.
	SetMaxAge(seconds int)
	// Rotate gives the session a new key and keeps its data: the old key
	// must name nothing afterwards (session fixation).
	Rotate() error
	// Destroy forgets the session on the server, data and key, and
	// deletes its cookie.
	Destroy() error
	// Save writes what changed to the store and the cookie to the
	// response: it is called before the answer's body, once per request
	// that changed the session.
	Save() error
}

// Keys the package keeps in a session for itself: the logged-in user, and
// whatever an adapter keeps under "_session_". The data endpoints neither
// show nor touch them, or session/set {"key": "_auth_user", ...} would log
// anyone in.
const userKey = "_auth_user"

var reservedPrefixes = []string{"_auth_", "_session_"}

func reserved(key string) bool {
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

func sessionManifest(s SessionSettings) map[string]any {
	m := map[string]any{
		"cookie_name":             s.CookieName,
		"cookie_age":              nil,
		"expire_at_browser_close": s.ExpireAtBrowserClose,
		"save_every_request":      s.SaveEveryRequest,
		"cookie_secure":           s.Secure,
		"cookie_httponly":         s.HTTPOnly,
		"cookie_samesite":         "",
		"cookie_path":             s.Path,
		"cookie_domain":           nil,
		"backend":                 s.Backend,
	}
	if s.CookieAge > 0 {
		m["cookie_age"] = s.CookieAge
	}
	switch s.SameSite {
	case http.SameSiteStrictMode:
		m["cookie_samesite"] = "Strict"
	case http.SameSiteLaxMode:
		m["cookie_samesite"] = "Lax"
	case http.SameSiteNoneMode:
		m["cookie_samesite"] = "None"
	}
	if s.Domain != "" {
		m["cookie_domain"] = s.Domain
	}
	return m
}

func (h *handler) session(w http.ResponseWriter, r *http.Request) (Session, error) {
	if h.opts.Sessions == nil {
		return nil, notFound("sessions are not configured (Options.Sessions)")
	}
	s, err := h.opts.Sessions.Load(w, r)
	if err != nil {
		h.opts.ErrorLog.Printf("httpcheckcontract: loading the session: %v", err)
		return nil, storeFailed(err)
	}
	return s, nil
}

// storeFailed is the answer to a failure of the session store: 503, for
// a store that may come back, with what failed.
func storeFailed(err error) *Error {
	return &Error{http.StatusServiceUnavailable, "the session store failed: " + err.Error()}
}

func save(s Session) error {
	if err := s.Save(); err != nil {
		return storeFailed(err)
	}
	return nil
}

func dataKey(key string) error {
	if key == "" {
		return badInput(`"key" must be a non-empty string`)
	}
	if reserved(key) {
		return badInput("key %q is reserved for the session itself (%s...)", key, strings.Join(reservedPrefixes, "..., "))
	}
	return nil
}

// readDataKey reads the body of session/set or session/delete, which may
// hold only members, and its "key", which must name session data
// (dataKey).
func (h *handler) readDataKey(w http.ResponseWriter, r *http.Request, members ...string) (body map[string]any, key string, err error) {
	if body, err = h.readObject(w, r); err != nil {
		return nil, "", err
	}
	if err := only(body, members...); err != nil {
		return nil, "", err
	}
	if key, err = stringMember(body, "key"); err != nil {
		return nil, "", err
	}
	if err := dataKey(key); err != nil {
		return nil, "", err
	}
	return body, key, nil
}

func (h *handler) sessionSet(w http.ResponseWriter, r *http.Request, _ []string) error {
	body, key, err := h.readDataKey(w, r, "key", "value")
	if err != nil {
		return err
	}
	value, err := member(body, "value")
	if err != nil {
		return err
	}
	s, err := h.session(w, r)
	if err != nil {
		return err
	}
	s.Set(key, Value(value))
	if err := save(s); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{})
}

func (h *handler) sessionGet(w http.ResponseWriter, r *http.Request, _ []string) error {
	key := r.URL.Query().Get("key")
	if err := dataKey(key); err != nil {
		return err
	}
	s, err := h.session(w, r)
	if err != nil {
		return err
	}
	v, found := s.Get(key)
	return writeJSON(w, http.StatusOK, map[string]any{"key": key, "found": found, "value": v})
}

func (h *handler) sessionDelete(w http.ResponseWriter, r *http.Request, _ []string) error {
	_, key, err := h.readDataKey(w, r, "key")
	if err != nil {
		return err
	}
	s, err := h.session(w, r)
	if err != nil {
		return err
	}
	_, found := s.Get(key)
	if found {
		s.Delete(key)
		if err := save(s); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"deleted": found})
}

func (h *handler) sessionAll(w http.ResponseWriter, r *http.Request, _ []string) error {
	s, err := h.session(w, r)
	if err != nil {
		return err
	}
	data := map[string]any{}
	for _, k := range s.Keys() {
		if !reserved(k) {
			data[k], _ = s.Get(k)
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

func expiryState(s Session) map[string]any {
	// The configured lifetime, as Django's get_expiry_age: not the time
	// left since the session was last saved.
	age := s.MaxAge()
	return map[string]any{"seconds_left": age, "at_browser_close": age == 0}
}

func (h *handler) sessionExpiry(w http.ResponseWriter, r *http.Request, _ []string) error {
	var seconds int64
	if r.Method == http.MethodPost {
		body, err := h.readObject(w, r)
		if err != nil {
			return err
		}
		if err := only(body, "seconds"); err != nil {
			return err
		}
		v, err := member(body, "seconds")
		if err != nil {
			return err
		}
		if seconds, err = wholeNumber(v, "seconds", 0, MaxSeconds); err != nil {
			return err
		}
	}
	s, err := h.session(w, r)
	if err != nil {
		return err
	}
	if r.Method == http.MethodPost {
		s.SetMaxAge(int(seconds))
		if err := save(s); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, expiryState(s))
}

func (h *handler) sessionFlush(w http.ResponseWriter, r *http.Request, _ []string) error {
	if err := h.noMembers(w, r); err != nil {
		return err
	}
	s, err := h.session(w, r)
	if err != nil {
		return err
	}
	if err := s.Destroy(); err != nil {
		return storeFailed(err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{})
}

// noMembers reads a body that must be empty or {}.
func (h *handler) noMembers(w http.ResponseWriter, r *http.Request) error {
	body, err := h.readObject(w, r)
	if err != nil {
		return err
	}
	return only(body)
}

// Login: a test hook that logs anyone in as anyone, without a password.
// Never enable the contract in production.

func (h *handler) login(w http.ResponseWriter, r *http.Request, _ []string) error {
	body, err := h.readObject(w, r)
	if err != nil {
		return err
	}
	if err := only(body, "user"); err != nil {
		return err
	}
	user, err := stringMember(body, "user")
	if err != nil {
		return err
	}
	if user == "" || len(user) > 256 || !utf8.ValidString(user) {
		return badInput(`"user" must be a non-empty string of at most 256 bytes`)
	}
	s, err := h.session(w, r)
	if err != nil {
		return err
	}
	if before, ok := s.Get(userKey); ok && before != user {
		// Another user's data never carries over, as Django's login()
		// flushes.
		for _, k := range slices.Clone(s.Keys()) {
			s.Delete(k)
		}
	}
	// A new key for the logged-in session: a key known before login must
	// name nothing afterwards.
	if err := s.Rotate(); err != nil {
		return storeFailed(err)
	}
	s.Set(userKey, user)
	if err := save(s); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"user": user})
}

func (h *handler) whoami(w http.ResponseWriter, r *http.Request, _ []string) error {
	s, err := h.session(w, r)
	if err != nil {
		return err
	}
	var user any
	if v, ok := s.Get(userKey); ok {
		if name, ok := v.(string); ok && name != "" {
			user = name
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"user": user})
}

// logout is session/flush: Django's logout() flushes the session (data,
// key and cookie), and so does the contract's session/logout.
func (h *handler) logout(w http.ResponseWriter, r *http.Request, args []string) error {
	return h.sessionFlush(w, r, args)
}
