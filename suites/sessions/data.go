package sessions

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// jsonCase is one JSON value a session must keep exactly, as the text the
// harness sends.
type jsonCase struct {
	what  string
	value string
}

// The values of the json checks. Each is stored under its own key in one
// session and read back in a later request.
var (
	nestedValues = []jsonCase{
		{"a deeply nested object", `{"a":{"b":{"c":{"d":[1,[2,[3,[4]]]]}}}}`},
		{"an empty object", `{}`},
		{"an empty list", `[]`},
		{"empty containers inside containers", `{"o":{},"l":[],"lo":[{}],"ol":{"x":[]}}`},
		{"a list of every kind", `[1,"two",3.5,true,false,null,{"k":"v"},["x"]]`},
		{"an object with keys that need escaping", `{"a b":1,"a.b":2,"ключ":3,"":4,"\"q\"":5}`},
	}
	unicodeValues = []jsonCase{
		{"accented Latin", `"ünïcødé façade"`},
		{"CJK", `"日本語のテキスト"`},
		{"astral-plane characters", `"😀 𝄞 🏳️‍🌈"`},
		{"an escaped surrogate pair", `"\ud83d\ude00"`},
		{"quotes, backslashes and slashes", `"say \"hi\" \\ back / slash"`},
		{"control characters", `"tab\tnewline\ncr\rnul\u0000unit\u001fdel` + "\u007f" + `"`},
		{"line and paragraph separators", `"a\u2028b\u2029c"`},
		{"HTML-significant characters", `"<script>alert('&amp;')</script>"`},
		{"the empty string", `""`},
	}
	largeIntegerValues = []jsonCase{
		{"2^53 + 1", `9007199254740993`},
		{"-(2^53 + 1)", `-9007199254740993`},
		{"2^63 - 1", `9223372036854775807`},
		{"-2^63", `-9223372036854775808`},
		{"2^53 + 1 inside a list", `[9007199254740993]`},
	}
	floatValues = []jsonCase{
		{"0.1", `0.1`},
		{"a negative fraction", `-2.5`},
		{"pi", `3.141592653589793`},
		{"1e300", `1e300`},
		{"the largest double", `1.7976931348623157e308`},
		{"the smallest subnormal double", `5e-324`},
		{"a small exponent", `2.5e-8`},
		{"negative zero", `-0.0`},
		{"1.0", `1.0`},
	}
	literalValues = []jsonCase{
		{"null", `null`},
		{"true", `true`},
		{"false", `false`},
		{"a list of literals", `[null,true,false]`},
	}
)

// roundTrip stores every case in one session and reads each back.
func roundTrip(e *harness.Env, cases []jsonCase) {
	GinkgoHelper()
	b := e.SessionBrowser()
	keys := make([]string, len(cases))
	for i, c := range cases {
		keys[i] = uniqueKey("json")
		By("storing " + c.what)
		set(b, keys[i], c.value)
	}
	for i, c := range cases {
		got := get(b, keys[i])
		Expect(got.Found).To(verify.Hold(), "expected session/get to find %s stored under %s, observed found false", c.what, keys[i])
		Expect(sameJSON([]byte(c.value), []byte(got.value()))).To(verify.Hold(), "expected %s to read back as %s, observed %s", c.what, canonical([]byte(c.value)), canonical([]byte(got.value())))
	}
}

// The contract's data operations (docs/contract.md, Sessions).
var (
	setGet = suite.Must("data/set-get", "a value stored with session/set is read back by session/get in the next request", "contract sessions").
		Quoting(`"Values are any JSON: strings, numbers, booleans, null, arrays, objects. They come back exactly as stored." (docs/contract.md, Sessions)`)
	overwrite = suite.Must("data/overwrite", "session/set of a key already stored replaces its value", "contract sessions").
			Quoting(`"session/set of a key already stored replaces its value." (docs/contract.md, Sessions)`)
	getAbsent = suite.Must("data/get-absent", "session/get of a key never stored answers found false and value null", "contract sessions").
			Quoting(`"session/get of a key never stored answers found false and value null." (docs/contract.md, Sessions)`)
	deleteKey = suite.Must("data/delete", "session/delete of a stored key answers deleted true, and the key is gone", "contract sessions").
			Quoting(qDelete)
	deleteAbsent = suite.Must("data/delete-absent", "session/delete of a key never stored answers 200 with deleted false", "contract sessions").
			Quoting(qDelete)
	allData = suite.Must("data/all", "session/all lists exactly the keys and values this client stored", "contract sessions").
		Quoting(`"session/all lists exactly the keys and values this client stored." (docs/contract.md, Sessions)`)
	isolation = suite.Must("data/isolation", "two browsers never see each other's data, even under the same key", "contract sessions").
			Quoting(`"Two browsers never see each other's data, even under the same key." (docs/contract.md, What the sessions checks expect)`)
	flushEmpties = suite.Must("data/flush", "after session/flush the session is empty, and the old key, replayed by hand, names nothing", "contract sessions", "OWASP ASVS 3.3.1").
			Quoting(`"session/flush wipes the session on the server, data and key alike. Replaying the old cookie afterwards must find an empty session." (docs/contract.md, Sessions)`)
	// Whether the browser lets go of a flushed key is hygiene, not the
	// contract's rule (the server forgetting it is): express-session's
	// destroy() sends no Set-Cookie, and the dead cookie names nothing.
	flushCookie = suite.Advisory("data/flush-drops-cookie", "session/flush deletes or replaces the session cookie, so the browser stops sending a key that names nothing", "OWASP WSTG SESS-06")
)

