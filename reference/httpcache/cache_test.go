package httpcache

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// Replies reused across tables. lmHour is a Last-Modified ten hours before
// tNow, which gives a heuristic freshness lifetime of one hour.
var (
	lmHour   = "Last-Modified: " + at(-10*time.Hour)
	fresh60  = reply{header: []string{"Cache-Control: max-age=60", `ETag: "v1"`}, body: "v1"}
	fresh600 = reply{header: []string{"Cache-Control: max-age=600"}, body: "v1"}
	notMod   = reply{status: 304, header: []string{`ETag: "v1"`}}
)

const s = time.Second

// Every scenario in these tables starts with an empty cache; steps within a
// scenario share it.

// storingTests: what may be stored, RFC 9111 §3. The second request is made
// one second later and shows whether the first response was stored.
var storingTests = []scenario{
	{name: "RFC9111 3 max-age response is stored", steps: []step{
		{req: "GET /r", origin: []reply{fresh600}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1 Age=1", show: []string{"Age"}},
	}},
	{name: "RFC9111 3 Expires response is stored", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Expires: " + at(time.Hour)}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9111 3 heuristically cacheable 200 with Last-Modified is stored", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{lmHour}, body: "v1"}}, want: "network 200 v1"},
		{at: 59 * time.Minute, req: "GET /r", want: "cache 200 v1 Age=3540", show: []string{"Age"}},
	}},
	{name: "RFC9111 3 heuristically cacheable 404 is stored", steps: []step{
		{req: "GET /r", origin: []reply{{status: 404, header: []string{lmHour}, body: "gone"}}, want: "network 404 gone"},
		{at: 1 * s, req: "GET /r", want: "cache 404 gone"},
	}},
	{name: "RFC9111 3 201 without explicit freshness is not stored", steps: []step{
		{req: "GET /r", origin: []reply{{status: 201, header: []string{lmHour}, body: "v1"}}, want: "network 201 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{{status: 201, header: []string{lmHour}, body: "v2"}}, want: "network 201 v2"},
	}},
	{name: "RFC9111 3 201 with max-age is stored", steps: []step{
		{req: "GET /r", origin: []reply{{status: 201, header: []string{"Cache-Control: max-age=60"}, body: "v1"}}, want: "network 201 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 201 v1"},
	}},
	{name: "RFC9111 3 500 with max-age is stored", steps: []step{
		{req: "GET /r", origin: []reply{{status: 500, header: []string{"Cache-Control: max-age=60"}, body: "oops"}}, want: "network 500 oops"},
		{at: 1 * s, req: "GET /r", want: "cache 500 oops"},
	}},
	{name: "RFC9111 3 without validator or explicit expiration nothing is stored", steps: []step{
		{req: "GET /r", origin: []reply{{body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{{body: "v2"}}, want: "network 200 v2"},
	}},
	{name: "RFC9111 3 206 is not stored", steps: []step{
		{req: "GET /r", origin: []reply{{status: 206, header: []string{"Cache-Control: max-age=60", "Content-Range: bytes 0-1/10"}, body: "v1"}}, want: "network 206 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
	}},
	{name: "RFC9111 5.2.2.5 no-store response is not stored", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: no-store, max-age=60"}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 2 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9111 5.2.1.5 no-store request: the response is not stored", steps: []step{
		{req: "GET /r", header: []string{"Cache-Control: no-store"}, origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
	}},
	{name: "RFC9111 5.2.1.5 no-store request can be served from storage", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{"Cache-Control: no-store"}, want: "cache 200 v1"},
	}},
	{name: "RFC9111 5.2.2.7 private response is stored by a private cache", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: private, max-age=60"}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9111 5.2.2.7 private alone makes a 201 storable in a private cache", steps: []step{
		{req: "GET /r", origin: []reply{{status: 201, header: []string{"Cache-Control: private", lmHour}, body: "v1"}}, want: "network 201 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 201 v1"},
	}},
	{name: "RFC9111 5.2.2.3 must-understand overrides no-store for an understood status", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: must-understand, no-store, max-age=60"}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9111 5.2.2.3 must-understand with a status not understood is not stored", steps: []step{
		{req: "GET /r", origin: []reply{{status: 299, header: []string{"Cache-Control: must-understand, max-age=60"}, body: "v1"}}, want: "network 299 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
	}},
	{name: "RFC9111 3 a status the cache does not know, with max-age, is stored", steps: []step{
		{req: "GET /r", origin: []reply{{status: 599, header: []string{"Cache-Control: max-age=60"}, body: "v1"}}, want: "network 599 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 599 v1"},
	}},
	{name: "RFC9111 3 a status the cache does not know, with Expires, is stored", steps: []step{
		{req: "GET /r", origin: []reply{{status: 299, header: []string{"Expires: " + at(time.Hour)}, body: "v1"}}, want: "network 299 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 299 v1"},
	}},
	{name: "RFC9111 3 a status the cache does not know, without explicit freshness, is not stored", steps: []step{
		{req: "GET /r", origin: []reply{{status: 499, header: []string{lmHour, `ETag: "v1"`}, body: "v1"}}, want: "network 499 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{{status: 499, body: "v2"}}, want: "network 499 v2"},
	}},
	{name: "RFC9111 4.1 Vary: * is not stored, it never matches", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", "Vary: *"}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
	}},
	{name: "RFC9111 3 a full response that may not be stored removes the old one", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{"Cache-Control: no-cache"}, origin: []reply{{header: []string{"Cache-Control: no-store"}, body: "v2"}}, want: "replaced 200 v2"},
		{at: 2 * s, req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
	}},
	{name: "RFC9111 2 cache key is method and target URI", steps: []step{
		{req: "GET /r?x=1", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r?x=2", origin: []reply{{header: []string{"Cache-Control: max-age=60"}, body: "x2"}}, want: "network 200 x2"},
		{at: 2 * s, req: "GET /r?x=1#fragment", want: "cache 200 v1"},
		{at: 3 * s, req: "GET /r?x=2", want: "cache 200 x2"},
	}},
}

func TestRFC9111Storing(t *testing.T) { run(t, storingTests) }

// sharedTests: the branch points of a shared cache (Options.Shared).
var sharedTests = []scenario{
	{name: "RFC9111 5.2.2.7 private response is not stored by a shared cache", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: private, max-age=60"}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
	}},
	{name: "RFC9111 5.2.2.7 qualified private: a shared cache stores the rest", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{`Cache-Control: private="X-User", max-age=60`, "X-User: alice"}, body: "v1"}}, want: "network 200 v1 X-User=alice", show: []string{"X-User"}},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1 X-User=", show: []string{"X-User"}},
	}},
	{name: "RFC9111 4.2.1 s-maxage overrides max-age in a shared cache", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: s-maxage=5, max-age=60"}, body: "v1"}}, want: "network 200 v1"},
		{at: 5 * s, req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
	}},
	{name: "RFC9111 4.2.1 s-maxage is ignored by a private cache", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: s-maxage=5, max-age=60"}, body: "v1"}}, want: "network 200 v1"},
		{at: 5 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9111 3.5 shared cache does not store a response to Authorization", shared: true, steps: []step{
		{req: "GET /r", header: []string{"Authorization: Basic YTpi"}, origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
	}},
	{name: "RFC9111 3.5 public allows a shared cache to store a response to Authorization", shared: true, steps: []step{
		{req: "GET /r", header: []string{"Authorization: Basic YTpi"}, origin: []reply{{header: []string{"Cache-Control: public, max-age=60"}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9111 3.5 a private cache stores a response to Authorization", steps: []step{
		{req: "GET /r", header: []string{"Authorization: Basic YTpi"}, origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9111 5.2.2.8 proxy-revalidate binds a shared cache", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=1, proxy-revalidate", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 2 * s, req: "GET /r", header: []string{"Cache-Control: max-stale"}, origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 5.2.2.8 proxy-revalidate does not bind a private cache", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=1, proxy-revalidate", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 2 * s, req: "GET /r", header: []string{"Cache-Control: max-stale"}, want: "cache 200 v1"},
	}},
}

func TestRFC9111Shared(t *testing.T) { run(t, sharedTests) }

// varyTests: secondary cache keys, RFC 9111 §4.1.
var varyTests = []scenario{
	{name: "RFC9111 4.1 Vary selects stored variants by request field", steps: []step{
		{req: "GET /r", header: []string{"Accept-Language: en"}, origin: []reply{{header: []string{"Cache-Control: max-age=60", "Vary: Accept-Language"}, body: "hello"}}, want: "network 200 hello"},
		{at: 1 * s, req: "GET /r", header: []string{"Accept-Language: en"}, want: "cache 200 hello"},
		{at: 2 * s, req: "GET /r", header: []string{"Accept-Language: fr"}, origin: []reply{{header: []string{"Cache-Control: max-age=60", "Vary: Accept-Language"}, body: "bonjour"}}, want: "network 200 bonjour"},
		{at: 3 * s, req: "GET /r", header: []string{"Accept-Language: en"}, want: "cache 200 hello"},
		{at: 4 * s, req: "GET /r", header: []string{"Accept-Language: fr"}, want: "cache 200 bonjour"},
	}},
	{name: "RFC9111 4.1 absent matches only absent", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", "Vary: Accept-Language"}, body: "default"}}, want: "network 200 default"},
		{at: 1 * s, req: "GET /r", want: "cache 200 default"},
		{at: 2 * s, req: "GET /r", header: []string{"Accept-Language: en"}, origin: []reply{{header: []string{"Cache-Control: max-age=60", "Vary: Accept-Language"}, body: "hello"}}, want: "network 200 hello"},
	}},
	{name: "RFC9111 4.1 whitespace and field lines are normalized", steps: []step{
		{req: "GET /r", header: []string{"Accept-Language: en, fr"}, origin: []reply{{header: []string{"Cache-Control: max-age=60", "Vary: accept-language"}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{"Accept-Language: en,fr"}, want: "cache 200 v1"},
		{at: 2 * s, req: "GET /r", header: []string{"Accept-Language: en", "Accept-Language: fr"}, want: "cache 200 v1"},
		{at: 3 * s, req: "GET /r", header: []string{"Accept-Language: fr, en"}, origin: []reply{fresh60}, want: "network 200 v1"},
	}},
	{name: "RFC9111 4.1 every nominated field must match", steps: []step{
		{req: "GET /r", header: []string{"Accept: a", "X-B: b"}, origin: []reply{{header: []string{"Cache-Control: max-age=60", "Vary: Accept", "Vary: X-B"}, body: "ab"}}, want: "network 200 ab"},
		{at: 1 * s, req: "GET /r", header: []string{"Accept: a", "X-B: c"}, origin: []reply{{header: []string{"Cache-Control: max-age=60", "Vary: Accept, X-B"}, body: "ac"}}, want: "network 200 ac"},
		{at: 2 * s, req: "GET /r", header: []string{"X-B: b", "Accept: a"}, want: "cache 200 ab"},
	}},
	{name: "RFC9111 4.1 of several matching responses the most recent by Date is used", steps: []step{
		{req: "GET /r", header: []string{"X-V: 1"}, origin: []reply{{header: []string{"Cache-Control: max-age=60", "Vary: X-V"}, body: "varied"}}, want: "network 200 varied"},
		{at: 1 * s, req: "GET /r", header: []string{"X-V: 2"}, origin: []reply{{header: []string{"Cache-Control: max-age=60"}, body: "plain"}}, want: "network 200 plain"},
		{at: 2 * s, req: "GET /r", header: []string{"X-V: 1"}, want: "cache 200 plain"},
	}},
	{name: "RFC9111 4 equal Dates: the response stored last is used", steps: []step{
		{req: "GET /r", header: []string{"X-V: 1"}, origin: []reply{{header: []string{"Cache-Control: max-age=60", "Vary: X-V"}, body: "varied"}}, want: "network 200 varied"},
		{req: "GET /r", header: []string{"X-V: 2"}, origin: []reply{{header: []string{"Cache-Control: max-age=60"}, body: "plain"}}, want: "network 200 plain"},
		{at: 1 * s, req: "GET /r", header: []string{"X-V: 1"}, want: "cache 200 plain"},
	}},
}

func TestRFC9111Vary(t *testing.T) { run(t, varyTests) }

// freshnessTests: reuse of fresh responses and the Age they carry,
// RFC 9111 §4.2.
var freshnessTests = []scenario{
	{name: "RFC9111 4.2.3 Age is the current age of the stored response", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1 Age=", show: []string{"Age"}},
		{at: 10 * s, req: "GET /r", want: "cache 200 v1 Age=10", show: []string{"Age"}},
		{at: 59 * s, req: "GET /r", want: "cache 200 v1 Age=59", show: []string{"Age"}},
	}},
	{name: "RFC9111 4.2 fresh means lifetime greater than age", steps: []step{
		{req: "GET /r", origin: []reply{fresh600}, want: "network 200 v1"},
		{at: 600 * s, req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600"}, body: "v2"}}, want: "network 200 v2"},
	}},
	{name: "RFC9111 4.2.3 an upstream Age counts against the lifetime", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", "Age: 30"}, body: "v1"}}, want: "network 200 v1"},
		{at: 10 * s, req: "GET /r", want: "cache 200 v1 Age=40", show: []string{"Age"}},
		{at: 30 * s, req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
	}},
	{name: "RFC9111 4.2.3 an old Date counts against the lifetime", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", "Date: " + at(-50*s)}, body: "v1"}}, want: "network 200 v1"},
		{at: 5 * s, req: "GET /r", want: "cache 200 v1 Age=55", show: []string{"Age"}},
		{at: 10 * s, req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
	}},
	{name: "RFC9111 4.2.1 Expires minus Date", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Expires: " + at(30*s)}, body: "v1"}}, want: "network 200 v1"},
		{at: 29 * s, req: "GET /r", want: "cache 200 v1"},
		{at: 30 * s, req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
	}},
	{name: "RFC9111 5.3 Expires: 0 is already expired", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Expires: 0", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{req: "GET /r", origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 6.6.1 a response without Date gets one when stored", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", "Date:"}, body: "v1"}}, want: "network 200 v1 Date=", show: []string{"Date"}},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1 Date=" + at(0), show: []string{"Date"}},
	}},
}

func TestRFC9111Freshness(t *testing.T) { run(t, freshnessTests) }

// validationTests: stale responses are validated, RFC 9111 §4.3.
var validationTests = []scenario{
	{name: "RFC9111 4.3.1 conditional request carries If-None-Match and If-Modified-Since", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", `ETag: "v1"`, lmHour}, body: "v1"}}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", origin: []reply{notMod},
			sent: []string{`If-None-Match: "v1"`, "If-Modified-Since: " + at(-10*time.Hour)}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 4.3.1 Last-Modified alone is a validator", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", lmHour}, body: "v1"}}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", origin: []reply{{status: 304, header: []string{lmHour}}},
			sent: []string{"If-None-Match:", "If-Modified-Since: " + at(-10*time.Hour)}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 4.3.4 304 updates stored headers", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", `ETag: "v1"`, "X-Version: 1"}, body: "v1"}}, want: "network 200 v1 X-Version=1", show: []string{"X-Version"}},
		{at: 100 * s, req: "GET /r", origin: []reply{{status: 304, header: []string{"Cache-Control: max-age=120", `ETag: "v1"`, "X-Version: 2"}}},
			want: "revalidated 200 v1 X-Version=2 Age= Cache-Control=max-age=120", show: []string{"X-Version", "Age", "Cache-Control"}},
		{at: 210 * s, req: "GET /r", want: "cache 200 v1 X-Version=2 Age=110", show: []string{"X-Version", "Age"}},
		{at: 220 * s, req: "GET /r", origin: []reply{notMod}, want: "revalidated 200 v1 X-Version=2", show: []string{"X-Version"}},
	}},
	{name: "RFC9111 3.2 304 does not update Content-Length", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", `ETag: "v1"`, "Content-Length: 2"}, body: "v1"}}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", origin: []reply{{raw: "HTTP/1.1 304 Not Modified\nETag: \"v1\"\nContent-Length: 999\nCache-Control: max-age=60\nX-New: yes\nConnection: close\n\n"}},
			want: "revalidated 200 v1 Content-Length=2 X-New=yes", show: []string{"Content-Length", "X-New"}},
	}},
	{name: "RFC9111 4.3.4 304 without Date restarts the age at receipt", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", `ETag: "v1"`, "Age: 50"}, body: "v1"}}, want: "network 200 v1"},
		{at: 20 * s, req: "GET /r", origin: []reply{{status: 304, header: []string{`ETag: "v1"`, "Date:"}}}, want: "revalidated 200 v1 Age=", show: []string{"Age"}},
		{at: 30 * s, req: "GET /r", want: "cache 200 v1 Age=10", show: []string{"Age"}},
	}},
	{name: "RFC9111 4.3.3 200 replaces the stored response", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", `ETag: "v2"`}, body: "v2"}}, sent: []string{`If-None-Match: "v1"`}, want: "replaced 200 v2"},
		{at: 62 * s, req: "GET /r", want: "cache 200 v2"},
		{at: 122 * s, req: "GET /r", origin: []reply{{status: 304, header: []string{`ETag: "v2"`}}}, sent: []string{`If-None-Match: "v2"`}, want: "revalidated 200 v2"},
	}},
	{name: "RFC9111 4.3.4 304 with another strong ETag does not update; the request is repeated", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", origin: []reply{
			{status: 304, header: []string{`ETag: "v9"`}},
			{header: []string{"Cache-Control: max-age=60", `ETag: "v9"`}, body: "v9"},
		}, sent: []string{"If-None-Match:"}, want: "network 200 v9"},
		{at: 62 * s, req: "GET /r", want: "cache 200 v9"},
	}},
	{name: "RFC9111 4.3.4 304 with a weak ETag updates a response with the same opaque tag", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", `ETag: W/"v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", origin: []reply{{status: 304, header: []string{`ETag: W/"v1"`}}}, sent: []string{`If-None-Match: W/"v1"`}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 4.3.4 304 without validators updates the one stored response it was asked about", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", origin: []reply{{status: 304, header: []string{"X-Version: 2"}}}, want: "revalidated 200 v1 X-Version=2", show: []string{"X-Version"}},
	}},
	{name: "RFC9110 15.4.5 304 without Last-Modified revalidates a response that has only Last-Modified", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", lmHour}, body: "v1"}}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", origin: []reply{{status: 304, header: []string{"Cache-Control: max-age=60"}}}, sent: []string{"If-Modified-Since: " + at(-10*time.Hour)}, want: "revalidated 200 v1"},
		{at: 62 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9111 4.3.4 304 with another Last-Modified does not update; the request is repeated", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60", lmHour}, body: "v1"}}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", origin: []reply{{status: 304, header: []string{"Last-Modified: " + at(-20*time.Hour)}}, {header: []string{"Cache-Control: max-age=60"}, body: "v2"}}, want: "network 200 v2"},
	}},
	{name: "RFC9111 4.3.3 5xx during validation is forwarded and the stored response kept", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", origin: []reply{{status: 503, body: "busy"}}, want: "network 503 busy"},
		{at: 62 * s, req: "GET /r", header: []string{"Cache-Control: max-stale"}, want: "cache 200 v1"},
	}},
	{name: "RFC9111 4.3 stale response without validators is fetched again", steps: []step{
		{req: "GET /r", origin: []reply{fresh600}, want: "network 200 v1"},
		{at: 600 * s, req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600"}, body: "v2"}}, sent: []string{"If-None-Match:", "If-Modified-Since:"}, want: "network 200 v2"},
		{at: 601 * s, req: "GET /r", want: "cache 200 v2"},
	}},
	{name: "RFC9111 5.2.2.4 no-cache response is validated on every use", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: no-cache", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{req: "GET /r", origin: []reply{notMod}, sent: []string{`If-None-Match: "v1"`}, want: "revalidated 200 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 5.2.2.4 no-cache with max-age is still validated", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: no-cache, max-age=600", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 5.2.2.4 qualified no-cache: reused without the listed fields", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{`Cache-Control: no-cache="X-Secret", max-age=60`, "X-Secret: s3", "X-Public: p"}, body: "v1"}}, want: "network 200 v1 X-Secret=s3 X-Public=p", show: []string{"X-Secret", "X-Public"}},
		{at: 1 * s, req: "GET /r", want: "cache 200 v1 X-Secret= X-Public=p", show: []string{"X-Secret", "X-Public"}},
	}},
	{name: "RFC9111 5.2.2.2 must-revalidate: 504 when validation cannot reach the origin", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60, must-revalidate", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", origin: []reply{{fail: true}}, want: "generated 504 httpcache: must-revalidate: the stored response could not be validated: origin unreachable (scripted)\n"},
	}},
	{name: "RFC9111 5.2.2.2 must-revalidate: stale is not served even with max-stale", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60, must-revalidate", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", header: []string{"Cache-Control: max-stale"}, origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 5.2.2.2 must-revalidate: 504 for a stale response without validators", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=60, must-revalidate"}, body: "v1"}}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", origin: []reply{{fail: true}}, want: "generated 504 httpcache: must-revalidate: the stored response could not be validated: origin unreachable (scripted)\n"},
	}},
	{name: "RFC9111 4.2.4 unreachable origin without must-revalidate: the error, not stale content", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", origin: []reply{{fail: true}}, want: "error"},
	}},
}

