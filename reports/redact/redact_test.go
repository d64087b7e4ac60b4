package redact_test

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/httpcheck/httpcheck/reports"
	"github.com/httpcheck/httpcheck/reports/redact"
)

const (
	token    = "TOKEN-SECRET-XYZ"
	password = "hunter2-staging"
	sid      = "smuzvu7gscbzqpyw2uql4qkqffgefiqc"
)

func exchange() reports.Exchange {
	return reports.Exchange{
		Method: "POST",
		URL:    "https://shop.test/login?next=/&access_token=" + token,
		RequestHeaders: [][2]string{
			{"Authorization", "Bearer " + token},
			{"Cookie", "theme=dark; sessionid=" + sid},
			{"X-Api-Key", "k-123"},
			{"Content-Type", "application/json"},
		},
		RequestBody: `{"user": "alice", "password": "` + password + `", "remember": true}`,
		Status:      200,
		ResponseHeaders: [][2]string{
			{"Set-Cookie", "sessionid=" + sid + "; Path=/; HttpOnly; Secure; SameSite=Lax"},
			{"Set-Cookie", "theme=dark; Path=/"},
		},
		BodyExcerpt: `{"you sent": "Bearer ` + token + `", "sid": "` + sid + `"}`,
		Note:        "login as alice",
	}
}

func TestExchange(t *testing.T) {
	r := redact.New(redact.Options{Secrets: []string{"Bearer " + token}})
	ex := exchange()
	got := r.Exchange(ex)
	all := dump(got)
	for _, s := range []string{token, password, sid, "k-123"} {
		if strings.Contains(all, s) {
			t.Errorf("%q survives redaction:\n%s", s, all)
		}
	}
	fp := r.Fingerprint(sid)
	if !regexp.MustCompile(`^smuz…\(32 chars, #[0-9a-f]{6}\)$`).MatchString(fp) {
		t.Errorf("fingerprint %q, want the first four characters, the length and a short hash", fp)
	}
	for _, want := range []string{
		"Bearer [redacted]",              // the scheme stays
		"sessionid=" + fp + "; Path=/; ", // name and attributes stay
		"theme=dark",                     // a short value is no credential
		`"password": "[redacted]"`,
		`"sid": "` + fp + `"`, // by value, in a body
		"access_token=[redacted]",
		"login as alice",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("redacted exchange lacks %q:\n%s", want, all)
		}
	}
	if dump(ex) != dump(exchange()) {
		t.Error("Exchange changed its argument")
	}
	if again := r.Exchange(got); dump(again) != all {
		t.Errorf("redacting twice changed it:\n%s\nthen\n%s", all, dump(again))
	}
	// Another run's key gives another fingerprint: nothing outside a run
	// can match them.
	if redact.New(redact.Options{}).Fingerprint(sid) == fp {
		t.Error("two redactors gave the same fingerprint")
	}
}

func TestByValueEverywhere(t *testing.T) {
	r := redact.New(redact.Options{Names: []string{"X-Tenant"}, Secrets: []string{"p@ss w<rd&"}})
	c := r.Check(reports.Check{
		ID:      "x/y/z",
		Message: `expected a new id, observed "sessionid=` + sid + `; Path=/" again`,
		Exchanges: []reports.Exchange{{
			URL:             "https://x.test/?q=p%40ss+w%3Crd%26",
			RequestHeaders:  [][2]string{{"X-Tenant", "acme"}, {"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:"+password))}},
			ResponseHeaders: [][2]string{{"Set-Cookie", "sessionid=" + sid}},
			BodyExcerpt:     `{"echo": "p@ss w\u003crd\u0026", "pw": "` + password + `"}`,
		}},
	})
	all := c.Message + dump(c.Exchanges[0])
	for _, s := range []string{sid, password, "acme", "p@ss", "p%40ss"} {
		if strings.Contains(all, s) {
			t.Errorf("%q survives:\n%s", s, all)
		}
	}
	if !strings.Contains(c.Message, "sessionid=smuz…(32 chars") {
		t.Errorf("the message should keep the fingerprint: %s", c.Message)
	}
}

