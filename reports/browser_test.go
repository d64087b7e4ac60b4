package reports_test

// The HTML report in a real browser: Debian's chromium, headless, driven
// over the DevTools protocol by chromedp. The tests open index.html as a
// file, as someone opens a CI artifact, and use it as a reader would:
// filters, search, permalinks and the keyboard. Every tab records its
// network requests and console, and a test fails if the page asked for
// anything but itself or logged an error.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/httpcheck/httpcheck/reports"
)

// countedInPageOrder is countedResults' checks as the page lists them,
// failures first.
var countedInPageOrder = []string{"cookies/delete/expired", "conditional/transport/reset", "cookies/limits/4096",
	"conditional/precedence/inm-over-ims", "cookies/parse/expires", "cookies/parse/max-age", "conditional/etag/weak-compare"}

// screenshotDirEnv names a directory that receives the screenshots as
// well as the test's artifact directory (go test -artifacts keeps those).
const screenshotDirEnv = "HTTPCHECK_SCREENSHOTS"

func TestHTMLInBrowser(t *testing.T) {
	browser := startChromium(t)
	counted := writeReport(t, countedResults())
	// Two runs of a hostile target: the matrix, every hostile string in
	// every place, and a page that must still load nothing and run nothing
	// but its own script.
	hostile := writeReport(t, hostileResults(), hostileResults())

	t.Run("filters", func(t *testing.T) {
		tab := openReport(t, browser, counted, "")
		if got := visibleChecks(t, tab); !slices.Equal(got, countedInPageOrder) {
			t.Fatalf("unfiltered page shows %q, want all %q", got, countedInPageOrder)
		}
		do(t, tab, chromedp.SendKeys(chromedp.CSS("#f-q"), "ETAG"))
		expectShown(t, tab, []string{"conditional/etag/weak-compare"}, "Showing 1 of 7 checks.", "#q=ETAG")
		choose(t, tab, "f-state", "failed")
		expectShown(t, tab, nil, "Showing 0 of 7 checks.", "#q=ETAG&state=failed")
		do(t, tab, chromedp.Click(chromedp.CSS("#f-reset")))
		expectShown(t, tab, countedInPageOrder, "Showing all 7 checks.", "")
		choose(t, tab, "f-level", "must")
		choose(t, tab, "f-suite", "conditional")
		expectShown(t, tab, []string{"conditional/transport/reset", "conditional/precedence/inm-over-ims"}, "Showing 2 of 7 checks.", "#level=must&suite=conditional")
		noTrouble(t, tab)
	})

	// A filtered view is a link: opening it restores the controls and the
	// view. Words search ids, titles and messages, in any case and order.
	linkedViews(t, browser, counted, "link#", visibleChecks, []linkedView{
		{"state=problems", []string{"cookies/delete/expired", "conditional/transport/reset"}},
		{"state=passed&suite=cookies", []string{"cookies/parse/expires", "cookies/parse/max-age"}},
		{"level=should", []string{"cookies/limits/4096"}},
		{"q=peer+RESET", []string{"conditional/transport/reset"}},
		{"q=title+of+cookies%2Fparse", []string{"cookies/parse/expires", "cookies/parse/max-age"}},
		{"suite=nonesuch", countedInPageOrder}, // a suite the page lacks filters nothing
	})

	// A run with --baseline: its marks are a filter too.
	baselined := countedResults()
	for i := range baselined.Checks {
		switch baselined.Checks[i].ID {
		case "cookies/delete/expired":
			baselined.Checks[i].Baseline = reports.BaselineNew
		case "cookies/parse/expires":
			baselined.Checks[i].Baseline = reports.BaselineFixed
		}
	}
	linkedViews(t, browser, writeReport(t, baselined), "baseline#", visibleChecks, []linkedView{
		{"baseline=new", []string{"cookies/delete/expired"}},
		{"baseline=fixed", []string{"cookies/parse/expires"}},
		{"baseline=known", nil},
	})

	t.Run("permalinks", func(t *testing.T) {
		tab := openReport(t, browser, counted, "t1-c5")
		expectTarget(t, tab, "t1-c5", "cookies/parse/expires")
		// Following a link to a check the filter hides, as from the
		// verdict banner, shows every check again and scrolls to it.
		do(t, tab, script(`location.hash = "#state=failed"`))
		expectShown(t, tab, []string{"cookies/delete/expired"}, "Showing 1 of 7 checks.", "#state=failed")
		do(t, tab, script(`location.hash = "#t1-c7"`))
		expectTarget(t, tab, "t1-c7", "conditional/etag/weak-compare")
		if n := len(visibleChecks(t, tab)); n != 7 {
			t.Errorf("after following a permalink, %d checks shown, want 7", n)
		}
		// Each check's heading links to the check.
		do(t, tab, chromedp.Click(chromedp.CSS("#t1-c2 a.permalink")))
		expectTarget(t, tab, "t1-c2", "conditional/transport/reset")
		noTrouble(t, tab)
	})

	t.Run("keyboard", func(t *testing.T) {
		tab := openReport(t, browser, counted, "")
		// The verdict banner's links to the failures come first, then the
		// filter's controls in the order they read.
		want := []string{"f-q", "f-state", "f-level", "f-suite", "f-reset"}
		var got []string
		for range 10 {
			do(t, tab, chromedp.KeyEvent(kb.Tab))
			id := eval[string](t, tab, `document.activeElement.id || document.activeElement.tagName`)
			if len(got) > 0 || id == want[0] {
				got = append(got, id)
			}
			if len(got) == len(want) {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("Tab reaches %q, want %q", got, want)
		}
		labelled := eval[[]string](t, tab, `Array.from(document.querySelectorAll("#filters input, #filters select")).filter(function (c) { return c.labels.length === 1 && c.labels[0].textContent.trim() !== ""; }).map(function (c) { return c.id; })`)
		if !slices.Equal(labelled, want[:4]) {
			t.Errorf("controls with a label: %q, want %q", labelled, want[:4])
		}
		if live := eval[string](t, tab, `document.getElementById("f-shown").getAttribute("aria-live")`); live != "polite" {
			t.Errorf("the count of shown checks has aria-live=%q, want polite", live)
		}
		noTrouble(t, tab)
	})

	t.Run("hostile", func(t *testing.T) {
		tab := openReport(t, browser, hostile, "")
		if n := eval[int](t, tab, `document.querySelectorAll("script, img, iframe, object, embed").length`); n != 1 {
			t.Errorf("the page holds %d scripts and embedded objects, want the report's one script", n)
		}
		// The hostile strings are text the search finds.
		do(t, tab, chromedp.SendKeys(chromedp.CSS("#f-q"), "<script>"))
		if n := len(visibleChecks(t, tab)); n == 0 {
			t.Error("searching for a hostile string found no check")
		}
		do(t, tab, script(`document.querySelectorAll("details").forEach(function (d) { d.open = true; })`))
		noTrouble(t, tab)
	})

	// A crawl's site view: its table of URLs, worst first, sorted by a
	// column's button and filtered by its own controls, both kept in the
	// fragment.
	site := writeReport(t, siteResults())
	t.Run("site", func(t *testing.T) {
		tab := openReport(t, browser, site, "")
		if got := visibleRows(t, tab); !slices.Equal(got, siteInPageOrder) {
			t.Fatalf("the table shows %q, want %q", got, siteInPageOrder)
		}
		if n := eval[int](t, tab, `document.querySelectorAll("#urls button.sort:enabled").length`); n != 8 {
			t.Errorf("%d sort buttons enabled, want the 8 columns'", n)
		}
		byLifetime := []string{"/missing", "/old", "/fonts/a.woff2", "/api/data.json", "/", "/assets/app.1a2b3c4d.js", "/sitemap.xml", "/img/logo.png", "/assets/app.1a2b3c4d.css"}
		sortBy(t, tab, "Lifetime")
		expectRows(t, tab, byLifetime, "Showing all 9 URLs.", "#sort=lifetime")
		if got := eval[string](t, tab, `document.querySelector("th[aria-sort]").textContent + " " + document.querySelector("th[aria-sort]").getAttribute("aria-sort")`); got != "Lifetime ascending" {
			t.Errorf("aria-sort says %q", got)
		}
		sortBy(t, tab, "Lifetime")
		expectRows(t, tab, []string{"/assets/app.1a2b3c4d.css", "/img/logo.png", "/assets/app.1a2b3c4d.js", "/sitemap.xml", "/", "/api/data.json", "/fonts/a.woff2", "/missing", "/old"},
			"Showing all 9 URLs.", "#sort=-lifetime")
		sortBy(t, tab, "Status")
		expectRows(t, tab, []string{"/api/data.json", "/", "/assets/app.1a2b3c4d.js", "/img/logo.png", "/fonts/a.woff2", "/assets/app.1a2b3c4d.css", "/sitemap.xml", "/old", "/missing"},
			"Showing all 9 URLs.", "#sort=status")
		// The filter narrows the rows and keeps the sort.
		choose(t, tab, "f-urls", "problems")
		expectRows(t, tab, []string{"/api/data.json", "/", "/assets/app.1a2b3c4d.js", "/img/logo.png", "/fonts/a.woff2"}, "Showing 5 of 9 URLs.", "#urls=problems&sort=status")
		do(t, tab, chromedp.SendKeys(chromedp.CSS("#f-u"), "ASSETS"))
		expectRows(t, tab, []string{"/assets/app.1a2b3c4d.js"}, "Showing 1 of 9 URLs.", "#u=ASSETS&urls=problems&sort=status")
		do(t, tab, chromedp.Click(chromedp.CSS("#f-reset")))
		expectRows(t, tab, siteInPageOrder, "Showing all 9 URLs.", "")
		choose(t, tab, "f-type", "html")
		expectRows(t, tab, []string{"/", "/missing"}, "Showing 2 of 9 URLs.", "#type=html")
		// A row links to its URL's failures, and following it shows them.
		do(t, tab, chromedp.Click(chromedp.CSS(`#urls tbody tr:not([hidden]) td.u a`)))
		if got := eval[string](t, tab, `(function () { var s = document.querySelector(":target"), r = s.getBoundingClientRect(); return s.querySelector("h3 code").textContent + (r.top >= 0 && r.top < innerHeight ? " in view" : ""); })()`); got != "http://127.0.0.1:8080/ in view" {
			t.Errorf("the row's link targets %q, want the failures of / in view", got)
		}
		// The check filter hides a URL's section when it hides all its checks.
		do(t, tab, script(`location.hash = "#level=advisory"`))
		if got := eval[[]string](t, tab, `Array.from(document.querySelectorAll("section.url")).filter(function (s) { return !s.hidden; }).map(function (s) { return s.querySelector("h3 code").textContent; })`); !slices.Equal(got, []string{"http://127.0.0.1:8080/img/logo.png"}) {
			t.Errorf("level=advisory leaves the sections of %q, want /img/logo.png's", got)
		}
		noTrouble(t, tab)
	})
	linkedViews(t, browser, site, "site#", visibleRows, []linkedView{
		{"urls=none", []string{"/missing", "/old"}},
		{"sort=-url&type=stylesheet", []string{"/assets/app.1a2b3c4d.css"}},
		{"sort=url&urls=passed", []string{"/assets/app.1a2b3c4d.css", "/sitemap.xml"}},
		{"sort=nonesuch", siteInPageOrder}, // a column the table lacks sorts nothing
	})

	t.Run("screenshots", func(t *testing.T) {
		for _, page := range []struct{ name, file, fragment string }{{"report", counted, ""}, {"site", site, "site-urls"}} {
			for _, width := range []int64{1280, 420} {
				tab := openReport(t, browser, page.file, page.fragment)
				do(t, tab, chromedp.EmulateViewport(width, 900))
				png, err := chromedp.Run(tab.ctx, chromedp.CaptureScreenshot())
				if err != nil {
					t.Fatalf("%s: screenshot at %d px: %v", page.name, width, err)
				}
				if overflow := eval[bool](t, tab, `document.documentElement.scrollWidth > window.innerWidth`); overflow {
					t.Errorf("%s: at %d px the page scrolls sideways", page.name, width)
				}
				saveScreenshot(t, fmt.Sprintf("%s-%d.png", page.name, width), png)
				noTrouble(t, tab)
			}
		}
	})
}

// chromiumPath finds Debian's chromium (or another Chromium or Chrome on
// PATH), or skips the test saying what is missing.
func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on PATH: install Debian's chromium (.ci/run does) to run the browser tests")
	return ""
}

