package cache

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// testView is the view under the per-view cache. It counts its executions
// and shapes its response from the query:
//
//	cc=V        Cache-Control: V
//	vary=V      Vary: V
//	expires=V   Expires: V
//	cookie      sets a cookie
//	status=N    answers N
//	big         writes a body over the size limit
//	flush       flushes after writing
type testView struct {
	mu      sync.Mutex
	renders int
}

func (v *testView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v.mu.Lock()
	v.renders++
	n := v.renders
	v.mu.Unlock()
	q := r.URL.Query()
	h := w.Header()
	if s := q.Get("cc"); s != "" {
		h.Set("Cache-Control", s)
	}
	if s := q.Get("vary"); s != "" {
		h.Set("Vary", s)
	}
	if s := q.Get("expires"); s != "" {
		h.Set("Expires", s)
	}
	if q.Has("cookie") {
		http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: "secret"})
	}
	h.Set("Content-Type", "application/json")
	status := http.StatusOK
	if s := q.Get("status"); s != "" {
		status, _ = strconv.Atoi(s)
	}
	w.WriteHeader(status)
	if q.Has("big") {
		w.Write([]byte(strings.Repeat(" ", maxPageBody)))
	}
	fmt.Fprintf(w, `{"renders":%d}`, n)
	if q.Has("flush") {
		w.(http.Flusher).Flush()
	}
}

func (v *testView) count() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.renders
}

// pageServer serves testView under CachePage(ttl) on a manual clock.
type pageServer struct {
	*httptest.Server
	view  *testView
	clk   *clock.Manual
	cache Cache
}

