package cache

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/aliases"
	"github.com/httpcheck/httpcheck/suites/internal/rules"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// client talks to one alias of the cache API with one browser.
type client struct {
	b     *harness.Browser
	alias string
}

func newClient(e *harness.Env, alias string) *client {
	return &client{b: e.NewBrowser(), alias: alias}
}

func (c *client) path(op string) string { return "cache/" + c.alias + "/" + op }

// send posts op with body, asserting nothing: for setups, and for checks
// that judge the status themselves.
func (c *client) send(op string, body map[string]any) *harness.Response {
	return c.b.Do(harness.Request{Method: http.MethodPost, Path: c.path(op), JSON: body})
}

// call posts op with body, expects 200 and decodes the answer into out.
func (c *client) call(op string, body map[string]any, out any) *harness.Response {
	ginkgo.GinkgoHelper()
	r := c.send(op, body)
	Expect(r).To(verify.HaveStatus(c.path(op)+" "+describeBody(body), http.StatusOK))
	if out != nil {
		r.Decode(out)
	}
	return r
}

func describeBody(body map[string]any) string {
	b, _ := json.Marshal(body)
	s := string(b)
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

// set stores v under key; timeout, when given, is the "timeout" member
// (nil sends null).
func (c *client) set(key string, v any, timeout ...any) {
	ginkgo.GinkgoHelper()
	body := map[string]any{"key": key, "value": v}
	if len(timeout) > 0 {
		body["timeout"] = timeout[0]
	}
	c.call("set", body, nil)
}

// getAnswer is get's answer; Found is nil when the member is missing.
type getAnswer struct {
	Found *bool           `json:"found"`
	Value json.RawMessage `json:"value"`
}

// get reads key and returns whether it was found and its value.
func (c *client) get(key string) (bool, json.RawMessage) {
	ginkgo.GinkgoHelper()
	var a getAnswer
	c.call("get", map[string]any{"key": key}, &a)
	Expect(a.Found != nil).To(verify.Hold(), "expected get to answer a boolean \"found\", observed none")
	return *a.Found, a.Value
}

// expectValue fails unless key holds want (compared as JSON values).
func (c *client) expectValue(key string, want any, when string) {
	ginkgo.GinkgoHelper()
	found, got := c.get(key)
	Expect(found).To(verify.Hold(), "expected %s to be found %s, observed found false", key, when)
	Expect(sameJSON(got, want)).To(verify.Hold(), "expected %s to hold %s %s, observed %s", key, jsonText(want), when, got)
}

// expectAbsent fails if key is found.
func (c *client) expectAbsent(key, when string) {
	ginkgo.GinkgoHelper()
	found, got := c.get(key)
	Expect(!found).To(verify.Hold(), "expected %s to be absent %s, observed found true with %s", key, when, got)
}

// isPresent probes key without asserting: for setups.
func (c *client) isPresent(key string) bool {
	r := c.send("get", map[string]any{"key": key})
	var a getAnswer
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &a) != nil || a.Found == nil {
		return false
	}
	return *a.Found
}

func jsonText(v any) string {
	if raw, ok := v.(json.RawMessage); ok {
		return string(raw)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// sameJSON reports whether got holds the JSON value want
// (rules.SameJSON: numbers by value, everything else exactly).
func sameJSON(got json.RawMessage, want any) bool {
	return rules.SameJSON([]byte(jsonText(want)), got)
}

// requireCache skips the check unless the target declares the cache API.
func requireCache(e *harness.Env) {
	e.Require(harness.FeatureCache)
}

// requireShared skips the check when the target's cache is per instance:
// two requests may then reach two caches, and reading back what was
// written proves nothing either way.
func requireShared(e *harness.Env) {
	requireCache(e)
	if s := e.Target.Manifest.Cache; s != nil && s.PerInstance {
		e.Skipf("the target's cache is per instance (manifest cache.per_instance): consecutive requests may reach caches that do not share entries")
	}
}

// The aliases the checks use (suites/internal/aliases).
func aliasNames(e *harness.Env) []string       { return aliases.Names(e.Target.Manifest) }
func defaultAlias(e *harness.Env) string       { return aliases.Default(e.Target.Manifest) }
func spareAlias(e *harness.Env) (string, bool) { return aliases.Spare(e.Target.Manifest) }
func smallestAlias(e *harness.Env) string      { return aliases.Smallest(e.Target.Manifest) }

// defaultTimeout is the default alias's timeout from the manifest; never
// is true for null.
func defaultTimeout(e *harness.Env) (d time.Duration, never bool) {
	a := e.Target.Manifest.Cache.Aliases[defaultAlias(e)]
	if a.Timeout == nil {
		return 0, true
	}
	return time.Duration(*a.Timeout * float64(time.Second)), false
}

func seconds(d time.Duration) string { return fmt.Sprintf("%gs", d.Seconds()) }

// rawJSON is JSON text sent as is.
func rawJSON(s string) json.RawMessage { return json.RawMessage(s) }
