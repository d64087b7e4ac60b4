package proxy

import (
	"strconv"
	"strings"
	"testing"
	"time"

	scripted "github.com/httpcheck/httpcheck/harness/origin"
	"github.com/httpcheck/httpcheck/reference/clock"
)

// TestStaleIfError: within stale-if-error the stored response answers when
// the origin drops the connection or answers 5xx (RFC 5861 §4, RFC 9111
// §4.2.4); beyond it the failure reaches the client.
func TestStaleIfError(t *testing.T) {
	clk := &clock.Virtual{}
	target := startScriptedAt(t, clk,
		scripted.Response{Header: [][2]string{{"Cache-Control", "max-age=1, stale-if-error=60"}, {"ETag", `"v1"`}}, Body: "v1"},
		scripted.Response{Reset: true},
		scripted.Response{Status: 503, Body: "busy"},
		scripted.Response{Status: 500, Body: "down"},
	)
	for i, st := range []struct {
		advance time.Duration
		want    string // status, body, and the start of Cache-Status
	}{
		{0, "200 v1 httpcheck; fwd=uri-miss"},
		{5 * time.Second, "200 v1 httpcheck; fwd=stale; ttl=-4"},
		{0, "200 v1 httpcheck; fwd=stale; ttl=-4"},
		{60 * time.Second, "500 down httpcheck; fwd=stale; fwd-status=500"},
	} {
		clk.Advance(st.advance)
		r, err := get(t, target, "")
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join([]string{strconv.Itoa(r.status), r.body, r.header.Get("Cache-Status")}, " ")
		if !strings.HasPrefix(got, st.want) {
			t.Errorf("step %d: got %q, want it to start %q", i+1, got, st.want)
		}
	}
}
