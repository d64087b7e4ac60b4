package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/httpcheck/httpcheck/reference/cache"
	"github.com/httpcheck/httpcheck/reference/clock"
)

// cacheBackends are the cache URLs every cache test runs against.
func cacheBackends(t *testing.T) map[string]string {
	dir := t.TempDir()
	return map[string]string{
		"memory": "memory",
		"file":   "file:" + filepath.Join(dir, "files"),
		"sqlite": "sqlite:" + filepath.Join(dir, "cache.sqlite3"),
	}
}

// forEachCacheServer runs f as a subtest per cacheBackends URL, with a
// server from newCacheServer.
func forEachCacheServer(t *testing.T, f func(t *testing.T, ts *httptest.Server, clk *clock.Virtual)) {
	for name, url := range cacheBackends(t) {
		t.Run(name, func(t *testing.T) {
			ts, clk := newCacheServer(t, url)
			f(t, ts, clk)
		})
	}
}

// newCacheServer serves the contract with DefaultCacheAliases at url, on a
// virtual clock.
func newCacheServer(t *testing.T, url string) (*httptest.Server, *clock.Virtual) {
	t.Helper()
	clk := &clock.Virtual{}
	caches, err := cache.OpenAliases(url, DefaultCacheAliases(), clk)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(New(Options{Clock: clk, Caches: caches}))
	t.Cleanup(func() { ts.Close(); caches.Close() })
	return ts, clk
}

