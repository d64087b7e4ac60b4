package reports_test

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/httpcheck/httpcheck/reports"
	"github.com/httpcheck/httpcheck/reports/reporttest"
)

// renderHTML renders rs and parses the page as a browser would.
func renderHTML(t *testing.T, rs ...*reports.Results) (*goquery.Document, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := reports.WriteHTML(&buf, rs...); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("parsing index.html: %v", err)
	}
	return doc, buf.String()
}

func TestHTMLHostileStringsStayText(t *testing.T) {
	// Two runs, so the matrix (whose cells carry the messages as titles)
	// is on the page too.
	doc, raw := renderHTML(t, hostileResults(), hostileResults())

	if !utf8.ValidString(raw) {
		t.Error("index.html is not valid UTF-8")
	}
	if strings.ContainsRune(raw, 0) {
		t.Error("index.html contains a NUL byte")
	}
	if n := doc.Find("script").Length(); n != 1 {
		t.Errorf("found %d <script> elements, want the template's one", n)
	}
	if n := doc.Find("img, iframe, object, embed, link, form, base").Length(); n != 0 {
		t.Errorf("found %d elements that can load or submit something, want none", n)
	}
	if n := doc.Find("input, select, button").Not("#f-q, #f-state, #f-level, #f-suite, #f-reset").Length(); n != 0 {
		t.Errorf("found %d controls besides the filter's, want none", n)
	}
	// The 1xx before the answer is shown as it went over the wire, as text.
	if interim := doc.Find("pre.wire").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.HasPrefix(s.Text(), "\n103\n") || strings.HasPrefix(strings.TrimSpace(s.Text()), "103\n")
	}); interim.Length() == 0 || !strings.Contains(interim.First().Text(), xssScript) {
		t.Errorf("the exchange's 103 is not shown with its fields as text (%d found)", interim.Length())
	}
	for _, f := range reporttest.Foreign(doc) {
		t.Errorf("index.html has %s, which the template does not write: it came from the data", f)
	}
	// A title is text that a browser shows and never follows: the matrix's
	// cells carry the message there, hostile or not.
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		n := s.Get(0)
		for _, a := range n.Attr {
			if a.Key != "title" && strings.Contains(strings.ToLower(a.Val), "javascript:") {
				t.Errorf("<%s %s=%q> carries javascript:", n.Data, a.Key, a.Val)
			}
		}
	})
	// The one meta the template writes with content from data is generator.
	csp := doc.Find(`meta[http-equiv="Content-Security-Policy"]`).AttrOr("content", "")
	if !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q, want default-src 'none'", csp)
	}

	text := doc.Find("body").Text()
	for _, want := range []string{
		xssScript, xssAttr, xssURL,
		"bad\uFFFD\uFFFDutf8", // invalid bytes are replaced, the rest kept
		"nul\u2400byte",       // NUL is shown as its Control Picture
		"abc[U+202E]def",      // a bidi override is named, not obeyed
	} {
		if !strings.Contains(text, want) {
			t.Errorf("page text lacks %q", want)
		}
	}
	// Evidence: the hostile URL, header values and body excerpt are text in
	// the right places, and the URL is not a link.
	ev := doc.Find("details.evidence").First()
	if !strings.Contains(ev.Find("h5 code").First().Text(), xssURL) {
		t.Errorf("exchange heading %q lacks the URL as text", ev.Find("h5 code").First().Text())
	}
	if ev.Find("a").Length() != 0 {
		t.Error("evidence contains a link; URLs in evidence must be text")
	}
	headers := ev.Find("pre.headers").Text()
	for _, want := range []string{"Cookie: " + xssScript, "Location: " + xssURL, xssAttr + ": " + xssURL} {
		if !strings.Contains(headers, want) {
			t.Errorf("headers %q lack %q", headers, want)
		}
	}
	body := ev.Find("pre.body").Last().Text()
	if !strings.Contains(body, `<a href="`+xssURL+`">x</a>`) {
		t.Errorf("body excerpt %q is not shown as its text", body)
	}
	// The matrix cells show the message on hover as the attribute's text.
	titled := 0
	doc.Find("table.matrix a[title]").Each(func(_ int, a *goquery.Selection) {
		titled++
		if title := a.AttrOr("title", ""); !strings.Contains(title, xssAttr) || !strings.Contains(title, xssScript) {
			t.Errorf("matrix cell title %q lost the hostile text", title)
		}
	})
	if titled == 0 {
		t.Error("no matrix cell carries its check's message as a title")
	}
	server := doc.Find("table.targets td").Eq(2).Text()
	if !strings.Contains(server, xssAttr) {
		t.Errorf("manifest server cell = %q, want the hostile string as text", server)
	}
}

