// Package redact keeps credentials and session values out of what httpcheck
// writes: results.json, index.html, junit.xml and the progress lines on
// stderr.
//
// Reports are CI artifacts that anyone who can read the pipeline can
// download, and the evidence of a run against staging holds live secrets:
// the bearer token given with --header, the password of a login recipe,
// every session id the target issued. A Redactor, built once per run,
// rewrites every string of the results before anything is written:
//
//   - headers named like credentials (Authorization, Proxy-Authorization,
//     every --header and --redact name, names such as X-Api-Key or
//     X-Auth-Token) lose their value, which becomes [redacted] (an
//     Authorization keeps its scheme: "Bearer [redacted]");
//   - fields named like secrets (password, passwd, pass, token, secret,
//     api_key, client_secret, access_token, ...) lose their value in JSON
//     and form bodies and in query strings;
//   - the values of Cookie and Set-Cookie become a fingerprint, such as
//     smuz…(32 chars, #a1b2c3): the first four characters, the length and a
//     short HMAC under a key drawn for the run, so that a reader still sees
//     that a session id changed on login or that the same id came back.
//     Cookie names and attributes stay in the clear;
//   - and every such value is also redacted wherever else it appears, by
//     value: a token echoed in a response body, a session id quoted in a
//     failure message or in a URL.
//
// Only what is written is redacted: the checks compare the real values, and
// their verdicts are the same with or without redaction.
package redact

import (
	"cmp"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/httpcheck/httpcheck/reports"
)

// Marker replaces a value that is redacted whole.
const Marker = "[redacted]"

const (
	// minSecret is the shortest credential redacted by value everywhere;
	// a shorter one is redacted only where it is known by name (its
	// header, its field), since replacing every "ab" of a report would
	// leave nothing readable.
	minSecret = 4
)

// MinSessionValue is the shortest cookie value fingerprinted. A shorter
// value cannot carry the 64 bits OWASP ASVS asks of a session id (a cookie
// value has at most 6.5 bits a character), and short values ("1",
// "deleted", "modified") are what many cookie checks compare, so they stay
// as they are.
const MinSessionValue = 10

// DefaultHeaders are the header names always redacted.
var DefaultHeaders = []string{"Authorization", "Proxy-Authorization"}

// Options are what a run knows before it starts.
type Options struct {
	// Names are header or field names to redact besides the defaults:
	// every --header name, every --redact NAME.
	Names []string
	// Secrets are values to redact wherever they appear: --header values,
	// values a recipe reads from the environment or marks secret.
	Secrets []string
}

// A Redactor redacts the results of one run. It learns the cookie values
// and credentials of every exchange it sees (Learn), and redacts them
// wherever they appear afterwards. It is safe for concurrent use.
type Redactor struct {
	mu    sync.Mutex
	key   []byte
	names map[string]bool
	// secrets maps each value redacted by value to what replaces it.
	secrets map[string]string
	// tokens are the fingerprints this Redactor wrote: they are left as
	// they are when met again, which makes redaction idempotent.
	tokens map[string]bool
	repl   *strings.Replacer
	dirty  bool
}

// New returns a Redactor with a fresh fingerprint key.
func New(o Options) *Redactor {
	r := &Redactor{key: make([]byte, 32), names: map[string]bool{}, secrets: map[string]string{}, tokens: map[string]bool{}}
	if _, err := rand.Read(r.key); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	for _, n := range slices.Concat(DefaultHeaders, o.Names) {
		r.names[normName(n)] = true
	}
	for _, s := range o.Secrets {
		r.addSecret(s)
	}
	return r
}

func normName(n string) string {
	return strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(n)))
}

// secretWords are the parts of a name that make it a secret's; exactWords
// are secret only as the whole name ("pass", not "passenger").
var (
	secretWords = []string{"password", "passwd", "passphrase", "secret", "token", "api_key", "apikey",
		"private_key", "credential"}
	exactWords = []string{"pass", "pwd", "pin", "otp", "auth"}
)