func newPageServer(t *testing.T, c Cache, ttl time.Duration) *pageServer {
	t.Helper()
	clk := clock.NewManual(tNow)
	if c == nil {
		var err error
		if c, err = Open("memory", DefaultOptions(), clk); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	s := &pageServer{view: &testView{}, clk: clk, cache: c}
	s.Server = httptest.NewServer(CachePage(c, ttl, s.clk)(s.view))
	t.Cleanup(s.Close)
	return s
}

// do sends one request; header lines are "Name: value".
func (s *pageServer) do(t *testing.T, method, target string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range header {
		name, value, _ := strings.Cut(line, ": ")
		if name == "Host" {
			req.Host = value
		} else {
			req.Header.Add(name, value)
		}
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// pageStep is one request and the number of times the view has run after
// it: the same number as before means a cache hit.
type pageStep struct {
	advance time.Duration // before the request
	method  string
	target  string
	header  []string
	renders int
}

// TestCachePage: each table needs a fresh cache; the steps share it.
func TestCachePage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []pageStep
	}{
		{"hit until ttl", []pageStep{
			{method: "GET", target: "/v", renders: 1},
			{method: "GET", target: "/v", renders: 1},
			{advance: 59 * time.Second, method: "GET", target: "/v", renders: 1},
			{advance: time.Second, method: "GET", target: "/v", renders: 2},
			{method: "GET", target: "/v", renders: 2},
		}},
		{"query strings are different entries", []pageStep{
			{method: "GET", target: "/v?a=1", renders: 1},
			{method: "GET", target: "/v?a=2", renders: 2},
			{method: "GET", target: "/v?a=1&b=2", renders: 3},
			{method: "GET", target: "/v?b=2&a=1", renders: 4},
			{method: "GET", target: "/v?a=1", renders: 4},
			{method: "GET", target: "/w?a=1", renders: 5},
		}},
		{"hosts are different entries", []pageStep{
			{method: "GET", target: "/v", header: []string{"Host: a.example.test"}, renders: 1},
			{method: "GET", target: "/v", header: []string{"Host: b.example.test"}, renders: 2},
			{method: "GET", target: "/v", header: []string{"Host: A.Example.Test"}, renders: 2},
		}},
		{"HEAD from GET, not GET from HEAD", []pageStep{
			{method: "GET", target: "/v", renders: 1},
			{method: "HEAD", target: "/v", renders: 1},
			{method: "HEAD", target: "/h", renders: 2},
			{method: "HEAD", target: "/h", renders: 2},
			{method: "GET", target: "/h", renders: 3},
			{method: "GET", target: "/h", renders: 3},
		}},
		{"other methods never cached", []pageStep{
			{method: "GET", target: "/v", renders: 1},
			{method: "POST", target: "/v", renders: 2},
			{method: "POST", target: "/v", renders: 3},
			{method: "PUT", target: "/v", renders: 4},
			{method: "GET", target: "/v", renders: 4},
		}},
		{"not stored", []pageStep{
			{method: "GET", target: "/v?cookie", renders: 1},
			{method: "GET", target: "/v?cookie", renders: 2},
			{method: "GET", target: "/v?cc=private", renders: 3},
			{method: "GET", target: "/v?cc=private", renders: 4},
			{method: "GET", target: "/v?cc=Private%3D%22x%22", renders: 5},
			{method: "GET", target: "/v?cc=Private%3D%22x%22", renders: 6},
			{method: "GET", target: "/v?cc=public,no-store", renders: 7},
			{method: "GET", target: "/v?cc=public,no-store", renders: 8},
			{method: "GET", target: "/v?vary=*", renders: 9},
			{method: "GET", target: "/v?vary=*", renders: 10},
			{method: "GET", target: "/v?status=404", renders: 11},
			{method: "GET", target: "/v?status=404", renders: 12},
			{method: "GET", target: "/v?status=304", renders: 13},
			{method: "GET", target: "/v?status=304", renders: 14},
			{method: "GET", target: "/v?big", renders: 15},
			{method: "GET", target: "/v?big", renders: 16},
			{method: "GET", target: "/v?flush", renders: 17},
			{method: "GET", target: "/v?flush", renders: 18},
		}},
		{"no-cache in a quoted argument is not no-store", []pageStep{
			{method: "GET", target: "/v?cc=no-cache%3D%22no-store,private%22", renders: 1},
			{method: "GET", target: "/v?cc=no-cache%3D%22no-store,private%22", renders: 1},
		}},
		{"vary", []pageStep{
			{method: "GET", target: "/v?vary=Accept-Language", header: []string{"Accept-Language: fr"}, renders: 1},
			{method: "GET", target: "/v?vary=Accept-Language", header: []string{"Accept-Language: fr"}, renders: 1},
			{method: "GET", target: "/v?vary=Accept-Language", header: []string{"Accept-Language: de"}, renders: 2},
			{method: "GET", target: "/v?vary=Accept-Language", renders: 3},
			{method: "GET", target: "/v?vary=Accept-Language", header: []string{"Accept-Language: "}, renders: 4},
			{method: "GET", target: "/v?vary=Accept-Language", header: []string{"Accept-Language: de"}, renders: 4},
			{method: "GET", target: "/v?vary=Accept-Language", renders: 4},
			{method: "GET", target: "/v?vary=Accept-Language", header: []string{"Accept-Language: fr", "Cookie: a=1"}, renders: 4},
		}},
		{"vary on several headers", []pageStep{
			{method: "GET", target: "/v?vary=cookie,%20X-A", header: []string{"Cookie: a=1", "X-A: 1"}, renders: 1},
			{method: "GET", target: "/v?vary=cookie,%20X-A", header: []string{"Cookie: a=1", "X-A: 2"}, renders: 2},
			{method: "GET", target: "/v?vary=cookie,%20X-A", header: []string{"Cookie: a=2", "X-A: 1"}, renders: 3},
			{method: "GET", target: "/v?vary=cookie,%20X-A", header: []string{"X-A: 1", "Cookie: a=1"}, renders: 3},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newPageServer(t, nil, time.Minute)
			for i, st := range tc.steps {
				s.clk.Advance(st.advance)
				s.do(t, st.method, st.target, st.header...)
				if got := s.view.count(); got != st.renders {
					t.Fatalf("step %d: %s %s %q: view ran %d times, want %d", i, st.method, st.target, st.header, got, st.renders)
				}
			}
		})
	}
}

// TestCachePageHeaders: what patch_response_headers adds, and what a hit
// serves.
func TestCachePageHeaders(t *testing.T) {
	s := newPageServer(t, nil, time.Minute)
	expires := tNow.Add(time.Minute).Format(http.TimeFormat)

	resp, body := s.do(t, "GET", "/v")
	if got := resp.Header.Get("Expires"); got != expires {
		t.Errorf("miss: Expires = %q, want %q", got, expires)
	}
	if got := resp.Header.Get("Cache-Control"); got != "max-age=60" {
		t.Errorf("miss: Cache-Control = %q, want max-age=60", got)
	}
	if got := resp.Header.Get("Age"); got != "" {
		t.Errorf("miss: Age = %q, want none", got)
	}

	s.clk.Advance(7 * time.Second)
	hit, hitBody := s.do(t, "GET", "/v")
	if hitBody != body {
		t.Errorf("hit body %q, want %q", hitBody, body)
	}
	for _, name := range []string{"Expires", "Cache-Control", "Content-Type"} {
		if got, want := hit.Header.Get(name), resp.Header.Get(name); got != want {
			t.Errorf("hit: %s = %q, want the stored %q", name, got, want)
		}
	}
	if got := hit.Header.Get("Age"); got != "7" {
		t.Errorf("hit: Age = %q, want 7", got)
	}
	if hit.Header.Get("Date") == "" {
		t.Errorf("hit: no Date")
	}

	head, headBody := s.do(t, "HEAD", "/v")
	if head.StatusCode != 200 || headBody != "" || head.Header.Get("Expires") != expires {
		t.Errorf("HEAD hit: %d %q Expires %q", head.StatusCode, headBody, head.Header.Get("Expires"))
	}

	expires = s.clk.Now().Add(time.Minute).Format(http.TimeFormat)
	for _, tc := range []struct {
		target, cacheControl, expires string
	}{
		{"/v?cc=public,%20max-age=10000", "public, max-age=60", expires},
		{"/v?cc=public,%20max-age=10", "public, max-age=10", expires},
		{"/v?cc=MAX-AGE=30,%20must-revalidate", "must-revalidate, max-age=30", expires},
		{"/v?expires=Thu,%2001%20Jan%201970%2000:00:00%20GMT", "max-age=60", "Thu, 01 Jan 1970 00:00:00 GMT"},
		{"/v?cc=private", "private", ""},
		{"/v?cookie", "", ""},
		{"/v?status=404", "", ""},
	} {
		resp, _ := s.do(t, "GET", tc.target)
		if got := resp.Header.Get("Cache-Control"); got != tc.cacheControl {
			t.Errorf("%s: Cache-Control = %q, want %q", tc.target, got, tc.cacheControl)
		}
		if got := resp.Header.Get("Expires"); got != tc.expires {
			t.Errorf("%s: Expires = %q, want %q", tc.target, got, tc.expires)
		}
	}
}

// TestCachePageShortTTL: less than a second stores nothing, but the
// response still says it may not be kept (max-age=0, Expires now).
func TestCachePageShortTTL(t *testing.T) {
	s := newPageServer(t, nil, 500*time.Millisecond)
	resp, _ := s.do(t, "GET", "/v")
	s.do(t, "GET", "/v")
	if got := s.view.count(); got != 2 {
		t.Errorf("view ran %d times, want 2", got)
	}
	if got := resp.Header.Get("Cache-Control"); got != "max-age=0" {
		t.Errorf("Cache-Control = %q, want max-age=0", got)
	}
	if got, want := resp.Header.Get("Expires"), tNow.Format(http.TimeFormat); got != want {
		t.Errorf("Expires = %q, want %q", got, want)
	}
}

// TestCachePageForged: an entry under a page's key that this process did
// not seal for that key is never served: a value written through the Cache
// API, an entry sealed for another key, one in the earlier JSON sealed
// form, one with its MAC zeroed, and a sealed entry cut short (torn).
func TestCachePageForged(t *testing.T) {
	s := newPageServer(t, nil, time.Minute)
	s.do(t, "GET", "/v")
	ctx := context.Background()
	key := urlKey("GET", s.URL+"/v")
	payload := appendPage(nil, 200, http.Header{"X-Forged": {"1"}}, []byte("<script>"), tNow.UnixNano())
	sealed := func(k string) []byte { return seal(k, append(sealStart(len(payload)), payload...)) }
	zeroed := sealed(key)
	clear(zeroed[len(zeroed)-sha256.Size:])
	forged := [][]byte{
		sealed(key + "x"),
		[]byte(`{"mac":"00","payload":"x"}`),
		zeroed,
		sealed(key)[:len(sealed(key))-1],
		sealed(key)[:len(sealedMagic)+len(payload)/2],
	}
	if err := s.cache.Set(ctx, key, json.RawMessage(`{"status":200,"body":"PHNjcmlwdD4="}`), Default()); err != nil {
		t.Fatal(err)
	}
	s.expectMiss(t)
	for _, v := range forged {
		if err := writeSealed(ctx, s.cache, key, v, Default()); err != nil {
			t.Fatal(err)
		}
		s.expectMiss(t)
	}
	if got, want := s.view.count(), 2+len(forged); got != want {
		t.Errorf("view ran %d times, want %d (1 + every forged entry a miss)", got, want)
	}
}

// expectMiss fails t when GET /v serves the forged page.
func (s *pageServer) expectMiss(t *testing.T) {
	t.Helper()
	if resp, body := s.do(t, "GET", "/v"); resp.Header.Get("X-Forged") != "" || strings.Contains(body, "script") {
		t.Fatalf("served a forged entry: %q", body)
	}
}

// TestSealedEntriesThroughTheAPI: the Cache API answers a sealed entry as
// JSON (a string of its base64), and what a client writes back through it
// is not a sealed entry.
func TestSealedEntriesThroughTheAPI(t *testing.T) {
	s := newPageServer(t, nil, time.Minute)
	s.do(t, "GET", "/v")
	ctx := context.Background()
	key := urlKey("GET", s.URL+"/v")
	v, found, err := s.cache.Get(ctx, key)
	if err != nil || !found || !json.Valid(v) || v[0] != '"' {
		t.Fatalf("Get(%s) = %.60s, %v, %v; want a JSON string", key, v, found, err)
	}
	many, err := s.cache.GetMany(ctx, []string{key})
	if err != nil || !json.Valid(many[key]) {
		t.Fatalf("GetMany = %.60s, %v; want JSON", many[key], err)
	}
	if err := s.cache.Set(ctx, key, v, Default()); err != nil {
		t.Fatal(err)
	}
	s.do(t, "GET", "/v")
	if got := s.view.count(); got != 2 {
		t.Errorf("view ran %d times, want 2: the value written back through the API is a miss", got)
	}
}

// TestPageCodec: a page comes back as stored, and every cut of its
// payload is refused rather than read in part.
func TestPageCodec(t *testing.T) {
	h := http.Header{"Content-Type": {"text/html"}, "X-Two": {"a", ""}, "X-Empty": {}}
	payload := appendPage(nil, 203, h, []byte("body"), 42)
	p, err := decodePage(payload)
	if err != nil {
		t.Fatal(err)
	}
	got := http.Header{"X-Two": {"old"}}
	p.setHeaders(got)
	if p.status != 203 || p.storedAt != 42 || string(p.body) != "body" || !reflect.DeepEqual(got, h) {
		t.Errorf("decoded %d %d %q %v; want 203 42 body %v", p.status, p.storedAt, p.body, got, h)
	}
	got["X-Two"] = append(got["X-Two"], "appended")
	if len(got["X-Empty"]) != 0 {
		t.Errorf("appending to one field's values changed another's: %v", got)
	}
	for n := range len(payload) {
		if _, err := decodePage(payload[:n]); err == nil {
			t.Errorf("decodePage accepted the payload cut to %d of %d bytes", n, len(payload))
		}
	}
	vary := appendVary(nil, []string{"Accept", "Cookie"})
	if names, err := decodeVary(vary); err != nil || !reflect.DeepEqual(names, []string{"Accept", "Cookie"}) {
		t.Errorf("decodeVary = %v, %v", names, err)
	}
	for n := range len(vary) {
		if _, err := decodeVary(vary[:n]); err == nil {
			t.Errorf("decodeVary accepted the payload cut to %d of %d bytes", n, len(vary))
		}
	}
}

// failingCache fails every operation.
type failingCache struct{ Cache }

var errFailing = errors.New("cache down")

func (failingCache) Get(context.Context, string) (json.RawMessage, bool, error) {
	return nil, false, errFailing
}
func (failingCache) Set(context.Context, string, json.RawMessage, Timeout) error { return errFailing }

func TestCachePageDegrades(t *testing.T) {
	s := newPageServer(t, failingCache{}, time.Minute)
	for i := 1; i <= 3; i++ {
		resp, body := s.do(t, "GET", "/v")
		if want := fmt.Sprintf(`{"renders":%d}`, i); resp.StatusCode != 200 || body != want {
			t.Fatalf("request %d: %d %q, want 200 %q", i, resp.StatusCode, body, want)
		}
	}
}

func TestVaryHeaders(t *testing.T) {
	for _, tc := range []struct {
		vary []string
		want string
		ok   bool
	}{
		{nil, "[]", true},
		{[]string{"accept-language"}, "[Accept-Language]", true},
		{[]string{"Cookie, accept-encoding", "Cookie"}, "[Accept-Encoding Cookie]", true},
		{[]string{" , Cookie ,"}, "[Cookie]", true},
		{[]string{"Cookie, *"}, "[]", false},
	} {
		names, ok := varyHeaders(http.Header{"Vary": tc.vary})
		if got := fmt.Sprint(names); got != tc.want || ok != tc.ok {
			t.Errorf("varyHeaders(%q) = %s, %v; want %s, %v", tc.vary, got, ok, tc.want, tc.ok)
		}
	}
}

// TestCachePageBackends: stored pages round-trip through every backend.
func TestCachePageBackends(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		c, _ := openTest(t, b, DefaultOptions())
		s := newPageServer(t, c, time.Minute)
		_, first := s.do(t, "GET", "/v?vary=Accept-Language", "Accept-Language: fr")
		_, second := s.do(t, "GET", "/v?vary=Accept-Language", "Accept-Language: fr")
		if first != `{"renders":1}` || second != first {
			t.Errorf("bodies %q then %q, want the first served twice", first, second)
		}
	})
}