func TestHTMLRefLinks(t *testing.T) {
	doc, _ := renderHTML(t, hostileResults())
	refs := doc.Find("#t1-c1 p.refs")
	var links []string
	refs.Find("a").Each(func(_ int, s *goquery.Selection) { links = append(links, s.AttrOr("href", "")) })
	want := []string{"https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-5.7"}
	if !slices.Equal(links, want) {
		t.Errorf("ref links = %q, want %q (hostile refs and OWASP as text)", links, want)
	}
	for _, text := range []string{xssURL, "OWASP ASVS 3.4.1", `RFC9110 13.2.2"><script>alert(1)</script>`} {
		if !strings.Contains(refs.Text(), text) {
			t.Errorf("refs %q lack %q as text", refs.Text(), text)
		}
	}
}

func TestHTMLSummaryCounts(t *testing.T) {
	doc, _ := renderHTML(t, countedResults())
	var got []string
	doc.Find("table.summary tbody tr, table.summary tfoot tr").Each(func(_ int, tr *goquery.Selection) {
		var cells []string
		tr.Find("th, td").Each(func(_ int, c *goquery.Selection) { cells = append(cells, strings.TrimSpace(c.Text())) })
		got = append(got, strings.Join(cells, " "))
	})
	// Suite, level, passed, failed, error, skipped, total.
	want := []string{
		"conditional MUST 1 0 1 0 2",
		"conditional ADVISORY 1 0 0 0 1",
		"cookies MUST 2 1 0 0 3",
		"cookies SHOULD 0 0 0 1 1",
		"All  4 1 1 1 7",
	}
	if !slices.Equal(got, want) {
		t.Errorf("summary rows:\n got %q\nwant %q", got, want)
	}
	for _, h := range []string{"httpcheck v0.1.0", "http://127.0.0.1:8080/", "httpcheck-reference 0.1", "2026-11-26T00:45:32Z", "2.345s"} {
		if !strings.Contains(doc.Find("header").Text(), h) {
			t.Errorf("header lacks %q", h)
		}
	}
}

func TestHTMLFailuresFirst(t *testing.T) {
	doc, _ := renderHTML(t, countedResults())
	var ids, states []string
	doc.Find("article.check").Each(func(_ int, s *goquery.Selection) {
		ids = append(ids, s.Find("code.id").Text())
		states = append(states, s.Find("h4 .badge").First().Text())
	})
	wantStates := []string{"failed", "error", "skipped", "passed", "passed", "passed", "passed"}
	if !slices.Equal(states, wantStates) {
		t.Errorf("states in page order = %q, want %q", states, wantStates)
	}
	if ids[0] != "cookies/delete/expired" {
		t.Errorf("first check = %q, want the failed one", ids[0])
	}
	// Within a state, MUST before ADVISORY, then by id.
	wantPassed := []string{"conditional/precedence/inm-over-ims", "cookies/parse/expires", "cookies/parse/max-age", "conditional/etag/weak-compare"}
	if !slices.Equal(ids[3:], wantPassed) {
		t.Errorf("passed checks = %q, want %q", ids[3:], wantPassed)
	}
	if n := doc.Find("h3:contains('Failures and errors (2)')").Length(); n != 1 {
		t.Error("no \"Failures and errors (2)\" heading")
	}
	// The evidence expands without script.
	ev := doc.Find("article.check details.evidence")
	if ev.Length() != 1 || ev.Find("summary").Length() != 1 {
		t.Fatalf("want one <details> with a <summary> for the one check with evidence, got %d", ev.Length())
	}
	for _, want := range []string{"GET http://127.0.0.1:8080/cookies/set?name=a", "200", "Cookie: a=1", "Cache-Control: max-age=60", "network", "3ms"} {
		if !strings.Contains(ev.Text(), want) {
			t.Errorf("evidence lacks %q", want)
		}
	}
}

