package harness

// Fuzz targets for what the harness reads from a target: its manifest and
// the raw bytes of a raw exchange. A target is not trusted to be well
// formed (docs/reliability.md). Seed corpora are in testdata/fuzz/<target>/.

import (
	"strings"
	"testing"
)

// FuzzParseManifest: any body parses without panicking, and a manifest it
// accepts can be connected to: its contract is ours, every urls entry is
// a base URL the target accepts as one (Connect would otherwise keep a nil
// URL), sessions come with a cookie name and the cache with an alias.
func FuzzParseManifest(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseManifest(body)
		if err != nil {
			if m != nil {
				t.Fatalf("an error with a manifest: %v", err)
			}
			return
		}
		if m.Contract != ContractVersion || m.Raw == nil {
			t.Fatalf("%q: accepted with contract %q, raw %v", body, m.Contract, m.Raw)
		}
		for scheme, u := range m.URLs {
			b, err := parseBase(u)
			if err != nil || b.Scheme != scheme {
				t.Fatalf("%q: urls.%s = %q is accepted, but is no base URL: %v", body, scheme, u, err)
			}
		}
		if m.Has(FeatureSessions) && (m.Session == nil || m.Session.CookieName == "") {
			t.Fatalf("%q: sessions without a cookie name", body)
		}
		if m.Has(FeatureCache) && (m.Cache == nil || len(m.Cache.Aliases) == 0) {
			t.Fatalf("%q: cache without aliases", body)
		}
		for _, h := range m.Hosts.Names {
			if h == "" || strings.ContainsAny(h, "/:@ ") {
				t.Fatalf("%q: host name %q accepted", body, h)
			}
		}
	})
}

// FuzzParseRaw: the bytes of a raw exchange parse without panicking, and
// what is accepted has a status-code of three digits (RFC 9112 §4) and a
// status line without line breaks.
func FuzzParseRaw(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := parseRaw(data)
		if err != nil {
			return
		}
		if r.Status < 100 || r.Status > 999 {
			t.Fatalf("%q: status %d is not three digits", data, r.Status)
		}
		if strings.ContainsAny(r.StatusLine, "\r\n") {
			t.Fatalf("%q: status line %q", data, r.StatusLine)
		}
		for k := range r.Header {
			if k == "" || strings.ContainsAny(k, " \t\r\n:") {
				t.Fatalf("%q: field name %q", data, k)
			}
		}
	})
}