// startChromium starts one headless browser for the test and its subtests.
// The flags keep it off the network, which is closed here: without them
// Chromium reaches for Google's hosts (updates, sync, field trials, QUIC).
func startChromium(t *testing.T) context.Context {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", chromiumPath(t), err)
	}
	return ctx
}

// writeReport writes rs to index.html in a directory of its own and
// returns the file's URL.
func writeReport(t *testing.T, rs ...*reports.Results) string {
	path := filepath.Join(t.TempDir(), "index.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := reports.WriteHTML(f, rs...); err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(path)
}

// reportTab is a tab showing a report, with what the page did so far.
type reportTab struct {
	ctx  context.Context
	file string // the report's URL, without fragment

	mu       sync.Mutex
	requests []string // every URL the page asked for
	troubles []string // console errors, exceptions, dialogs
}

// openReport opens file in a new tab of browser, with fragment after "#"
// if it is not "", and waits for the page to load.
func openReport(t *testing.T, browser context.Context, file, fragment string) *reportTab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	tab := &reportTab{ctx: ctx, file: file}
	if err := chromedp.Listen(ctx, tab.record); err != nil {
		t.Fatalf("listening to the tab: %v", err)
	}
	url := file
	if fragment != "" {
		url += "#" + fragment
	}
	// The script shows the filter bar: waiting for it waits for the
	// script, with a bound of its own so a script that never runs fails
	// this tab, not the whole browser's deadline.
	loaded, cancelLoad := context.WithTimeout(ctx, 10*time.Second)
	defer cancelLoad()
	if err := chromedp.Do(loaded, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#filters"))); err != nil {
		tab.mu.Lock()
		defer tab.mu.Unlock()
		t.Fatalf("the filter bar did not show, so the script did not run (%v); the page reported %q", err, tab.troubles)
	}
	return tab
}