// The sentence of the contract quoted by both delete checks.
const qDelete = `"session/delete of a stored key answers deleted true and removes that key alone, and of a key never stored answers 200 with deleted false." (docs/contract.md, Sessions)`

// JSON values of every kind round-trip exactly: compared as JSON values
// (objects without regard to key order, numbers by their value), never as
// text.
var (
	jsonNested = suite.Must("json/nested", "nested objects and lists, empty ones included, round-trip exactly", "contract sessions").
			Quoting(`"JSON values round-trip exactly, compared as values: nested and empty objects and lists, ..." (docs/contract.md, What the sessions checks expect)`)
	jsonUnicode = suite.Must("json/unicode", "strings with non-ASCII and astral-plane characters, escapes and control characters round-trip exactly", "contract sessions").
			Quoting(`"JSON values round-trip exactly, compared as values: ... non-ASCII and astral-plane characters, control characters, ..." (docs/contract.md, What the sessions checks expect)`)
	jsonLargeInt = suite.Must("json/large-integer", "integers beyond 2^53 (9007199254740993) round-trip exactly, not rounded to a double", "contract sessions").
			Quoting(`"JSON values round-trip exactly, compared as values: ... integers beyond 2^53 (9007199254740993 must not come back rounded) ..." (docs/contract.md, What the sessions checks expect)`)
	jsonFloat = suite.Must("json/float", "floating-point numbers (0.1, 1e300, 5e-324) round-trip to the same value", "contract sessions").
			Quoting(`"JSON values round-trip exactly, compared as values: ... floats such as 0.1, 1e300 and 5e-324 ..." (docs/contract.md, What the sessions checks expect)`)
	jsonLiterals = suite.Must("json/null-and-booleans", "null, true and false round-trip, and a stored null is found, not absent", "contract sessions").
			Quoting(`"JSON values round-trip exactly, compared as values: ... and null, true and false. A stored null is found." (docs/contract.md, What the sessions checks expect)`)
)