// post sends a cache operation and returns the status and the answer as
// compact JSON.
func post(t *testing.T, ts *httptest.Server, path, body string) (int, string) {
	t.Helper()
	resp, err := ts.Client().Post(ts.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out bytes.Buffer
	if err := json.Compact(&out, data); err != nil {
		t.Fatalf("POST %s answered non-JSON %q", path, data)
	}
	return resp.StatusCode, out.String()
}

// TestCacheBadInput: every kind of bad input gets a 4xx with a JSON error
// and changes nothing.
func TestCacheBadInput(t *testing.T) {
	ts, _ := newCacheServer(t, "memory")
	long := strings.Repeat("k", 251)
	for _, tc := range []struct {
		path, body string
		status     int
		reason     string // in the error message
	}{
		{"/cache/default/set", `{"key": "a", "value": 1`, 400, "JSON"},
		{"/cache/default/set", `[1, 2]`, 400, "object"},
		{"/cache/default/set", `null`, 400, "object"},
		{"/cache/default/set", `"key"`, 400, "object"},
		{"/cache/default/set", `{"key": "a", "value": 1} {}`, 400, "after"},
		{"/cache/default/set", `{"value": 1}`, 400, `missing "key"`},
		{"/cache/default/set", `{"key": "a"}`, 400, `missing "value"`},
		{"/cache/default/set", `{"key": 7, "value": 1}`, 400, `"key" must be a string`},
		{"/cache/default/set", `{"key": null, "value": 1}`, 400, `"key" must be a string`},
		{"/cache/default/set", `{"key": ["a"], "value": 1}`, 400, `"key" must be a string`},
		{"/cache/default/set", `{"key": "a", "value": 1, "timeout": "300"}`, 400, "timeout"},
		{"/cache/default/set", `{"key": "a", "value": 1, "timeout": 1.5}`, 400, "whole"},
		{"/cache/default/set", `{"key": "a", "value": 1, "timout": 3}`, 400, `unknown member "timout"`},
		{"/cache/default/set", `{"key": "` + long + `", "value": 1}`, 400, "251 bytes"},
		{"/cache/default/set", `{"key": "a\nb", "value": 1}`, 400, "control character"},
		{"/cache/default/set", `{"key": "a\u0000b", "value": 1}`, 400, "control character"},
		{"/cache/default/set", `{"key": "a b", "value": 1}`, 400, "space"},
		{"/cache/default/set", `{"key": "", "value": 1}`, 400, "empty"},
		{"/cache/default/get", `{}`, 400, `missing "key"`},
		{"/cache/default/get", `{"key": "a", "value": 1}`, 400, `unknown member "value"`},
		{"/cache/default/add", `{"key": "a"}`, 400, `missing "value"`},
		{"/cache/default/get_or_set", `{"key": "a"}`, 400, `missing "default"`},
		{"/cache/default/get_many", `{}`, 400, `missing "keys"`},
		{"/cache/default/get_many", `{"keys": "a"}`, 400, "array of strings"},
		{"/cache/default/get_many", `{"keys": ["a", 1]}`, 400, "array of strings"},
		{"/cache/default/get_many", `{"keys": ["a", "b c"]}`, 400, "space"},
		{"/cache/default/set_many", `{"values": [1]}`, 400, "object"},
		{"/cache/default/set_many", `{"values": {"ok": 1, "not ok": 2}}`, 400, "space"},
		{"/cache/default/set_many", `{"values": {"a": 1}, "timeout": true}`, 400, "timeout"},
		{"/cache/default/delete", `{"key": false}`, 400, "string"},
		{"/cache/default/delete_many", `{"keys": null}`, 400, "array of strings"},
		{"/cache/default/incr", `{"key": "a", "delta": "1"}`, 400, "integer"},
		{"/cache/default/incr", `{"key": "a", "delta": 1.5}`, 400, "integer"},
		{"/cache/default/incr", `{"key": "a", "delta": 99999999999999999999}`, 400, "64 bits"},
		{"/cache/default/decr", `{"key": "a", "delta": -9223372036854775808}`, 400, "negated"},
		{"/cache/default/incr", `{"key": "absent"}`, 404, "not found"},
		{"/cache/default/decr", `{"key": "absent"}`, 404, "not found"},
		{"/cache/default/touch", `{"key": "a", "timeout": {}}`, 400, "timeout"},
		{"/cache/default/clear", `{"all": true}`, 400, `unknown member "all"`},
		{"/cache/default/frobnicate", `{}`, 404, "no cache operation"},
		{"/cache/nosuchalias/get", `{"key": "a"}`, 404, "no cache alias"},
		{"/cache/default/set", strings.Repeat(" ", maxBody+10) + `{"key": "a", "value": 1}`, 413, "over"},
		{"/cache/default/set", `{"key": "a", "value": "` + strings.Repeat("x", maxBody) + `"}`, 413, "over"},
	} {
		resp, m := do(t, ts, "POST", tc.path, tc.body)
		msg, _ := m["error"].(string)
		if resp.StatusCode != tc.status || !strings.Contains(msg, tc.reason) {
			t.Errorf("POST %s %.60s: %d %q, want %d with %q", tc.path, tc.body, resp.StatusCode, msg, tc.status, tc.reason)
		}
	}
	// Nothing above stored anything.
	if status, got := post(t, ts, "/cache/default/get_many", `{"keys": ["a", "ok"]}`); status != 200 || got != `{"values":{}}` {
		t.Errorf("after bad input: get_many answered %d %s", status, got)
	}
	// The wrong method is a 405 naming POST.
	resp, _ := do(t, ts, "GET", "/cache/default/get", "")
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET cache/default/get: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

// cacheStep is one operation and its expected answer; advance passes
// before it.
type cacheStep struct {
	advance time.Duration
	path    string
	body    string
	status  int
	answer  string // compact JSON, keys sorted
}

// cacheScript runs the contract's operations in order on one server per
// backend: the steps share the cache.
var cacheScript = []cacheStep{
	{path: "set", body: `{"key": "a", "value": {"n": [1, 2.5, "x", null, true]}}`, answer: `{}`},
	{path: "get", body: `{"key": "a"}`, answer: `{"found":true,"value":{"n":[1,2.5,"x",null,true]}}`},
	{path: "get", body: `{"key": "nope"}`, answer: `{"found":false,"value":null}`},
	{path: "get", body: `{"key": "nope", "default": "d"}`, answer: `{"found":false,"value":"d"}`},
	{path: "set", body: `{"key": "null", "value": null}`, answer: `{}`},
	{path: "get", body: `{"key": "null", "default": 1}`, answer: `{"found":true,"value":null}`},
	{path: "set", body: `{"key": "big", "value": 123456789012345678901234567890}`, answer: `{}`},
	{path: "get", body: `{"key": "big"}`, answer: `{"found":true,"value":123456789012345678901234567890}`},
	{path: "add", body: `{"key": "a", "value": 2}`, answer: `{"added":false}`},
	{path: "add", body: `{"key": "b", "value": 2}`, answer: `{"added":true}`},
	{path: "get_or_set", body: `{"key": "b", "default": 3}`, answer: `{"value":2}`},
	{path: "get_or_set", body: `{"key": "c", "default": 3}`, answer: `{"value":3}`},
	{path: "get", body: `{"key": "c"}`, answer: `{"found":true,"value":3}`},
	{path: "get_many", body: `{"keys": ["b", "c", "nope", "c"]}`, answer: `{"values":{"b":2,"c":3}}`},
	{path: "set_many", body: `{"values": {"d": 4, "e": 5}, "timeout": 10}`, answer: `{"failed":[]}`},
	{path: "delete_many", body: `{"keys": ["d", "e", "nope", "d"]}`, answer: `{"deleted":2}`},
	{path: "delete", body: `{"key": "c"}`, answer: `{"deleted":true}`},
	{path: "delete", body: `{"key": "c"}`, answer: `{"deleted":false}`},
	{path: "set", body: `{"key": "n", "value": 10, "timeout": 60}`, answer: `{}`},
	{path: "incr", body: `{"key": "n"}`, answer: `{"value":11}`},
	{path: "incr", body: `{"key": "n", "delta": 5}`, answer: `{"value":16}`},
	{path: "decr", body: `{"key": "n", "delta": 20}`, answer: `{"value":-4}`},
	{path: "decr", body: `{"key": "n"}`, answer: `{"value":-5}`},
	{path: "incr", body: `{"key": "a"}`, status: 400},
	{path: "incr", body: `{"key": "absent"}`, status: 404},
	{path: "get", body: `{"key": "absent"}`, answer: `{"found":false,"value":null}`},
	// Timeouts: explicit, null, zero, negative, default, touch.
	{path: "set", body: `{"key": "t2", "value": 1, "timeout": 2}`, answer: `{}`},
	{path: "set", body: `{"key": "never", "value": 1, "timeout": null}`, answer: `{}`},
	{path: "set", body: `{"key": "dflt", "value": 1}`, answer: `{}`},
	{path: "set", body: `{"key": "zero", "value": 1, "timeout": 0}`, answer: `{}`},
	{path: "get", body: `{"key": "zero"}`, answer: `{"found":false,"value":null}`},
	{path: "set", body: `{"key": "b", "value": 1, "timeout": -1}`, answer: `{}`},
	{path: "get", body: `{"key": "b"}`, answer: `{"found":false,"value":null}`},
	{path: "set", body: `{"key": "touched", "value": 1, "timeout": 2}`, answer: `{}`},
	{path: "touch", body: `{"key": "touched", "timeout": 100}`, answer: `{"touched":true}`},
	{path: "touch", body: `{"key": "nope"}`, answer: `{"touched":false}`},
	{advance: 2 * time.Second, path: "get_many", body: `{"keys": ["t2", "never", "dflt", "touched", "n"]}`,
		answer: `{"values":{"dflt":1,"n":-5,"never":1,"touched":1}}`},
	{path: "add", body: `{"key": "t2", "value": "again"}`, answer: `{"added":true}`},
	{advance: 60 * time.Second, path: "incr", body: `{"key": "n"}`, status: 404},
	{advance: 300 * time.Second, path: "get_many", body: `{"keys": ["t2", "never", "dflt", "touched"]}`,
		answer: `{"values":{"never":1}}`},
	{path: "clear", body: ``, answer: `{}`},
	{path: "get", body: `{"key": "never"}`, answer: `{"found":false,"value":null}`},
}

func TestCacheOperations(t *testing.T) {
	forEachCacheServer(t, func(t *testing.T, ts *httptest.Server, clk *clock.Virtual) {
		for i, st := range cacheScript {
			clk.Advance(st.advance)
			status, got := post(t, ts, "/cache/default/"+st.path, st.body)
			want := st.status
			if want == 0 {
				want = 200
			}
			if status != want || (st.answer != "" && got != st.answer) {
				t.Fatalf("step %d: %s %s: %d %s, want %d %s", i, st.path, st.body, status, got, want, st.answer)
			}
		}
	})
}

// TestCacheAliasesAreIsolatedAndCulled: the same key in two aliases is two
// entries, and "small" keeps to its 20 entries, the newest among them.
func TestCacheAliasesAreIsolatedAndCulled(t *testing.T) {
	forEachCacheServer(t, func(t *testing.T, ts *httptest.Server, _ *clock.Virtual) {
		post(t, ts, "/cache/default/set", `{"key": "k", "value": "default"}`)
		post(t, ts, "/cache/secondary/set", `{"key": "k", "value": "secondary"}`)
		post(t, ts, "/cache/secondary/clear", `{}`)
		if _, got := post(t, ts, "/cache/default/get", `{"key": "k"}`); got != `{"found":true,"value":"default"}` {
			t.Errorf("default after clearing secondary: %s", got)
		}
		var keys []string
		for i := range 50 {
			k := "cull-" + strconv.Itoa(i)
			keys = append(keys, k)
			post(t, ts, "/cache/small/set", fmt.Sprintf(`{"key": %q, "value": %d}`, k, i))
		}
		body, _ := json.Marshal(map[string]any{"keys": keys})
		_, m := do(t, ts, "POST", "/cache/small/get_many", string(body))
		values := m["values"].(map[string]any)
		if len(values) > 20 || values["cull-49"] == nil {
			t.Errorf("small after 50 sets holds %d of them (want at most 20, with cull-49): %v", len(values), values)
		}
	})
}

// TestCacheIncrIsAtomic: concurrent increments are all counted.
func TestCacheIncrIsAtomic(t *testing.T) {
	ts, _ := newCacheServer(t, "memory")
	post(t, ts, "/cache/default/set", `{"key": "n", "value": 0}`)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				req, _ := http.NewRequest("POST", ts.URL+"/cache/default/incr", strings.NewReader(`{"key": "n"}`))
				if resp, err := ts.Client().Do(req); err == nil {
					resp.Body.Close()
				}
			}
		})
	}
	wg.Wait()
	if _, got := post(t, ts, "/cache/default/get", `{"key": "n"}`); got != `{"found":true,"value":200}` {
		t.Errorf("after 200 concurrent increments: %s", got)
	}
}

