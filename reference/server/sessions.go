package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/httpcheck/httpcheck/reference/session"
)

// The contract's session and login endpoints (docs/contract.md, Sessions
// and Login), served through reference/session's middleware. Only these
// routes go through it: the cookies and resources endpoints never load,
// save or vary on a session.
//
// Every answer here is one client's state, so it carries Cache-Control:
// no-store (a shared cache must never hand one user's session, or the
// Set-Cookie that names it, to another; RFC 9111 §5.2.2.5, OWASP WSTG
// SESS-02). writeJSON adds the same to every contract answer; sessionRoute
// sets it first, so that even an answer the session middleware replaces
// (its 400 and 503) keeps it.

// authUserKey holds the logged-in user in the session data, under Django's
// name. Keys beginning with authPrefix belong to login: a client cannot set,
// read or delete them through session/set, get or delete, or else
// session/set {"key": "_auth_user_id", "value": "admin"} would log anyone
// in as anyone. session/all leaves them out.
const (
	authPrefix  = "_auth_"
	authUserKey = authPrefix + "user_id"
)

// maxSessionExpiry bounds POST session/expiry: user agents keep a cookie at
// most 400 days (RFC 6265bis §4.1.2.1), so a longer session could not be
// honoured by the cookie that names it.
const maxSessionExpiry = maxLifetimeSeconds

func (s *Server) sessionRoutes() {
	mw := session.Middleware(s.opts.Sessions, s.opts.SessionSettings, s.opts.Clock)
	route := func(pattern string, h http.HandlerFunc) {
		s.mux.Handle(pattern, sessionRoute(mw(h)))
	}
	route("POST /session/set", s.sessionSet)
	route("GET /session/get", s.sessionGet)
	route("POST /session/delete", s.sessionDelete)
	route("GET /session/all", s.sessionAll)
	route("POST /session/expiry", s.sessionSetExpiry)
	route("GET /session/expiry", s.sessionExpiry)
	route("POST /session/flush", s.sessionFlush)
	route("POST /session/login", s.sessionLogin)
	route("GET /session/whoami", s.sessionWhoami)
	route("POST /session/logout", s.sessionLogout)
}

// sessionRoute marks every answer of a session endpoint as not storable
// by any cache, before the session middleware or the handler writes.
func sessionRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// isReservedSessionKey reports whether a client may not touch key through
// the data endpoints: login's keys, and the session package's own
// ("_session_", session.ErrReservedKey).
func isReservedSessionKey(key string) bool {
	return strings.HasPrefix(key, authPrefix) || strings.HasPrefix(key, "_session_")
}

// sessionKeyArg checks a key named by a request: present, a non-empty
// string, and not reserved. It answers 400 and returns false otherwise.
func sessionKeyArg(w http.ResponseWriter, key *string) bool {
	switch {
	case key == nil:
		writeError(w, http.StatusBadRequest, `missing "key"`)
	case *key == "":
		writeError(w, http.StatusBadRequest, `"key" is empty`)
	case isReservedSessionKey(*key):
		writeError(w, http.StatusBadRequest, fmt.Sprintf(`key %q is reserved: keys beginning with %q or "_session_" hold login and session metadata`, *key, authPrefix))
	default:
		return true
	}
	return false
}

// sessionSet stores a value (contract: POST session/set). The value is kept
// as the JSON text the client sent, compacted, so every kind of value
// (large integers included) reads back exactly.
func (s *Server) sessionSet(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Key   *string         `json:"key"`
		Value json.RawMessage `json:"value"`
	}
	if !readJSON(w, r, &req) || !sessionKeyArg(w, req.Key) {
		return
	}
	if req.Value == nil {
		writeError(w, http.StatusBadRequest, `missing "value" (send null to store null)`)
		return
	}
	sess := session.FromRequest(r)
	if err := sess.Set(*req.Key, req.Value); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

func (s *Server) sessionGet(w http.ResponseWriter, r *http.Request) {
	key, ok := requireParam(w, r.URL.Query(), "key")
	if !ok || !sessionKeyArg(w, &key) {
		return
	}
	v, found := session.FromRequest(r).Get(key)
	var value any // null when absent
	if found {
		value = v
	}
	writeJSON(w, http.StatusOK, map[string]any{"key": key, "found": found, "value": value})
}

func (s *Server) sessionDelete(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Key *string `json:"key"`
	}
	if !readJSON(w, r, &req) || !sessionKeyArg(w, req.Key) {
		return
	}
	deleted := session.FromRequest(r).Delete(*req.Key)
	writeJSON(w, http.StatusOK, map[string]bool{"deleted": deleted})
}

