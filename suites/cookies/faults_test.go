package cookies_test

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness/check"
	ft "github.com/httpcheck/httpcheck/suites/internal/faulttest"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

func byID(t *testing.T, ids ...string) []*check.Check { return ft.Checks(t, "cookies", ids...) }

// answerJSON replaces an endpoint's answer.
func answerJSON(status int, v any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
}

func hasCookie(r *http.Request, name string) bool {
	_, err := r.Cookie(name)
	return err == nil
}

// TestFaults runs the cookies suite against broken variants of the
// reference server; each fault must make its checks fail.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	faults := []ft.Fault{
		{
			Name: "get never finds a cookie",
			Breaks: byID(t, "basics/set-get", "basics/modify", "encoding/round-trip", "path/sent-inside",
				"secure/sent-over-https", "prefix/host-accepted", "prefix/secure-accepted",
				"lifetime/persistent-survives-end-session", "domain/domain-cookie-to-subdomains",
				"lifetime/lives-until-max-age", "lifetime/max-age-expires", "lifetime/session-cookie"),
			Wrap: ft.Replace("/cookies/get", func(w http.ResponseWriter, r *http.Request) {
				answerJSON(200, map[string]any{"name": r.URL.Query().Get("name"), "found": false, "value": nil})(w, r)
			}),
		},
		{
			Name:   "setting again is ignored",
			Breaks: byID(t, "basics/modify", "lifetime/modify-replaces-lifetime"),
			Wrap: ft.RewriteSetCookie("/cookies/set", func(r *http.Request, line string) []string {
				if hasCookie(r, r.URL.Query().Get("name")) {
					return nil
				}
				return []string{line}
			}),
		},
		{
			Name:   "delete sends nothing",
			Breaks: byID(t, "basics/delete", "delete/expired", "delete/same-path", "delete/same-domain", "prefix/host-delete"),
			Wrap:   ft.RewriteSetCookie("/cookies/delete", func(*http.Request, string) []string { return nil }),
		},
		{
			Name:   "delete forgets Path and Domain",
			Breaks: byID(t, "delete/same-path", "delete/same-domain", "prefix/host-delete"),
			Wrap: ft.RewriteSetCookie("/cookies/delete", func(_ *http.Request, line string) []string {
				return []string{ft.DropAttributes(line, "Path", "Domain")}
			}),
		},
		{
			Name:   "delete sends a live cookie",
			Breaks: byID(t, "basics/delete", "delete/expired"),
			Wrap: ft.RewriteSetCookie("/cookies/delete", func(_ *http.Request, line string) []string {
				line = ft.DropAttributes(line, "Max-Age")
				return []string{ft.SetAttribute(line, "Expires", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))}
			}),
		},
		{
			Name:   "get ignores the default",
			Breaks: byID(t, "basics/get-default"),
			Wrap: ft.Replace("/cookies/get", func(w http.ResponseWriter, r *http.Request) {
				if !hasCookie(r, r.URL.Query().Get("name")) {
					answerJSON(200, map[string]any{"name": r.URL.Query().Get("name"), "found": false, "value": nil})(w, r)
					return
				}
				answerJSON(200, map[string]any{"found": true})(w, r)
			}),
		},
		{
			Name:   "deleting an absent cookie is an error",
			Breaks: byID(t, "basics/delete-absent"),
			Wrap: ft.Replace("/cookies/delete", func(w http.ResponseWriter, r *http.Request) {
				answerJSON(404, map[string]string{"error": "no such cookie"})(w, r)
			}),
		},
		{
			Name:   "all lists nothing",
			Breaks: byID(t, "basics/all"),
			Wrap:   ft.Replace("/cookies/all", answerJSON(200, map[string]any{"cookies": map[string]any{}})),
		},
		{
			Name:   "values are sent raw",
			Breaks: byID(t, "encoding/cookie-octets", "encoding/round-trip", "grammar/valid-syntax"),
			Wrap: ft.RewriteSetCookie("/cookies/set", func(_ *http.Request, line string) []string {
				pair, attrs := ft.Attributes(line)
				name, value, _ := strings.Cut(pair, "=")
				raw, _ := setcookie.DecodeValue(value)
				return []string{ft.Join(name+"="+raw, attrs)}
			}),
		},
		{
			Name:   "attributes are sent twice",
			Breaks: byID(t, "grammar/no-duplicate-attributes"),
			Wrap: ft.RewriteSetCookie("", func(_ *http.Request, line string) []string {
				return []string{line + "; HttpOnly; HttpOnly"}
			}),
		},
		{
			Name:   "each cookie is sent twice",
			Breaks: byID(t, "grammar/one-cookie-per-name"),
			Wrap:   ft.RewriteSetCookie("", func(_ *http.Request, line string) []string { return []string{line, line} }),
		},
		{
			Name:   "Expires in the RFC 850 format",
			Breaks: byID(t, "grammar/expires-imf-fixdate"),
			Wrap: ft.RewriteSetCookie("", func(_ *http.Request, line string) []string {
				v, ok := ft.Attribute(line, "Expires")
				if !ok {
					return []string{line}
				}
				at, err := http.ParseTime(v)
				if err != nil {
					return []string{line}
				}
				return []string{ft.SetAttribute(line, "Expires", at.UTC().Format(time.RFC850))}
			}),
		},
		{
			Name:   "Max-Age is dropped",
			Breaks: byID(t, "lifetime/max-age-over-expires"),
			Wrap: ft.RewriteSetCookie("/cookies/set", func(_ *http.Request, line string) []string {
				return []string{ft.DropAttributes(line, "Max-Age")}
			}),
		},
		{
			Name:   "lifetimes are dropped",
			Breaks: byID(t, "lifetime/max-age-expires", "lifetime/expires-date", "lifetime/persistent-survives-end-session"),
			Wrap: ft.RewriteSetCookie("/cookies/set", func(_ *http.Request, line string) []string {
				return []string{ft.DropAttributes(line, "Max-Age", "Expires")}
			}),
		},
		{
			Name:   "lifetimes are cut to one second",
			Breaks: byID(t, "lifetime/lives-until-max-age", "lifetime/modify-replaces-lifetime"),
			Wrap: ft.RewriteSetCookie("/cookies/set", func(_ *http.Request, line string) []string {
				if _, ok := ft.Attribute(line, "Max-Age"); !ok {
					return []string{line}
				}
				return []string{ft.DropAttributes(line, "Expires") + "; Max-Age=1"}
			}),
		},
		{
			Name:   "session cookies get a lifetime",
			Breaks: byID(t, "lifetime/session-cookie"),
			Wrap: ft.RewriteSetCookie("/cookies/set", func(_ *http.Request, line string) []string {
				if _, ok := ft.Attribute(line, "Max-Age"); ok {
					return []string{line}
				}
				return []string{ft.SetAttribute(line, "Max-Age", "3600")}
			}),
		},
		{
			Name:   "Expires disagrees with Max-Age",
			Breaks: byID(t, "lifetime/expires-agrees-with-max-age"),
			Wrap: ft.RewriteSetCookie("/cookies/set", func(_ *http.Request, line string) []string {
				v, ok := ft.Attribute(line, "Expires")
				if _, hasMaxAge := ft.Attribute(line, "Max-Age"); !ok || !hasMaxAge {
					return []string{line}
				}
				at, _ := http.ParseTime(v)
				return []string{ft.SetAttribute(line, "Expires", at.Add(time.Hour).UTC().Format(http.TimeFormat))}
			}),
		},
		{
			Name: "host-only cookies get a Domain",
			Breaks: byID(t, "domain/host-only-has-no-domain", "domain/host-only-not-sibling", "domain/host-only-not-parent",
				"domain/host-only-not-subdomain", "domain/server-isolation"),
			Wrap: ft.RewriteSetCookie("/cookies/set", func(r *http.Request, line string) []string {
				if _, ok := ft.Attribute(line, "Domain"); ok {
					return []string{line}
				}
				host, _, err := net.SplitHostPort(r.Host)
				if err != nil {
					host = r.Host
				}
				if _, parent, ok := strings.Cut(host, "."); ok && net.ParseIP(host) == nil && strings.Contains(parent, ".") {
					host = parent
				}
				return []string{ft.SetAttribute(line, "Domain", host)}
			}),
		},
		{
			Name: "Domain is dropped",
			Breaks: byID(t, "domain/domain-cookie-to-subdomains", "delete/same-domain", "domain/foreign-domain-rejected",
				"domain/public-suffix-co-uk", "domain/public-suffix-github-io", "domain/public-suffix-test"),
			Wrap: ft.RewriteSetCookie("", func(_ *http.Request, line string) []string {
				return []string{ft.DropAttributes(line, "Domain")}
			}),
		},
		{
			Name:   "Path is sent wrong",
			Breaks: byID(t, "path/sent-inside", "delete/same-path"),
			Wrap: ft.RewriteSetCookie("", func(_ *http.Request, line string) []string {
				if _, ok := ft.Attribute(line, "Path"); !ok {
					return []string{line}
				}
				return []string{ft.SetAttribute(line, "Path", "/nowhere")}
			}),
		},
		{
			Name:   "Path is dropped",
			Breaks: byID(t, "path/not-sent-outside"),
			Wrap: ft.RewriteSetCookie("/cookies/set", func(_ *http.Request, line string) []string {
				return []string{ft.DropAttributes(line, "Path")}
			}),
		},
		{
			Name: "Secure is dropped",
			Breaks: byID(t, "secure/not-sent-over-http", "secure/not-set-from-http", "prefix/secure-accepted",
				"prefix/host-accepted"),
			Wrap: ft.RewriteSetCookie("/cookies/set", func(_ *http.Request, line string) []string {
				return []string{ft.DropAttributes(line, "Secure")}
			}),
		},
		{
			Name:   "prefixed cookies are silently fixed up",
			Breaks: byID(t, "prefix/secure-without-secure-rejected", "prefix/host-with-domain-rejected"),
			Wrap: ft.Replace("/cookies/set", func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				line := q.Get("name") + "=" + q.Get("value") + "; Secure; Path=/"
				w.Header().Add("Set-Cookie", line)
				answerJSON(200, map[string]string{"set": q.Get("name")})(w, r)
			}),
		},
		{
			Name:   "a naive set with no limits",
			Breaks: byID(t, "limits/name-value-4096", "limits/attribute-1024", "limits/lifetime-400-days"),
			Wrap: ft.Replace("/cookies/set", func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				line := q.Get("name") + "=" + q.Get("value")
				if p := q.Get("path"); p != "" {
					line += "; Path=" + p
				}
				if ma := q.Get("max_age"); ma != "" {
					n, _ := strconv.Atoi(ma)
					line += "; Max-Age=" + ma + "; Expires=" + time.Now().Add(time.Duration(n)*time.Second).UTC().Format(http.TimeFormat)
				}
				w.Header().Add("Set-Cookie", line)
				answerJSON(200, map[string]string{"set": q.Get("name")})(w, r)
			}),
		},
		{
			Name:   "HttpOnly is dropped",
			Breaks: byID(t, "attributes/httponly"),
			Wrap: ft.RewriteSetCookie("/cookies/set", func(_ *http.Request, line string) []string {
				return []string{ft.DropAttributes(line, "HttpOnly")}
			}),
		},
		{
			Name:   "SameSite is always Lax",
			Breaks: byID(t, "attributes/samesite"),
			Wrap: ft.RewriteSetCookie("/cookies/set", func(_ *http.Request, line string) []string {
				return []string{ft.SetAttribute(line, "SameSite", "Lax")}
			}),
		},
		{
			Name:   "deletions drop Secure",
			Breaks: byID(t, "prefix/host-delete"),
			Wrap: ft.RewriteSetCookie("/cookies/delete", func(_ *http.Request, line string) []string {
				return []string{ft.DropAttributes(line, "Secure")}
			}),
		},
	}
	ft.Suite{Name: "cookies", Faults: faults}.EveryCheckBreaks(t)
}
