package cache

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// maxCullEntries bounds how many keys the culling checks write: an alias
// that holds more is skipped rather than flooded.
const maxCullEntries = 2000

// maxKeyBytes is the longest key memcached takes, and so the longest a
// portable key may be (Django's MEMCACHE_MAX_KEY_LENGTH).
const maxKeyBytes = 250

// cullTarget is the alias the culling checks fill: the one with the fewest
// max_entries.
func cullTarget(e *harness.Env) (string, int) {
	alias := smallestAlias(e)
	if alias == "" {
		e.Skipf("no cache alias in the manifest states its max_entries")
	}
	n := e.Target.Manifest.Cache.Aliases[alias].MaxEntries
	if n > maxCullEntries {
		e.Skipf("the smallest alias, %s, holds %d entries; filling it would take more than %d writes", alias, n, maxCullEntries+maxCullEntries/2)
	}
	return alias, n
}

// paddedKey returns a unique key of exactly n bytes.
func paddedKey(topic string, n int) string {
	k := harness.Unique(topic) + ":"
	return k + strings.Repeat("x", n-len(k))
}

// Culling, aliases, keys and values.
var (
	cullMax = suite.Must("cull/within-max-entries", "an alias never holds more than its max_entries of the keys written to it", "contract cache").
		Quoting(`"Culling is checked on the alias with the fewest max_entries. The check writes one and a half times that many keys, and expects the alias never to hold more than max_entries of them ..." (docs/contract.md, What the cache checks expect)`)
	cullNewest = suite.Must("cull/keeps-newest", "culling never removes the key just written", "contract cache").
			Quoting(`"Culling is checked on the alias with the fewest max_entries. The check writes one and a half times that many keys, and expects the alias ... never to drop the key just written." (docs/contract.md, What the cache checks expect)`)
	aliasIsolated = suite.Must("aliases/isolated", "the same key in two aliases names two entries: set and delete in one leave the other alone", "contract cache").
			Quoting(`"Each alias is a cache of its own: the same key in two aliases names two entries, and what a call does in one alias no other alias sees." (docs/contract.md, Cache API)`)
	aliasUnknown = suite.Must("aliases/unknown-is-404", "an alias the manifest does not list answers 404 with a JSON error", "contract cache", "contract general").
			Quoting(`"It must be one of the aliases in the manifest's cache.aliases: an unknown alias or an unknown op gets 404." (docs/contract.md, Cache API)`)
	keyMaxLength = suite.Must("keys/max-length-accepted", "a key of 250 bytes, the longest memcached takes, is stored and read back", "contract cache").
			Quoting(`"A key of up to 250 bytes works." (docs/contract.md, What the cache checks expect)`)
	keyTooLong = suite.Must("keys/too-long-is-400", "a key longer than 250 bytes answers 400 with the reason, on every operation", "contract cache").
			Quoting(`"A longer key, or one with a space or a control character, gets 400 with a JSON error on every operation, before anything changes ..." (docs/contract.md, What the cache checks expect)`)
	keyControl = suite.Must("keys/control-characters-are-400", "a key holding a space or a control character answers 400 with the reason", "contract cache").
			Quoting(`"A longer key, or one with a space or a control character, gets 400 with a JSON error ..." (docs/contract.md, What the cache checks expect)`)
	valuesJSON = suite.Must("values/round-trip", "any JSON value (objects, arrays, strings with escapes, numbers, booleans, null) comes back as stored", "contract cache").
			Quoting(`"Values round-trip as JSON values: nested objects, escapes, null, large integers. Numbers are compared by value, so 1.0 for 1 is fine." (docs/contract.md, What the cache checks expect)`)
	badBody = suite.Must("input/bad-body-is-400", "a malformed body or a member of the wrong type answers 400 with a JSON error, never 5xx", "contract cache", "contract general").
		Quoting(`"All answers are 200 except for the errors: 400 for a malformed body or a field of the wrong type ..." (docs/contract.md, Cache API)`)
)