// getView fetches a view and decodes its render count.
func getView(t *testing.T, ts *httptest.Server, target string) (*http.Response, int, string) {
	t.Helper()
	resp, m := do(t, ts, "GET", target, "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", target, resp.StatusCode, m)
	}
	n, _ := m["renders"].(float64)
	at, _ := m["rendered_at"].(string)
	if _, err := time.Parse(time.RFC3339, at); err != nil {
		t.Errorf("GET %s: rendered_at %q is not RFC 3339", target, at)
	}
	return resp, int(n), at
}

// TestCachedView: one render per ttl and URL; Expires and max-age say the
// ttl.
func TestCachedView(t *testing.T) {
	forEachCacheServer(t, func(t *testing.T, ts *httptest.Server, clk *clock.Virtual) {
		for i, st := range []struct {
			advance time.Duration
			target  string
			renders int
		}{
			{target: "/views/cached?ttl=60", renders: 1},
			{target: "/views/cached?ttl=60", renders: 1},
			{target: "/views/cached?ttl=60&x=1", renders: 1},
			{target: "/views/cached?x=1&ttl=60", renders: 1},
			{target: "/views/cached?ttl=60&x=1", renders: 1},
			{advance: 59 * time.Second, target: "/views/cached?ttl=60", renders: 1},
			{advance: time.Second, target: "/views/cached?ttl=60", renders: 2},
			{target: "/views/cached?ttl=60", renders: 2},
			{target: "/views/uncached", renders: 1},
			{target: "/views/uncached", renders: 2},
			{target: "/views/uncached?x", renders: 1},
		} {
			clk.Advance(st.advance)
			resp, n, _ := getView(t, ts, st.target)
			if n != st.renders {
				t.Fatalf("step %d: GET %s: renders %d, want %d", i, st.target, n, st.renders)
			}
			cc := resp.Header.Get("Cache-Control")
			if strings.HasPrefix(st.target, "/views/uncached") {
				if cc != "no-store" {
					t.Errorf("step %d: uncached view with Cache-Control %q", i, cc)
				}
				continue
			}
			u, _ := neturl.Parse(st.target)
			if ttl := u.Query().Get("ttl"); cc != "max-age="+ttl {
				t.Errorf("step %d: Cache-Control %q, want max-age=%s", i, cc, ttl)
			}
		}
	})
}