// record keeps the events a test judges the page by. It runs on the
// tab's reading goroutine, so it only appends.
func (tab *reportTab) record(ev any) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		tab.requests = append(tab.requests, ev.Request.URL+ev.Request.URLFragment)
	case *runtime.EventExceptionThrown:
		tab.troubles = append(tab.troubles, "exception: "+ev.ExceptionDetails.Text+describe(ev.ExceptionDetails.Exception))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			tab.troubles = append(tab.troubles, fmt.Sprintf("console.%s", ev.Type))
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
			tab.troubles = append(tab.troubles, fmt.Sprintf("%s %s: %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text))
		}
	case *page.EventJavascriptDialogOpening:
		tab.troubles = append(tab.troubles, "a dialog opened: "+ev.Message)
	}
}

func describe(o *runtime.RemoteObject) string {
	if o == nil || o.Description == "" {
		return ""
	}
	return " " + o.Description
}

// noTrouble fails t if the page asked for anything but the report itself,
// or logged an error or a warning (a refused script or style included).
func noTrouble(t *testing.T, tab *reportTab) {
	t.Helper()
	tab.mu.Lock()
	defer tab.mu.Unlock()
	if len(tab.requests) == 0 {
		t.Error("no request recorded, not even the report's: is the network domain listened to?")
	}
	for _, u := range tab.requests {
		if base, _, _ := strings.Cut(u, "#"); base != tab.file {
			t.Errorf("the page requested %q; only the report itself (%s) may be loaded", u, tab.file)
		}
	}
	for _, p := range tab.troubles {
		t.Errorf("the page reported: %s", p)
	}
}