var _ = Describe("cache limits", Label("suite:cache"), func() {
	Describe("culling (max_entries, cull_frequency)", func() {
		// fill writes one and a half times max_entries new keys to the
		// alias and returns them in the order written; after each write
		// past max_entries, newest says whether the key just written was
		// found.
		fill := func(e *harness.Env, newest func(c *client, key string, i int)) (*client, []string, int) {
			GinkgoHelper()
			alias, maxEntries := cullTarget(e)
			c := newClient(e, alias)
			var keys []string
			for i := range maxEntries + maxEntries/2 + 1 {
				k := harness.Unique("cull" + strconv.Itoa(i))
				c.set(k, i)
				keys = append(keys, k)
				if i >= maxEntries && newest != nil {
					newest(c, k, i)
				}
			}
			return c, keys, maxEntries
		}

		cullMax.It(func(e *harness.Env) {
			requireShared(e)
			c, keys, maxEntries := fill(e, nil)
			var found int
			for chunk := range slices.Chunk(keys, 100) {
				found += len(c.getMany(chunk...))
			}
			Expect(found <= maxEntries).To(verify.Hold(), "expected alias %s to hold at most its max_entries of %d after %d new keys were written to it, observed %d of them still there", c.alias, maxEntries, len(keys), found)
		}, Serial)

		cullNewest.It(func(e *harness.Env) {
			requireShared(e)
			fill(e, func(c *client, key string, i int) {
				found, _ := c.get(key)
				Expect(found).To(verify.Hold(), "expected %s, written %d keys into alias %s (max_entries %d), to be found right after it was set, observed found false", key, i+1, c.alias, e.Target.Manifest.Cache.Aliases[c.alias].MaxEntries)
			})
		}, Serial)
	})

	Describe("aliases", func() {
		aliasIsolated.It(func(e *harness.Env) {
			requireShared(e)
			other, ok := spareAlias(e)
			if !ok {
				e.Skipf("the manifest lists one cache alias; isolation needs two")
			}
			def := newClient(e, defaultAlias(e))
			oth := &client{b: def.b, alias: other}
			k := harness.Unique("alias")
			def.set(k, "in "+def.alias)
			oth.set(k, "in "+other)
			def.expectValue(k, "in "+def.alias, "after the same key was set in alias "+other)
			oth.expectValue(k, "in "+other, "after the same key was set in alias "+def.alias)
			Expect(oth.delete(k)).To(verify.Hold(), "expected delete in alias %s to answer deleted true for the key set there, observed false", other)
			def.expectValue(k, "in "+def.alias, "after the same key was deleted in alias "+other)
		})

		aliasUnknown.It(func(e *harness.Env) {
			requireCache(e)
			name := "hc-no-such-alias-" + strings.TrimPrefix(harness.Unique("x"), "hc_x_")
			for slices.Contains(aliasNames(e), name) {
				name += "x"
			}
			c := newClient(e, name)
			Expect(c.send("get", map[string]any{"key": harness.Unique("unknown")})).To(verify.HaveJSONError("get on alias "+name+" (not in the manifest)", http.StatusNotFound))
			Expect(c.send("set", map[string]any{"key": harness.Unique("unknown"), "value": 1})).To(verify.HaveJSONError("set on alias "+name+" (not in the manifest)", http.StatusNotFound))
		})
	})

	Describe("keys", func() {
		keyMaxLength.It(func(e *harness.Env) {
			requireShared(e)
			c := newClient(e, defaultAlias(e))
			k := paddedKey("max", maxKeyBytes)
			c.set(k, "longest")
			c.expectValue(k, "longest", fmt.Sprintf("under a key of %d bytes", len(k)))
		})

		keyTooLong.It(func(e *harness.Env) {
			requireCache(e)
			c := newClient(e, defaultAlias(e))
			k := paddedKey("long", maxKeyBytes+1)
			for _, op := range []struct {
				name string
				body map[string]any
			}{
				{"set", map[string]any{"key": k, "value": 1}},
				{"get", map[string]any{"key": k}},
				{"add", map[string]any{"key": k, "value": 1}},
				{"get_or_set", map[string]any{"key": k, "default": 1}},
				{"get_many", map[string]any{"keys": []string{harness.Unique("ok"), k}}},
				{"set_many", map[string]any{"values": map[string]any{harness.Unique("ok"): 1, k: 1}}},
				{"delete", map[string]any{"key": k}},
				{"delete_many", map[string]any{"keys": []string{k}}},
				{"incr", map[string]any{"key": k}},
				{"touch", map[string]any{"key": k}},
			} {
				Expect(c.send(op.name, op.body)).To(verify.HaveJSONError(fmt.Sprintf("%s with a key of %d bytes", op.name, len(k)), http.StatusBadRequest))
			}
		})

		keyControl.It(func(e *harness.Env) {
			requireCache(e)
			c := newClient(e, defaultAlias(e))
			for _, bad := range []string{" ", "\n", "\t", "\r", "\x00", "\x1b", "\x7f"} {
				k := harness.Unique("ctl") + bad + "end"
				Expect(c.send("set", map[string]any{"key": k, "value": 1})).To(verify.HaveJSONError(fmt.Sprintf("set with the key %q", k), http.StatusBadRequest))
			}
		})
	})

	Describe("values", func() {
		valuesJSON.It(func(e *harness.Env) {
			requireShared(e)
			c := newClient(e, defaultAlias(e))
			for _, v := range []string{
				`{"nested": {"list": [1, 2, {"deep": null}], "empty": {}, "none": []}}`,
				`["mixed", 1, -2.5, true, false, null, {"k": "v"}]`,
				`"quote \" backslash \\ slash \/ tab \t newline \n NUL \u0000 e-acute é snowman ☃ clef \ud834\udd1e"`,
				`""`, `0`, `-17`, `3.25`, `1e-7`, `9007199254740991`, `true`, `false`, `null`, `{}`, `[]`,
			} {
				k := harness.Unique("json")
				c.call("set", map[string]any{"key": k, "value": rawJSON(v)}, nil)
				found, got := c.get(k)
				Expect(found).To(verify.Hold(), "expected the value %s to be found after set, observed found false", v)
				Expect(sameJSON(got, rawJSON(v))).To(verify.Hold(), "expected the value %s to come back as stored, observed %s", v, got)
			}
		})
	})

	Describe("bad input", func() {
		badBody.It(func(e *harness.Env) {
			requireCache(e)
			c := newClient(e, defaultAlias(e))
			k := harness.Unique("bad")
			for _, tc := range []struct{ op, body, what string }{
				{"set", `{"key": "` + k + `", "value": 1`, "a body cut short"},
				{"set", `[{"key": "` + k + `", "value": 1}]`, "an array for a body"},
				{"set", `{"key": 7, "value": 1}`, "a number for the key"},
				{"set", `{"value": 1}`, "no key"},
				{"get", `{"key": ["` + k + `"]}`, "an array for the key"},
				{"get_many", `{"keys": "` + k + `"}`, "a string for keys"},
				{"set_many", `{"values": [1, 2]}`, "an array for values"},
				{"incr", `{"key": "` + k + `", "delta": "one"}`, "a string for delta"},
			} {
				r := c.b.Do(harness.Request{Method: http.MethodPost, Path: c.path(tc.op), Body: []byte(tc.body),
					Header: http.Header{"Content-Type": {"application/json"}}})
				Expect(r).To(verify.HaveJSONError(fmt.Sprintf("%s with %s (%s)", tc.op, tc.what, tc.body), http.StatusBadRequest))
			}
		})
	})
})
