package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/session"

	_ "modernc.org/sqlite"
)

// serveProcess is `httpcheck serve` running as a child process.
type serveProcess struct {
	*child
	URL string // its plain-HTTP base URL, as it printed it
}

// startServe starts `httpcheck serve` on a free loopback port, plain HTTP
// only, with args added, and waits for it to print its URL.
func startServe(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	c := startChild(t, serveReady, nil, append([]string{"serve", "--addr", "127.0.0.1:0", "--tls-addr", ""}, args...)...)
	return &serveProcess{child: c, URL: c.said("httpcheck serve: ")}
}

// stop kills the server at once: no graceful shutdown, no Close of the
// store. What it wrote must survive that.
func (p *serveProcess) stop() { p.kill() }

// sessionRequest sends one contract request with the session cookie set to
// key ("" for none) and returns the status, the decoded body and the
// session cookie the answer set ("" when none).
func sessionRequest(c *http.Client, base, method, path, key string, body any) (int, map[string]json.RawMessage, string, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, strings.TrimSuffix(base, "/")+"/"+path, rd)
	if err != nil {
		return 0, nil, "", err
	}
	if key != "" {
		req.Header.Set("Cookie", "sessionid="+key)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, "", err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return resp.StatusCode, nil, "", fmt.Errorf("%s %s answered %d with non-JSON %.100q", method, path, resp.StatusCode, data)
	}
	set := ""
	for _, ck := range resp.Cookies() {
		if ck.Name == "sessionid" {
			set = ck.Value
		}
	}
	return resp.StatusCode, m, set, nil
}

// TestSQLiteSessionsSurviveRestart: a session written through `serve` with
// SQLite is read back by a new `serve` on the same file, after the first
// was killed without any shutdown.
func TestSQLiteSessionsSurviveRestart(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "sessions.sqlite3")
	c := &http.Client{Timeout: 10 * time.Second}

	first := startServe(t, "--sessions", db)
	status, _, before, err := sessionRequest(c, first.URL, "POST", "session/set", "", map[string]any{"key": "cart", "value": []any{1, "two", 9007199254740993}})
	if err != nil || status != 200 || before == "" {
		t.Fatalf("session/set: status %d, cookie %q, %v", status, before, err)
	}
	status, _, key, err := sessionRequest(c, first.URL, "POST", "session/login", before, map[string]string{"user": "alice"})
	if err != nil || status != 200 || key == "" || key == before {
		t.Fatalf("session/login: status %d, cookie %q (before: %q), %v", status, key, before, err)
	}
	first.stop()

	second := startServe(t, "--sessions", db)
	for _, tc := range []struct{ path, key, field, want string }{
		{"session/get?key=cart", key, "value", `[1,"two",9007199254740993]`},
		{"session/whoami", key, "user", `"alice"`},
		{"session/get?key=cart", before, "found", "false"},
		{"session/whoami", before, "user", "null"},
	} {
		status, body, _, err := sessionRequest(c, second.URL, "GET", tc.path, tc.key, nil)
		if err != nil || status != 200 || string(body[tc.field]) != tc.want {
			t.Errorf("after a restart, %s with key %s: status %d, %s %s, want %s (%v)", tc.path, tc.key, status, tc.field, body[tc.field], tc.want, err)
		}
	}

	// Logout on the restarted server ends the session for good.
	if status, _, _, err := sessionRequest(c, second.URL, "POST", "session/logout", key, map[string]any{}); err != nil || status != 200 {
		t.Fatalf("session/logout: status %d, %v", status, err)
	}
	second.stop()
	third := startServe(t, "--sessions", db)
	status, body, _, err := sessionRequest(c, third.URL, "GET", "session/whoami", key, nil)
	if err != nil || status != 200 || string(body["user"]) != "null" {
		t.Errorf("a logged-out key after a restart: status %d, user %s, %v", status, body["user"], err)
	}
}

// TestClearSessionsRemovesExactlyTheExpired counts the rows of the SQLite
// table and the files of a file store before and after clearsessions.
func TestClearSessionsRemovesExactlyTheExpired(t *testing.T) {
	const live, expired = 7, 5
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "sessions.sqlite3")
	files := filepath.Join(dir, "files")
	for _, url := range []string{"sqlite:" + path, "file:" + files} {
		t.Run(strings.SplitN(url, ":", 2)[0], func(t *testing.T) {
			store, err := session.Open(url, clock.Real{})
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			var liveKeys []string
			for i := range live + expired {
				expiry := now.Add(time.Hour)
				if i >= live {
					expiry = now.Add(-time.Duration(i) * time.Minute)
				}
				k, err := store.Create(ctx, map[string]json.RawMessage{"i": json.RawMessage(fmt.Sprint(i))}, expiry)
				if err != nil {
					t.Fatal(err)
				}
				if i < live {
					liveKeys = append(liveKeys, k)
				}
			}
			store.Close()
			count := func() int {
				t.Helper()
				if strings.HasPrefix(url, "file:") {
					entries, err := os.ReadDir(files)
					if err != nil {
						t.Fatal(err)
					}
					n := 0
					for _, e := range entries {
						if !strings.HasPrefix(e.Name(), ".") && !e.IsDir() {
							n++
						}
					}
					return n
				}
				db, err := sql.Open("sqlite", path)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				var n int
				if err := db.QueryRow(`SELECT count(*) FROM httpcheck_session`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := count(); n != live+expired {
				t.Fatalf("%d records before clearsessions, want %d", n, live+expired)
			}

			r := httpcheck(t, "clearsessions", "--sessions", url)
			if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("removed %d expired sessions", expired)) {
				t.Fatalf("clearsessions: exit %d, want 0 and %q\nstdout: %s\nstderr: %s", r.code, fmt.Sprintf("removed %d", expired), r.stdout, r.stderr)
			}
			if n := count(); n != live {
				t.Errorf("%d records after clearsessions, want the %d live ones", n, live)
			}
			store, err = session.Open(url, clock.Real{})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			for _, k := range liveKeys {
				if ok, err := store.Exists(ctx, k); !ok || err != nil {
					t.Errorf("live session %s gone after clearsessions (%v)", k, err)
				}
			}
			if r := httpcheck(t, "clearsessions", "--sessions", url); r.code != 0 || !strings.Contains(r.stdout, "removed 0 expired sessions") {
				t.Errorf("second clearsessions: exit %d, stdout %q", r.code, r.stdout)
			}
		})
	}
}

func TestClearSessionsUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"clearsessions", "--sessions", "nosuch:thing"}, 2, "unknown store URL"},
		{[]string{"clearsessions", "extra"}, 2, "unexpected argument"},
		{[]string{"clearsessions", "--sessions", "memory"}, 0, "removed 0 expired sessions"},
	} {
		r := httpcheck(t, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.says) {
			t.Errorf("%v: exit %d, want %d saying %q\nstdout: %s\nstderr: %s", tc.args, r.code, tc.code, tc.says, r.stdout, r.stderr)
		}
	}
}
