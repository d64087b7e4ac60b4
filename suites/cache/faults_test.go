package cache_test

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness/check"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

// cacheRequest is a request to the cache API as a fault sees it.
type cacheRequest struct {
	alias, op string
	body      map[string]json.RawMessage
}

// onCache wraps the server so that f sees every cache API request with its
// body decoded. f may change req (the body, the alias, the op) and return
// false to pass it on, or answer it itself and return true.
func onCache(f func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
			if r.Method != http.MethodPost || len(parts) != 3 || parts[0] != "cache" {
				next.ServeHTTP(w, r)
				return
			}
			data, _ := io.ReadAll(r.Body)
			req := &cacheRequest{alias: parts[1], op: parts[2]}
			if json.Unmarshal(data, &req.body) != nil {
				// Not ours to break: bad input goes on as it came.
				r.Body = io.NopCloser(bytes.NewReader(data))
				next.ServeHTTP(w, r)
				return
			}
			if req.body == nil {
				req.body = map[string]json.RawMessage{}
			}
			if f(next, w, req) {
				return
			}
			data, _ = json.Marshal(req.body)
			r.URL.Path, r.URL.RawPath = "/cache/"+req.alias+"/"+req.op, ""
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(data)), int64(len(data))
			next.ServeHTTP(w, r)
		})
	}
}

// call runs one cache operation on the unbroken server and returns its
// status and answer.
func call(next http.Handler, alias, op string, body map[string]json.RawMessage) (int, map[string]json.RawMessage) {
	data, _ := json.Marshal(body)
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/cache/"+alias+"/"+op, bytes.NewReader(data)))
	var answer map[string]json.RawMessage
	json.Unmarshal(rec.Body.Bytes(), &answer)
	return rec.Code, answer
}

func answer(w http.ResponseWriter, status int, v any) bool {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
	return true
}

func raw(v any) json.RawMessage { b, _ := json.Marshal(v); return b }

// found reports whether key has an entry in alias, on the unbroken server.
func found(next http.Handler, alias string, key json.RawMessage) (bool, json.RawMessage) {
	_, a := call(next, alias, "get", map[string]json.RawMessage{"key": key})
	return string(a["found"]) == "true", a["value"]
}

// ops returns f for requests whose op is one of names, and passes others.
func ops(f func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool, names ...string) func(http.Handler) http.Handler {
	return onCache(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
		if !slices.Contains(names, req.op) {
			return false
		}
		return f(next, w, req)
	})
}

// timeouts rewrites every numeric or null "timeout" member with f; f
// returns the new member, or nil to leave it out.
func timeouts(f func(t json.RawMessage, present bool) json.RawMessage) func(http.Handler) http.Handler {
	return ops(func(_ http.Handler, _ http.ResponseWriter, req *cacheRequest) bool {
		t, present := req.body["timeout"]
		if nt := f(t, present); nt != nil {
			req.body["timeout"] = nt
		} else {
			delete(req.body, "timeout")
		}
		return false
	}, "set", "add", "get_or_set", "set_many", "touch")
}

// seconds reads a numeric timeout; ok is false for null or absent.
func seconds(t json.RawMessage) (float64, bool) {
	var n float64
	err := json.Unmarshal(t, &n)
	return n, err == nil && string(t) != "null"
}

// keys rewrites every key of a request with f.
func keys(f func(string) string) func(http.Handler) http.Handler {
	return onCache(func(_ http.Handler, _ http.ResponseWriter, req *cacheRequest) bool {
		var k string
		if json.Unmarshal(req.body["key"], &k) == nil {
			req.body["key"] = raw(f(k))
		}
		var ks []string
		if json.Unmarshal(req.body["keys"], &ks) == nil {
			for i := range ks {
				ks[i] = f(ks[i])
			}
			req.body["keys"] = raw(ks)
		}
		var vs map[string]json.RawMessage
		if json.Unmarshal(req.body["values"], &vs) == nil {
			out := map[string]json.RawMessage{}
			for k, v := range vs {
				out[f(k)] = v
			}
			req.body["values"] = raw(out)
		}
		return false
	})
}

// allKeys returns every key a request names.
func allKeys(req *cacheRequest) []string {
	var out []string
	var k string
	if json.Unmarshal(req.body["key"], &k) == nil {
		out = append(out, k)
	}
	var ks []string
	if json.Unmarshal(req.body["keys"], &ks) == nil {
		out = append(out, ks...)
	}
	var vs map[string]json.RawMessage
	if json.Unmarshal(req.body["values"], &vs) == nil {
		out = append(out, slices.Collect(maps.Keys(vs))...)
	}
	return out
}