func TestHTMLMatrix(t *testing.T) {
	ref := countedResults()
	staging := countedResults()
	staging.Targets = []reports.Target{{URL: "https://staging.example.test/httpcheck/"}} // no name: label is the URL
	staging.Checks = staging.Checks[:3]                                                  // the passes only, and fewer
	staging.Checks[0].State = reports.Failed
	staging.Summarize()

	doc, _ := renderHTML(t, ref, staging)
	var heads []string
	doc.Find("table.matrix thead th").Each(func(_ int, s *goquery.Selection) { heads = append(heads, s.Text()) })
	wantHeads := []string{"Check", "Level", "reference", "https://staging.example.test/httpcheck/"}
	if !slices.Equal(heads, wantHeads) {
		t.Errorf("matrix columns = %q, want %q", heads, wantHeads)
	}
	rows := map[string][]string{}
	var order []string
	doc.Find("table.matrix tbody tr").Each(func(_ int, tr *goquery.Selection) {
		id := tr.Find("code.id").Text()
		order = append(order, id)
		tr.Find("td").Slice(1, goquery.ToEnd).Each(func(_ int, td *goquery.Selection) {
			rows[id] = append(rows[id], td.Text())
		})
	})
	if len(order) != 7 {
		t.Fatalf("matrix has %d rows, want 7 (the union of check ids)", len(order))
	}
	for id, want := range map[string][]string{
		"cookies/parse/max-age":               {"passed", "failed"},
		"cookies/parse/expires":               {"passed", "passed"},
		"cookies/delete/expired":              {"failed", "not run"},
		"conditional/transport/reset":         {"error", "not run"},
		"conditional/etag/weak-compare":       {"passed", "not run"},
		"conditional/precedence/inm-over-ims": {"passed", "passed"},
	} {
		if !slices.Equal(rows[id], want) {
			t.Errorf("row %s = %q, want %q", id, rows[id], want)
		}
	}
	// Rows failing anywhere come first, MUST before weaker, then by id.
	if want := []string{"cookies/delete/expired", "cookies/parse/max-age", "conditional/transport/reset"}; !slices.Equal(order[:3], want) {
		t.Errorf("first matrix rows = %q, want %q", order[:3], want)
	}
	// Every cell that ran links to a check in that target's part.
	doc.Find("table.matrix tbody a").Each(func(_ int, a *goquery.Selection) {
		href := a.AttrOr("href", "")
		target := doc.Find("article" + href)
		if target.Length() != 1 {
			t.Errorf("cell link %q points at no check", href)
			return
		}
		if got := target.Find("h4 .badge").First().Text(); got != a.Text() {
			t.Errorf("cell %q says %q but the check says %q", href, a.Text(), got)
		}
	})
	// Then each target's part, with its own summary.
	if n := doc.Find("table.summary").Length(); n != 2 {
		t.Errorf("%d summary tables, want one per target", n)
	}
	if n := doc.Find("h2:contains('Target: https://staging.example.test/httpcheck/')").Length(); n != 1 {
		t.Errorf("no part for the staging target")
	}
}

// A framework beside the reference: the rows where the targets disagree
// come first and are marked, each cell tells its check's message on hover,
// and the overview counts the failed MUST checks that fail a build.
func TestHTMLMatrixDifferencesFirst(t *testing.T) {
	ref := countedResults()
	for i := range ref.Checks {
		ref.Checks[i].State, ref.Checks[i].Message = reports.Passed, ""
	}
	ref.Summarize()
	framework := countedResults()
	framework.Targets = []reports.Target{{Name: "framework", URL: "http://fw.test/httpcheck/"}}
	framework.Checks[1].State, framework.Checks[1].Message = reports.Failed, "expected 200, observed 500\nmore detail"
	framework.Summarize()

	doc, _ := renderHTML(t, ref, framework)
	var differing, same []string
	doc.Find("table.matrix tbody tr").Each(func(_ int, tr *goquery.Selection) {
		id := tr.Find("code.id").Text()
		if tr.HasClass("differs") {
			if len(same) > 0 {
				t.Errorf("row %s differs but comes after rows that agree (%q)", id, same)
			}
			if tr.Find("th .ne").Length() != 1 {
				t.Errorf("row %s differs but is not marked", id)
			}
			differing = append(differing, id)
		} else {
			same = append(same, id)
		}
	})
	var want []string
	for _, c := range framework.Checks {
		if c.State != reports.Passed {
			want = append(want, c.ID)
		}
	}
	slices.Sort(want)
	got := slices.Sorted(slices.Values(differing))
	if !slices.Equal(got, want) {
		t.Errorf("differing rows %q, want the checks not passed by the framework %q", got, want)
	}
	if len(differing)+len(same) != len(ref.Checks) {
		t.Errorf("%d rows, want %d", len(differing)+len(same), len(ref.Checks))
	}
	if note := doc.Find("p.muted:contains('checks have different verdicts')").Text(); !strings.Contains(note, fmt.Sprintf("%d of %d", len(want), len(ref.Checks))) {
		t.Errorf("matrix note %q does not count the differing rows", note)
	}
	id := framework.Checks[1].ID
	cell := doc.Find("table.matrix tbody tr").FilterFunction(func(_ int, tr *goquery.Selection) bool {
		return tr.Find("code.id").Text() == id
	}).Find("td a.badge").Last()
	if title := cell.AttrOr("title", ""); title != "expected 200, observed 500" {
		t.Errorf("cell of %s has title %q, want the message's first line", id, title)
	}
	var mustFailed []string
	doc.Find("table.overview tbody tr").Each(func(_ int, tr *goquery.Selection) {
		mustFailed = append(mustFailed, tr.Find("td").Last().Text())
	})
	wantMust := []string{"0", strconv.Itoa(countState(framework, reports.Must, reports.Failed))}
	if !slices.Equal(mustFailed, wantMust) {
		t.Errorf("overview Failed MUST column %q, want %q", mustFailed, wantMust)
	}
}

