package reports_test

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/httpcheck/httpcheck/internal/resultschema"
	"github.com/httpcheck/httpcheck/reports"
	"github.com/httpcheck/httpcheck/reports/reporttest"
)

// siteRows lists the rows of the site view's table of URLs, in page
// order, each as its cells' text (the URL cell's first code element only).
func siteRows(doc *goquery.Document) [][]string {
	var rows [][]string
	doc.Find("table#urls tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var cells []string
		tr.Find("td").Each(func(i int, td *goquery.Selection) {
			if i == 0 {
				cells = append(cells, strings.TrimPrefix(td.Find("code").First().Text(), "http://127.0.0.1:8080"))
				return
			}
			cells = append(cells, strings.TrimSpace(td.Text()))
		})
		rows = append(rows, cells)
	})
	return rows
}

// TestHTMLSiteView: a run with a crawl shows the site view: the site
// checks first, then one row per URL (type, status, lifetime, validators,
// verdict counts) worst first, then each URL's failures and errors, and
// not the checks x URLs matrix.
func TestHTMLSiteView(t *testing.T) {
	doc, raw := renderHTML(t, siteResults())
	if n := doc.Find("table.matrix").Length(); n != 0 {
		t.Error("a crawl's page has the checks x targets matrix")
	}
	if !strings.Contains(raw, `id="site-checks"`) || strings.Index(raw, `id="site-checks"`) > strings.Index(raw, `id="urls"`) {
		t.Error("the site checks do not come before the table of URLs")
	}
	var siteChecks []string
	doc.Find("#site-checks ~ article.check code.id").Each(func(_ int, s *goquery.Selection) { siteChecks = append(siteChecks, s.Text()) })
	if len(siteChecks) != len(siteCheckIDs) || siteChecks[0] != "probe/site/html-revalidated" {
		t.Errorf("site checks %q, want the %d of them, the failed one first", siteChecks, len(siteCheckIDs))
	}

	want := [][]string{
		{"/api/data.json", "JSON", "200", "none", "none", "1 MUST, 1 SHOULD", "0", "15"},
		{"/", "HTML", "200", "no-cache", "ETag", "1 MUST", "0", "16"},
		{"/assets/app.1a2b3c4d.js", "script", "200", "s-maxage 10m", "ETag (weak)", "2 SHOULD", "0", "15"},
		{"/img/logo.png", "image", "200", "Expires 1d", "Last-Modified", "1 ADVISORY", "0", "16"},
		{"/fonts/a.woff2", "font", "200", "no-store", "none", "0", "1", "16"},
		{"/missing", "HTML", "404", "not probed", "not probed", "0", "0", "0"},
		{"/assets/app.1a2b3c4d.css", "stylesheet", "200", "max-age 1y, immutable", "ETag, Last-Modified", "0", "0", "17"},
		{"/old", "other", "301", "not probed", "not probed", "0", "0", "0"},
		{"/sitemap.xml", "other", "200", "max-age 10m", "Last-Modified", "0", "0", "17"},
	}
	got := siteRows(doc)
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d = %q, want %q", i+1, got[i], want[i])
		}
	}
	if loc := doc.Find("table#urls tbody tr").Eq(7).Find("td.u code").Eq(1).Text(); loc != "http://127.0.0.1:8080/" {
		t.Errorf("the redirect's row shows Location %q", loc)
	}

	// Each URL with failures or errors links to its section, which lists
	// those and nothing else; the others have no section.
	sections := 0
	doc.Find("table#urls tbody tr").Each(func(i int, tr *goquery.Selection) {
		href, linked := tr.Find("td.u a").Attr("href")
		problem := i < 5
		if linked != problem {
			t.Errorf("row %d (%s): linked %v, want %v", i+1, want[i][0], linked, problem)
			return
		}
		if !linked {
			return
		}
		sections++
		sec := doc.Find("section.url" + href)
		if got := strings.TrimPrefix(sec.Find("h3 code").Text(), "http://127.0.0.1:8080"); got != want[i][0] {
			t.Errorf("row %d links to the section of %q", i+1, got)
		}
		sec.Find("article.check").Each(func(_ int, a *goquery.Selection) {
			if s := a.AttrOr("data-state", ""); s != "failed" && s != "error" {
				t.Errorf("the section of %s lists a %s check", want[i][0], s)
			}
		})
	})
	if n := doc.Find("section.url").Length(); n != sections {
		t.Errorf("%d URL sections, %d linked from the table", n, sections)
	}
	// The filter counts the checks the page shows: the site checks and
	// the per-URL failures and errors.
	if got, want := doc.Find("#f-shown").Text(), "15 checks."; got != want {
		t.Errorf("the filter says %q, want %q", got, want)
	}
	var types []string
	doc.Find("#f-type option").Each(func(_ int, s *goquery.Selection) { types = append(types, s.AttrOr("value", "")) })
	if want := []string{"", "html", "script", "stylesheet", "image", "font", "json", "other"}; !slices.Equal(types, want) {
		t.Errorf("type filter offers %q, want %q", types, want)
	}
	for _, f := range reporttest.Foreign(doc) {
		t.Errorf("the site view has %s, which the template's vocabulary lacks", f)
	}
}