func TestCachedViewExpiresIsDatePlusTTL(t *testing.T) {
	ts, _ := newCacheServer(t, "memory")
	resp, _, _ := getView(t, ts, "/views/cached?ttl=120")
	date, err1 := http.ParseTime(resp.Header.Get("Date"))
	exp, err2 := http.ParseTime(resp.Header.Get("Expires"))
	if err1 != nil || err2 != nil {
		t.Fatalf("Date %q, Expires %q", resp.Header.Get("Date"), resp.Header.Get("Expires"))
	}
	if d := exp.Sub(date); d < 120*time.Second || d > 121*time.Second {
		t.Errorf("Expires - Date = %s, want 120s", d)
	}
}

func TestViewBadInput(t *testing.T) {
	ts, _ := newCacheServer(t, "memory")
	for _, target := range []string{
		"/views/cached", "/views/cached?ttl=", "/views/cached?ttl=-1", "/views/cached?ttl=1.5",
		"/views/cached?ttl=ten", "/views/cached?ttl=0", "/views/cached?ttl=%2B5", "/views/cached?ttl=99999999999999999999999", "/views/cached?ttl=34560001",
		"/views/fragment", "/views/fragment?user=", "/views/fragment?user=u&ttl=-5", "/views/fragment?user=u&ttl=0",
		"/views/fragment?user=" + strings.Repeat("u", maxUser+1), "/views/fragment?user=%ff",
	} {
		resp, m := do(t, ts, "GET", target, "")
		if msg, _ := m["error"].(string); resp.StatusCode != 400 || msg == "" {
			t.Errorf("GET %s: %d %v, want 400 with an error", target, resp.StatusCode, m)
		}
	}
}