// IsSecretName reports whether a header or field name looks like a
// secret's, ignoring case and taking '-' as '_': password, passwd, pass,
// token, secret, api_key, apikey, client_secret, access_token,
// refresh_token, X-Api-Key, X-Auth-Token...
func IsSecretName(name string) bool {
	n := normName(name)
	if slices.Contains(exactWords, n) {
		return true
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

func (r *Redactor) isSecretName(name string) bool {
	return r.names[normName(name)] || IsSecretName(name)
}

// AddSecret makes v redacted wherever it appears, as Marker.
func (r *Redactor) AddSecret(v string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addSecret(v)
}

func (r *Redactor) addSecret(v string) {
	v = strings.TrimSpace(v)
	if v == "" || r.tokens[v] || strings.Contains(v, Marker) {
		return
	}
	variants := []string{v}
	// "Bearer TOKEN", "Basic base64(user:password)": the credential
	// without its scheme, and a Basic password decoded.
	if scheme, rest, ok := strings.Cut(v, " "); ok {
		rest = strings.TrimSpace(rest)
		variants = append(variants, rest)
		if strings.EqualFold(scheme, "basic") {
			if dec, err := base64.StdEncoding.DecodeString(rest); err == nil {
				variants = append(variants, string(dec))
				if _, pw, ok := strings.Cut(string(dec), ":"); ok {
					variants = append(variants, pw)
				}
			}
		}
	}
	for _, s := range variants {
		for _, enc := range encodings(s) {
			if utf8.RuneCountInString(enc) >= minSecret && r.secrets[enc] != Marker {
				r.secrets[enc] = Marker
				r.dirty = true
			}
		}
	}
}

// encodings are the forms a value takes in a URL, a form or a JSON string.
func encodings(s string) []string {
	out := []string{s, url.QueryEscape(s), url.PathEscape(s)}
	if b, err := json.Marshal(s); err == nil {
		out = append(out, string(b[1:len(b)-1]))
	}
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	if enc.Encode(s) == nil {
		j := strings.TrimSpace(sb.String())
		out = append(out, j[1:len(j)-1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// AddSessionValue makes a cookie value redacted wherever it appears, as
// its fingerprint. Values shorter than MinSessionValue are left alone.
func (r *Redactor) AddSessionValue(v string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addSessionValue(v)
}

func (r *Redactor) addSessionValue(v string) {
	v = unquote(strings.TrimSpace(v))
	if utf8.RuneCountInString(v) < MinSessionValue || r.tokens[v] || strings.Contains(v, Marker) || !utf8.ValidString(v) {
		return
	}
	if _, ok := r.secrets[v]; ok {
		return
	}
	r.secrets[v] = r.fingerprint(v)
	r.dirty = true
}

func unquote(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

// fingerprint shows v as its first four characters, its length and a
// short keyed hash: equal values have equal fingerprints within a run,
// and nothing outside the run can tell what the value was.
func (r *Redactor) fingerprint(v string) string {
	if fp, ok := r.secrets[v]; ok && fp != Marker {
		return fp
	}
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(v))
	n := utf8.RuneCountInString(v)
	prefix := v
	for i := range v {
		if utf8.RuneCountInString(v[:i]) == 4 {
			prefix = v[:i]
			break
		}
	}
	fp := fmt.Sprintf("%s…(%d chars, #%s)", prefix, n, hex.EncodeToString(m.Sum(nil))[:6])
	r.tokens[fp] = true
	return fp
}

// Fingerprint returns what a cookie value is shown as (learning it).
func (r *Redactor) Fingerprint(v string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addSessionValue(v)
	if fp, ok := r.secrets[unquote(strings.TrimSpace(v))]; ok {
		return fp
	}
	return v
}

// written matches what the Redactor writes, so that a second pass leaves
// it alone; a fingerprint counts only when this Redactor made it.
var written = regexp.MustCompile(`\[redacted\]|(?s:[^…]{4})…\(\d+ chars, #[0-9a-f]{6}\)`)

// String redacts every secret and session value s holds.
func (r *Redactor) String(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.str(s)
}

func (r *Redactor) str(s string) string {
	if len(r.secrets) == 0 || s == "" {
		return s
	}
	repl := r.replacer()
	var b strings.Builder
	last := 0
	for _, m := range written.FindAllStringIndex(s, -1) {
		if w := s[m[0]:m[1]]; w != Marker && !r.tokens[w] {
			continue
		}
		b.WriteString(repl.Replace(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	if last == 0 {
		return repl.Replace(s)
	}
	b.WriteString(repl.Replace(s[last:]))
	return b.String()
}

// replacer replaces every known value, the longest first where several
// start at one place.
func (r *Redactor) replacer() *strings.Replacer {
	if r.repl != nil && !r.dirty {
		return r.repl
	}
	olds := make([]string, 0, len(r.secrets))
	for v := range r.secrets {
		olds = append(olds, v)
	}
	slices.SortFunc(olds, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	pairs := make([]string, 0, 2*len(olds))
	for _, v := range olds {
		pairs = append(pairs, v, r.secrets[v])
	}
	r.repl, r.dirty = strings.NewReplacer(pairs...), false
	return r.repl
}

// Learn takes note of the credentials and cookie values of ex, so that
// they are redacted wherever they appear: Cookie and Set-Cookie values,
// the values of headers, fields and query parameters named like secrets.
func (r *Redactor) Learn(ex *reports.Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.learn(ex)
}

func (r *Redactor) learn(ex *reports.Exchange) {
	for _, hs := range [][][2]string{ex.RequestHeaders, ex.ResponseHeaders} {
		for _, h := range hs {
			switch {
			case strings.EqualFold(h[0], "Cookie"):
				for _, p := range strings.Split(h[1], ";") {
					if _, v, ok := strings.Cut(p, "="); ok {
						r.addSessionValue(v)
					}
				}
			case strings.EqualFold(h[0], "Set-Cookie"):
				pair, _, _ := strings.Cut(h[1], ";")
				if _, v, ok := strings.Cut(pair, "="); ok {
					r.addSessionValue(v)
				}
			case r.isSecretName(h[0]):
				r.addSecret(h[1])
			}
		}
	}
	for _, s := range []string{ex.RequestBody, ex.BodyExcerpt, ex.URL} {
		r.fields(s, func(_, v string) string { r.addSecret(v); return v })
	}
}

var (
	jsonField = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*)`)
	formField = regexp.MustCompile(`(^|[?&;])([^=&?#;\s]+)=([^&#;\s]*)`)
)

// fields calls f with the name and value of every JSON member and form or
// query parameter of s named like a secret, and puts back what f returns.
func (r *Redactor) fields(s string, f func(name, value string) string) string {
	if !strings.Contains(s, "=") && !strings.Contains(s, ":") {
		return s
	}
	s = jsonField.ReplaceAllStringFunc(s, func(m string) string {
		sub := jsonField.FindStringSubmatch(m)
		var name string
		if json.Unmarshal([]byte(`"`+sub[1]+`"`), &name) != nil || !r.isSecretName(name) {
			return m
		}
		v := sub[3]
		if strings.HasPrefix(v, `"`) {
			var str string
			if json.Unmarshal([]byte(v), &str) != nil {
				str = v[1 : len(v)-1]
			}
			if nv := f(name, str); nv != str {
				v = `"` + nv + `"`
			}
		} else if nv := f(name, v); nv != v {
			v = `"` + nv + `"`
		}
		return `"` + sub[1] + `"` + sub[2] + v
	})
	return formField.ReplaceAllStringFunc(s, func(m string) string {
		sub := formField.FindStringSubmatch(m)
		name, err := url.QueryUnescape(sub[2])
		if err != nil {
			name = sub[2]
		}
		if !r.isSecretName(name) {
			return m
		}
		v, err := url.QueryUnescape(sub[3])
		if err != nil {
			v = sub[3]
		}
		if nv := f(name, v); nv != v {
			return sub[1] + sub[2] + "=" + nv
		}
		return m
	})
}

// redactFields replaces the value of every field named like a secret.
func (r *Redactor) redactFields(s string) string {
	return r.fields(s, func(_, v string) string {
		if v == "" {
			return v
		}
		return Marker
	})
}

// Exchange returns ex redacted. It learns ex's values first, so a session
// id set in ex is redacted in ex too. ex itself is not changed.
func (r *Redactor) Exchange(ex reports.Exchange) reports.Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.learn(&ex)
	return r.exchange(ex)
}

func (r *Redactor) exchange(ex reports.Exchange) reports.Exchange {
	ex.Method = r.str(ex.Method)
	ex.URL = r.str(r.redactFields(ex.URL))
	ex.RequestHeaders = r.headers(ex.RequestHeaders)
	ex.ResponseHeaders = r.headers(ex.ResponseHeaders)
	ex.RequestBody = r.str(r.redactFields(ex.RequestBody))
	ex.BodyExcerpt = r.str(r.redactFields(ex.BodyExcerpt))
	ex.Error = r.str(ex.Error)
	ex.Note = r.str(ex.Note)
	ex.Source = r.str(ex.Source)
	return ex
}

// headers returns a redacted copy of hs.
func (r *Redactor) headers(hs [][2]string) [][2]string {
	if hs == nil {
		return nil
	}
	out := make([][2]string, len(hs))
	for i, h := range hs {
		name, v := h[0], h[1]
		switch {
		case strings.EqualFold(name, "Cookie"):
			parts := strings.Split(v, ";")
			for j, p := range parts {
				if n, val, ok := strings.Cut(p, "="); ok {
					parts[j] = n + "=" + r.cookieValue(val)
				}
			}
			v = strings.Join(parts, ";")
		case strings.EqualFold(name, "Set-Cookie"):
			pair, attrs, hasAttrs := strings.Cut(v, ";")
			if n, val, ok := strings.Cut(pair, "="); ok {
				v = n + "=" + r.cookieValue(val)
				if hasAttrs {
					v += ";" + attrs
				}
			}
		case r.isSecretName(name):
			v = Marker
			if scheme, _, ok := strings.Cut(strings.TrimSpace(h[1]), " "); ok && strings.Contains(normName(name), "authorization") {
				v = scheme + " " + Marker
			}
			if h[1] == "" {
				v = ""
			}
		}
		out[i] = [2]string{r.str(name), r.str(v)}
	}
	return out
}

// cookieValue is a cookie value as shown: its fingerprint when it is long
// enough to be a credential, else itself. Spaces and quotes around it stay.
func (r *Redactor) cookieValue(val string) string {
	trimmed := strings.TrimSpace(val)
	inner := unquote(trimmed)
	if r.tokens[inner] || inner == Marker {
		return val
	}
	r.addSessionValue(inner)
	fp, ok := r.secrets[inner]
	if !ok {
		return val
	}
	return strings.Replace(val, inner, fp, 1)
}

// Check returns c redacted: its message and its evidence.
func (r *Redactor) Check(c reports.Check) reports.Check {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range c.Exchanges {
		r.learn(&c.Exchanges[i])
	}
	return r.check(c)
}

func (r *Redactor) check(c reports.Check) reports.Check {
	c.Message = r.str(c.Message)
	c.Target = r.str(c.Target)
	if c.Exchanges != nil {
		exs := make([]reports.Exchange, len(c.Exchanges))
		for i, ex := range c.Exchanges {
			exs[i] = r.exchange(ex)
		}
		c.Exchanges = exs
	}
	return c
}

// Results redacts res in place with everything learned from all of its
// checks, and marks it redacted. A value learned late (a session id first
// set in a later check) is redacted in the earlier checks too.
func (r *Redactor) Results(res *reports.Results) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range res.Checks {
		for i := range c.Exchanges {
			r.learn(&c.Exchanges[i])
		}
	}
	for i, t := range res.Targets {
		res.Targets[i].Name = r.str(t.Name)
		res.Targets[i].URL = r.str(r.redactFields(t.URL))
		if t.Manifest != nil {
			res.Targets[i].Manifest, _ = r.value(t.Manifest).(map[string]any)
		}
	}
	for i, c := range res.Checks {
		res.Checks[i] = r.check(c)
	}
	res.Redaction = reports.RedactionOn
}

// value redacts the strings of a decoded JSON value, returning a copy.
func (r *Redactor) value(v any) any {
	switch v := v.(type) {
	case string:
		return r.str(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if s, ok := x.(string); ok && r.isSecretName(k) && s != "" {
				out[r.str(k)] = Marker
				continue
			}
			out[r.str(k)] = r.value(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = r.value(x)
		}
		return out
	}
	return v
}
