package cookie

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/syntax/setcookie"
)

// PublicSuffixList provides the public suffix of a domain, as in
// net/http/cookiejar. golang.org/x/net/publicsuffix.List implements it.
type PublicSuffixList interface {
	// PublicSuffix returns the public suffix of domain.
	PublicSuffix(domain string) string
	// String returns a description of the source of this public suffix list.
	String() string
}

// A Jar is a user agent cookie store implementing the storage model of
// RFC 6265bis §5.7 and the retrieval model of §5.8. It is safe for concurrent
// use. The zero value is not usable: call NewJar.
type Jar struct {
	clock clock.Clock
	psl   PublicSuffixList

	mu      sync.Mutex
	entries map[entryKey]*entry
	// nextSeq orders cookies created at the same instant (a manual clock
	// makes that common), so ties sort the same way every time.
	nextSeq uint64
}

// entryKey is the identity of a stored cookie: RFC 6265bis §5.7 step 23
// replaces a cookie with the same name, domain, host-only-flag and path.
type entryKey struct {
	name, domain, path string
	hostOnly           bool
}

type entry struct {
	Entry
	seq uint64
}

// An Entry is a stored cookie, with the fields of RFC 6265bis §5.7.
type Entry struct {
	Name, Value, Domain, Path              string
	HostOnly, Persistent, Secure, HttpOnly bool
	// SameSite is the same-site-flag: "Strict", "Lax", "None", or "" for
	// "Default".
	SameSite string
	// Expiry is the expiry-time; zero when the cookie is not persistent.
	Expiry               time.Time
	Creation, LastAccess time.Time
}

// A Decision says what SetCookies did with one Set-Cookie line.
type Decision struct {
	Line string
	Name string // the cookie-name, when the line could be parsed
	// Stored is set when a cookie was stored or replaced.
	Stored bool
	// Evicted is set when the line removed an existing cookie by giving it an
	// expiry-time in the past (Max-Age<=0 or a past Expires).
	Evicted bool
	// Reason says why the line was ignored; it is empty when Stored or
	// Evicted is set.
	Reason string
}

// NewJar returns an empty jar reading time from c and public suffixes from
// psl; a nil psl means golang.org/x/net/publicsuffix.List.
func NewJar(c clock.Clock, psl PublicSuffixList) *Jar {
	if psl == nil {
		psl = publicsuffix.List
	}
	return &Jar{clock: c, psl: psl, entries: make(map[entryKey]*entry)}
}

// SetCookies applies the Set-Cookie lines of one response to u, in order,
// and says what it did with each. All lines are processed at one instant.
func (j *Jar) SetCookies(u *url.URL, lines []string) []Decision {
	now := j.clock.Now()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.evictExpired(now)
	ds := make([]Decision, len(lines))
	for i, line := range lines {
		ds[i] = j.setCookie(u, line, now)
	}
	return ds
}