func TestRFC9111Validation(t *testing.T) { run(t, validationTests) }

// headTests: HEAD requests and stored GET responses, RFC 9111 §4.3.5.
var headTests = []scenario{
	{name: "RFC9110 9.3.2 HEAD is answered from a stored GET response", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "HEAD /r", want: "cache 200  ETag=\"v1\" Age=1", show: []string{"ETag", "Age"}},
	}},
	{name: "RFC9111 4.3.5 HEAD without a stored response passes through", steps: []step{
		{req: "HEAD /r", origin: []reply{fresh60}, want: "network 200 "},
		{at: 1 * s, req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
	}},
	{name: "RFC9111 4.3.5 conditional HEAD answered 304 freshens the stored GET response", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 61 * s, req: "HEAD /r", origin: []reply{notMod}, sent: []string{`If-None-Match: "v1"`}, want: "revalidated 200 "},
		{at: 62 * s, req: "GET /r", want: "cache 200 v1 Age=1", show: []string{"Age"}},
	}},
	{name: "RFC9111 4.3.5 HEAD 200 with matching validators updates the stored GET response", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 61 * s, req: "HEAD /r", origin: []reply{{header: []string{"Cache-Control: max-age=100", `ETag: "v1"`, "X-Head: 1"}}}, want: "network 200 "},
		{at: 70 * s, req: "GET /r", want: "cache 200 v1 Age=9 X-Head=1", show: []string{"Age", "X-Head"}},
	}},
	{name: "RFC9111 4.3.5 HEAD 200 with another ETag makes the stored GET response stale", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "HEAD /r", header: []string{"Cache-Control: no-cache"}, origin: []reply{{header: []string{"Cache-Control: max-age=600", `ETag: "v2"`}}}, want: "network 200 "},
		{at: 2 * s, req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600", `ETag: "v2"`}, body: "v2"}}, sent: []string{`If-None-Match: "v1"`}, want: "replaced 200 v2"},
	}},
	{name: "RFC9111 4.3.5 HEAD 200 with another Last-Modified makes the stored GET response stale", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600", lmHour}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "HEAD /r", header: []string{"Cache-Control: no-cache"}, origin: []reply{{header: []string{"Last-Modified: " + at(0)}}}, want: "network 200 "},
		{at: 2 * s, req: "GET /r", origin: []reply{{status: 304, header: []string{lmHour}}}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 4.3.5 HEAD 200 with another Content-Length makes the stored GET response stale", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "HEAD /r", header: []string{"Cache-Control: no-cache"}, origin: []reply{{header: []string{`ETag: "v1"`, "Content-Length: 5"}}}, want: "network 200 "},
		{at: 2 * s, req: "GET /r", origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 4.3.5 HEAD 200 without validators makes the stored GET response stale", steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600", `ETag: "v1"`}, body: "v1"}}, want: "network 200 v1"},
		{at: 1 * s, req: "HEAD /r", header: []string{"Cache-Control: no-cache"}, origin: []reply{{header: []string{"Cache-Control: max-age=600"}}}, want: "network 200 "},
		{at: 2 * s, req: "GET /r", origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
}