// fragmentPage fetches views/fragment and reads its two parts.
func getFragment(t *testing.T, ts *httptest.Server, query string) (sidebar, content *goquery.Selection) {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + "/views/fragment?" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET views/fragment?%s: %d %s", query, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	sidebar, content = doc.Find("section#sidebar"), doc.Find("main#content")
	if sidebar.Length() != 1 || content.Length() != 1 {
		t.Fatalf("views/fragment?%s: %d sidebars, %d contents", query, sidebar.Length(), content.Length())
	}
	return sidebar, content
}

func TestFragmentView(t *testing.T) {
	forEachCacheServer(t, func(t *testing.T, ts *httptest.Server, clk *clock.Virtual) {
		for i, st := range []struct {
			advance          time.Duration
			query            string
			user             string
			sidebar, content string
		}{
			{query: "user=ann", user: "ann", sidebar: "1", content: "1"},
			{query: "user=ann", user: "ann", sidebar: "1", content: "2"},
			{query: "user=bob", user: "bob", sidebar: "1", content: "1"},
			{query: "user=ann&ttl=5", user: "ann", sidebar: "1", content: "3"},
			{advance: 499 * time.Second, query: "user=ann", user: "ann", sidebar: "1", content: "4"},
			{advance: time.Second, query: "user=ann", user: "ann", sidebar: "2", content: "5"},
			{query: "user=cy&ttl=2", user: "cy", sidebar: "1", content: "1"},
			{advance: 2 * time.Second, query: "user=cy&ttl=2", user: "cy", sidebar: "2", content: "2"},
			{query: "user=%22%3E%3Cscript%3Ex%3C/script%3E", user: `"><script>x</script>`, sidebar: "1", content: "1"},
		} {
			clk.Advance(st.advance)
			sidebar, content := getFragment(t, ts, st.query)
			user, _ := sidebar.Attr("data-user")
			s, _ := sidebar.Attr("data-renders")
			c, _ := content.Attr("data-renders")
			if user != st.user || s != st.sidebar || c != st.content {
				t.Errorf("step %d: %s: user %q sidebar %s content %s, want %q %s %s", i, st.query, user, s, c, st.user, st.sidebar, st.content)
			}
			if sidebar.Find("script").Length() > 0 {
				t.Errorf("step %d: the user name became markup", i)
			}
		}
	})
}

// TestPlantedFragmentIsNotServed: a value written through the public
// Cache API under a fragment's key is never inserted into the page.
func TestPlantedFragmentIsNotServed(t *testing.T) {
	ts, _ := newCacheServer(t, "memory")
	key := cache.FragmentKey("sidebar", "eve")
	body, _ := json.Marshal(map[string]any{"key": key, "value": map[string]string{"mac": "00", "payload": `<section id="sidebar" data-renders="666"><script>x</script></section>`}, "timeout": nil})
	if status, got := post(t, ts, "/cache/default/set", string(body)); status != 200 {
		t.Fatalf("planting: %d %s", status, got)
	}
	sidebar, _ := getFragment(t, ts, "user=eve")
	if s, _ := sidebar.Attr("data-renders"); s != "1" || sidebar.Find("script").Length() > 0 {
		t.Errorf("the planted fragment was served: data-renders %s", s)
	}
}