func countState(r *reports.Results, l reports.Level, s reports.State) int {
	n := 0
	for _, c := range r.Checks {
		if c.Level == l && c.State == s {
			n++
		}
	}
	return n
}

func TestHTMLSameTargetTwoRuns(t *testing.T) {
	doc, _ := renderHTML(t, countedResults(), countedResults())
	var heads []string
	doc.Find("table.matrix thead th").Each(func(_ int, s *goquery.Selection) { heads = append(heads, s.Text()) })
	want := []string{"Check", "Level", "reference (run 1)", "reference (run 2)"}
	if !slices.Equal(heads, want) {
		t.Errorf("matrix columns = %q, want %q", heads, want)
	}
}

// A deployment: one run, two targets, checks tagged with the target they
// ran against plus one that spans both.
func TestHTMLDeploymentColumns(t *testing.T) {
	r := countedResults()
	r.Targets = []reports.Target{{Name: "a", URL: "http://a.test/"}, {Name: "b", URL: "http://b.test/"}}
	for i := range r.Checks {
		r.Checks[i].Target = []string{"a", "b"}[i%2]
	}
	r.Checks = append(r.Checks, check("sessions/shared/read-elsewhere", reports.Must, reports.Passed, ""))
	doc, _ := renderHTML(t, r)
	var heads []string
	doc.Find("table.matrix thead th").Each(func(_ int, s *goquery.Selection) { heads = append(heads, s.Text()) })
	want := []string{"Check", "Level", "a", "b", "a + b"}
	if !slices.Equal(heads, want) {
		t.Errorf("matrix columns = %q, want %q", heads, want)
	}
}

func TestHTMLNoResults(t *testing.T) {
	if err := reports.WriteHTML(&bytes.Buffer{}); err == nil {
		t.Error("WriteHTML with no results succeeded, want an error")
	}
	if err := reports.WriteHTML(&bytes.Buffer{}, nil); err == nil {
		t.Error("WriteHTML(nil) succeeded, want an error")
	}
}

// TestHTMLParsesWithoutErrors guards the template itself: the tokenizer
// must see every element it opens closed, in order, so <details> nest.
func TestHTMLParsesWithoutErrors(t *testing.T) {
	unredacted := countedResults()
	unredacted.Redaction = reports.RedactionOff // with the --no-redact banner
	for _, rs := range [][]*reports.Results{{hostileResults(), unredacted}, {siteResults()}} {
		var buf bytes.Buffer
		if err := reports.WriteHTML(&buf, rs...); err != nil {
			t.Fatal(err)
		}
		z := html.NewTokenizer(&buf)
		var stack []string
		void := []string{"meta", "br", "input"}
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			name, _ := z.TagName()
			switch tt {
			case html.StartTagToken:
				if !slices.Contains(void, string(name)) {
					stack = append(stack, string(name))
				}
			case html.EndTagToken:
				if len(stack) == 0 || stack[len(stack)-1] != string(name) {
					t.Fatalf("</%s> closes %v", name, stack)
				}
				stack = stack[:len(stack)-1]
			}
		}
		if len(stack) != 0 {
			t.Errorf("unclosed elements: %v", stack)
		}
	}
}

// TestRequirementShownWithFailures: the sentence a check grades is quoted
// under a failure, in the HTML and in JUnit, and not under a pass.
func TestRequirementShownWithFailures(t *testing.T) {
	const req = `"A sender MUST NOT generate multiple field lines with the same name" (RFC 9110 §5.3)`
	res := &reports.Results{Checks: []reports.Check{
		{ID: "freshness/date/single", Suite: "freshness", Title: "one Date", Level: reports.Must, State: reports.Failed, Message: "two Date lines", Requirement: req},
		{ID: "freshness/date/present", Suite: "freshness", Title: "a Date", Level: reports.Must, State: reports.Passed, Requirement: "a quoted rule that passed"},
	}}
	doc, _ := renderHTML(t, res)
	quotes := doc.Find("blockquote.requirement")
	if quotes.Length() != 1 || strings.TrimSpace(quotes.Text()) != req {
		t.Errorf("requirement quotes %d, first %q; want one: %s", quotes.Length(), quotes.First().Text(), req)
	}
	var junit bytes.Buffer
	if err := reports.WriteJUnit(&junit, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(junit.String(), "Requirement: ") || strings.Contains(junit.String(), "a quoted rule that passed") {
		t.Errorf("JUnit should quote the requirement of the failure only:\n%s", junit.String())
	}
}