func TestRFC9111Head(t *testing.T) { run(t, headTests) }

// invalidationTests: unsafe methods, RFC 9111 §4.4. Each stores /r (and
// sometimes more), sends the unsafe request, then looks again.
var invalidationTests = []scenario{
	invalidation("POST", 200), invalidation("PUT", 201), invalidation("DELETE", 204),
	invalidation("PATCH", 200), invalidation("PROPPATCH", 207), invalidation("POST", 303),
	{name: "RFC9111 4.4 an error response does not invalidate", steps: []step{
		{req: "GET /r", origin: []reply{fresh600}, want: "network 200 v1"},
		{at: 1 * s, req: "POST /r", origin: []reply{{status: 500, body: "no"}}, want: "network 500 no"},
		{at: 2 * s, req: "GET /r", want: "cache 200 v1"},
		{at: 3 * s, req: "DELETE /r", origin: []reply{{status: 404}}, want: "network 404 "},
		{at: 4 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9111 4.4 safe methods do not invalidate", steps: []step{
		{req: "GET /r", origin: []reply{fresh600}, want: "network 200 v1"},
		{at: 1 * s, req: "OPTIONS /r", origin: []reply{{status: 204}}, want: "network 204 "},
		{at: 2 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "RFC9111 4.4 Location and Content-Location of the same origin are invalidated", steps: []step{
		{req: "GET /r", origin: []reply{fresh600}, want: "network 200 v1"},
		{req: "GET /new", origin: []reply{fresh600}, want: "network 200 v1"},
		{req: "GET /other", origin: []reply{fresh600}, want: "network 200 v1"},
		{req: "GET /keep", origin: []reply{fresh600}, want: "network 200 v1"},
		{at: 1 * s, req: "POST /r", origin: []reply{{status: 201, header: []string{"Location: /new", "Content-Location: {a}/other"}}}, want: "network 201 "},
		{at: 2 * s, req: "GET /r", origin: []reply{fresh600}, want: "network 200 v1"},
		{at: 2 * s, req: "GET /new", origin: []reply{fresh600}, want: "network 200 v1"},
		{at: 2 * s, req: "GET /other", origin: []reply{fresh600}, want: "network 200 v1"},
		{at: 2 * s, req: "GET /keep", want: "cache 200 v1"},
	}},
	{name: "RFC9111 4.4 Location of another origin is not invalidated", steps: []step{
		{req: "GET //b/r", origin: []reply{fresh600}, want: "network 200 v1"},
		{at: 1 * s, req: "PUT /r", origin: []reply{{status: 204, header: []string{"Location: {b}/r", "Content-Location: {b}/r"}}}, want: "network 204 "},
		{at: 2 * s, req: "GET //b/r", want: "cache 200 v1"},
	}},
	{name: "RFC9111 4.4 all variants of the target URI are invalidated", steps: []step{
		{req: "GET /r", header: []string{"Accept-Language: en"}, origin: []reply{{header: []string{"Cache-Control: max-age=600", "Vary: Accept-Language"}, body: "en"}}, want: "network 200 en"},
		{req: "GET /r", header: []string{"Accept-Language: fr"}, origin: []reply{{header: []string{"Cache-Control: max-age=600", "Vary: Accept-Language"}, body: "fr"}}, want: "network 200 fr"},
		{at: 1 * s, req: "DELETE /r", origin: []reply{{status: 204}}, want: "network 204 "},
		{at: 2 * s, req: "GET /r", header: []string{"Accept-Language: fr"}, origin: []reply{{status: 404, body: "gone"}}, want: "network 404 gone"},
	}},
}

func invalidation(method string, status int) scenario {
	return scenario{name: "RFC9111 4.4 " + method + " " + http.StatusText(status) + " invalidates the target URI", steps: []step{
		{req: "GET /r", origin: []reply{fresh600}, want: "network 200 v1"},
		{at: 1 * s, req: method + " /r", origin: []reply{{status: status}}, want: "network " + strconv.Itoa(status) + " "},
		{at: 2 * s, req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600"}, body: "v2"}}, want: "network 200 v2"},
	}}
}

func TestRFC9111Invalidation(t *testing.T) { run(t, invalidationTests) }

// requestDirectiveTests: Cache-Control in requests, RFC 9111 §5.2.1. The
// first step stores a response with max-age=60 and ETag "v1".
var requestDirectiveTests = []scenario{
	{name: "RFC9111 5.2.1.4 no-cache request validates a fresh response", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{"Cache-Control: no-cache"}, origin: []reply{notMod}, sent: []string{"Cache-Control: no-cache", `If-None-Match: "v1"`}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 5.2.1.1 max-age=0 validates a response older than 0", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{"Cache-Control: max-age=0"}, origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 5.2.1.1 max-age accepts an age up to its value", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 30 * s, req: "GET /r", header: []string{"Cache-Control: max-age=30"}, want: "cache 200 v1"},
		{at: 31 * s, req: "GET /r", header: []string{"Cache-Control: max-age=30"}, origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 5.2.1.3 min-fresh asks for remaining freshness", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 30 * s, req: "GET /r", header: []string{"Cache-Control: min-fresh=30"}, want: "cache 200 v1"},
		{at: 31 * s, req: "GET /r", header: []string{"Cache-Control: min-fresh=30"}, origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 5.2.1.2 max-stale accepts a stale response within its value", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 70 * s, req: "GET /r", header: []string{"Cache-Control: max-stale=10"}, want: "cache 200 v1 Age=70", show: []string{"Age"}},
		{at: 71 * s, req: "GET /r", header: []string{"Cache-Control: max-stale=10"}, origin: []reply{notMod}, want: "revalidated 200 v1"},
	}},
	{name: "RFC9111 5.2.1.2 max-stale without a value accepts any staleness", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1000000 * s, req: "GET /r", header: []string{"Cache-Control: max-stale"}, want: "cache 200 v1"},
	}},
	{name: "RFC9111 5.2.1.7 only-if-cached with a fresh response", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{"Cache-Control: only-if-cached"}, want: "cache 200 v1"},
	}},
	{name: "RFC9111 5.2.1.7 only-if-cached with nothing stored is 504", steps: []step{
		{req: "GET /r", header: []string{"Cache-Control: only-if-cached"}, want: "generated 504 httpcache: only-if-cached: no stored response can be used\n"},
	}},
	{name: "RFC9111 5.2.1.7 only-if-cached with a stale response is 504", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 61 * s, req: "GET /r", header: []string{"Cache-Control: only-if-cached"}, want: "generated 504 httpcache: only-if-cached: no stored response can be used\n"},
		{at: 61 * s, req: "GET /r", header: []string{"Cache-Control: only-if-cached, max-stale=5"}, want: "cache 200 v1"},
	}},
	{name: "Fetch: a request with its own preconditions bypasses storage", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{`If-None-Match: "v1"`}, origin: []reply{notMod}, sent: []string{`If-None-Match: "v1"`}, want: "network 304 "},
		{at: 2 * s, req: "GET /r", header: []string{"If-Modified-Since: " + at(0)}, origin: []reply{{status: 304}}, want: "network 304 "},
		{at: 3 * s, req: "GET /r", want: "cache 200 v1"},
	}},
	{name: "Fetch: a Range request bypasses storage", steps: []step{
		{req: "GET /r", origin: []reply{fresh60}, want: "network 200 v1"},
		{at: 1 * s, req: "GET /r", header: []string{"Range: bytes=0-0"}, origin: []reply{{status: 206, header: []string{"Content-Range: bytes 0-0/2"}, body: "v"}}, want: "network 206 v"},
		{at: 2 * s, req: "GET /r", want: "cache 200 v1"},
	}},
}

func TestRFC9111RequestDirectives(t *testing.T) { run(t, requestDirectiveTests) }
