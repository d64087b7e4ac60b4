package gorillasessions_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"github.com/httpcheck/httpcheck/examples/go/httpcheckcontract"
	"github.com/httpcheck/httpcheck/examples/go/httpcheckcontract/gorillasessions"
)

func stores(t *testing.T) map[string]sessions.Store {
	fs := sessions.NewFilesystemStore(t.TempDir(), securecookie.GenerateRandomKey(32), securecookie.GenerateRandomKey(32))
	fs.MaxLength(0)
	return map[string]sessions.Store{
		"FilesystemStore": fs,
		"CookieStore":     sessions.NewCookieStore(securecookie.GenerateRandomKey(32), securecookie.GenerateRandomKey(32)),
	}
}

// step loads the session for a request carrying cookie (none when ""),
// runs f on it, and returns the session cookie's new value ("" when the
// answer set none) and whether it was deleted.
func step(t *testing.T, s *gorillasessions.Sessions, cookie string, f func(httpcheckcontract.Session)) (value string, deleted bool) {
	t.Helper()
	r := httptest.NewRequest("GET", "/", nil)
	if cookie != "" {
		r.AddCookie(&http.Cookie{Name: "session", Value: cookie})
	}
	w := httptest.NewRecorder()
	sess, err := s.Load(w, r)
	if err != nil {
		t.Fatal(err)
	}
	f(sess)
	for _, c := range w.Result().Cookies() {
		if c.Name == "session" {
			return c.Value, c.MaxAge < 0
		}
	}
	return "", false
}

func decoded(t *testing.T, text string) any {
	t.Helper()
	var v any
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return httpcheckcontract.Value(v)
}

// JSON values survive gob, as httpcheckcontract.Value makes them, except
// that gob gives an empty slice back as nil, which encoding/json writes as
// null (docs/frameworks/go.md).
func TestJSONValuesThroughGob(t *testing.T) {
	for name, store := range stores(t) {
		s := gorillasessions.New(store, "session")
		values := map[string]string{
			"big":     `9007199254740993`,
			"floats":  `[0.1, 1e300, 5e-324, -0.5]`,
			"huge":    `123456789012345678901234567890`,
			"text":    `"ünïcødé 😀 \u0000 \"quoted\""`,
			"nested":  `{"a": {"b": [1, "two", null, true, {"c": {}}]}}`,
			"literal": `null`,
		}
		cookie, _ := step(t, s, "", func(sess httpcheckcontract.Session) {
			for k, v := range values {
				sess.Set(k, decoded(t, v))
			}
			sess.Set("empty", []any{})
			if err := sess.Save(); err != nil {
				t.Fatal(err)
			}
		})
		step(t, s, cookie, func(sess httpcheckcontract.Session) {
			for k, v := range values {
				got, found := sess.Get(k)
				a, _ := json.Marshal(got)
				b, _ := json.Marshal(decoded(t, v))
				if !found || string(a) != string(b) {
					t.Errorf("%s: %s came back as %s, want %s", name, k, a, b)
				}
			}
			got, _ := sess.Get("empty")
			if b, _ := json.Marshal(got); string(b) != "null" {
				t.Errorf("%s: an empty list came back as %s; gob used to give nil (null): update docs/frameworks/go.md", name, b)
			}
		})
	}
}

func TestMaxAgeKeptAcrossRequests(t *testing.T) {
	for name, store := range stores(t) {
		s := gorillasessions.New(store, "session")
		cookie, _ := step(t, s, "", func(sess httpcheckcontract.Session) {
			sess.Set("k", "v")
			sess.SetMaxAge(60)
			sess.Save()
		})
		again, _ := step(t, s, cookie, func(sess httpcheckcontract.Session) {
			if sess.MaxAge() != 60 {
				t.Errorf("%s: MaxAge %d after a reload, want 60", name, sess.MaxAge())
			}
			if got := sess.Keys(); !reflect.DeepEqual(got, []string{"k"}) {
				t.Errorf("%s: keys %q, want [k]", name, got)
			}
			sess.Set("k2", "v2")
			sess.Save()
		})
		if again == "" {
			t.Errorf("%s: the second save set no cookie", name)
		}
	}
}