// setCookie is the storage model of RFC 6265bis §5.7 for one line received
// from u at now. The caller holds j.mu.
func (j *Jar) setCookie(u *url.URL, line string, now time.Time) Decision {
	d := Decision{Line: line}
	ignore := func(format string, args ...any) Decision {
		d.Reason = fmt.Sprintf(format, args...)
		return d
	}
	if !isHTTPScheme(u) {
		return ignore("URL scheme %q does not carry cookies", u.Scheme)
	}
	sc, ok := setcookie.Parse(line)
	if !ok {
		if setcookie.HasCTL(line) {
			return ignore("line contains a control character") // RFC 6265bis §5.6 step 1
		}
		return ignore("name+value is over the %d-byte limit", setcookie.MaxNameValueBytes) // RFC 6265bis §5.6 step 5
	}
	d.Name = sc.Name
	// RFC 6265bis §5.7 step 1: we never ignore a cookie by policy (§5.3).
	if sc.Name == "" && sc.Value == "" {
		return ignore("cookie has an empty name and an empty value") // RFC 6265bis §5.7 step 2
	}
	// RFC 6265bis §5.7 steps 3-4 repeat checks §5.6 steps 1 and 5 made above.
	c := Entry{Name: sc.Name, Value: sc.Value, Creation: now, LastAccess: now} // RFC 6265bis §5.7 step 5
	switch {
	case sc.HasMaxAge: // RFC 6265bis §5.7 step 6
		c.Persistent = true
		if sc.MaxAge <= 0 {
			c.Expiry = earliest // RFC 6265bis §5.6.2 step 7
		} else {
			c.Expiry = now.Add(time.Duration(sc.MaxAge) * time.Second)
		}
	case sc.HasExpires: // RFC 6265bis §5.7 step 6
		c.Persistent = true
		c.Expiry = sc.Expires
		if limit := now.Add(setcookie.AgeLimit); c.Expiry.After(limit) {
			c.Expiry = limit // RFC 6265bis §5.6.1 step 4
		}
	default: // RFC 6265bis §5.7 step 6: not persistent; Expiry stays zero
	}

	domainAttr := ""
	if sc.HasDomain {
		domainAttr = sc.Domain // RFC 6265bis §5.7 step 7
	}
	if !isASCII(domainAttr) {
		return ignore("Domain %s contains a character that is not in CHAR", domainAttr) // RFC 6265bis §5.7 step 8
	}
	host, err := canonicalHost(u)
	if err != nil {
		return ignore("request host %q cannot be canonicalized: %v", u.Hostname(), err) // RFC 6265bis §5.7 step 9.2
	}
	if domainAttr != "" && isIP(host) {
		// User-agent choice (as Chromium and net/http/cookiejar): a cookie
		// from an IP address is always host-only; a Domain equal to that
		// address is accepted and dropped, any other is rejected by step 10.
		if domainAttr == host {
			domainAttr = ""
		}
	} else if domainAttr != "" && j.isPublicSuffix(domainAttr) { // RFC 6265bis §5.7 step 9
		if domainAttr != host {
			return ignore("Domain %s is a public suffix", domainAttr) // RFC 6265bis §5.7 step 9.3, otherwise
		}
		domainAttr = "" // RFC 6265bis §5.7 step 9.3
	}
	if domainAttr != "" { // RFC 6265bis §5.7 step 10
		if !domainMatch(host, domainAttr) {
			return ignore("Domain %s does not domain-match the request host %s", domainAttr, host) // RFC 6265bis §5.7 step 10.1
		}
		c.HostOnly, c.Domain = false, domainAttr // RFC 6265bis §5.7 step 10.1, otherwise
	} else {
		c.HostOnly, c.Domain = true, host // RFC 6265bis §5.7 step 10, otherwise
	}
	if sc.HasPath {
		c.Path = sc.Path // RFC 6265bis §5.7 step 11
	} else {
		c.Path = defaultPath(u) // RFC 6265bis §5.7 step 11
	}
	c.Secure = sc.Secure // RFC 6265bis §5.7 step 12
	secureOrigin := isSecureOrigin(u)
	if c.Secure && !secureOrigin {
		return ignore("Secure cookie from an insecure origin") // RFC 6265bis §5.7 step 13
	}
	c.HttpOnly = sc.HttpOnly // RFC 6265bis §5.7 step 14
	// RFC 6265bis §5.7 step 15: SetCookies is an HTTP API.
	if !c.Secure && !secureOrigin { // RFC 6265bis §5.7 step 16
		for _, old := range j.entries {
			if old.Name == c.Name && old.Secure && // RFC 6265bis §5.7 steps 16.1-16.2
				(domainMatch(old.Domain, c.Domain) || domainMatch(c.Domain, old.Domain)) && // RFC 6265bis §5.7 step 16.3
				pathMatch(c.Path, old.Path) { // RFC 6265bis §5.7 step 16.4
				return ignore("an insecure origin cannot overwrite the Secure cookie %s (domain %s, path %s)", old.Name, old.Domain, old.Path)
			}
		}
	}
	c.SameSite = sc.SameSite // RFC 6265bis §5.7 step 17
	// RFC 6265bis §5.7 step 18: every response is treated as a same-site,
	// top-level navigation (the jar has no notion of a site for cookies).
	if c.SameSite == "None" && !c.Secure {
		return ignore("SameSite=None requires Secure") // RFC 6265bis §5.7 step 19
	}
	if setcookie.HasSecurePrefix(c.Name) && !c.Secure {
		return ignore("__Secure- prefix requires Secure") // RFC 6265bis §5.7 step 20
	}
	if setcookie.HasHostPrefix(c.Name) { // RFC 6265bis §5.7 step 21
		switch {
		case !c.Secure:
			return ignore("__Host- prefix requires Secure") // RFC 6265bis §5.7 step 21.1
		case !c.HostOnly:
			return ignore("__Host- prefix forbids a Domain attribute") // RFC 6265bis §5.7 step 21.2
		case !hasPathAttribute(sc) || c.Path != "/":
			return ignore("__Host- prefix requires Path=/") // RFC 6265bis §5.7 step 21.3
		}
	}
	if c.Name == "" && (setcookie.HasSecurePrefix(c.Value) || setcookie.HasHostPrefix(c.Value)) {
		return ignore("nameless cookie whose value begins with a cookie prefix") // RFC 6265bis §5.7 step 22
	}

	key := entryKey{c.Name, c.Domain, c.Path, c.HostOnly}
	seq := j.nextSeq
	old, replaced := j.entries[key]
	if replaced { // RFC 6265bis §5.7 step 23
		c.Creation = old.Creation // RFC 6265bis §5.7 step 23.3
		seq = old.seq
		delete(j.entries, key) // RFC 6265bis §5.7 step 23.4
	} else {
		j.nextSeq++
	}
	if isExpired(c, now) {
		// RFC 6265bis §5.7: "The user agent MUST evict all expired cookies
		// from the cookie store if, at any time, an expired cookie exists".
		// Storing then evicting at once is the same as not storing.
		if !replaced {
			return ignore("cookie is already expired and there is no cookie to remove")
		}
		d.Evicted = true
		return d
	}
	j.entries[key] = &entry{Entry: c, seq: seq} // RFC 6265bis §5.7 step 24
	d.Stored = true
	return d
}