func (s *Server) sessionAll(w http.ResponseWriter, r *http.Request) {
	data := session.FromRequest(r).All()
	for k := range data {
		if isReservedSessionKey(k) {
			delete(data, k)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

// sessionSetExpiry sets this session's lifetime (contract: POST
// session/expiry; Django's set_expiry with an integer): N > 0 seconds from
// now, 0 until the browser closes. It answers the new state, as GET does.
func (s *Server) sessionSetExpiry(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Seconds json.RawMessage `json:"seconds"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if req.Seconds == nil {
		writeError(w, http.StatusBadRequest, `missing "seconds"`)
		return
	}
	// A JSON number only: encoding/json would also take the string "60"
	// for a json.Number.
	n, err := json.Number(req.Seconds).Int64()
	if isString := req.Seconds[0] == '"'; isString || err != nil || n < 0 || n > maxSessionExpiry {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(`"seconds" must be a whole number from 0 (at browser close) to %d (400 days), got %.40s`, maxSessionExpiry, req.Seconds))
		return
	}
	sess := session.FromRequest(r)
	sess.SetExpiry(int(n))
	s.writeExpiry(w, sess)
}

func (s *Server) sessionExpiry(w http.ResponseWriter, r *http.Request) {
	s.writeExpiry(w, session.FromRequest(r))
}

func (s *Server) writeExpiry(w http.ResponseWriter, sess *session.Session) {
	writeJSON(w, http.StatusOK, map[string]any{
		"seconds_left":     sess.ExpirySeconds(),
		"at_browser_close": sess.ExpiresAtBrowserClose(),
	})
}

// sessionFlush deletes the session server-side and forgets its key
// (contract: POST session/flush; Django's flush).
func (s *Server) sessionFlush(w http.ResponseWriter, r *http.Request) {
	session.FromRequest(r).Flush()
	writeJSON(w, http.StatusOK, struct{}{})
}

// sessionLogin logs in as user the way Django's login() does (contract:
// POST session/login). Authentication itself is out of scope: any non-empty
// user name is accepted. What matters is the session:
//
//   - the key is rotated (CycleKey) and the data kept, so a key that
//     existed before authentication, perhaps planted by an attacker, never
//     names an authenticated session (OWASP ASVS 4.0.3 §3.2.1, WSTG
//     SESS-03);
//   - logging in as someone else than the user already logged in flushes
//     the session instead, as Django does: one user's data must not carry
//     over into another's session.
func (s *Server) sessionLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User *string `json:"user"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if req.User == nil || *req.User == "" {
		writeError(w, http.StatusBadRequest, `"user" must be a non-empty string`)
		return
	}
	user, _ := json.Marshal(*req.User)
	sess := session.FromRequest(r)
	if current, ok := sess.Get(authUserKey); ok && string(current) != string(user) {
		sess.Flush()
	} else {
		sess.CycleKey()
	}
	if err := sess.Set(authUserKey, user); err != nil {
		writeError(w, http.StatusInternalServerError, "storing the user: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"user": *req.User})
}

// sessionWhoami is the contract's protected endpoint: the logged-in user
// or null.
func (s *Server) sessionWhoami(w http.ResponseWriter, r *http.Request) {
	var user any // null when not logged in
	if u, ok := session.FromRequest(r).Get(authUserKey); ok {
		user = u
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": user})
}

// sessionLogout logs out the way Django's logout() does: Flush deletes the
// session record on the server, so the cookie the client held, and any copy
// of it, names nothing any more (ASVS 4.0.3 §3.3.1, WSTG SESS-06). With the
// signed backend there is no record to delete: see session.NewSigned.
func (s *Server) sessionLogout(w http.ResponseWriter, r *http.Request) {
	session.FromRequest(r).Flush()
	writeJSON(w, http.StatusOK, struct{}{})
}

// sessionManifest states the session settings the server really uses.
func (s *Server) sessionManifest() map[string]any {
	st := s.opts.SessionSettings
	var domain any
	if st.Domain != "" {
		domain = st.Domain
	}
	return map[string]any{
		"cookie_name":             st.CookieName,
		"cookie_age":              st.CookieAge,
		"expire_at_browser_close": st.ExpireAtBrowserClose,
		"save_every_request":      st.SaveEveryRequest,
		"cookie_secure":           st.Secure,
		"cookie_httponly":         st.HttpOnly,
		"cookie_samesite":         st.SameSite,
		"cookie_path":             st.Path,
		"cookie_domain":           domain,
		"backend":                 s.opts.SessionBackend,
	}
}
