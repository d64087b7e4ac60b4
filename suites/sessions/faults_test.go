package sessions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reference/session"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// The broken session stores below are faults inside the reference server
// (faulttest.Fault.WrapSessions): each documents its deliberate bug.

// dropFlushSetCookie sends session/flush's answer without its Set-Cookie,
// as express-session's destroy() does: the server forgets the session,
// the browser keeps a cookie that names nothing.
var dropFlushSetCookie = ft.OnHeaders(func(r *http.Request, h http.Header) {
	if strings.HasSuffix(r.URL.Path, "/session/flush") {
		h.Del("Set-Cookie")
	}
})

// sharedStore gives every new session the same key: one record, shared by
// every client, holding whatever the last one saved.
type sharedStore struct {
	session.Store
	mu  sync.Mutex
	key string
}

func (s *sharedStore) Create(ctx context.Context, data map[string]json.RawMessage, expiry time.Time) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != "" {
		if err := s.Store.Save(ctx, s.key, data, expiry); err == nil {
			return s.key, nil
		}
	}
	k, err := s.Store.Create(ctx, data, expiry)
	s.key = k
	return k, err
}

// adoptingStore takes any key a client sends as a new, empty session and
// saves under it: PHP's session.use_strict_mode=0.
type adoptingStore struct {
	session.Store
	mu      sync.Mutex
	adopted map[string]map[string]json.RawMessage
}

func newAdoptingStore(s session.Store) session.Store {
	return &adoptingStore{Store: s, adopted: map[string]map[string]json.RawMessage{}}
}

func (s *adoptingStore) Load(ctx context.Context, key string) (map[string]json.RawMessage, time.Time, bool, error) {
	data, expiry, found, err := s.Store.Load(ctx, key)
	if found || err != nil {
		return data, expiry, found, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]json.RawMessage{}
	for k, v := range s.adopted[key] {
		out[k] = v
	}
	return out, ft.FarFuture(), true, nil
}

func (s *adoptingStore) Save(ctx context.Context, key string, data map[string]json.RawMessage, expiry time.Time) error {
	err := s.Store.Save(ctx, key, data, expiry)
	if !errors.Is(err, session.ErrNotFound) {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.adopted[key] = data
	return nil
}

func (s *adoptingStore) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	delete(s.adopted, key)
	s.mu.Unlock()
	return s.Store.Delete(ctx, key)
}

// recorded runs next for r and returns what it answered.
func recorded(next http.Handler, r *http.Request) (*httptest.ResponseRecorder, map[string]json.RawMessage) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	var body map[string]json.RawMessage
	json.Unmarshal(rec.Body.Bytes(), &body)
	return rec, body
}

// answer writes body with the header and status of rec.
func answer(w http.ResponseWriter, rec *httptest.ResponseRecorder, status int, body any) {
	for k, v := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// rewriteAnswer lets f change the JSON answer of requests to paths ending
// in suffix; f returns the status and body to send instead.
func rewriteAnswer(suffix string, f func(status int, body map[string]json.RawMessage) (int, map[string]json.RawMessage)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, suffix) {
				next.ServeHTTP(w, r)
				return
			}
			rec, body := recorded(next, r)
			if body == nil {
				body = map[string]json.RawMessage{}
			}
			status, body := f(rec.Code, body)
			answer(w, rec, status, body)
		})
	}
}

// rewriteValue passes the value session/get answers through f.
func rewriteValue(f func(any) any) func(http.Handler) http.Handler {
	return rewriteAnswer("/session/get", func(status int, body map[string]json.RawMessage) (int, map[string]json.RawMessage) {
		if v, ok := body["value"]; ok && string(v) != "null" {
			dec := json.NewDecoder(bytes.NewReader(v))
			dec.UseNumber()
			var x any
			if dec.Decode(&x) == nil {
				body["value"], _ = json.Marshal(f(x))
			}
		}
		return status, body
	})
}

// walk applies f to every value inside v, innermost first.
func walk(v any, f func(any) any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = walk(e, f)
		}
	case []any:
		for i, e := range x {
			x[i] = walk(e, f)
		}
	}
	return f(v)
}

