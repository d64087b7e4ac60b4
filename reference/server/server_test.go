package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

func newTestServer(t *testing.T) (*httptest.Server, *clock.Virtual) {
	t.Helper()
	clk := &clock.Virtual{}
	ts := httptest.NewServer(New(Options{Clock: clk}))
	t.Cleanup(ts.Close)
	return ts, clk
}

func do(t *testing.T, ts *httptest.Server, method, path, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s %s answered non-JSON %q", method, path, data)
	}
	return resp, m
}

// TestBadInputGetsA4xxWithAJSONError: the contract never answers 5xx to
// bad input.
func TestBadInputGetsA4xxWithAJSONError(t *testing.T) {
	ts, _ := newTestServer(t)
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/cookies/set", "", 400},                                   // no name
		{"GET", "/cookies/set?name=a%20b&value=v", "", 400},                // name not a token
		{"GET", "/cookies/set?name=n&max_age=soon", "", 400},               // max_age not a number
		{"GET", "/cookies/set?name=n&expires=tomorrow", "", 400},           // not an HTTP-date
		{"GET", "/cookies/set?name=n&samesite=Sometimes", "", 400},         // unknown SameSite
		{"GET", "/cookies/set?name=n&path=/a%3Bb", "", 400},                // ';' in Path
		{"GET", "/cookies/set?name=__Host-n&domain=example.test", "", 400}, // prefix violated
		{"GET", "/cookies/get", "", 400},
		{"GET", "/cookies/delete", "", 400},
		{"POST", "/cookies/set?name=n", "", 405},
		{"GET", "/no/such/endpoint", "", 404},
		{"POST", "/clock/advance", "{", 400},
		{"POST", "/clock/advance", `{"seconds": "ten"}`, 400},
		{"POST", "/clock/advance", `{"seconds": -1}`, 400},
		{"POST", "/clock/advance", `{}`, 400},
		{"POST", "/clock/advance", `{"seconds": 1} {"seconds": 2}`, 400},
		{"POST", "/clock/advance", `{"seconds": 1e30}`, 400},
		{"POST", "/clock/advance", strings.Repeat(" ", maxBody+10) + `{"seconds": 1}`, 413},
	} {
		resp, m := do(t, ts, tc.method, tc.path, tc.body)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
		}
		if msg, _ := m["error"].(string); msg == "" {
			t.Errorf("%s %s: no JSON error message: %v", tc.method, tc.path, m)
		}
	}
}

func TestClockAdvanceMovesDateAndCookieExpiry(t *testing.T) {
	ts, _ := newTestServer(t)
	resp, before := do(t, ts, "GET", "/clock", "")
	start, _ := time.Parse(time.RFC3339Nano, before["now"].(string))
	resp, _ = do(t, ts, "POST", "/clock/advance", `{"seconds": 86400}`)
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil || date.Sub(start) < 24*time.Hour-2*time.Second {
		t.Errorf("Date %q after advancing a day from %s", resp.Header.Get("Date"), start)
	}
	resp, _ = do(t, ts, "GET", "/cookies/set?name=n&value=v&max_age=60", "")
	sc, _ := setcookie.Parse(resp.Header.Get("Set-Cookie"))
	if d := sc.Expires.Sub(start); d < 24*time.Hour {
		t.Errorf("cookie Expires %s is not on the advanced clock (started %s)", sc.Expires, start)
	}
}

func TestCookieEndpoints(t *testing.T) {
	ts, _ := newTestServer(t)
	resp, m := do(t, ts, "GET", "/cookies/set?name=n&value=a%20b%3Bc&max_age=99999999999", "")
	line := resp.Header.Get("Set-Cookie")
	if m["set"] != "n" || !strings.HasPrefix(line, "n=a%20b%3Bc;") {
		t.Errorf("set: %v, Set-Cookie %q", m, line)
	}
	if !strings.Contains(line, "Max-Age=34560000") {
		t.Errorf("max_age was not capped at 400 days: %q", line)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q on a response that sets a cookie", got)
	}
	resp, m = do(t, ts, "GET", "/cookies/delete?name=__Host-x", "")
	line = resp.Header.Get("Set-Cookie")
	if !strings.Contains(line, "Secure") || !strings.Contains(line, "Path=/") || strings.Contains(line, "Max-Age") {
		t.Errorf("delete of a __Host- cookie: %q", line)
	}
	req, _ := http.NewRequest("GET", ts.URL+"/cookies/all", nil)
	req.Header.Set("Cookie", "a=1; b=x%2Cy; a=2; bad=%zz")
	r2, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var all struct{ Cookies map[string]string }
	json.NewDecoder(r2.Body).Decode(&all)
	r2.Body.Close()
	want := map[string]string{"a": "1", "b": "x,y", "bad": "%zz"}
	for k, v := range want {
		if all.Cookies[k] != v {
			t.Errorf("cookies/all[%s] = %q, want %q (all: %v)", k, all.Cookies[k], v, all.Cookies)
		}
	}
}

// TestResourcesAreBounded: past the bound, the resource put longest ago is
// forgotten; a long-lived server never refuses a valid PUT.
func TestResourcesAreBounded(t *testing.T) {
	ts, _ := newTestServer(t)
	put := func(id string) int {
		req, _ := http.NewRequest(http.MethodPut, ts.URL+"/resources/"+id, strings.NewReader("x"))
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	get := func(id string) int {
		resp, err := ts.Client().Get(ts.URL + "/resources/" + id)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range maxResources + 5 {
		if code := put("r" + strconv.Itoa(i)); code != http.StatusCreated {
			t.Fatalf("PUT number %d answered %d", i, code)
		}
	}
	if code := get("r0"); code != http.StatusNotFound {
		t.Errorf("the oldest resource is still there (%d) past the bound", code)
	}
	if code := get("r" + strconv.Itoa(maxResources+4)); code != http.StatusOK {
		t.Errorf("the newest resource answered %d", code)
	}
}