var _ = Describe("sessions", Label("suite:sessions"), func() {
	Describe("data", func() {
		setGet.It(func(e *harness.Env) {
			b := e.SessionBrowser()
			k := uniqueKey("setget")
			set(b, k, `"hello"`)
			got := get(b, k)
			Expect(got.Found && sameJSON([]byte(`"hello"`), got.Value)).To(verify.Hold(), "expected session/get of %s to answer found true with \"hello\", observed found %v with %s", k, got.Found, got.value())
		})

		overwrite.It(func(e *harness.Env) {
			b := e.SessionBrowser()
			k := uniqueKey("overwrite")
			set(b, k, `"first"`)
			set(b, k, `"second"`)
			got := get(b, k)
			Expect(got.Found && sameJSON([]byte(`"second"`), got.Value)).To(verify.Hold(), "expected the second session/set of %s to replace the first, observed found %v with %s", k, got.Found, got.value())
		})

		getAbsent.It(func(e *harness.Env) {
			b := e.SessionBrowser()
			set(b, uniqueKey("other"), `1`) // a session exists, without this key
			k := uniqueKey("absent")
			got := get(b, k)
			Expect(!got.Found && got.value() == "null").To(verify.Hold(), "expected session/get of a key never stored to answer found false and value null, observed found %v with %s", got.Found, got.value())
		})

		deleteKey.It(func(e *harness.Env) {
			b := e.SessionBrowser()
			k, keep := uniqueKey("delete"), uniqueKey("keep")
			set(b, k, `"v"`)
			set(b, keep, `"kept"`)
			r := b.PostJSON("session/delete", map[string]string{"key": k})
			Expect(r).To(verify.HaveStatus("session/delete of a stored key", http.StatusOK))
			var answer struct {
				Deleted bool `json:"deleted"`
			}
			r.Decode(&answer)
			Expect(answer.Deleted).To(verify.Hold(), "expected session/delete of a stored key to answer deleted true, observed %s", strings.TrimSpace(string(r.Body)))
			got := get(b, k)
			Expect(!got.Found).To(verify.Hold(), "expected %s to be gone after session/delete, observed found true with %s", k, got.value())
			other := get(b, keep)
			Expect(other.Found).To(verify.Hold(), "expected session/delete of %s to leave %s alone, observed it gone", k, keep)
		})

		deleteAbsent.It(func(e *harness.Env) {
			b := e.SessionBrowser()
			set(b, uniqueKey("other"), `1`)
			r := b.PostJSON("session/delete", map[string]string{"key": uniqueKey("absent")})
			Expect(r).To(verify.HaveStatus("session/delete of a key never stored", http.StatusOK))
			var answer struct {
				Deleted *bool `json:"deleted"`
			}
			r.Decode(&answer)
			Expect(answer.Deleted != nil && !*answer.Deleted).To(verify.Hold(), "expected session/delete of a key never stored to answer deleted false, observed %s", strings.TrimSpace(string(r.Body)))
		})

		allData.It(func(e *harness.Env) {
			b := e.SessionBrowser()
			want := map[string]string{
				uniqueKey("all"): `"text"`,
				uniqueKey("all"): `42`,
				uniqueKey("all"): `{"nested":[true]}`,
			}
			for k, v := range want {
				set(b, k, v)
			}
			r := b.Get("session/all")
			Expect(r).To(verify.HaveStatus("session/all", http.StatusOK))
			var answer struct {
				Data map[string]json.RawMessage `json:"data"`
			}
			r.Decode(&answer)
			for k, v := range want {
				got, ok := answer.Data[k]
				Expect(ok).To(verify.Hold(), "expected session/all to list %s, observed keys %s", k, keysOf(answer.Data))
				Expect(sameJSON([]byte(v), got)).To(verify.Hold(), "expected session/all to show %s = %s, observed %s", k, v, canonical(got))
			}
			Expect(len(answer.Data) == len(want)).To(verify.Hold(), "expected session/all to list exactly the %d keys stored, observed %s", len(want), keysOf(answer.Data))
		})

		isolation.It(func(e *harness.Env) {
			alice, bob := e.SessionBrowser(), e.SessionBrowser()
			shared, onlyAlice := uniqueKey("shared"), uniqueKey("alice")
			set(alice, shared, `"alice's"`)
			set(alice, onlyAlice, `"secret"`)
			set(bob, shared, `"bob's"`)
			a, b := get(alice, shared), get(bob, shared)
			Expect(sameJSON([]byte(`"alice's"`), a.Value)).To(verify.Hold(), "expected the first browser to read its own %s = \"alice's\", observed %s", shared, a.value())
			Expect(sameJSON([]byte(`"bob's"`), b.Value)).To(verify.Hold(), "expected the second browser to read its own %s = \"bob's\", observed %s", shared, b.value())
			leak := get(bob, onlyAlice)
			Expect(!leak.Found).To(verify.Hold(), "expected the second browser not to see the first browser's %s, observed it (%s)", onlyAlice, leak.value())
			ka, kb := alice.SessionKey(), bob.SessionKey()
			Expect(ka != kb).To(verify.Hold(), "expected two browsers to hold different session keys, observed %q in both", ka)
		})

		flushEmpties.It(func(e *harness.Env) {
			b := e.SessionBrowser()
			k := uniqueKey("flush")
			set(b, k, `"before"`)
			old := b.SessionKey()
			r := b.PostJSON("session/flush", map[string]any{})
			Expect(r).To(verify.HaveStatus("session/flush", http.StatusOK))
			got := get(b, k)
			Expect(!got.Found).To(verify.Hold(), "expected the session to be empty after session/flush, observed %s = %s", k, got.value())
			if old != "" {
				replayed := replayGet(e, old, k)
				Expect(!replayed.Found).To(verify.Hold(), "expected the pre-flush key, replayed by hand, to name an empty session (docs/contract.md: \"Replaying the old cookie afterwards must find an empty session\"), observed %s = %s%s", k, replayed.value(), signedNote(e))
			}
		})

		flushCookie.It(func(e *harness.Env) {
			b := e.SessionBrowser()
			set(b, uniqueKey("flush"), `"before"`)
			old := b.SessionKey()
			Expect(old != "").To(verify.Hold(), "expected session/set to give the browser a session cookie, observed none")
			r := b.PostJSON("session/flush", map[string]any{})
			Expect(r).To(verify.HaveStatus("session/flush", http.StatusOK))
			now := b.SessionKey()
			Expect(now != old).To(verify.Hold(), "expected the answer to session/flush to delete or replace the session cookie, observed the browser still holding the flushed key %q (Set-Cookie %s)", old, describeLines(r.SetCookies))
		})
	})

	Describe("JSON values", func() {
		jsonNested.It(func(e *harness.Env) { roundTrip(e, nestedValues) })
		jsonUnicode.It(func(e *harness.Env) { roundTrip(e, unicodeValues) })
		jsonLargeInt.It(func(e *harness.Env) { roundTrip(e, largeIntegerValues) })
		jsonFloat.It(func(e *harness.Env) { roundTrip(e, floatValues) })
		jsonLiterals.It(func(e *harness.Env) { roundTrip(e, literalValues) })
	})
})

func keysOf(m map[string]json.RawMessage) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}