// TestHTMLSiteAnchors: the links summary.md makes into index.html, and the
// verdict banner's, land on checks the site view shows.
func TestHTMLSiteAnchors(t *testing.T) {
	r := siteResults()
	doc, _ := renderHTML(t, r)
	var md bytes.Buffer
	if err := reports.WriteSummary(&md, r); err != nil {
		t.Fatal(err)
	}
	links := regexp.MustCompile(`index\.html#([a-z0-9-]+)`).FindAllStringSubmatch(md.String(), -1)
	if len(links) == 0 {
		t.Fatalf("summary.md links nowhere:\n%s", md.String())
	}
	for _, l := range links {
		if doc.Find("article.check#"+l[1]).Length() != 1 {
			t.Errorf("summary.md links to #%s, which the page has no check for", l[1])
		}
	}
	doc.Find(".verdict a").Each(func(_ int, a *goquery.Selection) {
		if href := a.AttrOr("href", ""); doc.Find("article.check"+href).Length() != 1 {
			t.Errorf("the verdict links to %s, which the page has no check for", href)
		}
	})
}

// TestHTMLSiteHostile: what a crawled site sends (URLs, redirects,
// content types, header values, skip reasons) stays text in the site view.
func TestHTMLSiteHostile(t *testing.T) {
	all := xssScript + " " + xssAttr + " " + xssURL + " " + badUTF8 + " " + nulByte + " " + bidi
	r := siteResults()
	r.Crawl.Start = all
	r.Crawl.Pages[0].URL += all
	r.Crawl.Pages[6].ContentType = xssAttr
	r.Crawl.Pages[7].Location = xssURL + xssScript
	r.Crawl.Skipped = []reports.SkippedURL{{URL: xssURL, Reason: all}}
	for i := range r.Checks {
		for j := range r.Checks[i].Exchanges {
			x := &r.Checks[i].Exchanges[j]
			x.ResponseHeaders = append(x.ResponseHeaders, [2]string{"ETag", all}, [2]string{"Cache-Control", all})
		}
	}
	r.Targets = append(r.Targets, reports.Target{Name: all, URL: xssURL})
	r.Checks = append(r.Checks, check("probe/date/present", reports.Must, reports.Failed, all))
	r.Checks[len(r.Checks)-1].Target = all
	doc, raw := renderHTML(t, r)
	for _, f := range reporttest.Foreign(doc) {
		t.Errorf("index.html has %s, which the template does not write: it came from the data", f)
	}
	if n := doc.Find("input, select, button").Not("#f-q, #f-state, #f-level, #f-suite, #f-reset, #f-u, #f-type, #f-urls, button.sort").Length(); n != 0 {
		t.Errorf("found %d controls besides the filters', want none", n)
	}
	text := doc.Find("body").Text()
	for _, want := range []string{xssScript, xssAttr, xssURL} {
		if !strings.Contains(text, want) {
			t.Errorf("page text lacks %q", want)
		}
	}
	if strings.ContainsRune(raw, 0) {
		t.Error("index.html contains a NUL byte")
	}
}

// TestHTMLEvidenceCapped: a check with more exchanges than the page shows
// (a site check of a large crawl) says how many, and that results.json
// has the rest.
func TestHTMLEvidenceCapped(t *testing.T) {
	r := syntheticSite(40, false)
	doc, _ := renderHTML(t, r)
	art := doc.Find("#site-checks ~ article.check").First()
	if n := art.Find("section.exchange").Length(); n != 100 {
		t.Errorf("a site check shows %d exchanges, want 100", n)
	}
	if got := art.Find("details > summary").Text(); !strings.HasPrefix(got, "Evidence: 160 exchanges") {
		t.Errorf("evidence summary %q, want the 160 exchanges counted", got)
	}
	if got := art.Find("details > p.muted").Text(); got != "The first 100 are shown; results.json holds the other 60." {
		t.Errorf("evidence note %q", got)
	}
	// A check failing on every URL shows its evidence on the first 20.
	doc, _ = renderHTML(t, syntheticSite(40, true))
	withEvidence, elided := 0, 0
	doc.Find("section.url article.check").Each(func(_ int, a *goquery.Selection) {
		if a.Find("code.id").Text() != "probe/precedence/inm-match-beats-old-ims" {
			return
		}
		switch {
		case a.Find("details.evidence").Length() == 1:
			withEvidence++
		case a.Find("p.muted").Text() == "Evidence in results.json (shown here for the first 20 URLs).":
			elided++
		}
	})
	if withEvidence != 20 || elided != 20 {
		t.Errorf("a check failed on 40 URLs: %d shown with evidence, %d without, want 20 and 20", withEvidence, elided)
	}
}

// TestSiteSchema: results.json of a crawl, with its redirect, its 404 and
// every URL's exchanges, is valid against docs/results.schema.json.
func TestSiteSchema(t *testing.T) {
	var out bytes.Buffer
	if err := reports.WriteJSON(&out, siteResults()); err != nil {
		t.Fatal(err)
	}
	if err := resultschema.Validate(out.Bytes()); err != nil {
		t.Fatalf("a crawl's results.json breaks the schema: %v", err)
	}
}

// TestSiteSummary: summary.md names a crawl's site, not each of its URLs.
func TestSiteSummary(t *testing.T) {
	var md bytes.Buffer
	if err := reports.WriteSummary(&md, siteResults()); err != nil {
		t.Fatal(err)
	}
	_, second, _ := strings.Cut(md.String(), "\n\n")
	first, _, _ := strings.Cut(second, "\n")
	if want := "the site crawled from `http://127.0.0.1:8080/` (9 URLs fetched, 7 probed) · 260 checks:"; !strings.HasPrefix(first, want) {
		t.Errorf("summary.md says %q, want it to start %q", first, want)
	}
}
