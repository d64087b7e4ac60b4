package harness_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness"
)

// TestConnectURL shows a Target for one URL of a service without a
// contract (httpcheck probe): the URL is sent exactly as given, query
// included, with the configured header on every request, raw exchanges
// too; other URLs resolve against it.
func TestConnectURL(t *testing.T) {
	var seen []*http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r)
		http.SetCookie(w, &http.Cookie{Name: "visited", Value: "1", Path: "/"})
		w.Write([]byte("page"))
	}))
	defer srv.Close()

	target, err := harness.Connect(context.Background(), harness.Config{Mode: harness.ModeProbe,
		Target:  srv.URL + "/shop/item?id=7&x=a%2Fb#reviews",
		Timeout: 5 * time.Second,
		Header:  http.Header{"Authorization": {"Bearer t0ken"}, "Cookie": {"given=1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if len(seen) != 1 {
		t.Fatalf("Connect sent %d requests, want one GET to see the URL answers", len(seen))
	}
	if want := srv.URL + "/shop/item?id=7&x=a%2Fb"; target.Name != want || target.Base.String() != want {
		t.Errorf("Name %q, Base %q: want the URL as given, without the fragment (%s)", target.Name, target.Base, want)
	}
	if !target.Exact() || target.Clock.Virtual() || len(target.Manifest.Features) != 0 {
		t.Errorf("want an exact target on the wall clock that declares nothing; got exact %v, virtual %v, features %v",
			target.Exact(), target.Clock.Virtual(), target.Manifest.Features)
	}

	e := harness.NewEnv(context.Background(), target, &verdicts{})
	b := e.NewBrowser()
	b.Get("")
	b.Get("")
	b.Raw(http.MethodHead, "", http.Header{"If-None-Match": {`"x"`}})
	other, _ := url.Parse(srv.URL + "/elsewhere?q=1")
	b.Do(harness.Request{URL: other})
	b.Get("../cart", "n", "2")

	if len(seen) != 6 {
		t.Fatalf("got %d requests, want 6", len(seen))
	}
	for i, want := range []string{"/shop/item?id=7&x=a%2Fb", "/shop/item?id=7&x=a%2Fb", "/shop/item?id=7&x=a%2Fb", "/elsewhere?q=1", "/cart?n=2"} {
		r := seen[i+1]
		if r.RequestURI != want {
			t.Errorf("request %d went to %s, want %s", i+1, r.RequestURI, want)
		}
		if r.Header.Get("Authorization") != "Bearer t0ken" {
			t.Errorf("request %d: Authorization %q, want the configured header", i+1, r.Header.Get("Authorization"))
		}
	}
	// The configured Cookie goes first, then the jar's.
	if c := seen[2].Header.Get("Cookie"); c != "given=1; visited=1" {
		t.Errorf("second GET sent Cookie %q, want the configured cookie then the jar's", c)
	}
	if c := seen[3].Header.Get("Cookie"); !strings.HasPrefix(c, "given=1") || seen[3].Method != http.MethodHead {
		t.Errorf("raw HEAD sent %s with Cookie %q", seen[3].Method, c)
	}
}

func TestConnectURLErrors(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want any
	}{
		{"localhost:8080/x", &harness.ConfigError{}},
		{"ftp://example.test/", &harness.ConfigError{}},
		{"http://127.0.0.1:1/", &harness.UnreachableError{}},
	} {
		_, err := harness.Connect(context.Background(), harness.Config{Mode: harness.ModeProbe, Target: tc.url, Timeout: 2 * time.Second})
		switch tc.want.(type) {
		case *harness.ConfigError:
			var ce *harness.ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("%s: got %v, want a configuration error", tc.url, err)
			}
		case *harness.UnreachableError:
			var ue *harness.UnreachableError
			if !errors.As(err, &ue) {
				t.Errorf("%s: got %v, want an unreachable error", tc.url, err)
			}
		}
	}
}
