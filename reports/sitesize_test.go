package reports_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/httpcheck/httpcheck/reports"
)

// measureSiteEnv names how many URLs TestSiteReportLoad's synthetic crawl
// has, or the report directory of a real crawl whose index.html it opens;
// the test skips without it. It measures, and asserts nothing about time
// (docs/benchmarks.md has the figures):
//
//	HTTPCHECK_MEASURE_SITE=2000 go test ./reports -run TestSiteReportLoad -v
//	HTTPCHECK_MEASURE_SITE=/tmp/crawl-report go test ./reports -run TestSiteReportLoad -v
const measureSiteEnv = "HTTPCHECK_MEASURE_SITE"

// TestSiteReportLoad writes the report of a synthetic crawl of
// $HTTPCHECK_MEASURE_SITE URLs, every one failing a MUST check as nginx's
// defaults make it (the worst case for size: failures are listed with
// their evidence), opens it in headless chromium as a file, and logs the
// file's size, the time to DOMContentLoaded, to the first paint and to the
// filter script being ready, and how long a filter and a sort of the
// table take. Three rounds, each in a fresh tab.
func TestSiteReportLoad(t *testing.T) {
	env := os.Getenv(measureSiteEnv)
	n, err := strconv.Atoi(env)
	var dir string
	switch {
	case err == nil && n > 0:
		r := syntheticSite(n, true)
		dir = t.TempDir()
		start := time.Now()
		if err := reports.WriteAll(dir, r); err != nil {
			t.Fatal(err)
		}
		t.Logf("%d URLs, %d checks: reports written in %v", n, len(r.Checks), time.Since(start).Round(time.Millisecond))
	case env != "":
		// The report directory of a real crawl: its index.html.
		dir, n = env, -1
	default:
		t.Skipf("set %s to a number of URLs, or to the report directory of a real crawl, to measure the site report's load", measureSiteEnv)
	}
	for _, name := range []string{"index.html", "results.json"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Logf("%s: %.1f MB", name, float64(fi.Size())/1e6)
		}
	}
	type timing struct {
		DOMContentLoaded, Load, FirstPaint float64
		Rows                               int
	}
	file := "file://" + filepath.ToSlash(filepath.Join(dir, "index.html"))
	browser := startChromium(t)
	const timings = `(function () {
			var nav = performance.getEntriesByType("navigation")[0];
			var paint = performance.getEntriesByName("first-contentful-paint")[0];
			return {DOMContentLoaded: nav.domContentLoadedEventEnd, Load: nav.loadEventEnd,
				FirstPaint: paint ? paint.startTime : -1, Rows: document.querySelectorAll("#urls tbody tr").length};
		})()`
	// The page as a reader without script gets it: parsing and the first
	// paint alone.
	{
		ctx, cancel := chromedp.NewContext(browser)
		noScript := chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
			_, err := cdp.Call(ctx, tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		})
		err := chromedp.Do(ctx, noScript, chromedp.Navigate(file))
		var tm timing
		if err == nil {
			tm, err = chromedp.Run(ctx, chromedp.Evaluate[timing](timings))
		}
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("without script: DOMContentLoaded %.0f ms, first paint %.0f ms, load %.0f ms", tm.DOMContentLoaded, tm.FirstPaint, tm.Load)
	}
	for round := 1; round <= 3; round++ {
		begin := time.Now()
		tab := openReport(t, browser, file, "")
		ready := time.Since(begin)
		tm := eval[timing](t, tab, timings)
		if n > 0 && tm.Rows != n {
			t.Fatalf("the table has %d rows, want %d", tm.Rows, n)
		}
		filter := eval[float64](t, tab, `(function () {
			var t0 = performance.now(), c = document.getElementById("f-urls");
			c.value = "problems";
			c.dispatchEvent(new Event("change"));
			document.body.offsetHeight;
			return performance.now() - t0;
		})()`)
		sorted := eval[float64](t, tab, `(function () {
			var t0 = performance.now();
			Array.from(document.querySelectorAll("#urls button.sort")).filter(function (b) { return b.textContent === "Lifetime"; })[0].click();
			document.body.offsetHeight;
			return performance.now() - t0;
		})()`)
		t.Logf("round %d, %d rows: DOMContentLoaded %.0f ms, first paint %.0f ms, load %.0f ms; filter bar shown (script ready) %v after navigating; filter %.0f ms, sort %.0f ms",
			round, tm.Rows, tm.DOMContentLoaded, tm.FirstPaint, tm.Load, ready.Round(time.Millisecond), filter, sorted)
		noTrouble(t, tab)
		if err := chromedp.Cancel(tab.ctx); err != nil {
			t.Log(err)
		}
	}
}
