// Package gorillasessions adapts github.com/gorilla/sessions to
// httpcheckcontract.Sessions, for any sessions.Store: CookieStore (the
// data in a signed and encrypted cookie), FilesystemStore (the data in a
// file, the cookie holding a signed id), or a third-party store.
//
// Everything goes through gorilla's own calls: Store.Get, Session.Values,
// Session.Options.MaxAge and Store.Save. gorilla/sessions leaves three
// things to the application, which this package does as a careful one
// would:
//
//   - A lifetime given to one session (Options.MaxAge) holds for the
//     request that sets it only: every Get starts from a copy of the
//     store's options. The package keeps the session's MaxAge in its
//     Values, under "_session_max_age", and applies it again on every load,
//     so the next save does not put the store's lifetime back on the
//     cookie. It does not enforce it on the server: gorilla does not, and
//     httpcheck says so.
//   - There is no call to give a session a new id (login). The package
//     deletes the old one the only way gorilla offers, Save with MaxAge -1
//     (which for a FilesystemStore removes the file), into a header it
//     throws away, and saves the data under a new id.
//   - Store.Get of a cookie that names no live session (a bad signature, a
//     timestamp older than the store's MaxAge, a FilesystemStore file that
//     is gone) returns an error and a new session. The package uses that
//     session, with a fresh id: FilesystemStore leaves the id decoded from
//     the cookie in it, and saving it would bring the dead key back.
//
// Values are gob-encoded by gorilla (securecookie's default serializer).
// The package registers the types of JSON values with encoding/gob:
// map[string]any and json.Number ([]any gorilla registers itself).
package gorillasessions

import (
	"encoding/gob"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	"github.com/gorilla/sessions"

	"github.com/httpcheck/httpcheck/examples/go/httpcheckcontract"
)

func init() {
	gob.Register(map[string]any{})
	gob.Register(json.Number(""))
}

// maxAgeKey keeps a session's own lifetime in its Values.
const maxAgeKey = "_session_max_age"

// Sessions is a gorilla/sessions store under one session name.
type Sessions struct {
	store   sessions.Store
	name    string
	options sessions.Options
	backend string
}

// New adapts store, whose sessions (and cookie) are called name. The
// store's options are read from a *sessions.CookieStore or
// *sessions.FilesystemStore when New is called: set them before. For other
// stores use NewWithOptions.
func New(store sessions.Store, name string) *Sessions {
	switch s := store.(type) {
	case *sessions.CookieStore:
		return NewWithOptions(store, name, *s.Options, "CookieStore")
	case *sessions.FilesystemStore:
		return NewWithOptions(store, name, *s.Options, "FilesystemStore")
	}
	return NewWithOptions(store, name, sessions.Options{Path: "/", MaxAge: 86400 * 30}, fmt.Sprintf("%T", store))
}

// NewWithOptions adapts a store whose default options are options, and
// names it backend in the manifest.
func NewWithOptions(store sessions.Store, name string, options sessions.Options, backend string) *Sessions {
	return &Sessions{store: store, name: name, options: options, backend: backend}
}

// Settings reports the store's options.
func (s *Sessions) Settings() httpcheckcontract.SessionSettings {
	o := s.options
	return httpcheckcontract.SessionSettings{
		CookieName:           s.name,
		CookieAge:            max(o.MaxAge, 0),
		ExpireAtBrowserClose: o.MaxAge == 0,
		Secure:               o.Secure,
		HTTPOnly:             o.HttpOnly,
		SameSite:             o.SameSite,
		Path:                 o.Path,
		Domain:               o.Domain,
		Backend:              s.backend,
	}
}

// Load is Store.Get.
func (s *Sessions) Load(w http.ResponseWriter, r *http.Request) (httpcheckcontract.Session, error) {
	sess, err := s.store.Get(r, s.name)
	if sess == nil {
		return nil, err // an invalid name: gorilla returns no session at all
	}
	if err != nil {
		// The cookie names no session this store honours. Start afresh.
		sess.ID = ""
		sess.Values = map[any]any{}
		sess.IsNew = true
	}
	if n, ok := sess.Values[maxAgeKey].(int); ok {
		sess.Options.MaxAge = n
	}
	return &session{store: s.store, sess: sess, w: w, r: r}, nil
}

type session struct {
	store     sessions.Store
	sess      *sessions.Session
	w         http.ResponseWriter
	r         *http.Request
	destroyed bool
}

func (s *session) Get(key string) (any, bool) {
	v, ok := s.sess.Values[key]
	return v, ok
}

func (s *session) Set(key string, value any) { s.sess.Values[key] = value }

func (s *session) Delete(key string) { delete(s.sess.Values, key) }

func (s *session) Keys() []string {
	var keys []string
	for k := range s.sess.Values {
		if name, ok := k.(string); ok && name != maxAgeKey {
			keys = append(keys, name)
		}
	}
	sort.Strings(keys)
	return keys
}

func (s *session) MaxAge() int { return max(s.sess.Options.MaxAge, 0) }

func (s *session) SetMaxAge(seconds int) {
	s.sess.Options.MaxAge = seconds
	s.sess.Values[maxAgeKey] = seconds
}

// Rotate forgets the stored session under its old id, then lets the next
// Save store the data under a new one. A CookieStore session has no id:
// its next Save writes a new cookie, and the old cookie stays valid.
func (s *session) Rotate() error {
	if s.sess.IsNew || s.sess.ID == "" {
		return nil
	}
	keep := *s.sess.Options
	s.sess.Options.MaxAge = -1
	err := s.store.Save(s.r, discard{http.Header{}}, s.sess)
	*s.sess.Options = keep
	s.sess.ID = ""
	return err
}

// Destroy is gorilla's way to delete a session: Options.MaxAge = -1 and
// Save, which deletes the cookie and, for a FilesystemStore, the file.
func (s *session) Destroy() error {
	s.sess.Values = map[any]any{}
	s.sess.Options.MaxAge = -1
	s.destroyed = true
	return s.store.Save(s.r, s.w, s.sess)
}

func (s *session) Save() error {
	if s.destroyed {
		return nil
	}
	return s.store.Save(s.r, s.w, s.sess)
}

// discard is a ResponseWriter whose header nobody sends.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}
