package cache

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// The operations of the contract's table, each one's answer and effect.
var (
	setGet = suite.Must("set/get-returns-value", "set answers {} and get then answers found true with the value", "contract cache").
		Quoting(`"Values are any JSON and come back exactly as stored." (docs/contract.md, Cache API)`)
	setReplaces = suite.Must("set/replaces-value", "set on a key that holds a value replaces it", "contract cache").
			Quoting(`"set of a key that holds a value replaces it." (docs/contract.md, Cache API)`)
	getDefault = suite.Must("get/absent-answers-default", "get of an absent key answers found false with the default, or null without one", "contract cache").
			Quoting(`"On a miss, value is default (or null)." (docs/contract.md, Cache API)`)
	addAbsent = suite.Must("add/adds-when-absent", "add of an absent key answers added true and stores the value", "contract cache").
			Quoting(`"Stores only if the key is absent." (docs/contract.md, Cache API)`)
	addPresent = suite.Must("add/keeps-present", "add of a present key answers added false and leaves its value alone", "contract cache").
			Quoting(`"Stores only if the key is absent." (docs/contract.md, Cache API)`)
	getOrSetAbsent = suite.Must("get-or-set/stores-default", "get_or_set of an absent key answers the default and stores it", "contract cache").
			Quoting(qGetOrSet)
	getOrSetPresent = suite.Must("get-or-set/keeps-present", "get_or_set of a present key answers the stored value and leaves it alone", "contract cache").
			Quoting(qGetOrSet)
	getMany = suite.Must("get-many/found-only", "get_many answers the values of the keys that were found, and only those", "contract cache").
		Quoting(`"get_many answers the values of the keys that were found, and only those." (docs/contract.md, Cache API)`)
	setManyStores = suite.Must("set-many/stores-every-value", "set_many stores every value it was given, save those it names in failed", "contract cache").
			Quoting(qSetManyFailed)
	setManyFailed = suite.Must("set-many/reports-failures", "set_many answers a failed list that names exactly the keys it did not store", "contract cache").
			Quoting(qSetManyFailed)
	deletePresent = suite.Must("delete/removes-present", "delete of a present key answers deleted true and removes it", "contract cache").
			Quoting(qDelete)
	deleteAbsent = suite.Must("delete/absent-answers-false", "delete of an absent key answers deleted false, not an error", "contract cache").
			Quoting(qDelete)
	deleteMany = suite.Must("delete-many/counts", "delete_many answers how many of the keys were present and removes them", "contract cache").
			Quoting(`"delete_many removes the keys and answers how many of them were present." (docs/contract.md, Cache API)`)
	incrDelta = suite.Must("incr/adds-delta", "incr adds delta (1 when left out) and answers the new value, which get then reads", "contract cache").
			Quoting(qIncrDecr)
	decrDelta = suite.Must("decr/subtracts-delta", "decr subtracts delta (1 when left out); past zero it goes negative, or stops at 0 as memcached does", "contract cache").
			Quoting(qIncrDecr + ` "decr may go below zero, or stop at 0 as memcached's does." (docs/contract.md, What the cache checks expect)`)
	incrAbsent = suite.Must("incr/absent-is-404", "incr and decr of an absent key answer 404 and do not create it", "contract cache").
			Quoting(`"incr/decr of an absent key answer 404 and leave the key absent." (docs/contract.md, What the cache checks expect)`)
	incrOverflow = suite.Must("incr/no-wraparound", "incr past 2^63-1 never wraps around: it answers an error or the exact sum, and get reads no wrapped value", "contract cache").
			Quoting(`"incr past 2^63-1 never wraps around: it answers an error (the reference's 400) or the exact sum, and the entry holds no wrapped value" (docs/contract.md, What the cache checks expect)`)
	incrAtomic   = suite.Advisory("incr/atomic", "concurrent increments of one key are all counted (Django promises this only where the backend has an atomic increment)", "contract cache")
	touchAnswers = suite.Must("touch/answers-whether-present", "touch answers touched true for a present key and false for an absent one", "contract cache").
			Quoting(qTouch)
	clearEmpties = suite.Must("clear/empties-alias", "clear answers {} and removes every entry of the alias", "contract cache").
			Quoting(`"clear removes every entry of the alias." (docs/contract.md, Cache API)`)
)