// onceSet answers op with present for every key that was ever set or
// added through the API, whether its entry still lives or not: a backend
// that forgets expiry. everSet remembers the keys, by alias.
func onceSet(everSet *sync.Map, op string, present func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool) func(http.Handler) http.Handler {
	return onCache(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
		for _, k := range allKeys(req) {
			if _, ok := everSet.Load(req.alias + "\x00" + k); ok && req.op == op {
				return present(next, w, req)
			}
			if req.op == "set" || req.op == "add" {
				everSet.Store(req.alias+"\x00"+k, true)
			}
		}
		return false
	})
}

// knownAliases are the reference's aliases (server.DefaultCacheAliases).
var knownAliases = []string{"default", "secondary", "small"}

// TestFaults runs the cache suite against broken variants of the
// reference server; each fault must make its checks fail.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	ids := func(names ...string) []*check.Check { return ft.Checks(t, "cache", names...) }
	var (
		everSet sync.Map // alias + key -> true: keys written through the API
		culled  sync.Map // alias -> *int: new keys written
	)
	faults := []ft.Fault{
		{
			Name:   "get never finds",
			Breaks: ids("set/get-returns-value", "set/replaces-value", "values/round-trip", "keys/max-length-accepted", "expiry/lives-until-timeout"),
			Wrap: ops(func(_ http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				return answer(w, 200, map[string]any{"found": false, "value": req.body["default"]})
			}, "get"),
		},
		{
			Name:   "set keeps the first value",
			Breaks: ids("set/replaces-value", "expiry/zero-expires-at-once", "expiry/negative-expires-at-once"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				if ok, _ := found(next, req.alias, req.body["key"]); ok {
					return answer(w, 200, map[string]any{})
				}
				return false
			}, "set"),
		},
		{
			Name:   "get ignores the default",
			Breaks: ids("get/absent-answers-default"),
			Wrap: ops(func(_ http.Handler, _ http.ResponseWriter, req *cacheRequest) bool {
				delete(req.body, "default")
				return false
			}, "get"),
		},
		{
			Name:   "add never adds",
			Breaks: ids("add/adds-when-absent", "add/expired-is-absent"),
			Wrap: ops(func(_ http.Handler, w http.ResponseWriter, _ *cacheRequest) bool {
				return answer(w, 200, map[string]bool{"added": false})
			}, "add"),
		},
		{
			Name:   "add overwrites",
			Breaks: ids("add/keeps-present"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				call(next, req.alias, "set", req.body)
				return answer(w, 200, map[string]bool{"added": true})
			}, "add"),
		},
		{
			Name:   "add counts expired entries as present",
			Breaks: ids("add/expired-is-absent"),
			Wrap: onceSet(&everSet, "add", func(_ http.Handler, w http.ResponseWriter, _ *cacheRequest) bool {
				return answer(w, 200, map[string]bool{"added": false})
			}),
		},
		{
			Name:   "get_or_set does not store",
			Breaks: ids("get-or-set/stores-default"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				if ok, v := found(next, req.alias, req.body["key"]); ok {
					return answer(w, 200, map[string]any{"value": v})
				}
				return answer(w, 200, map[string]any{"value": req.body["default"]})
			}, "get_or_set"),
		},
		{
			Name:   "get_or_set answers the default",
			Breaks: ids("get-or-set/keeps-present"),
			Wrap: ops(func(_ http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				return answer(w, 200, map[string]any{"value": req.body["default"]})
			}, "get_or_set"),
		},
		{
			Name:   "get_many answers missing keys as null",
			Breaks: ids("get-many/found-only"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				status, a := call(next, req.alias, "get_many", req.body)
				values := map[string]json.RawMessage{}
				json.Unmarshal(a["values"], &values)
				for _, k := range allKeys(req) {
					if _, ok := values[k]; !ok {
						values[k] = json.RawMessage("null")
					}
				}
				return answer(w, status, map[string]any{"values": values})
			}, "get_many"),
		},
		{
			Name:   "set_many stores only the first value",
			Breaks: ids("set-many/stores-every-value", "set-many/reports-failures"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				var vs map[string]json.RawMessage
				json.Unmarshal(req.body["values"], &vs)
				if len(vs) > 1 {
					first := slices.Sorted(maps.Keys(vs))[0]
					req.body["values"] = raw(map[string]json.RawMessage{first: vs[first]})
				}
				return false
			}, "set_many"),
		},
		{
			Name:   "set_many reports every key as failed",
			Breaks: ids("set-many/reports-failures"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				status, _ := call(next, req.alias, "set_many", req.body)
				return answer(w, status, map[string]any{"failed": allKeys(req)})
			}, "set_many"),
		},
		{
			Name:   "delete only answers",
			Breaks: ids("delete/removes-present"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				ok, _ := found(next, req.alias, req.body["key"])
				return answer(w, 200, map[string]bool{"deleted": ok})
			}, "delete"),
		},
		{
			Name:   "delete of an absent key is 404",
			Breaks: ids("delete/absent-answers-false"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				status, a := call(next, req.alias, "delete", req.body)
				if status == 200 && string(a["deleted"]) == "false" {
					return answer(w, 404, map[string]string{"error": "no such key"})
				}
				return answer(w, status, a)
			}, "delete"),
		},
		{
			Name:   "delete_many counts the keys it was given",
			Breaks: ids("delete-many/counts"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				status, _ := call(next, req.alias, "delete_many", req.body)
				return answer(w, status, map[string]int{"deleted": len(allKeys(req))})
			}, "delete_many"),
		},
		{
			Name:   "delete_many stops at the first absent key",
			Breaks: ids("delete-many/counts"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				n := 0
				for _, k := range allKeys(req) {
					_, a := call(next, req.alias, "delete", map[string]json.RawMessage{"key": raw(k)})
					if string(a["deleted"]) != "true" {
						break
					}
					n++
				}
				return answer(w, 200, map[string]int{"deleted": n})
			}, "delete_many"),
		},
		{
			// Django's LocMemCache: delete of an entry that expired but
			// was not culled answers true.
			Name:   "delete counts expired entries as present",
			Breaks: ids("delete/expired-answers-false"),
			Wrap: onceSet(&everSet, "delete", func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				call(next, req.alias, "delete", req.body)
				return answer(w, 200, map[string]bool{"deleted": true})
			}),
		},
		{
			Name:   "incr wraps around at 2^63 (a signed 64-bit counter)",
			Breaks: ids("incr/no-wraparound"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				status, a := call(next, req.alias, "incr", req.body)
				if status != http.StatusBadRequest {
					return answer(w, status, a)
				}
				_, v := found(next, req.alias, req.body["key"])
				var n int64
				if json.Unmarshal(v, &n) != nil {
					return answer(w, status, a)
				}
				n++ // wraps
				call(next, req.alias, "set", map[string]json.RawMessage{"key": req.body["key"], "value": raw(n)})
				return answer(w, 200, map[string]int64{"value": n})
			}, "incr"),
		},
		{
			Name:   "incr ignores delta",
			Breaks: ids("incr/adds-delta", "decr/subtracts-delta"),
			Wrap: ops(func(_ http.Handler, _ http.ResponseWriter, req *cacheRequest) bool {
				delete(req.body, "delta")
				return false
			}, "incr", "decr"),
		},
		{
			Name:   "decr adds",
			Breaks: ids("decr/subtracts-delta"),
			Wrap: ops(func(_ http.Handler, _ http.ResponseWriter, req *cacheRequest) bool {
				req.op = "incr"
				return false
			}, "decr"),
		},
		{
			Name:   "incr creates absent keys",
			Breaks: ids("incr/absent-is-404"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				status, a := call(next, req.alias, req.op, req.body)
				if status != http.StatusNotFound {
					return answer(w, status, a)
				}
				delta := int64(1)
				json.Unmarshal(req.body["delta"], &delta)
				if req.op == "decr" {
					delta = -delta
				}
				call(next, req.alias, "set", map[string]json.RawMessage{"key": req.body["key"], "value": raw(delta)})
				return answer(w, 200, map[string]int64{"value": delta})
			}, "incr", "decr"),
		},
		{
			Name:   "incr is a get and then a set",
			Breaks: ids("incr/atomic"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				ok, v := found(next, req.alias, req.body["key"])
				var n int64
				if !ok || json.Unmarshal(v, &n) != nil {
					return false
				}
				time.Sleep(5 * time.Millisecond)
				n++
				call(next, req.alias, "set", map[string]json.RawMessage{"key": req.body["key"], "value": raw(n)})
				return answer(w, 200, map[string]int64{"value": n})
			}, "incr"),
		},
		{
			Name:   "touch always answers true",
			Breaks: ids("touch/answers-whether-present"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				call(next, req.alias, "touch", req.body)
				return answer(w, 200, map[string]bool{"touched": true})
			}, "touch"),
		},
		{
			Name:   "touch changes nothing",
			Breaks: ids("touch/extends"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				ok, _ := found(next, req.alias, req.body["key"])
				return answer(w, 200, map[string]bool{"touched": ok})
			}, "touch"),
		},
		{
			Name:   "clear does nothing",
			Breaks: ids("clear/empties-alias"),
			Wrap: ops(func(_ http.Handler, w http.ResponseWriter, _ *cacheRequest) bool {
				return answer(w, 200, map[string]any{})
			}, "clear"),
		},
		{
			Name:   "the default timeout never expires",
			Breaks: ids("expiry/default-timeout"),
			Wrap: timeouts(func(t json.RawMessage, present bool) json.RawMessage {
				if !present {
					return json.RawMessage("null")
				}
				return t
			}),
		},
		{
			Name:   "timeouts are ignored",
			Breaks: ids("expiry/explicit-timeout", "add/expired-is-absent"),
			Wrap: timeouts(func(t json.RawMessage, present bool) json.RawMessage {
				if n, ok := seconds(t); ok && n > 0 {
					return json.RawMessage("null")
				}
				if !present {
					return nil
				}
				return t
			}),
		},
		{
			Name:   "timeouts are cut to one second",
			Breaks: ids("expiry/lives-until-timeout", "touch/extends"),
			Wrap: timeouts(func(t json.RawMessage, present bool) json.RawMessage {
				if n, ok := seconds(t); ok && n > 1 {
					return json.RawMessage("1")
				}
				if !present {
					return nil
				}
				return t
			}),
		},
		{
			Name:   "null means the default",
			Breaks: ids("expiry/null-never-expires"),
			Wrap: timeouts(func(t json.RawMessage, present bool) json.RawMessage {
				if !present || string(t) == "null" {
					return nil
				}
				return t
			}),
		},
		{
			Name:   "timeout 0 means the default",
			Breaks: ids("expiry/zero-expires-at-once"),
			Wrap: timeouts(func(t json.RawMessage, present bool) json.RawMessage {
				if n, ok := seconds(t); !present || (ok && n == 0) {
					return nil
				}
				return t
			}),
		},
		{
			Name:   "negative timeouts never expire",
			Breaks: ids("expiry/negative-expires-at-once"),
			Wrap: timeouts(func(t json.RawMessage, present bool) json.RawMessage {
				if n, ok := seconds(t); ok && n < 0 {
					return json.RawMessage("null")
				}
				if !present {
					return nil
				}
				return t
			}),
		},
		{
			Name:   "the small alias never culls",
			Breaks: ids("cull/within-max-entries"),
			Wrap: onCache(func(_ http.Handler, _ http.ResponseWriter, req *cacheRequest) bool {
				if req.alias == "small" {
					req.alias = "secondary" // 300 entries, while the manifest says 20
				}
				return false
			}),
		},
		{
			Name:   "culling drops the key just written",
			Breaks: ids("cull/keeps-newest"),
			Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				if req.alias != "small" {
					return false
				}
				n, _ := culled.LoadOrStore(req.alias, new(int))
				status, a := call(next, req.alias, "set", req.body)
				if *n.(*int)++; *n.(*int) > 20 {
					call(next, req.alias, "delete", map[string]json.RawMessage{"key": req.body["key"]})
				}
				return answer(w, status, a)
			}, "set"),
		},
		{
			Name:   "aliases share one storage",
			Breaks: ids("aliases/isolated"),
			Wrap: onCache(func(_ http.Handler, _ http.ResponseWriter, req *cacheRequest) bool {
				if req.alias == "secondary" {
					req.alias = "default"
				}
				return false
			}),
		},
		{
			Name:   "unknown aliases fall back to the default",
			Breaks: ids("aliases/unknown-is-404"),
			Wrap: onCache(func(_ http.Handler, _ http.ResponseWriter, req *cacheRequest) bool {
				if !slices.Contains(knownAliases, req.alias) {
					req.alias = "default"
				}
				return false
			}),
		},
		{
			Name:   "keys over 200 bytes are refused",
			Breaks: ids("keys/max-length-accepted"),
			Wrap: onCache(func(_ http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
				for _, k := range allKeys(req) {
					if len(k) > 200 {
						return answer(w, 400, map[string]string{"error": "key too long"})
					}
				}
				return false
			}),
		},
		{
			Name:   "long keys are cut to 250 bytes",
			Breaks: ids("keys/too-long-is-400"),
			Wrap: keys(func(k string) string {
				if len(k) > 250 {
					return k[:250]
				}
				return k
			}),
		},
		{
			Name:   "spaces and control characters are dropped from keys",
			Breaks: ids("keys/control-characters-are-400"),
			Wrap: keys(func(k string) string {
				return strings.Map(func(r rune) rune {
					if r <= ' ' || r == 0x7f {
						return -1
					}
					return r
				}, k)
			}),
		},
		{
			Name:   "values are stored as their text",
			Breaks: ids("values/round-trip"),
			Wrap: ops(func(_ http.Handler, _ http.ResponseWriter, req *cacheRequest) bool {
				if v, ok := req.body["value"]; ok {
					req.body["value"] = raw(string(v))
				}
				return false
			}, "set"),
		},
		{
			Name:   "malformed bodies answer 500",
			Breaks: ids("input/bad-body-is-400"),
			Wrap: func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if !strings.HasPrefix(r.URL.Path, "/cache/") {
						next.ServeHTTP(w, r)
						return
					}
					data, _ := io.ReadAll(r.Body)
					var body map[string]any
					if json.Unmarshal(data, &body) != nil || (body["key"] != nil && !isString(body["key"])) {
						answer(w, 500, map[string]string{"error": "internal server error"})
						return
					}
					r.Body = io.NopCloser(bytes.NewReader(data))
					next.ServeHTTP(w, r)
				})
			},
		},
	}
	ft.Suite{Name: "cache", Faults: faults}.EveryCheckBreaks(t)
}