// do runs actions in the tab or fails t.
func do(t *testing.T, tab *reportTab, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tab.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// script is an action that runs JavaScript in the tab for its effect.
func script(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](expr)(ctx, tab)
		return err
	})
}

// eval evaluates a JavaScript expression in the tab.
func eval[T any](t *testing.T, tab *reportTab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tab.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// choose picks value in the select with id, as a reader's change would.
func choose(t *testing.T, tab *reportTab, id, value string) {
	t.Helper()
	do(t, tab, chromedp.SetValue(chromedp.CSS("#"+id), value),
		script(fmt.Sprintf(`document.getElementById(%q).dispatchEvent(new Event("change"))`, id)))
}

// visibleChecks lists the ids of the checks the page shows, in page order.
func visibleChecks(t *testing.T, tab *reportTab) []string {
	t.Helper()
	return eval[[]string](t, tab, `Array.from(document.querySelectorAll("article.check")).filter(function (a) { return a.getClientRects().length > 0; }).map(function (a) { return a.querySelector("code.id").textContent; })`)
}

// expectShown checks the shown checks, what the live region says, and the
// fragment that links to the view.
func expectShown(t *testing.T, tab *reportTab, ids []string, says, fragment string) {
	t.Helper()
	if got := visibleChecks(t, tab); !slices.Equal(got, ids) {
		t.Errorf("shown checks %q, want %q", got, ids)
	}
	if got := eval[string](t, tab, `document.getElementById("f-shown").textContent`); got != says {
		t.Errorf("live region says %q, want %q", got, says)
	}
	if got := eval[string](t, tab, `location.hash`); got != fragment {
		t.Errorf("location.hash = %q, want %q", got, fragment)
	}
}

// linkedView is a view a link opens: the fragment, and what it shows.
type linkedView struct {
	fragment string
	want     []string
}

// linkedViews opens file at each view's fragment, in a subtest named
// prefix and the fragment, and checks what shown lists.
func linkedViews(t *testing.T, browser context.Context, file, prefix string, shown func(*testing.T, *reportTab) []string, views []linkedView) {
	for _, v := range views {
		t.Run(prefix+v.fragment, func(t *testing.T) {
			tab := openReport(t, browser, file, v.fragment)
			if got := shown(t, tab); !slices.Equal(got, v.want) {
				t.Errorf("#%s shows %q, want %q", v.fragment, got, v.want)
			}
			noTrouble(t, tab)
		})
	}
}

// visibleRows lists the URLs of the site view's rows the page shows, in
// page order, without the fixture's origin.
func visibleRows(t *testing.T, tab *reportTab) []string {
	t.Helper()
	return eval[[]string](t, tab, `Array.from(document.querySelectorAll("#urls tbody tr")).filter(function (r) { return r.getClientRects().length > 0; }).map(function (r) { return r.cells[0].querySelector("code").textContent.replace("http://127.0.0.1:8080", ""); })`)
}

// sortBy clicks the sort button of the site view's column named name.
func sortBy(t *testing.T, tab *reportTab, name string) {
	t.Helper()
	do(t, tab, script(fmt.Sprintf(`Array.from(document.querySelectorAll("#urls button.sort")).filter(function (b) { return b.textContent === %q; })[0].click()`, name)))
}

// expectRows checks the rows shown, what the table's live region says,
// and the fragment.
func expectRows(t *testing.T, tab *reportTab, urls []string, says, fragment string) {
	t.Helper()
	if got := visibleRows(t, tab); !slices.Equal(got, urls) {
		t.Errorf("shown rows %q, want %q", got, urls)
	}
	if got := eval[string](t, tab, `document.getElementById("f-ushown").textContent`); got != says {
		t.Errorf("the table's live region says %q, want %q", got, says)
	}
	if got := eval[string](t, tab, `location.hash`); got != fragment {
		t.Errorf("location.hash = %q, want %q", got, fragment)
	}
}

// expectTarget checks that the URL's fragment selects the check with
// anchor and id, and that it is shown in the viewport.
func expectTarget(t *testing.T, tab *reportTab, anchor, id string) {
	t.Helper()
	type target struct {
		Anchor, ID string
		InView     bool
	}
	got := eval[target](t, tab, `(function () {
		var a = document.querySelector(":target"), r = a && a.getBoundingClientRect();
		return a ? {Anchor: a.id, ID: a.querySelector("code.id").textContent,
			InView: r.height > 0 && r.top >= 0 && r.top < window.innerHeight} : {};
	})()`)
	if got != (target{anchor, id, true}) {
		t.Errorf("the page targets %+v, want check %s (%s) in view", got, anchor, id)
	}
}

// saveScreenshot writes png to the test's artifact directory and, when
// HTTPCHECK_SCREENSHOTS names one, to that directory too.
func saveScreenshot(t *testing.T, name string, png []byte) {
	dirs := []string{t.ArtifactDir()}
	if d := os.Getenv(screenshotDirEnv); d != "" {
		dirs = append(dirs, d)
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
}
