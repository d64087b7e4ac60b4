package harness

import (
	"net/http"
	"testing"
)

func TestCacheStatus(t *testing.T) {
	h := http.Header{}
	if got := CacheStatus(h); got != "" {
		t.Errorf("no field: %q, want empty", got)
	}
	h.Add("Cache-Status", "origin-cache; hit")
	h.Add("Cache-Status", `httpcheck; fwd=uri-miss; stored; key="GET http://a.test/"`)
	if got, want := CacheStatus(h), `origin-cache; hit, httpcheck; fwd=uri-miss; stored; key="GET http://a.test/"`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
