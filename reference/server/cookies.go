package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// cookieSet sets one cookie (contract: GET cookies/set). The value is
// stored with setcookie.EncodeValue, so any string round-trips and the header
// stays within cookie-octets (RFC 6265bis §4.1.1).
func (s *Server) cookieSet(w http.ResponseWriter, r *http.Request) {
	q, name, ok := cookieQuery(w, r)
	if !ok {
		return
	}
	c := setcookie.Cookie{
		Name:     name,
		Value:    setcookie.EncodeValue(q.Get("value")),
		Path:     q.Get("path"),
		Domain:   q.Get("domain"),
		Secure:   isTrue(q.Get("secure")),
		HttpOnly: isTrue(q.Get("httponly")),
		SameSite: q.Get("samesite"),
	}
	if v := q.Get("max_age"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("max_age %q is not an integer number of seconds", v))
			return
		}
		// User agents cap lifetimes at 400 days (RFC 6265bis §4.1.2.1,
		// §4.1.2.2); promising more would only be silently broken.
		n = min(n, maxLifetimeSeconds)
		if n <= 0 {
			// "Expire now" as the server grammar allows it: an Expires in
			// the past, since max-age-av has no zero (RFC 6265bis §4.1.1).
			c.Expires = time.Unix(0, 0)
		} else {
			c.MaxAge, c.HasMaxAge = n, true
			// Expires beside Max-Age for user agents that only know
			// Expires; Max-Age wins where both are understood
			// (RFC 6265bis §5.6.2).
			c.Expires = s.now().Add(time.Duration(n) * time.Second)
		}
	}
	if v := q.Get("expires"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("expires %q is not an HTTP-date", v))
			return
		}
		if limit := s.now().Add(maxLifetimeSeconds * time.Second); t.After(limit) {
			t = limit
		}
		c.Expires = t
	}
	writeSetCookie(w, c, "set", "set")
}

// maxLifetimeSeconds is the 400-day cap of RFC 6265bis §4.1.2.1.
const maxLifetimeSeconds = 400 * 24 * 60 * 60

// cookieDelete deletes a cookie (contract: GET cookies/delete).
func (s *Server) cookieDelete(w http.ResponseWriter, r *http.Request) {
	q, name, ok := cookieQuery(w, r)
	if !ok {
		return
	}
	writeSetCookie(w, deletion(name, q.Get("path"), q.Get("domain")), "delete", "deleted")
}

// deletion is the cookie that deletes name the way a server can: by
// setting it again, empty and already expired, with the Path and Domain it
// was set with (RFC 6265bis §3.1). The expiry is an Expires in the past,
// not Max-Age=0: the server grammar only has max-age-av = non-zero-digit
// *DIGIT (§4.1.1). Prefixed names keep what their prefix demands, or the
// user agent would reject the deletion (§4.1.3).
func deletion(name, path, domain string) setcookie.Cookie {
	c := setcookie.Cookie{
		Name:    name,
		Path:    path,
		Domain:  domain,
		Expires: time.Unix(0, 0),
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "__secure-") || strings.HasPrefix(lower, "__host-") {
		c.Secure = true
	}
	if strings.HasPrefix(lower, "__host-") && c.Path == "" {
		c.Path = "/"
	}
	return c
}

// writeSetCookie answers cookies/set or cookies/delete: c's Set-Cookie
// line and {answer: name}, or 400 when c cannot be written
// (setcookie.Cookie.String says why; verb says what could not be done).
func writeSetCookie(w http.ResponseWriter, c setcookie.Cookie, verb, answer string) {
	line, err := c.String()
	if err != nil {
		writeError(w, http.StatusBadRequest, "cannot "+verb+" this cookie: "+err.Error())
		return
	}
	w.Header().Add("Set-Cookie", line)
	writeJSON(w, http.StatusOK, map[string]string{answer: c.Name})
}

// requestCookies reads the Cookie header. When a name appears twice (two
// cookies of one name with different paths or domains), the first wins:
// user agents send the most specific path first (RFC 6265bis §5.8.3).
func requestCookies(r *http.Request) (map[string]string, []string) {
	values := map[string]string{}
	var order []string
	for _, h := range r.Header.Values("Cookie") {
		for _, p := range setcookie.ParseCookieHeader(h) {
			if _, seen := values[p.Name]; seen {
				continue
			}
			v, err := setcookie.DecodeValue(p.Value)
			if err != nil {
				v = p.Value // not ours to decode: show it as sent
			}
			values[p.Name] = v
			order = append(order, p.Name)
		}
	}
	return values, order
}

func (s *Server) cookieGet(w http.ResponseWriter, r *http.Request) {
	q, name, ok := cookieQuery(w, r)
	if !ok {
		return
	}
	if why := unreadableName(name); why != "" {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("name %.60q %s", name, why))
		return
	}
	values, _ := requestCookies(r)
	v, found := values[name]
	var value any = v
	if !found {
		value = nil
		if q.Has("default") {
			value = q.Get("default")
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "found": found, "value": value})
}

func (s *Server) cookieAll(w http.ResponseWriter, r *http.Request) {
	values, _ := requestCookies(r)
	writeJSON(w, http.StatusOK, map[string]any{"cookies": values})
}

// unreadableName says why no cookie can have name, or "": a user agent
// ignores a cookie whose name holds a control character (RFC 6265bis §5.6
// step 1), and invalid UTF-8 could not come back unchanged in the JSON
// answer.
func unreadableName(name string) string {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f {
			return "holds a control character, which no cookie name can (RFC 6265bis §5.6)"
		}
	}
	if !utf8.ValidString(name) {
		return "is not valid UTF-8"
	}
	return ""
}

// cookieQuery reads the query of a cookies/ endpoint and its required
// "name"; it answers 400 and reports false when name is missing.
func cookieQuery(w http.ResponseWriter, r *http.Request) (url.Values, string, bool) {
	q := r.URL.Query()
	name, ok := requireParam(w, q, "name")
	return q, name, ok
}

func requireParam(w http.ResponseWriter, q url.Values, name string) (string, bool) {
	v := q.Get(name)
	if v == "" {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("missing query parameter %q", name))
		return "", false
	}
	return v, true
}

func isTrue(v string) bool { return v == "1" || strings.EqualFold(v, "true") }