func isString(v any) bool { _, ok := v.(string); return ok }

// TestAllowed runs the suite against what real frameworks do and the
// contract allows: none of it may fail at MUST.
func TestAllowed(t *testing.T) {
	ids := func(names ...string) []*check.Check { return ft.Checks(t, "cache", names...) }
	ft.Suite{Name: "cache", Allowed: []ft.Allowed{{
		// Express's express.json() reads 2^63-1 as the double 2^63, and
		// JSON.stringify writes it back as 9223372036854776000: precision
		// lost, nothing wrapped around.
		Name: "numbers kept as doubles (JavaScript)",
		Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
			status, a := call(next, req.alias, "get", req.body)
			if string(a["value"]) == "9223372036854775807" {
				a["value"] = json.RawMessage("9223372036854776000")
			}
			return answer(w, status, a)
		}, "get"),
		Pass: ids("incr/no-wraparound"),
	}, {
		// memcached: "the item's value will not go below 0"; Django's
		// memcached backend passes that on.
		Name: "decr stops at 0 (memcached)",
		Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
			status, a := call(next, req.alias, "decr", req.body)
			var n int64
			if status == http.StatusOK && json.Unmarshal(a["value"], &n) == nil && n < 0 {
				call(next, req.alias, "set", map[string]json.RawMessage{"key": req.body["key"], "value": raw(0)})
				a["value"] = raw(0)
			}
			return answer(w, status, a)
		}, "decr"),
		Pass: ids("decr/subtracts-delta"),
	}, {
		// The contract's set_many may leave keys unstored if it names
		// them in failed.
		Name: "set_many refuses one key and says so",
		Wrap: ops(func(next http.Handler, w http.ResponseWriter, req *cacheRequest) bool {
			var values map[string]json.RawMessage
			if json.Unmarshal(req.body["values"], &values) != nil || len(values) < 3 { // not the key checks' single bad keys
				return false
			}
			refused := slices.Sorted(maps.Keys(values))[0]
			delete(values, refused)
			body := maps.Clone(req.body)
			body["values"] = raw(values)
			status, a := call(next, req.alias, "set_many", body)
			var failed []string
			json.Unmarshal(a["failed"], &failed)
			a["failed"] = raw(append(failed, refused))
			return answer(w, status, a)
		}, "set_many"),
		Pass: ids("set-many/stores-every-value", "set-many/reports-failures"),
	}}}.NoFalseMust(t)
}
