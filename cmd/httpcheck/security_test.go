package main

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// TestServeSessionCookieAttributes: the session cookie of `httpcheck
// serve` carries HttpOnly and SameSite=Lax (ASVS 4.0.3 §3.4.2, §3.4.3),
// and Secure whenever serve offers HTTPS (§3.4.1), on its https address
// and its http one alike; the manifest says the same. Without HTTPS
// (--tls-addr "") there is no Secure, or a browser on the plain address
// would never send the cookie back.
func TestServeSessionCookieAttributes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tls     bool
		secure  bool
		schemes []string
	}{
		{"with HTTPS", true, true, []string{"https", "http"}},
		{"plain HTTP only", false, false, []string{"http"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tlsAddr := ""
			if tc.tls {
				tlsAddr = "127.0.0.1:0"
			}
			urls, client := startServeTLS(t, tlsAddr, filepath.Join(dir, "ca.pem"),
				"--sessions", "sqlite:"+filepath.Join(dir, "s.sqlite3"))
			for _, scheme := range tc.schemes {
				status, _, _, err := sessionRequest(client, urls[scheme], "POST", "session/set", "", map[string]any{"key": "k", "value": 1})
				if err != nil || status != http.StatusOK {
					t.Fatalf("%s: session/set: %d, %v", scheme, status, err)
				}
				resp, err := client.Post(urls[scheme]+"session/login", "application/json", strings.NewReader(`{"user": "alice"}`))
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lines := resp.Header.Values("Set-Cookie")
				var sc setcookie.Received
				for _, l := range lines {
					if p, ok := setcookie.Parse(l); ok && p.Name == "sessionid" {
						sc = p
					}
				}
				if sc.Name == "" {
					t.Fatalf("%s: the login set no session cookie: %q", scheme, lines)
				}
				if !sc.HttpOnly || sc.SameSite != "Lax" || sc.Secure != tc.secure {
					t.Errorf("%s: the session cookie is %q; want HttpOnly, SameSite=Lax and Secure %v", scheme, lines, tc.secure)
				}
			}
			resp, err := client.Get(urls[tc.schemes[0]] + "manifest")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, want := range []string{`"cookie_httponly":true`, `"cookie_samesite":"Lax"`} {
				if !strings.Contains(string(body), want) {
					t.Errorf("the manifest does not say %s: %s", want, body)
				}
			}
			if secure := strings.Contains(string(body), `"cookie_secure":true`); secure != tc.secure {
				t.Errorf("the manifest's cookie_secure is %v, want %v", secure, tc.secure)
			}
		})
	}
}

// startServeTLS starts `httpcheck serve` on free loopback ports, with
// HTTPS on tlsAddr unless it is empty, and returns its base URLs by scheme
// and a client that trusts its certificate.
func startServeTLS(t *testing.T, tlsAddr, caOut string, args ...string) (map[string]string, *http.Client) {
	t.Helper()
	c := startChild(t, serveReady, nil, append([]string{"serve", "--addr", "127.0.0.1:0", "--tls-addr", tlsAddr, "--ca-out", caOut}, args...)...)
	urls := map[string]string{}
	for _, scheme := range []string{"http", "https"} {
		if u := c.said("httpcheck serve: " + scheme + "://"); u != "" {
			urls[scheme] = scheme + "://" + u
		}
	}
	if urls["http"] == "" || (tlsAddr != "") != (urls["https"] != "") {
		t.Fatalf("serve printed the URLs %v", urls)
	}
	pool := x509.NewCertPool()
	if tlsAddr != "" {
		pem, err := os.ReadFile(caOut)
		if err != nil || !pool.AppendCertsFromPEM(pem) {
			t.Fatalf("reading the certificate serve wrote: %v", err)
		}
	}
	return urls, &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}
