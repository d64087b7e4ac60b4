package httpcache

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// TestCacheStatus: the member a shared cache named "hc" appends (RFC 9211),
// step by step through one scenario per row; the key is checked once, and
// shown as K.
func TestCacheStatus(t *testing.T) {
	type row struct {
		at     time.Duration
		req    string
		header []string
		origin []reply
		want   string // the Cache-Status field, key shown as K
	}
	scenarios := []struct {
		name string
		rows []row
	}{
		{"miss, stored, then hit", []row{
			{0, "GET /r", nil, []reply{fresh600}, `hc; fwd=uri-miss; fwd-status=200; stored; ttl=600; key=K`},
			{10 * s, "GET /r", nil, nil, `hc; hit; ttl=590; key=K`},
			{20 * s, "GET /r", []string{"Cache-Control: no-cache"}, []reply{fresh600}, `hc; fwd=request; fwd-status=200; stored; ttl=600; key=K`},
		}},
		{"stale, revalidated", []row{
			{0, "GET /r", nil, []reply{fresh60}, `hc; fwd=uri-miss; fwd-status=200; stored; ttl=60; key=K`},
			{100 * s, "GET /r", nil, []reply{{status: 304, header: []string{"Cache-Control: max-age=60", `ETag: "v1"`}}}, `hc; fwd=stale; fwd-status=304; stored; ttl=60; key=K`},
		}},
		{"not storable, then the method", []row{
			{0, "GET /r", nil, []reply{{header: []string{"Cache-Control: no-store"}, body: "x"}}, `hc; fwd=uri-miss; fwd-status=200; key=K`},
			{0, "POST /r", nil, []reply{{body: "x"}}, `hc; fwd=method; fwd-status=200; key=K`},
			{0, "GET /r", []string{"Range: bytes=0-1"}, []reply{{body: "x"}}, `hc; fwd=bypass; fwd-status=200; key=K`},
		}},
		{"vary-miss", []row{
			{0, "GET /r", []string{"Accept-Language: en"}, []reply{{header: []string{"Cache-Control: max-age=60", "Vary: Accept-Language"}, body: "en"}}, `hc; fwd=uri-miss; fwd-status=200; stored; ttl=60; key=K`},
			{0, "GET /r", []string{"Accept-Language: fr"}, []reply{{header: []string{"Cache-Control: max-age=60", "Vary: Accept-Language"}, body: "fr"}}, `hc; fwd=vary-miss; fwd-status=200; stored; ttl=60; key=K`},
		}},
		{"stale while revalidating is a hit, stale on error is not", []row{
			{0, "GET /r", nil, []reply{{header: []string{"Cache-Control: max-age=1, stale-while-revalidate=5, stale-if-error=60", `ETag: "v1"`}, body: "v1"}}, `hc; fwd=uri-miss; fwd-status=200; stored; ttl=1; key=K`},
			{3 * s, "GET /r", nil, []reply{{status: 500}}, `hc; hit; ttl=-2; key=K`},
			{10 * s, "GET /r", nil, []reply{{status: 503}}, `hc; fwd=stale; ttl=-9; key=K`},
		}},
	}
	key := regexp.MustCompile(`key="GET http://127\.0\.0\.1:\d+/r"`)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			clk := clock.NewManual(tNow)
			o := newOrigin(t, clk)
			c := New(Options{Transport: &http.Transport{}, Clock: clk, Shared: true, CacheStatus: "hc"})
			for i, r := range sc.rows {
				clk.Set(tNow.Add(r.at))
				o.expect(r.origin)
				method, path, _ := strings.Cut(r.req, " ")
				req, _ := http.NewRequest(method, o.a.URL+path, nil)
				for _, line := range r.header {
					k, v, _ := strings.Cut(line, ":")
					req.Header.Add(k, strings.TrimSpace(v))
				}
				resp, _, err := c.Do(req)
				c.Wait()
				if err != nil {
					t.Fatalf("step %d: %v", i+1, err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				got := fmt.Sprint(resp.Header.Values("Cache-Status"))
				if !key.MatchString(got) {
					t.Errorf("step %d: %s has no key naming the target URI", i+1, got)
				}
				if got = key.ReplaceAllString(got, "key=K"); got != "["+r.want+"]" {
					t.Errorf("step %d (%s at +%v):\n got  %s\n want [%s]", i+1, r.req, r.at, got, r.want)
				}
			}
		})
	}
}