func TestResultsLateValues(t *testing.T) {
	r := redact.New(redact.Options{})
	res := &reports.Results{Checks: []reports.Check{
		{ID: "a", Message: "saw " + sid + " in a body"},
		{ID: "b", Exchanges: []reports.Exchange{{ResponseHeaders: [][2]string{{"Set-Cookie", "sid=" + sid}}}}},
	}}
	first := r.Check(res.Checks[0]) // before the value is known
	if !strings.Contains(first.Message, sid) {
		t.Fatal("a value not yet seen cannot be redacted")
	}
	r.Results(res)
	if strings.Contains(res.Checks[0].Message, sid) || res.Redaction != reports.RedactionOn {
		t.Errorf("Results must redact what a later check taught it: %q, redaction %q", res.Checks[0].Message, res.Redaction)
	}
}

func TestIsSecretName(t *testing.T) {
	for _, n := range []string{"password", "Passwd", "pass", "TOKEN", "client_secret", "api-key", "apikey", "X-Api-Key",
		"access_token", "refresh_token", "X-Auth-Token", "new_password"} {
		if !redact.IsSecretName(n) {
			t.Errorf("%q is a secret's name", n)
		}
	}
	for _, n := range []string{"user", "passenger", "key", "value", "Cache-Control", "Set-Cookie", "email", "compass"} {
		if redact.IsSecretName(n) {
			t.Errorf("%q is not a secret's name", n)
		}
	}
}

func dump(ex reports.Exchange) string {
	var b strings.Builder
	b.WriteString(ex.Method + " " + ex.URL + "\n")
	for _, h := range append(ex.RequestHeaders, ex.ResponseHeaders...) {
		b.WriteString(h[0] + ": " + h[1] + "\n")
	}
	b.WriteString(ex.RequestBody + "\n" + ex.BodyExcerpt + "\n" + ex.Error + "\n" + ex.Note)
	return b.String()
}

// fields are the strings of an exchange, one by one.
func fields(ex reports.Exchange) []string {
	out := []string{ex.Method, ex.URL, ex.RequestBody, ex.BodyExcerpt, ex.Error, ex.Note}
	for _, h := range append(ex.RequestHeaders, ex.ResponseHeaders...) {
		out = append(out, h[0], h[1])
	}
	return out
}

// FuzzRedact: for any header and body shapes and any secret, redaction
// does not panic, leaves no secret outside what it writes itself (the
// marker and fingerprints), and is idempotent.
func FuzzRedact(f *testing.F) {
	f.Add("Authorization", "Bearer abcdefgh", `{"password": "abcdefgh"}`, "abcdefgh", "sessionid=0123456789abcdef; Path=/")
	f.Add("Cookie", "a=1; sid=\"quoted-value-1\"", "token=x&pass=yyyy", "yyyy", "sid=quoted-value-1")
	f.Add("X-Echo", "smuz…(32 chars, #a1b2c3)", "[redacted]", "chars, #a", "=")
	f.Add("Set-Cookie", "=novalue", `{"a":"\"}`, "a\"b", "x=;;;=y")
	f.Fuzz(func(t *testing.T, name, value, body, secret, setCookie string) {
		r := redact.New(redact.Options{Secrets: []string{secret}})
		ex := reports.Exchange{
			URL:             "http://x.test/?" + body,
			RequestHeaders:  [][2]string{{name, value}, {"Cookie", value}},
			RequestBody:     body,
			ResponseHeaders: [][2]string{{"Set-Cookie", setCookie}, {name, body}},
			BodyExcerpt:     value + body + secret,
		}
		once := r.Exchange(ex)
		twice := r.Exchange(once)
		if dump(once) != dump(twice) {
			t.Fatalf("not idempotent:\n%s\nthen\n%s", dump(once), dump(twice))
		}
		if len([]rune(strings.TrimSpace(secret))) < 4 || strings.Contains(secret, redact.Marker) {
			return // redacted only where known by name
		}
		// What the redactor writes may hold a secret only by accident (a
		// secret such as "chars, #a"): look outside it, field by field
		// (joined, a header's name, ": " and value could spell a secret
		// such as "000:" that no field holds).
		for _, field := range fields(once) {
			outside := written.ReplaceAllString(field, "\x00")
			if strings.Contains(outside, strings.TrimSpace(secret)) {
				t.Fatalf("secret %q survives in %q:\n%s", secret, field, dump(once))
			}
		}
	})
}

var written = regexp.MustCompile(`\[redacted\]|(?s:[^…]{4})…\(\d+ chars, #[0-9a-f]{6}\)`)
