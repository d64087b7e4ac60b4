package reporttest

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestForeignFindsWhatTheTemplateNeverWrites(t *testing.T) {
	for page, want := range map[string]string{
		`<p>plain</p>`:                               "",
		`<p><img src=x></p>`:                         "a <img> element",
		`<p onclick="x()">a</p>`:                     `<p onclick="x()">`,
		`<a href="https://evil.example/">a</a>`:      `a link to "https://evil.example/"`,
		`<script></script><script>x</script>`:        "2 <script> elements",
		`<a href="#t1-c1" title="javascript:">a</a>`: "",
	} {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(Foreign(doc), "; ")
		if want == "" && got != "" || !strings.Contains(got, want) {
			t.Errorf("Foreign(%s) = %q, want %q", page, got, want)
		}
	}
}
