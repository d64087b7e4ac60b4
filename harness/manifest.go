package harness

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// ContractVersion is the contract this harness speaks (docs/contract.md).
const ContractVersion = "httpcheck/1"

// Features a target may declare in its manifest.
const (
	FeatureCookies   = "cookies"
	FeatureSessions  = "sessions"
	FeatureAuth      = "auth"
	FeatureCache     = "cache"
	FeatureViews     = "views"
	FeatureResources = "resources"
	FeatureClock     = "clock"
)

var knownFeatures = []string{FeatureCookies, FeatureSessions, FeatureAuth, FeatureCache,
	FeatureViews, FeatureResources, FeatureClock}

// Manifest is what a target claims about itself (GET manifest). The harness
// tests behaviour against these claims and skips what is not declared.
type Manifest struct {
	Contract string            `json:"contract"`
	Server   string            `json:"server"`
	Features []string          `json:"features"`
	Hosts    ManifestHosts     `json:"hosts"`
	URLs     map[string]string `json:"urls"`
	Session  *SessionSettings  `json:"session,omitempty"`
	Cache    *CacheSettings    `json:"cache,omitempty"`
	// Deployment names the deployment the target is an instance of.
	// Instances tested together (several --target) must agree on it.
	Deployment string `json:"deployment,omitempty"`
	// Raw keeps the manifest exactly as the target sent it, for the report.
	Raw map[string]any `json:"-"`
}

// ManifestHosts says which Host headers the target answers.
type ManifestHosts struct {
	AnyHost bool     `json:"any_host"`
	Names   []string `json:"names"`
}

// SessionSettings are the target's session settings as it reports them.
type SessionSettings struct {
	CookieName string `json:"cookie_name"`
	// CookieAge is the session lifetime in seconds, nil when the manifest
	// gives none (absent or null, as express-session's cookie without
	// maxAge): never read as zero.
	CookieAge            *int    `json:"cookie_age"`
	ExpireAtBrowserClose bool    `json:"expire_at_browser_close"`
	SaveEveryRequest     bool    `json:"save_every_request"`
	CookieSecure         bool    `json:"cookie_secure"`
	CookieHTTPOnly       bool    `json:"cookie_httponly"`
	CookieSameSite       string  `json:"cookie_samesite"`
	CookiePath           string  `json:"cookie_path"`
	CookieDomain         *string `json:"cookie_domain"`
	Backend              string  `json:"backend,omitempty"`
}

// CacheSettings describes the target's cache aliases.
type CacheSettings struct {
	Aliases map[string]CacheAlias `json:"aliases"`
	// PerInstance is true when each instance of a deployment has its own cache.
	PerInstance bool `json:"per_instance,omitempty"`
}

// CacheAlias is one named cache. Timeout nil means entries never expire.
type CacheAlias struct {
	Timeout       *float64 `json:"timeout"`
	MaxEntries    int      `json:"max_entries"`
	CullFrequency int      `json:"cull_frequency"`
}

// Has reports whether the manifest declares feature f.
func (m *Manifest) Has(f string) bool { return slices.Contains(m.Features, f) }

// ParseManifest decodes and validates a manifest. Its errors are
// configuration errors: the target answered, but not with a usable manifest.
func ParseManifest(body []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest is not valid JSON of the expected shape: %v", err)
	}
	if err := json.Unmarshal(body, &m.Raw); err != nil {
		return nil, fmt.Errorf("manifest is not a JSON object: %v", err)
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

func (m *Manifest) validate() error {
	if m.Contract == "" {
		return fmt.Errorf(`manifest has no "contract" field (want %q)`, ContractVersion)
	}
	if m.Contract != ContractVersion {
		return fmt.Errorf("manifest declares contract %q; this httpcheck speaks %q", m.Contract, ContractVersion)
	}
	// An unknown feature is refused (docs/contract.md): one the harness
	// cannot test, or a misspelt one ("sesions") whose checks would all
	// skip without a word.
	for _, f := range m.Features {
		if !slices.Contains(knownFeatures, f) {
			return fmt.Errorf("manifest features: unknown feature %q (known: %s)", f, strings.Join(knownFeatures, ", "))
		}
	}
	for scheme, u := range m.URLs {
		if scheme != "http" && scheme != "https" {
			return fmt.Errorf("manifest urls: unknown scheme %q (want http or https)", scheme)
		}
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme != scheme || pu.Host == "" {
			return fmt.Errorf("manifest urls.%s = %q is not an absolute %s URL", scheme, u, scheme)
		}
		if pu.RawQuery != "" || pu.Fragment != "" || pu.User != nil {
			return fmt.Errorf("manifest urls.%s = %q: a base URL has no query, fragment or user", scheme, u)
		}
	}
	if m.Has(FeatureSessions) && m.Session == nil {
		return fmt.Errorf(`manifest declares "sessions" but has no "session" settings`)
	}
	if m.Session != nil && m.Session.CookieName == "" {
		return fmt.Errorf(`manifest session.cookie_name is empty`)
	}
	if m.Session != nil && m.Session.CookieAge != nil && *m.Session.CookieAge <= 0 {
		return fmt.Errorf("manifest session.cookie_age is %d: give a lifetime in seconds, or null when sessions have none", *m.Session.CookieAge)
	}
	if m.Has(FeatureCache) && (m.Cache == nil || len(m.Cache.Aliases) == 0) {
		return fmt.Errorf(`manifest declares "cache" but lists no cache aliases`)
	}
	for _, h := range m.Hosts.Names {
		if h == "" || strings.ContainsAny(h, "/:@ ") {
			return fmt.Errorf("manifest hosts.names: %q is not a host name", h)
		}
	}
	return nil
}

// KeptInCookies reports whether the manifest's session backend keeps the
// session data in the cookie itself (Django's signed_cookies, Rails'
// CookieStore, Express's cookie-session, the reference's "signed"): such
// sessions cannot be revoked by the server.
func (s *SessionSettings) KeptInCookies() bool {
	if s == nil {
		return false
	}
	b := strings.ToLower(s.Backend)
	if i := strings.LastIndexByte(b, '.'); i >= 0 {
		b = b[i+1:] // django.contrib.sessions.backends.signed_cookies
	}
	switch strings.NewReplacer("-", "_").Replace(b) {
	case "signed", "signed_cookies", "signed_cookie", "cookie", "cookies", "cookie_store", "cookie_session", "cookiestore":
		return true
	}
	return false
}
