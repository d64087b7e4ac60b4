package cluster

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// lifetime is how long the expiry checks give a session or an entry; they
// then let a second more pass on every instance. On real clocks that is a
// real wait, within the default --max-wait.
const lifetime = 4 * time.Second

// deployment skips the check unless the run has several instances that
// all declare features, brings their clocks level, and returns them, the
// first first.
func deployment(e *harness.Env, features ...string) []*harness.Target {
	e.RequireInstances(2)
	e.RequireEverywhere(features...)
	e.AlignClocks()
	return e.Instances()
}

// instance names instance i of ts for messages: "instance 2 (URL)".
func instance(ts []*harness.Target, i int) string {
	return fmt.Sprintf("instance %d (%s)", i+1, ts[i].Base)
}

// sharedCache skips the check when an instance's manifest says each
// instance has its own cache.
func sharedCache(e *harness.Env, ts []*harness.Target) {
	for i, t := range ts {
		if c := t.Manifest.Cache; c != nil && c.PerInstance {
			e.Skipf("%s declares that each instance has its own cache (manifest cache.per_instance): the deployment does not share cache entries, by design", instance(ts, i))
		}
	}
}

// newBrowser opens a browser that can hold the session cookie on every
// instance: over https when the manifest declares it Secure (a user agent
// never stores a Secure cookie set over http, RFC 6265bis §5.7).
func newBrowser(e *harness.Env, ts []*harness.Target) *harness.Browser {
	b := e.NewBrowser()
	if s := e.Target.Manifest.Session; s != nil && s.CookieSecure {
		for i, t := range ts {
			if !t.HasScheme("https") {
				e.Skipf("the session cookie is Secure, and %s does not serve the contract over https (manifest urls.https)", instance(ts, i))
			}
		}
		return b.Over("https")
	}
	return b
}

// cookieName is the session cookie's name, from the first instance's
// manifest.
func cookieName(e *harness.Env) string { return e.Target.Manifest.Session.CookieName }

// sessionSet stores value (JSON text) under key through b and expects 200.
func sessionSet(b *harness.Browser, what, key, value string) {
	GinkgoHelper()
	r := b.Do(harness.Request{Method: http.MethodPost, Path: "session/set",
		JSON: map[string]any{"key": key, "value": json.RawMessage(value)}, Note: what})
	Expect(r).To(verify.HaveStatus("session/set through "+what, http.StatusOK))
}

// getAnswer is the answer of session/get and of the cache API's get: the
// contract gives both the same two members, found and value.
type getAnswer struct {
	Found bool            `json:"found"`
	Value json.RawMessage `json:"value"`
}

func (a getAnswer) describe() string {
	if !a.Found {
		return "found false"
	}
	return "found true, value " + string(a.Value)
}

// sessionGet reads key through b, with the cookie given by hand when
// cookie is not nil, and expects 200.
func sessionGet(b *harness.Browser, what, key string, cookie *string) getAnswer {
	GinkgoHelper()
	r := b.Do(harness.Request{Method: http.MethodGet, Path: "session/get", Query: harness.Query("key", key),
		Cookie: cookie, NoStore: cookie != nil, Note: what})
	Expect(r).To(verify.HaveStatus("session/get through "+what, http.StatusOK))
	var a getAnswer
	r.Decode(&a)
	return a
}

// whoami answers who b is logged in as through instance what, "" for
// nobody; cookie, when not nil, is sent by hand.
func whoami(b *harness.Browser, what string, cookie *string) string {
	GinkgoHelper()
	r := b.Do(harness.Request{Method: http.MethodGet, Path: "session/whoami", Cookie: cookie, NoStore: cookie != nil, Note: what})
	Expect(r).To(verify.HaveStatus("session/whoami through "+what, http.StatusOK))
	var a struct {
		User *string `json:"user"`
	}
	r.Decode(&a)
	if a.User == nil {
		return ""
	}
	return *a.User
}

// sameJSON reports whether two JSON texts are the same value
// (rules.SameJSON: integers exactly, beyond 2^53 too).
func sameJSON(a, b json.RawMessage) bool { return rules.SameJSON(a, b) }

// alias is the cache alias the checks use: "default", or the first one the
// manifest lists.
func alias(e *harness.Env) string {
	aliases := e.Target.Manifest.Cache.Aliases
	if _, ok := aliases["default"]; ok {
		return "default"
	}
	return slices.Sorted(maps.Keys(aliases))[0]
}

// cacheCall posts op to the alias through b; ok reports a 200, and the
// answer is decoded into out.
func cacheCall(b *harness.Browser, a, op, what string, body map[string]any, out any) *harness.Response {
	r := b.Do(harness.Request{Method: http.MethodPost, Path: "cache/" + a + "/" + op, JSON: body, Note: what})
	if r.Status == http.StatusOK && out != nil {
		r.Decode(out)
	}
	return r
}

// cacheGet reads key through b and expects 200.
func cacheGet(b *harness.Browser, a, what, key string) getAnswer {
	GinkgoHelper()
	var out getAnswer
	r := cacheCall(b, a, "get", what, map[string]any{"key": key}, &out)
	Expect(r).To(verify.HaveStatus("cache/"+a+"/get through "+what, http.StatusOK))
	return out
}
