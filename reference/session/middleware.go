package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// Settings are Django's SESSION_* settings, with Django's defaults in
// DefaultSettings. The reference server reports them in its manifest.
type Settings struct {
	CookieName string // SESSION_COOKIE_NAME: "sessionid"
	// CookieAge is the session lifetime in seconds (SESSION_COOKIE_AGE:
	// 1209600, two weeks): the cookie's Max-Age and the server-side expiry,
	// counted from the last save.
	CookieAge int
	// ExpireAtBrowserClose sends the cookie without Max-Age or Expires, so
	// the browser drops it when it closes; the server still keeps the
	// session for CookieAge after its last save.
	ExpireAtBrowserClose bool
	// SaveEveryRequest saves every non-empty session on every request, which
	// makes the lifetime count from the last request rather than the last
	// change.
	SaveEveryRequest bool
	// Secure, HttpOnly and SameSite are the cookie attributes of ASVS 4.0.3
	// §3.4.1, §3.4.2 and §3.4.3. Secure is off by default as in Django,
	// because the reference server also serves plain HTTP; turn it on
	// wherever the site is HTTPS only.
	Secure, HttpOnly bool
	SameSite         string // "Strict", "Lax", "None" or "" (no attribute)
	// Path and Domain scope the cookie (ASVS 4.0.3 §3.4.5). Path must be set:
	// without it the browser scopes the cookie to the directory of whichever
	// URL first set it. An empty Domain makes a host-only cookie.
	Path, Domain string
}

// DefaultSettings returns Django's defaults.
func DefaultSettings() Settings {
	return Settings{
		CookieName: "sessionid",
		CookieAge:  1209600,
		HttpOnly:   true,
		SameSite:   "Lax",
		Path:       "/",
	}
}

// Validate reports why the settings would produce a session cookie that
// cannot be written or that browsers ignore.
func (s Settings) Validate() error {
	switch {
	case s.CookieAge <= 0 || s.CookieAge > maxLifetime:
		return fmt.Errorf("session: CookieAge is %d, want 1 to %d seconds", s.CookieAge, maxLifetime)
	case s.Path == "":
		return errors.New(`session: Path is empty, want an absolute path such as "/"`)
	case s.SameSite == "None" && !s.Secure:
		return errors.New("session: SameSite=None requires Secure") // RFC 6265bis §5.7 step 19
	}
	probe := s.cookie(NewKey())
	probe.MaxAge, probe.HasMaxAge = s.CookieAge, true
	if _, err := probe.String(); err != nil {
		return fmt.Errorf("session: settings make an invalid cookie: %w", err)
	}
	return nil
}

// cookie returns the session cookie carrying value, with the settings'
// attributes and no lifetime.
func (s Settings) cookie(value string) setcookie.Cookie {
	return setcookie.Cookie{
		Name:     s.CookieName,
		Value:    value,
		Path:     s.Path,
		Domain:   s.Domain,
		Secure:   s.Secure,
		HttpOnly: s.HttpOnly,
		SameSite: s.SameSite,
	}
}

// deletionCookie returns the Set-Cookie line that removes the session
// cookie: empty value and an Expires in the past, with the same Path and
// Domain, since a cookie is replaced only by one with the same name, domain
// and path (RFC 6265bis §5.7 step 23). Secure and SameSite are repeated too:
// a __Host- or __Secure- cookie cannot even be deleted without Secure.
//
// There is no Max-Age=0: the server grammar has max-age-av = "Max-Age="
// non-zero-digit *DIGIT (RFC 6265bis §4.1.1), and an Expires in the past
// removes the cookie in every user agent (§5.6.1, §5.7 step 22). Django
// sends both.
func (s Settings) deletionCookie() (string, error) {
	c := s.cookie("")
	c.Expires = time.Unix(0, 0)
	return c.String()
}

type contextKey struct{}

// FromRequest returns the session of a request that went through
// Middleware, or nil.
func FromRequest(r *http.Request) *Session {
	s, _ := r.Context().Value(contextKey{}).(*Session)
	return s
}

// commitTimeout bounds the store writes made when a response starts. They
// run detached from the request's context: a client that hangs up after a
// logout must not keep its session alive by doing so.
const commitTimeout = 10 * time.Second

// Middleware returns Django's SessionMiddleware over store. For each request
// it makes a Session available through FromRequest, loaded lazily from the
// cookie named s.CookieName, and when the response starts (the handler's
// first WriteHeader, Write or Flush, or its return) it:
//
//   - deletes from the store the keys Flush and CycleKey abandoned, whatever
//     the response status;
//   - adds Vary: Cookie if the handler used the session;
//   - saves the session when it was modified, or on every request with
//     s.SaveEveryRequest, unless the status is 5xx (Django: a failed request
//     does not save) or the session is empty; a new key is minted when the
//     session has none, so the key in a request's cookie is adopted only if
//     the store holds it (ASVS 4.0.3 §3.2.1);
//   - sends the cookie only when the session was saved, with Max-Age and
//     Expires (now + lifetime) unless it expires at browser close;
//   - deletes the cookie (an Expires in the past, same Path and Domain)
//     when the request carried one and the session now has no key: the
//     key was unknown or expired, or the session was flushed, or every
//     key of an existing session was deleted (the record is then deleted
//     too).
//
// If the store fails, the handler's response is replaced by 503 with a JSON
// body {"error": "..."}: a 200 that silently lost the session's data would
// be worse. If Store.Save finds the session deleted by a concurrent request
// (a logout elsewhere) the answer is 400, as in Django, rather than bringing
// the session back. Handlers must therefore change the session before they
// write the response; changes made later are not saved.
//
// Middleware panics if s does not Validate; a nil clock means the wall clock.
func Middleware(store Store, s Settings, c clock.Clock) func(http.Handler) http.Handler {
	if store == nil {
		panic("session: Middleware with a nil Store")
	}
	if err := s.Validate(); err != nil {
		panic(err)
	}
	if c == nil {
		c = clock.Real{}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var cookieKey string
			if ck, err := r.Cookie(s.CookieName); err == nil {
				cookieKey = ck.Value
			}
			sess := newSession(r.Context(), store, s, c, cookieKey)
			sw := &sessionWriter{ResponseWriter: w, sess: sess}
			next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), contextKey{}, sess)))
			sw.finish()
		})
	}
}

