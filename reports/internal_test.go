package reports

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestVisible(t *testing.T) {
	for _, tc := range []struct {
		in        string
		multiline bool
		want      string
	}{
		{"plain ASCII: a=1; Path=/", false, "plain ASCII: a=1; Path=/"},
		{"tab\tkept", false, "tab\tkept"},
		{"nul\x00", false, "nul\u2400"},
		{"a\r\nb", false, "a\u240d\u240ab"},
		{"a\r\nb\nc\rd", true, "a\nb\nc\u240dd"},
		{"trailing\r", true, "trailing\u240d"},
		{"del\x7f", false, "del\u2421"},
		{"bad\xff\xfe", false, "bad\ufffd\ufffd"},
		{"\xe2\x82", false, "\ufffd\ufffd"}, // truncated sequence
		{"c1\u0085", false, "c1[U+0085]"},
		{"rlo\u202eevil", false, "rlo[U+202E]evil"},
		{"zw\u200bsp\ufeff", false, "zw[U+200B]sp[U+FEFF]"},
		{"non\ufffe\uffff", false, "non[U+FFFE][U+FFFF]"},
		{"café ☕ 𝄞", false, "café ☕ 𝄞"},
	} {
		if got := visible(tc.in, tc.multiline); got != tc.want {
			t.Errorf("visible(%q, %v) = %q, want %q", tc.in, tc.multiline, got, tc.want)
		}
	}
}

func TestRefURL(t *testing.T) {
	for ref, want := range map[string]string{
		"RFC9110 13.2.2":       "https://www.rfc-editor.org/rfc/rfc9110#section-13.2.2",
		"RFC9111 4.2.1":        "https://www.rfc-editor.org/rfc/rfc9111#section-4.2.1",
		"RFC 9110 §8.8.3":      "https://www.rfc-editor.org/rfc/rfc9110#section-8.8.3",
		"RFC9111 section 5.2":  "https://www.rfc-editor.org/rfc/rfc9111#section-5.2",
		"RFC9110 A.1":          "https://www.rfc-editor.org/rfc/rfc9110#appendix-A.1",
		"RFC9110":              "https://www.rfc-editor.org/rfc/rfc9110",
		"RFC6265bis 5.7":       "https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-5.7",
		"RFC6265bis 5.6.3":     "https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-5.6.3",
		"rfc6265bis":           "https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis",
		"RFC7234bis 1":         "",
		"OWASP ASVS 3.4.1":     "",
		"OWASP WSTG-SESS-02":   "",
		"javascript:alert(1)":  "",
		"RFC9110 13.2.2\"><x>": "",
		"RFC9110 13.2.2 extra": "",
	} {
		if got := refURL(ref); got != want {
			t.Errorf("refURL(%q) = %q, want %q", ref, got, want)
		}
	}
}

// A failed write leaves the previous file whole and no temporary file.
func TestWriteFileAtomicKeepsOldFileOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "index.html")
	if err := os.WriteFile(path, []byte("old, whole"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("renderer failed halfway")
	err := writeFileAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "new, half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the renderer's", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old, whole" {
		t.Errorf("file = %q after a failed write, want the old content", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the old file", len(entries))
	}
}

func TestColumnLabels(t *testing.T) {
	rs := []*Results{
		{Targets: []Target{{Name: "ref"}}},
		{Targets: []Target{{URL: "http://x.test/"}}},
		{},
		{Targets: []Target{{Name: "ref"}}},
	}
	cols, err := columnsOf(rs)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cols {
		got = append(got, c.label)
	}
	want := []string{"ref (run 1)", "http://x.test/", "run 3", "ref (run 4)"}
	if len(got) != len(want) {
		t.Fatalf("labels = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("labels = %q, want %q", got, want)
			break
		}
	}
}