// earliest stands for "the earliest representable date and time" of
// RFC 6265bis §5.6.2 step 7.
var earliest = time.Unix(0, 0).UTC()

// isExpired reports whether c's expiry-time has been reached at now. A
// cookie whose expiry-time equals now counts as expired, so that Max-Age=1
// is gone one second later.
func isExpired(c Entry, now time.Time) bool {
	return c.Persistent && !c.Expiry.After(now)
}

// hasPathAttribute reports whether the cookie-attribute-list of sc has a
// Path attribute (RFC 6265bis §5.7 step 21.3): any Path cookie-av whose
// value is at most 1024 bytes, since §5.6.4 appends the default-path for an
// invalid one.
func hasPathAttribute(sc setcookie.Received) bool {
	for _, a := range sc.Attributes {
		if strings.EqualFold(a.Name, "Path") && len(a.Value) <= setcookie.MaxAttributeValueBytes {
			return true
		}
	}
	return false
}

// isPublicSuffix reports whether domain is a public suffix. RFC 6265bis
// §5.7 step 9 applies to user agents "configured to reject public
// suffixes"; this jar always is.
func (j *Jar) isPublicSuffix(domain string) bool {
	return j.psl.PublicSuffix(domain) == domain
}

// isHTTPScheme reports whether u is an http or https URL, the only schemes
// for which this jar stores or returns cookies.
func isHTTPScheme(u *url.URL) bool {
	s := strings.ToLower(u.Scheme)
	return s == "http" || s == "https"
}

// isSecureOrigin reports whether u denotes a "secure" connection, which
// RFC 6265bis leaves to the user agent: here only https does (browsers also
// count http://localhost; we do not).
func isSecureOrigin(u *url.URL) bool {
	return strings.EqualFold(u.Scheme, "https")
}

