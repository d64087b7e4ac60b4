package reports_test

import (
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestHTMLScriptAllowedByHashOnly: the page's Content Security Policy
// allows its one inline script by the script's hash, and no other script
// or source; the script is the same text on every page, so it carries no
// data; and it has no way to write markup or reach the network. Without
// chromium this is what stands between the page and a script that grew a
// dependency on its data; TestHTMLInBrowser then runs it.
func TestHTMLScriptAllowedByHashOnly(t *testing.T) {
	hostile, _ := renderHTML(t, hostileResults(), hostileResults())
	counted, _ := renderHTML(t, countedResults())
	js := hostile.Find("script").Text()
	site, _ := renderHTML(t, siteResults())
	if js != counted.Find("script").Text() || js != site.Find("script").Text() {
		t.Error("the script differs between pages: it must take nothing from the results")
	}
	sum := sha256.Sum256([]byte(js))
	want := "script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	csp := hostile.Find(`meta[http-equiv="Content-Security-Policy"]`).AttrOr("content", "")
	if !slices.Contains(strings.Split(csp, "; "), want) {
		t.Errorf("Content-Security-Policy %q lacks %q, the hash of the page's script", csp, want)
	}
	for _, banned := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(",
		"fetch(", "XMLHttpRequest", "WebSocket", "sendBeacon", "import(", ".src", "location.href", "location.assign", "window.open"} {
		if strings.Contains(js, banned) {
			t.Errorf("the script uses %s", banned)
		}
	}
}

// TestHTMLFilterChoices: the filter offers the states, levels and suites
// the page's checks have, most urgent first, and says how many checks
// there are; it is hidden until the script shows it, so a page read
// without script has no controls that do nothing.
func TestHTMLFilterChoices(t *testing.T) {
	doc, _ := renderHTML(t, countedResults())
	options := func(id string) []string {
		var out []string
		doc.Find("#" + id + " option").Each(func(_ int, o *goquery.Selection) {
			out = append(out, o.AttrOr("value", "?")+"="+o.Text())
		})
		return out
	}
	for id, want := range map[string][]string{
		"f-state": {"=any", "problems=failed or error", "failed=failed", "error=error", "skipped=skipped", "passed=passed"},
		"f-level": {"=any", "must=MUST", "should=SHOULD", "advisory=ADVISORY"},
		"f-suite": {"=any", "conditional=conditional", "cookies=cookies"},
	} {
		if got := options(id); !slices.Equal(got, want) {
			t.Errorf("#%s offers %q, want %q", id, got, want)
		}
		if doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("#%s has no label", id)
		}
	}
	if _, hidden := doc.Find("#filters").Attr("hidden"); !hidden {
		t.Error("the filter bar shows before the script runs")
	}
	if got := doc.Find("#f-shown").Text(); got != "7 checks." {
		t.Errorf("count before the script runs = %q, want \"7 checks.\"", got)
	}
	// Every check carries what the filter matches, from the same fixed
	// sets as the options.
	doc.Find("article.check").Each(func(_ int, a *goquery.Selection) {
		id := a.Find("code.id").Text()
		suite, _, _ := strings.Cut(id, "/")
		if a.AttrOr("data-suite", "") != suite || a.AttrOr("data-state", "") == "" || a.AttrOr("data-level", "") == "" {
			t.Errorf("check %s: data-state=%q data-level=%q data-suite=%q", id, a.AttrOr("data-state", ""), a.AttrOr("data-level", ""), a.AttrOr("data-suite", ""))
		}
		if href := a.Find("h4 a.permalink").AttrOr("href", ""); href != "#"+a.AttrOr("id", "") {
			t.Errorf("check %s: permalink %q, want its own anchor", id, href)
		}
	})
}