// Sentences of the contract quoted by several checks.
const (
	qGetOrSet      = `"get_or_set of an absent key stores default and answers it, and of a present key answers the stored value and leaves it alone." (docs/contract.md, Cache API)`
	qSetManyFailed = `"set_many's failed names exactly the keys that were not stored." (docs/contract.md, What the cache checks expect)`
	qDelete        = `"delete of a present key answers deleted true and removes it, and of an absent key answers false, not an error." (docs/contract.md, Cache API)`
	qIncrDecr      = `"incr adds delta (1 when left out) and decr subtracts it, and both answer the new value, which the entry then holds." (docs/contract.md, Cache API)`
	qTouch         = `"touch gives a present entry a new timeout and answers touched true, and it answers false for an absent key." (docs/contract.md, Cache API)`
)

// The contract's table, one operation after another (docs/contract.md,
// Cache API). Each check uses the default alias and keys of its own.
var _ = Describe("the cache API's operations", Label("suite:cache"), func() {
	// use skips the check unless the target has a shared cache, and opens
	// the check's client on the default alias.
	use := func(e *harness.Env) *client {
		requireShared(e)
		return newClient(e, defaultAlias(e))
	}

	Describe("set and get", func() {
		setGet.It(func(e *harness.Env) {
			c := use(e)
			k := harness.Unique("set")
			c.set(k, "hello")
			c.expectValue(k, "hello", "right after set")
		})

		setReplaces.It(func(e *harness.Env) {
			c := use(e)
			k := harness.Unique("replace")
			c.set(k, "first")
			c.set(k, map[string]any{"second": true})
			c.expectValue(k, map[string]any{"second": true}, "after a second set")
		})

		getDefault.It(func(e *harness.Env) {
			c := use(e)
			k := harness.Unique("absent")
			def := map[string]any{"fallback": []any{1, "two"}}
			var a getAnswer
			c.call("get", map[string]any{"key": k, "default": def}, &a)
			Expect(a.Found != nil && !*a.Found).To(verify.Hold(), "expected get of an absent key to answer found false, observed %s", describeFound(a.Found))
			Expect(sameJSON(a.Value, def)).To(verify.Hold(), "expected get of an absent key to answer the default %s as its value, observed %s", jsonText(def), a.Value)
			a = getAnswer{}
			c.call("get", map[string]any{"key": k}, &a)
			Expect(a.Found != nil && !*a.Found).To(verify.Hold(), "expected get of an absent key to answer found false, observed %s", describeFound(a.Found))
			Expect(sameJSON(a.Value, nil)).To(verify.Hold(), "expected get of an absent key without a default to answer value null, observed %s", describeRaw(a.Value))
		})
	})

	Describe("add", func() {
		addAbsent.It(func(e *harness.Env) {
			c := use(e)
			k := harness.Unique("add")
			added := c.add(k, "new")
			Expect(added).To(verify.Hold(), "expected add of an absent key to answer added true, observed false")
			c.expectValue(k, "new", "after add")
		})

		addPresent.It(func(e *harness.Env) {
			c := use(e)
			k := harness.Unique("addpresent")
			c.set(k, "first")
			added := c.add(k, "second")
			Expect(!added).To(verify.Hold(), "expected add of a present key to answer added false, observed true")
			c.expectValue(k, "first", "after add of a key it already held")
		})
	})

	Describe("get_or_set", func() {
		getOrSetAbsent.It(func(e *harness.Env) {
			c := use(e)
			k := harness.Unique("gos")
			got := c.getOrSet(k, []any{"default", 1})
			Expect(sameJSON(got, []any{"default", 1})).To(verify.Hold(), "expected get_or_set of an absent key to answer the default [\"default\",1], observed %s", describeRaw(got))
			c.expectValue(k, []any{"default", 1}, "after get_or_set stored its default")
		})

		getOrSetPresent.It(func(e *harness.Env) {
			c := use(e)
			k := harness.Unique("gospresent")
			c.set(k, "stored")
			got := c.getOrSet(k, "default")
			Expect(sameJSON(got, "stored")).To(verify.Hold(), "expected get_or_set of a present key to answer the stored \"stored\", observed %s", describeRaw(got))
			c.expectValue(k, "stored", "after get_or_set of a present key")
		})
	})

	Describe("get_many and set_many", func() {
		getMany.It(func(e *harness.Env) {
			c := use(e)
			a, b, missing := harness.Unique("many"), harness.Unique("many"), harness.Unique("missing")
			c.set(a, 1)
			c.set(b, map[string]any{"x": 2})
			values := c.getMany(a, b, missing)
			for _, k := range []string{a, b} {
				_, ok := values[k]
				Expect(ok).To(verify.Hold(), "expected get_many to answer the value of %s, which was set, observed only %s", k, keysOf(values))
			}
			Expect(sameJSON(values[a], 1) && sameJSON(values[b], map[string]any{"x": 2})).To(verify.Hold(), "expected get_many to answer %s: 1 and %s: {\"x\":2}, observed %s and %s", a, b, values[a], values[b])
			_, ok := values[missing]
			Expect(!ok).To(verify.Hold(), "expected get_many to leave out %s, which was never set, observed it with %s", missing, describeRaw(values[missing]))
			Expect(len(values) == 2).To(verify.Hold(), "expected get_many to answer exactly the 2 keys found, observed %d: %s", len(values), keysOf(values))
		})

		setManyStores.It(func(e *harness.Env) {
			c := use(e)
			values := map[string]any{harness.Unique("sm"): 1, harness.Unique("sm"): "two", harness.Unique("sm"): []any{3}}
			var answer struct {
				Failed []string `json:"failed"`
			}
			c.call("set_many", map[string]any{"values": values}, &answer)
			// A key set_many names in failed may be missing: the
			// contract lets a backend refuse some, if it says which
			// (set-many/reports-failures grades that list).
			for k, v := range values {
				if !slices.Contains(answer.Failed, k) {
					c.expectValue(k, v, "after set_many stored it (not in failed)")
				}
			}
		})

		setManyFailed.It(func(e *harness.Env) {
			c := use(e)
			values := map[string]any{harness.Unique("smf"): 1, harness.Unique("smf"): "two", harness.Unique("smf"): nil}
			var answer struct {
				Failed *[]string `json:"failed"`
			}
			r := c.call("set_many", map[string]any{"values": values}, &answer)
			Expect(answer.Failed != nil).To(verify.Hold(), "expected set_many to answer a \"failed\" array (empty when everything was stored), observed %.160s", r.Body)
			for _, k := range *answer.Failed {
				_, sent := values[k]
				Expect(sent).To(verify.Hold(), "expected set_many's failed list to name only keys it was given, observed %q", k)
			}
			for k, v := range values {
				listed := slices.Contains(*answer.Failed, k)
				found, got := c.get(k)
				stored := found && sameJSON(got, v)
				Expect(stored != listed).To(verify.Hold(), "expected set_many's failed list %s to name exactly the keys it did not store, but %s is %s and %s", jsonText(*answer.Failed), k, map[bool]string{true: "listed", false: "not listed"}[listed], map[bool]string{true: "stored", false: "not stored"}[stored])
			}
		})
	})

	Describe("delete and delete_many", func() {
		deletePresent.It(func(e *harness.Env) {
			c := use(e)
			k := harness.Unique("del")
			c.set(k, "doomed")
			Expect(c.delete(k)).To(verify.Hold(), "expected delete of a present key to answer deleted true, observed false")
			c.expectAbsent(k, "after delete")
		})

		deleteAbsent.It(func(e *harness.Env) {
			c := use(e)
			Expect(!c.delete(harness.Unique("delabsent"))).To(verify.Hold(), "expected delete of an absent key to answer deleted false, observed true")
		})

		deleteMany.It(func(e *harness.Env) {
			c := use(e)
			a, b, missing := harness.Unique("dm"), harness.Unique("dm"), harness.Unique("missing")
			c.set(a, 1)
			c.set(b, 2)
			var answer struct {
				Deleted *int `json:"deleted"`
			}
			// The absent key between the present ones: a backend that
			// stops at the first absent key answers 1.
			r := c.call("delete_many", map[string]any{"keys": []string{a, missing, b}}, &answer)
			Expect(answer.Deleted != nil).To(verify.Hold(), "expected delete_many to answer a number \"deleted\", observed %.160s", r.Body)
			Expect(*answer.Deleted == 2).To(verify.Hold(), "expected delete_many of 2 present keys and 1 absent one to answer deleted 2, observed %d", *answer.Deleted)
			c.expectAbsent(a, "after delete_many")
			c.expectAbsent(b, "after delete_many")
		})
	})

	Describe("incr and decr", func() {
		incrDelta.It(func(e *harness.Env) {
			c := use(e)
			k := harness.Unique("incr")
			c.set(k, 10)
			expectNumber(c.incr("incr", k, nil), 11, "incr of 10 without a delta")
			expectNumber(c.incr("incr", k, 5), 16, "incr of 11 by 5")
			c.expectValue(k, 16, "after incr to 16")
		})

		decrDelta.It(func(e *harness.Env) {
			c := use(e)
			k := harness.Unique("decr")
			c.set(k, 10)
			expectNumber(c.incr("decr", k, nil), 9, "decr of 10 without a delta")
			expectNumber(c.incr("decr", k, 5), 4, "decr of 9 by 5")
			// Past zero the contract lets decr go negative (Django's local
			// caches, Redis) or stop at 0 (memcached: "the item's value
			// will not go below 0", which Django's memcached backend
			// passes on); any other answer is arithmetic gone wrong.
			got := c.incr("decr", k, 20)
			Expect(sameJSON(got, -16) || sameJSON(got, 0)).To(verify.Hold(), "expected decr of 4 by 20 to answer -16 (or 0, memcached's floor), observed %s", got)
			found, stored := c.get(k)
			Expect(found && sameJSON(stored, json.RawMessage(got))).To(verify.Hold(), "expected %s to hold %s after decr answered it, observed found %v with %s", k, got, found, stored)
		})

		incrAbsent.It(func(e *harness.Env) {
			c := use(e)
			k := harness.Unique("incrabsent")
			for _, op := range []string{"incr", "decr"} {
				r := c.send(op, map[string]any{"key": k})
				Expect(r).To(verify.HaveJSONError(op+" of an absent key", http.StatusNotFound))
			}
			c.expectAbsent(k, "after incr and decr of it answered 404")
		})

		incrOverflow.It(func(e *harness.Env) {
			c := use(e)
			k := harness.Unique("overflow")
			const max = "9223372036854775807" // 2^63-1
			c.set(k, json.RawMessage(max))
			r := c.send("incr", map[string]any{"key": k})
			if r.Status == http.StatusOK {
				var answer struct {
					Value json.RawMessage `json:"value"`
				}
				r.Decode(&answer)
				Expect(nearTwoTo63(answer.Value)).To(verify.Hold(), "expected incr of 2^63-1 to answer an error or the sum 9223372036854775808, observed value %s: wrapped around (contract: incr adds delta)", answer.Value)
			}
			found, got := c.get(k)
			Expect(found && nearTwoTo63(got)).To(verify.Hold(), "expected %s to hold 2^63-1 (the incr refused) or 2^63 after incr answered %d, observed found %v with %s: wrapped around", k, r.Status, found, got)
		})

		incrAtomic.It(func(e *harness.Env) {
			c := use(e)
			k := harness.Unique("atomic")
			c.set(k, 0)
			const workers, each = 4, 10
			browsers := make([]*harness.Browser, workers)
			for i := range browsers {
				browsers[i] = e.NewBrowser()
			}
			var (
				mu       sync.Mutex
				problems []string
				wg       sync.WaitGroup
			)
			for _, b := range browsers {
				wg.Go(func() {
					for range each {
						r, err := b.Try(harness.Request{Method: http.MethodPost, Path: c.path("incr"), JSON: map[string]any{"key": k}})
						if err == nil && r.Status == http.StatusOK {
							continue
						}
						mu.Lock()
						if err != nil {
							problems = append(problems, err.Error())
						} else {
							problems = append(problems, fmt.Sprintf("status %d", r.Status))
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(problems) > 0 {
				e.Errorf("%d of %d concurrent increments did not answer 200: %s", len(problems), workers*each, problems[0])
			}
			c.expectValue(k, workers*each, fmt.Sprintf("after %d concurrent increments of 0 from %d clients", workers*each, workers))
		})
	})

	Describe("touch and clear", func() {
		touchAnswers.It(func(e *harness.Env) {
			c := use(e)
			k := harness.Unique("touch")
			c.set(k, "v")
			Expect(c.touch(k, 1000)).To(verify.Hold(), "expected touch of a present key to answer touched true, observed false")
			Expect(!c.touch(harness.Unique("touchabsent"), 1000)).To(verify.Hold(), "expected touch of an absent key to answer touched false, observed true")
			c.expectValue(k, "v", "after touch")
		})

		clearEmpties.It(func(e *harness.Env) {
			requireShared(e)
			alias, ok := spareAlias(e)
			if !ok {
				alias = defaultAlias(e)
			}
			c := newClient(e, alias)
			a, b := harness.Unique("clear"), harness.Unique("clear")
			c.set(a, 1)
			c.set(b, 2)
			c.expectValue(a, 1, "before clear")
			var answer map[string]any
			c.call("clear", map[string]any{}, &answer)
			c.expectAbsent(a, "after clear of alias "+alias)
			c.expectAbsent(b, "after clear of alias "+alias)
		}, Serial)
	})
})

// add sends add and returns its "added".
func (c *client) add(key string, v any) bool {
	GinkgoHelper()
	var answer struct {
		Added *bool `json:"added"`
	}
	r := c.call("add", map[string]any{"key": key, "value": v}, &answer)
	Expect(answer.Added != nil).To(verify.Hold(), "expected add to answer a boolean \"added\", observed %.160s", r.Body)
	return *answer.Added
}

// getOrSet sends get_or_set and returns its "value".
func (c *client) getOrSet(key string, def any) json.RawMessage {
	GinkgoHelper()
	var answer struct {
		Value json.RawMessage `json:"value"`
	}
	c.call("get_or_set", map[string]any{"key": key, "default": def}, &answer)
	return answer.Value
}

// getMany sends get_many and returns its "values".
func (c *client) getMany(keys ...string) map[string]json.RawMessage {
	GinkgoHelper()
	var answer struct {
		Values *map[string]json.RawMessage `json:"values"`
	}
	r := c.call("get_many", map[string]any{"keys": keys}, &answer)
	Expect(answer.Values != nil).To(verify.Hold(), "expected get_many to answer an object \"values\", observed %.160s", r.Body)
	return *answer.Values
}

// delete sends delete and returns its "deleted".
func (c *client) delete(key string) bool {
	GinkgoHelper()
	var answer struct {
		Deleted *bool `json:"deleted"`
	}
	r := c.call("delete", map[string]any{"key": key}, &answer)
	Expect(answer.Deleted != nil).To(verify.Hold(), "expected delete to answer a boolean \"deleted\", observed %.160s", r.Body)
	return *answer.Deleted
}

// incr sends op (incr or decr) with delta (nil: none) and returns its
// "value".
func (c *client) incr(op, key string, delta any) json.RawMessage {
	GinkgoHelper()
	body := map[string]any{"key": key}
	if delta != nil {
		body["delta"] = delta
	}
	var answer struct {
		Value json.RawMessage `json:"value"`
	}
	c.call(op, body, &answer)
	return answer.Value
}

// touch sends touch with a timeout and returns its "touched".
func (c *client) touch(key string, timeout any) bool {
	GinkgoHelper()
	var answer struct {
		Touched *bool `json:"touched"`
	}
	r := c.call("touch", map[string]any{"key": key, "timeout": timeout}, &answer)
	Expect(answer.Touched != nil).To(verify.Hold(), "expected touch to answer a boolean \"touched\", observed %.160s", r.Body)
	return *answer.Touched
}

func expectNumber(got json.RawMessage, want int, what string) {
	GinkgoHelper()
	Expect(sameJSON(got, want)).To(verify.Hold(), "expected %s to answer value %d, observed %s", what, want, describeRaw(got))
}

func describeFound(f *bool) string {
	if f == nil {
		return "no \"found\" member"
	}
	return fmt.Sprintf("found %v", *f)
}

func describeRaw(v json.RawMessage) string {
	if len(v) == 0 {
		return "no value"
	}
	return string(v)
}

func keysOf(m map[string]json.RawMessage) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return "no keys"
	}
	return strings.Join(keys, ", ")
}

// nearTwoTo63 reports whether v is a number that is 2^63-1 or 2^63 to
// the precision of a double: a store that keeps numbers as doubles
// (JavaScript's) writes both as 9223372036854776000, which is no
// wraparound. Precision is the values checks' business.
func nearTwoTo63(v json.RawMessage) bool {
	var f float64
	return json.Unmarshal(v, &f) == nil && f == 9223372036854775808.0
}