// rewriteRequestJSON lets f change the JSON body of requests to paths
// ending in suffix.
func rewriteRequestJSON(suffix string, f func(body map[string]any)) func(http.Handler) http.Handler {
	return ft.OnRequest(suffix, func(_ http.Handler, _ http.ResponseWriter, r *http.Request) bool {
		data, _ := io.ReadAll(r.Body)
		var body map[string]any
		if json.Unmarshal(data, &body) == nil {
			f(body)
			data, _ = json.Marshal(body)
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
		r.ContentLength = int64(len(data))
		return false
	})
}

// sessionLines rewrites the session cookie's Set-Cookie lines.
func sessionLines(f func(line string) string) func(http.Handler) http.Handler {
	return ft.RewriteSetCookie("", func(_ *http.Request, line string) []string {
		if sc, ok := setcookie.Parse(line); ok && sc.Name == "sessionid" {
			return []string{f(line)}
		}
		return []string{line}
	})
}

// onSession rewrites the response header of every session endpoint.
func onSession(f func(h http.Header)) func(http.Handler) http.Handler {
	return ft.OnHeaders(func(r *http.Request, h http.Header) {
		if strings.Contains(r.URL.Path, "/session/") {
			f(h)
		}
	})
}

// TestFaults runs the sessions suite against broken variants of the
// reference server; each fault must make its checks fail.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	ids := func(ids ...string) []*check.Check { return ft.Checks(t, "sessions", ids...) }
	faults := []ft.Fault{
		{
			Name:         "one session shared by all clients",
			Breaks:       ids("data/isolation"),
			WrapSessions: func(s session.Store) session.Store { return &sharedStore{Store: s} },
		},
		{
			Name: "get never finds a value",
			Breaks: ids("data/set-get", "data/overwrite", "json/nested", "json/unicode", "json/large-integer",
				"json/float", "json/null-and-booleans", "expiry/lives-until-expiry", "expiry/zero-at-browser-close"),
			Wrap: rewriteAnswer("/session/get", func(status int, body map[string]json.RawMessage) (int, map[string]json.RawMessage) {
				body["found"], body["value"] = json.RawMessage("false"), json.RawMessage("null")
				return status, body
			}),
		},
		{
			Name:   "set keeps the first value",
			Breaks: ids("data/overwrite"),
			Wrap: ft.OnRequest("/session/set", func(next http.Handler, w http.ResponseWriter, r *http.Request) bool {
				data, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(data))
				var req struct{ Key string }
				json.Unmarshal(data, &req)
				probe, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, "/session/get?key="+req.Key, nil)
				probe.Header = r.Header.Clone()
				rec, body := recorded(next, probe)
				if string(body["found"]) == "true" {
					answer(w, rec, http.StatusOK, map[string]any{})
					return true
				}
				return false
			}),
		},
		{
			Name:   "get of an absent key is an error",
			Breaks: ids("data/get-absent"),
			Wrap: rewriteAnswer("/session/get", func(status int, body map[string]json.RawMessage) (int, map[string]json.RawMessage) {
				if string(body["found"]) == "false" {
					return http.StatusNotFound, map[string]json.RawMessage{"error": json.RawMessage(`"no such key"`)}
				}
				return status, body
			}),
		},
		{
			Name:   "delete answers true and deletes nothing",
			Breaks: ids("data/delete", "data/delete-absent"),
			Wrap: ft.Replace("/session/delete", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"deleted": true}`))
			}),
		},
		{
			Name:   "deleting an absent key is an error",
			Breaks: ids("data/delete-absent"),
			Wrap: rewriteAnswer("/session/delete", func(status int, body map[string]json.RawMessage) (int, map[string]json.RawMessage) {
				if string(body["deleted"]) == "false" {
					return http.StatusNotFound, map[string]json.RawMessage{"error": json.RawMessage(`"no such key"`)}
				}
				return status, body
			}),
		},
		{
			Name:   "all lists nothing",
			Breaks: ids("data/all"),
			Wrap: rewriteAnswer("/session/all", func(status int, body map[string]json.RawMessage) (int, map[string]json.RawMessage) {
				body["data"] = json.RawMessage("{}")
				return status, body
			}),
		},
		{
			Name:         "flush only deletes the cookie (the store never deletes)",
			Breaks:       ids("data/flush"),
			WrapSessions: ft.KeepOnDelete,
		},
		{
			Name:   "flush keeps the cookie (no Set-Cookie)",
			Breaks: ids("data/flush-drops-cookie"),
			Wrap:   dropFlushSetCookie,
		},
		{
			Name:   "flush does nothing",
			Breaks: ids("data/flush"),
			Wrap: ft.Replace("/session/flush", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{}`))
			}),
		},
		{
			Name:   "values pass through a double (JavaScript's JSON.parse)",
			Breaks: ids("json/large-integer"),
			Wrap: rewriteValue(func(v any) any {
				return walk(v, func(x any) any {
					if n, ok := x.(json.Number); ok {
						f, _ := n.Float64()
						return f
					}
					return x
				})
			}),
		},
		{
			Name:   "empty objects come back as lists (PHP's json_decode to arrays)",
			Breaks: ids("json/nested"),
			Wrap: rewriteValue(func(v any) any {
				return walk(v, func(x any) any {
					if m, ok := x.(map[string]any); ok && len(m) == 0 {
						return []any{}
					}
					return x
				})
			}),
		},
		{
			Name:   "non-ASCII characters are mangled",
			Breaks: ids("json/unicode"),
			Wrap: rewriteValue(func(v any) any {
				return walk(v, func(x any) any {
					if s, ok := x.(string); ok {
						return strings.Map(func(r rune) rune {
							if r > 127 {
								return '?'
							}
							return r
						}, s)
					}
					return x
				})
			}),
		},
		{
			Name:   "floats keep six significant digits",
			Breaks: ids("json/float"),
			Wrap: rewriteValue(func(v any) any {
				return walk(v, func(x any) any {
					if n, ok := x.(json.Number); ok && strings.ContainsAny(string(n), ".eE") {
						f, _ := n.Float64()
						return json.Number(strconv.FormatFloat(f, 'g', 6, 64))
					}
					return x
				})
			}),
		},
		{
			Name:   "a stored null reads as absent",
			Breaks: ids("json/null-and-booleans"),
			Wrap: rewriteAnswer("/session/get", func(status int, body map[string]json.RawMessage) (int, map[string]json.RawMessage) {
				if string(body["value"]) == "null" {
					body["found"] = json.RawMessage("false")
				}
				return status, body
			}),
		},
		{
			Name:   "the session cookie has another name than the manifest says",
			Breaks: ids("cookie/name"),
			Wrap: ft.Chain(
				ft.OnRequest("/", func(_ http.Handler, _ http.ResponseWriter, r *http.Request) bool {
					if h := r.Header.Get("Cookie"); h != "" {
						r.Header.Set("Cookie", strings.ReplaceAll(h, "hc_sid=", "sessionid="))
					}
					return false
				}),
				sessionLines(func(line string) string { return "hc_sid" + strings.TrimPrefix(line, "sessionid") }),
			),
		},
		{
			Name:   "Max-Age is an hour whatever cookie_age says",
			Breaks: ids("cookie/max-age", "expiry/set-expiry-cookie"),
			Wrap: sessionLines(func(line string) string {
				if _, ok := ft.Attribute(line, "Max-Age"); !ok {
					return line
				}
				return ft.SetAttribute(ft.DropAttributes(line, "Expires"), "Max-Age", "3600")
			}),
		},
		{
			Name:   "the session cookie has no lifetime",
			Breaks: ids("cookie/max-age", "cookie/expire-at-browser-close"),
			Wrap:   sessionLines(func(line string) string { return ft.DropAttributes(line, "Max-Age", "Expires") }),
		},
		{
			Name:   "HttpOnly is dropped",
			Breaks: ids("cookie/httponly"),
			Wrap:   sessionLines(func(line string) string { return ft.DropAttributes(line, "HttpOnly") }),
		},
		{
			Name:   "SameSite is Strict whatever cookie_samesite says",
			Breaks: ids("cookie/samesite"),
			Wrap:   sessionLines(func(line string) string { return ft.SetAttribute(line, "SameSite", "Strict") }),
		},
		{
			Name:   "Secure is dropped",
			Breaks: ids("cookie/secure"),
			Wrap:   sessionLines(func(line string) string { return ft.DropAttributes(line, "Secure") }),
		},
		{
			Name:   "Path is /session whatever cookie_path says",
			Breaks: ids("cookie/path"),
			Wrap:   sessionLines(func(line string) string { return ft.SetAttribute(line, "Path", "/session") }),
		},
		{
			Name:   "a Domain is added although cookie_domain is null",
			Breaks: ids("cookie/domain"),
			Wrap:   sessionLines(func(line string) string { return ft.SetAttribute(line, "Domain", "127.0.0.1") }),
		},
		{
			Name:   "deletions carry Max-Age=0",
			Breaks: ids("cookie/grammar"),
			Wrap: sessionLines(func(line string) string {
				if strings.HasPrefix(line, "sessionid=;") {
					return line + "; Max-Age=0"
				}
				return line
			}),
		},
		{
			Name:   "session/expiry sets one second whatever N",
			Breaks: ids("expiry/lives-until-expiry", "expiry/set-expiry-cookie"),
			Wrap: rewriteRequestJSON("/session/expiry", func(body map[string]any) {
				if n, ok := body["seconds"].(float64); ok && n > 0 {
					body["seconds"] = 1
				}
			}),
		},
		{
			Name:   "session/expiry 0 keeps the default lifetime",
			Breaks: ids("expiry/zero-at-browser-close"),
			Wrap: rewriteRequestJSON("/session/expiry", func(body map[string]any) {
				if n, ok := body["seconds"].(float64); ok && n == 0 {
					body["seconds"] = 1209600
				}
			}),
		},
		{
			Name:         "expiry is enforced only by the cookie",
			Breaks:       ids("expiry/set-expiry-server", "expiry/cookie-age-server"),
			WrapSessions: ft.Immortal,
		},
		{
			Name:         "an invented key is adopted",
			Breaks:       ids("fixation/invented-key"),
			WrapSessions: newAdoptingStore,
		},
		{
			Name:   "no Vary",
			Breaks: ids("caching/vary-cookie"),
			Wrap:   onSession(func(h http.Header) { h.Del("Vary") }),
		},
		{
			Name:   "session answers are public",
			Breaks: ids("caching/not-shared"),
			Wrap:   onSession(func(h http.Header) { h.Set("Cache-Control", "public, max-age=60") }),
		},
	}
	ft.Suite{Name: "sessions", Faults: faults}.EveryCheckBreaks(t)
}