// Cookies returns the cookies a request to u carries, in the order of
// RFC 6265bis §5.8.3 step 4 (longer paths first, then earlier creation), and
// updates their last-access-time. Expired cookies are evicted first.
func (j *Jar) Cookies(u *url.URL) []Entry {
	now := j.clock.Now()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.evictExpired(now)
	list := j.cookieList(u)
	out := make([]Entry, len(list))
	for i, e := range list {
		e.LastAccess = now // RFC 6265bis §5.8.3 step 5
		out[i] = e.Entry
	}
	return out
}

// cookieList returns the stored cookies that a request to u carries, sorted
// (RFC 6265bis §5.8.3 steps 1-4). The caller holds j.mu.
func (j *Jar) cookieList(u *url.URL) []*entry {
	if !isHTTPScheme(u) {
		return nil
	}
	host, err := canonicalHost(u) // RFC 6265bis §5.8.3 step 1
	if err != nil {
		return nil // RFC 6265bis §5.8.3 step 2
	}
	path, secure := requestPath(u), isSecureOrigin(u)
	var list []*entry
	for _, e := range j.entries { // RFC 6265bis §5.8.3 step 3
		switch {
		case e.HostOnly && host != e.Domain:
			continue
		case !e.HostOnly && (!domainMatch(host, e.Domain) || j.isPublicSuffix(e.Domain)):
			continue
		case !pathMatch(path, e.Path):
			continue
		case e.Secure && !secure:
			continue
		}
		// http-only cookies are included: this is an HTTP retrieval. The
		// same-site condition holds: every request is treated as same-site.
		list = append(list, e)
	}
	slices.SortFunc(list, func(a, b *entry) int { // RFC 6265bis §5.8.3 step 4
		if c := cmp.Compare(len(b.Path), len(a.Path)); c != 0 {
			return c
		}
		if c := a.Creation.Compare(b.Creation); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	return list
}

// Header returns the Cookie header field value for a request to u
// ("a=1; b=2"), or "" when no cookie applies. It updates last-access-times
// as Cookies does.
func (j *Jar) Header(u *url.URL) string {
	var b strings.Builder
	for i, c := range j.Cookies(u) { // RFC 6265bis §5.8.3 step 6
		if i > 0 {
			b.WriteString("; ") // RFC 6265bis §5.8.3 step 6.3
		}
		if c.Name != "" {
			b.WriteString(c.Name) // RFC 6265bis §5.8.3 step 6.1
			b.WriteByte('=')
		}
		b.WriteString(c.Value) // RFC 6265bis §5.8.3 step 6.2
	}
	return b.String()
}

// All returns every stored, unexpired cookie, sorted by domain, path and
// name (then host-only cookies first, then creation order). Expired
// cookies are evicted first; last-access-times are not touched.
func (j *Jar) All() []Entry {
	now := j.clock.Now()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.evictExpired(now)
	list := make([]*entry, 0, len(j.entries))
	for _, e := range j.entries {
		list = append(list, e)
	}
	slices.SortFunc(list, func(a, b *entry) int {
		return cmp.Or(
			cmp.Compare(a.Domain, b.Domain),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Name, b.Name),
			compareBool(b.HostOnly, a.HostOnly),
			cmp.Compare(a.seq, b.seq),
		)
	})
	out := make([]Entry, len(list))
	for i, e := range list {
		out[i] = e.Entry
	}
	return out
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// EndSession removes every cookie whose persistent-flag is false: the user
// agent's session ended ("the browser was closed", RFC 6265bis §5.7).
func (j *Jar) EndSession() {
	j.mu.Lock()
	defer j.mu.Unlock()
	for k, e := range j.entries {
		if !e.Persistent {
			delete(j.entries, k)
		}
	}
}

// evictExpired removes every expired cookie (RFC 6265bis §5.7: the user
// agent MUST evict all expired cookies). The caller holds j.mu.
func (j *Jar) evictExpired(now time.Time) {
	for k, e := range j.entries {
		if isExpired(e.Entry, now) {
			delete(j.entries, k)
		}
	}
}
