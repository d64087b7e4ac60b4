package httpcheckcontract

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// cookies/set, cookies/delete, cookies/get, cookies/all (feature
// "cookies"): net/http's own calls, http.SetCookie and Request.Cookies.
//
// What the package adds, unless Options.Plain:
//   - values are percent-encoded on set and decoded on get and all, so any
//     string survives the trip (net/http drops the bytes a cookie-value may
//     not hold, '"' ';' '\' and everything outside printable ASCII, and
//     quotes values with a space or a comma);
//   - Cookie.Valid is asked first, and a cookie it refuses is a 400
//     (http.SetCookie writes no header for an invalid name, and silently
//     drops an invalid Domain or the invalid bytes of a Path);
//   - deleting a __Secure- or __Host- cookie keeps Secure (and Path=/ for
//     __Host-), or a browser ignores the deletion.
//
// Nothing else is added: no size limits and no 400-day cap, so httpcheck
// sees what net/http writes.

func (h *handler) encode(v string) string {
	if h.opts.Plain {
		return v
	}
	return url.PathEscape(v)
}

func (h *handler) decode(v string) string {
	if h.opts.Plain {
		return v
	}
	if d, err := url.PathUnescape(v); err == nil {
		return d
	}
	return v // not percent-encoding: a cookie someone else set
}

func flag(q url.Values, name string) bool {
	v := strings.ToLower(q.Get(name))
	return v == "1" || v == "true"
}

var sameSites = map[string]http.SameSite{
	"Strict": http.SameSiteStrictMode,
	"Lax":    http.SameSiteLaxMode,
	"None":   http.SameSiteNoneMode,
}

// cookieName reads the query parameter "name" that cookies/set, delete and
// get all require.
func cookieName(q url.Values) (string, error) {
	name := q.Get("name")
	if name == "" {
		return "", badInput(`missing query parameter "name"`)
	}
	return name, nil
}

// setCookie writes c with http.SetCookie and answers the JSON answer. Unless
// Plain, Cookie.Valid is asked first and a cookie it refuses is a 400:
// http.SetCookie would write no header for an invalid name, and silently
// drop an invalid Domain or the invalid bytes of a Path.
func (h *handler) setCookie(w http.ResponseWriter, c *http.Cookie, answer map[string]string) error {
	if !h.opts.Plain {
		if err := c.Valid(); err != nil {
			return badInput("net/http refuses this cookie: %v", err)
		}
	}
	http.SetCookie(w, c)
	return writeJSON(w, http.StatusOK, answer)
}

func (h *handler) cookieSet(w http.ResponseWriter, r *http.Request, _ []string) error {
	q := r.URL.Query()
	name, err := cookieName(q)
	if err != nil {
		return err
	}
	c := &http.Cookie{
		Name:     name,
		Value:    h.encode(q.Get("value")),
		Path:     q.Get("path"), // none: the browser's default path, as net/http leaves it
		Domain:   q.Get("domain"),
		Secure:   flag(q, "secure"),
		HttpOnly: flag(q, "httponly"),
	}
	if q.Has("max_age") {
		n, err := strconv.Atoi(q.Get("max_age"))
		if err != nil {
			return badInput("max_age %q is not an integer", q.Get("max_age"))
		}
		// net/http: MaxAge > 0 is Max-Age=N, < 0 is Max-Age=0 (delete
		// now), and 0 is no Max-Age at all.
		if n <= 0 {
			n = -1
		}
		c.MaxAge = n
	}
	if q.Has("expires") {
		t, err := http.ParseTime(q.Get("expires"))
		if err != nil {
			return badInput("expires %q is not an HTTP-date", q.Get("expires"))
		}
		c.Expires = t
	}
	if q.Has("samesite") {
		s, ok := sameSites[q.Get("samesite")]
		if !ok {
			return badInput("samesite %q: want Strict, Lax or None", q.Get("samesite"))
		}
		c.SameSite = s
	}
	return h.setCookie(w, c, map[string]string{"set": name})
}

func (h *handler) cookieDelete(w http.ResponseWriter, r *http.Request, _ []string) error {
	q := r.URL.Query()
	name, err := cookieName(q)
	if err != nil {
		return err
	}
	// net/http's way to delete: MaxAge < 0, written Max-Age=0.
	c := &http.Cookie{Name: name, Path: q.Get("path"), Domain: q.Get("domain"), MaxAge: -1}
	if !h.opts.Plain {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "__secure-") || strings.HasPrefix(lower, "__host-") {
			c.Secure = true
		}
		if strings.HasPrefix(lower, "__host-") && c.Path == "" {
			c.Path = "/"
		}
	}
	return h.setCookie(w, c, map[string]string{"deleted": name})
}

func (h *handler) cookieGet(w http.ResponseWriter, r *http.Request, _ []string) error {
	q := r.URL.Query()
	name, err := cookieName(q)
	if err != nil {
		return err
	}
	answer := map[string]any{"name": name, "found": false, "value": nil}
	if q.Has("default") {
		answer["value"] = q.Get("default")
	}
	// Request.Cookie: the first cookie of that name, which browsers send
	// first (the one with the longest path).
	if c, err := r.Cookie(name); err == nil {
		answer["found"], answer["value"] = true, h.decode(c.Value)
	}
	return writeJSON(w, http.StatusOK, answer)
}

func (h *handler) cookieAll(w http.ResponseWriter, r *http.Request, _ []string) error {
	all := map[string]string{}
	for _, c := range r.Cookies() {
		if _, seen := all[c.Name]; !seen { // the first of a name wins, as in Request.Cookie
			all[c.Name] = h.decode(c.Value)
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"cookies": all})
}
