package all

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reports"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
)

func TestMain(m *testing.M) { ft.Main(m) }

// withoutHTTPS makes the reference's manifest offer no https while its
// session cookie stays Secure: the sessions suite's shared setups then
// skip, inside the one wait that a real-clock run shares across suites.
func withoutHTTPS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/manifest") {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if urls, ok := m["urls"].(map[string]any); ok {
			delete(urls, "https")
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(m)
	})
}

// TestSharedWaitKeepsVerdictsApart: on a real clock, every suite's
// timed checks share one wait. A setup that skips (a Secure session
// cookie with no https on offer) must skip only its own checks, never
// another suite's group or the wait itself.
func TestSharedWaitKeepsVerdictsApart(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for real")
	}
	res := ft.RunOn(t, ft.Reference{Clock: clock.Real{}, Wrap: withoutHTTPS}, "cookies", "freshness", "sessions")
	skippedSessions := 0
	for _, c := range res.Checks {
		switch {
		case c.State == reports.Failed || c.State == reports.Error:
			t.Errorf("%s: %s: %s", c.ID, c.State, c.Message)
		case c.Suite == "sessions" && c.State == reports.Skipped:
			skippedSessions++
			if !strings.Contains(c.Message, "https") && !strings.Contains(c.Message, "max-wait") {
				t.Errorf("%s skipped for %q, want the missing https (or --max-wait)", c.ID, c.Message)
			}
		case c.Suite != "sessions" && c.State == reports.Skipped && !strings.Contains(c.Message, "https"):
			t.Errorf("%s skipped for %q", c.ID, c.Message)
		}
	}
	if skippedSessions == 0 {
		t.Error("no sessions check was skipped, so the case this test is about did not arise")
	}
}