// Rotate: with a FilesystemStore the old id names nothing afterwards, its
// file is gone, and the data moved to a new one.
func TestRotateForgetsTheOldID(t *testing.T) {
	dir := t.TempDir()
	s := gorillasessions.New(sessions.NewFilesystemStore(dir, securecookie.GenerateRandomKey(32)), "session")
	old, _ := step(t, s, "", func(sess httpcheckcontract.Session) { sess.Set("k", "v"); sess.Save() })
	files, _ := filepath.Glob(filepath.Join(dir, "session_*"))
	if len(files) != 1 {
		t.Fatalf("%d session files, want 1", len(files))
	}
	rotated, _ := step(t, s, old, func(sess httpcheckcontract.Session) {
		if err := sess.Rotate(); err != nil {
			t.Fatal(err)
		}
		sess.Save()
	})
	if rotated == "" || rotated == old {
		t.Fatalf("rotation set cookie %q, want a new one", rotated)
	}
	if _, err := os.Stat(files[0]); !os.IsNotExist(err) {
		t.Errorf("the old session file is still there (%v)", err)
	}
	step(t, s, old, func(sess httpcheckcontract.Session) {
		if _, found := sess.Get("k"); found {
			t.Error("the old cookie still reads the data")
		}
	})
	step(t, s, rotated, func(sess httpcheckcontract.Session) {
		if v, _ := sess.Get("k"); v != "v" {
			t.Errorf("the new cookie reads k = %v, want v", v)
		}
	})
}

// A cookie whose file is gone gives a new session under a new id: saving
// it does not bring the dead id back.
func TestDeadIDNotRevived(t *testing.T) {
	s := gorillasessions.New(sessions.NewFilesystemStore(t.TempDir(), securecookie.GenerateRandomKey(32)), "session")
	old, _ := step(t, s, "", func(sess httpcheckcontract.Session) { sess.Set("k", "v"); sess.Save() })
	if _, deleted := step(t, s, old, func(sess httpcheckcontract.Session) { sess.Destroy() }); !deleted {
		t.Error("Destroy did not delete the cookie")
	}
	revived, _ := step(t, s, old, func(sess httpcheckcontract.Session) { sess.Set("k2", "v2"); sess.Save() })
	if revived == "" {
		t.Fatal("no cookie")
	}
	step(t, s, old, func(sess httpcheckcontract.Session) {
		if _, found := sess.Get("k2"); found {
			t.Error("the destroyed id was saved again: the old cookie reads the new data")
		}
	})
}

// gorilla's FilesystemStore deletes a session saved with MaxAge 0, which
// its Options document as a cookie that lasts until the browser closes
// (docs/frameworks/go.md): the contract's session/expiry 0 loses the data.
func TestFilesystemStoreMaxAgeZeroDeletes(t *testing.T) {
	s := gorillasessions.New(sessions.NewFilesystemStore(t.TempDir(), securecookie.GenerateRandomKey(32)), "session")
	c, _ := step(t, s, "", func(sess httpcheckcontract.Session) { sess.Set("k", "v"); sess.Save() })
	c2, _ := step(t, s, c, func(sess httpcheckcontract.Session) { sess.SetMaxAge(0); sess.Save() })
	step(t, s, c2, func(sess httpcheckcontract.Session) {
		if _, found := sess.Get("k"); found {
			t.Error("the session survived MaxAge 0: gorilla changed; update docs/frameworks/go.md")
		}
	})
}

// gorilla as is: a FilesystemStore session whose file is gone comes back
// from Store.Get with an error and the id decoded from the cookie, and
// saving it (as gorilla's README does, ignoring the error) writes a new
// file under that id, so the old cookie works again (docs/frameworks/go.md).
func TestGorillaRevivesADeadID(t *testing.T) {
	store := sessions.NewFilesystemStore(t.TempDir(), securecookie.GenerateRandomKey(32))
	request := func(cookie string) *http.Request {
		r := httptest.NewRequest("GET", "/", nil)
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: "s", Value: cookie})
		}
		return r
	}
	saved := func(w *httptest.ResponseRecorder) string {
		for _, c := range w.Result().Cookies() {
			return c.Value
		}
		return ""
	}
	w := httptest.NewRecorder()
	sess, _ := store.Get(request(""), "s")
	sess.Values["user"] = "alice"
	sess.Save(request(""), w)
	old := saved(w)

	sess, _ = store.Get(request(old), "s") // logout
	sess.Options.MaxAge = -1
	sess.Save(request(old), httptest.NewRecorder())

	r := request(old)
	sess, err := store.Get(r, "s")
	if err == nil || sess.ID == "" {
		t.Fatalf("Store.Get of a deleted session: err %v, id %q; gorilla changed: update docs/frameworks/go.md", err, sess.ID)
	}
	sess.Values["cart"] = "new data"
	sess.Save(r, httptest.NewRecorder())

	again, err := store.Get(request(old), "s")
	if err != nil || again.Values["cart"] != "new data" {
		t.Errorf("the dead id was not revived (err %v, values %v); gorilla changed: update docs/frameworks/go.md", err, again.Values)
	}
}