// TestAllowed runs the suite against what real frameworks do and the
// contract allows: none of it may fail at MUST.
func TestAllowed(t *testing.T) {
	ids := func(ids ...string) []*check.Check { return ft.Checks(t, "sessions", ids...) }
	ft.Suite{Name: "sessions", Allowed: []ft.Allowed{
		{
			// express-session's req.session.destroy() removes the session
			// from the store and sends no Set-Cookie.
			Name: "flush forgets the session but sends no Set-Cookie (express-session)",
			Wrap: dropFlushSetCookie,
			Pass: ids("data/flush"),
			Fail: ids("data/flush-drops-cookie"),
		},
		{
			// express-session's default cookie has no maxAge: the
			// manifest says "cookie_age": null.
			Name: "cookie_age is null (express-session without maxAge)",
			Wrap: ft.WithManifest(func(m map[string]any) { m["session"].(map[string]any)["cookie_age"] = nil }),
			Pass: ids("data/set-get", "expiry/set-expiry-server"),
			Skip: ids("cookie/max-age", "expiry/cookie-age-server"),
		},
		{
			// express-session's default cookie has no maxAge: every
			// session cookie lasts until the browser closes, and
			// session/expiry 0 (cookie.maxAge = null) changes nothing the
			// browser holds, so express-session sends no Set-Cookie; the
			// MemoryStore keeps such a session without limit.
			Name: "session cookies without a lifetime; session/expiry 0 sends no Set-Cookie (express-session)",
			Wrap: ft.Chain(
				ft.WithManifest(func(m map[string]any) { m["session"].(map[string]any)["expire_at_browser_close"] = true }),
				// No limit on the server for such a session: seconds_left null.
				rewriteAnswer("/session/expiry", func(status int, body map[string]json.RawMessage) (int, map[string]json.RawMessage) {
					if r := body["at_browser_close"]; r != nil && string(r) == "true" {
						body["seconds_left"] = json.RawMessage("null")
					}
					return status, body
				}),
				ft.RewriteSetCookie("", func(r *http.Request, line string) []string {
					if _, deletion := ft.Attribute(line, "Max-Age"); deletion && strings.Contains(line, "Max-Age=0") {
						return []string{line}
					}
					if strings.HasSuffix(r.URL.Path, "/session/expiry") {
						if _, lifetime := ft.Attribute(line, "Max-Age"); !lifetime {
							return nil
						}
						return []string{line}
					}
					return []string{ft.DropAttributes(line, "Max-Age", "Expires")}
				}),
			),
			Pass: ids("expiry/zero-at-browser-close", "cookie/expire-at-browser-close"),
			Skip: ids("cookie/max-age"),
		},
	}}.NoFalseMust(t)
}