// commit writes the session back when the response starts with status, and
// adds its header fields to h. See Middleware for the rules.
func (s *Session) commit(h http.Header, status int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.committed {
		return nil
	}
	s.committed = true
	if s.err != nil {
		return s.err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), commitTimeout)
	defer cancel()
	succeeded := status < 500
	if succeeded && s.settings.SaveEveryRequest {
		s.load() // to learn whether there is anything to save
		if s.err != nil {
			return s.err
		}
	}

	// Abandoned keys go first and go even on a failed response: a logout
	// must not be undone by an error after it (ASVS 4.0.3 §3.3.1).
	for _, k := range s.retired {
		if err := s.store.Delete(ctx, k); err != nil {
			return err
		}
	}
	s.retired = nil

	if s.accessed {
		addVary(h, "Cookie")
	}
	if succeeded && s.willSave() {
		if !s.isEmpty() {
			return s.save(ctx, h)
		}
		if s.key != "" { // every key of an existing session was deleted
			if err := s.store.Delete(ctx, s.key); err != nil {
				return err
			}
			s.key = ""
		}
	}
	if s.cookieKey != "" && s.loaded && s.key == "" {
		line, err := s.settings.deletionCookie()
		if err != nil {
			return err
		}
		h.Add("Set-Cookie", line)
		addVary(h, "Cookie")
	}
	return nil
}

// save stores the session, minting a key if it has none, and sets the
// cookie.
func (s *Session) save(ctx context.Context, h http.Header) error {
	age, atBrowserClose := s.age()
	expiry := s.clock.Now().Add(age)
	data := s.stored()
	if s.key == "" || isCookieBased(s.store) {
		key, err := s.store.Create(ctx, data, expiry)
		if err != nil {
			return err
		}
		s.key = key
	} else if err := s.store.Save(ctx, s.key, data, expiry); errors.Is(err, ErrNotFound) {
		return errInterrupted
	} else if err != nil {
		return err
	}
	s.storedExpiry = expiry

	c := s.settings.cookie(s.key)
	if !atBrowserClose {
		c.MaxAge, c.HasMaxAge = int(age/time.Second), true
		c.Expires = expiry
	}
	line, err := c.String()
	if err != nil {
		return fmt.Errorf("session: writing the cookie: %w", err)
	}
	h.Add("Set-Cookie", line)
	return nil
}

// addVary adds field to the Vary header fields of h unless it, or "*", is
// already listed (Django's patch_vary_headers).
func addVary(h http.Header, field string) {
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			f = strings.TrimSpace(f)
			if f == "*" || strings.EqualFold(f, field) {
				return
			}
		}
	}
	h.Add("Vary", field)
}

// sessionWriter commits the session when the response starts: on the
// handler's first WriteHeader (other than 1xx), Write or Flush, or when the
// handler returns without writing. If the commit fails, the error answer is
// written instead and the handler's own response is discarded.
type sessionWriter struct {
	http.ResponseWriter
	sess     *Session
	started  bool // the session has been committed
	replaced bool // the commit failed and writeError answered
}

// errResponseReplaced is returned to a handler that writes after a session
// error replaced its response.
var errResponseReplaced = errors.New("session: the response was replaced by a session error")

func (w *sessionWriter) WriteHeader(code int) {
	if !w.started && !(code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols) {
		w.start(code)
	}
	if !w.replaced {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *sessionWriter) Write(p []byte) (int, error) {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return 0, errResponseReplaced
	}
	return w.ResponseWriter.Write(p)
}

// Flush commits the session before flushing, since flushing sends the
// header.
func (w *sessionWriter) Flush() {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	if !w.replaced {
		http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *sessionWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *sessionWriter) start(status int) {
	w.started = true
	if err := w.sess.commit(w.Header(), status); err != nil {
		w.replaced = true
		writeError(w.ResponseWriter, err)
	}
}

// finish commits a session whose handler returned without writing.
func (w *sessionWriter) finish() {
	if !w.started {
		w.start(http.StatusOK)
	}
}

// writeError answers for a failed session commit: 400 when the request
// cannot succeed as sent (the session was deleted under it, or its data no
// longer fits a signed cookie), 503 when the store failed. The handler's
// header fields are dropped; the body is {"error": "..."}. A store's error
// may name files or tables, so it is logged, not sent.
func writeError(w http.ResponseWriter, err error) {
	status, msg := http.StatusServiceUnavailable, "session store unavailable"
	switch {
	case errors.Is(err, errInterrupted):
		status, msg = http.StatusBadRequest, errInterrupted.Error()
	case errors.Is(err, ErrTooLarge):
		status, msg = http.StatusBadRequest, "session data too large for a cookie"
	default:
		slog.Error("session: store failed", "err", err)
	}
	h := w.Header()
	for k := range h {
		delete(h, k)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
