package reports_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/reports"
)

// The per-URL probe checks as a crawl of the fixture site grades them: id,
// level, how many exchanges each keeps, and whether it is skipped on a URL
// that sets no cookie and sends no Vary (most of them).
var probeChecks = []struct {
	id        string
	level     reports.Level
	exchanges int
	skipped   bool
}{
	{"probe/age/delta-seconds", reports.Must, 1, true},
	{"probe/cache-control/cookie-response-not-shared", reports.Advisory, 1, true},
	{"probe/cache-control/valid-syntax", reports.Should, 1, false},
	{"probe/cookie-security/session-httponly", reports.Advisory, 1, true},
	{"probe/cookie-security/session-samesite", reports.Advisory, 1, true},
	{"probe/cookie-security/session-secure", reports.Advisory, 1, true},
	{"probe/date/accurate", reports.Advisory, 1, false},
	{"probe/date/imf-fixdate", reports.Must, 1, false},
	{"probe/date/present", reports.Must, 1, false},
	{"probe/date/single", reports.Must, 1, false},
	{"probe/expires/agrees-with-max-age", reports.Advisory, 1, true},
	{"probe/expires/imf-fixdate", reports.Must, 1, true},
	{"probe/if-modified-since/304-headers", reports.Must, 2, false},
	{"probe/if-modified-since/304-no-body", reports.Must, 2, false},
	{"probe/if-modified-since/equal-gets-304", reports.Should, 2, false},
	{"probe/if-none-match/304-headers", reports.Must, 2, false},
	{"probe/if-none-match/304-no-body", reports.Must, 2, false},
	{"probe/if-none-match/match-gets-304", reports.Must, 2, false},
	{"probe/if-none-match/star", reports.Must, 2, false},
	{"probe/precedence/inm-match-beats-old-ims", reports.Must, 2, false},
	{"probe/precedence/inm-mismatch-beats-current-ims", reports.Must, 2, false},
	{"probe/set-cookie/expires-agrees-with-max-age", reports.Advisory, 1, true},
	{"probe/set-cookie/lifetime-400-days", reports.Advisory, 1, true},
	{"probe/set-cookie/no-duplicate-attributes", reports.Should, 1, true},
	{"probe/set-cookie/one-cookie-per-name", reports.Should, 1, true},
	{"probe/set-cookie/prefixes", reports.Advisory, 1, true},
	{"probe/set-cookie/samesite-none-secure", reports.Advisory, 1, true},
	{"probe/set-cookie/size-limits", reports.Advisory, 1, true},
	{"probe/set-cookie/valid-syntax", reports.Should, 1, true},
	{"probe/validators/etag-changes-with-content", reports.Must, 2, true},
	{"probe/validators/etag-stable", reports.Should, 2, false},
	{"probe/validators/head-matches-get", reports.Should, 2, false},
	{"probe/validators/last-modified-not-future", reports.Must, 1, false},
	{"probe/vary/narrow", reports.Advisory, 1, true},
	{"probe/vary/no-star", reports.Advisory, 1, true},
	{"probe/vary/no-user-agent", reports.Advisory, 1, true},
}

// The site checks of a crawl, each of which keeps a few exchanges per URL.
var siteCheckIDs = []struct {
	id    string
	level reports.Level
}{
	{"probe/site/compressed-variants-distinct", reports.Should},
	{"probe/site/credential-variance-declared", reports.Should},
	{"probe/site/validators-stable", reports.Should},
	{"probe/site/cookie-attributes-consistent", reports.Advisory},
	{"probe/site/hashed-assets-long-lived", reports.Advisory},
	{"probe/site/html-revalidated", reports.Advisory},
	{"probe/site/session-cookies-hardened", reports.Advisory},
	{"probe/site/unhashed-assets-revalidable", reports.Advisory},
}

// siteURL is one URL of a synthetic crawl: what the crawl saw, the
// response the probe's GET got, and the checks that fail on it.
type siteURL struct {
	path, ctype string
	status      int
	location    string
	header      [][2]string
	body        string
	fail        map[string]string // check id -> message
	errored     map[string]string // check id -> transport error
}

// siteRun makes a crawl run from urls: each 2xx URL gets every probe
// check (failed, errored, skipped or passed), with the exchanges a real
// run keeps; the others are crawled and not probed. The site checks are
// recorded against the first URL, as the probe records them, and fail
// where siteFail says.
func siteRun(base string, urls []siteURL, siteFail map[string]string) *reports.Results {
	r := &reports.Results{Schema: reports.Schema, Tool: "httpcheck v0.1.0", Start: tStart, Duration: 9 * time.Second,
		Redaction: reports.RedactionOn, Crawl: &reports.Crawl{Start: base + "/"}}
	var siteEvidence []reports.Exchange
	for i, u := range urls {
		url := base + u.path
		depth := min(i, 1) + i/50
		r.Crawl.Pages = append(r.Crawl.Pages, reports.CrawledURL{URL: url, Depth: depth, Status: u.status, ContentType: u.ctype, Location: u.location})
		if u.status < 200 || u.status > 299 {
			continue
		}
		r.Targets = append(r.Targets, reports.Target{Name: url, URL: url})
		sent := tStart.Add(time.Duration(i) * time.Millisecond)
		get := reports.Exchange{Method: "GET", URL: url, RequestHeaders: [][2]string{{"Host", "127.0.0.1:8080"}, {"User-Agent", "httpcheck"}},
			Status: u.status, ResponseHeaders: u.header, BodyExcerpt: u.body, Source: "network",
			Note: "the probe's GET: the checks on what the response says grade this answer", Sent: sent, Received: sent.Add(300 * time.Microsecond)}
		conditional := get
		conditional.RequestHeaders = append(conditional.RequestHeaders[:2:2], [2]string{"If-None-Match", `"` + u.path + `"`})
		conditional.Status, conditional.BodyExcerpt, conditional.Note = 304, "", "sent the ETag back"
		siteEvidence = append(siteEvidence, get, get, conditional, conditional)
		for _, pc := range probeChecks {
			c := check(pc.id, pc.level, reports.Passed, "")
			c.Target = url
			c.Exchanges = []reports.Exchange{get}
			if pc.exchanges == 2 {
				c.Exchanges = append(c.Exchanges, conditional)
			}
			switch msg, failed := u.fail[pc.id]; {
			case failed:
				c.State, c.Message = reports.Failed, msg
			case u.errored[pc.id] != "":
				c.State, c.Message = reports.Error, u.errored[pc.id]
				c.Exchanges[len(c.Exchanges)-1].Error = u.errored[pc.id]
			case pc.skipped:
				c.State, c.Message, c.Exchanges = reports.Skipped, "the response carries nothing this check grades", c.Exchanges[:1]
			}
			r.Checks = append(r.Checks, c)
		}
	}
	for _, sc := range siteCheckIDs {
		c := check(sc.id, sc.level, reports.Passed, "")
		if msg, failed := siteFail[sc.id]; failed {
			c.State, c.Message = reports.Failed, msg
		}
		if len(r.Targets) > 0 {
			c.Target = r.Targets[0].Name
		}
		c.Exchanges = siteEvidence
		r.Checks = append(r.Checks, c)
	}
	r.Summarize()
	return r
}

// assetHeader is a response header as the fixture site sends it.
func assetHeader(ctype, cacheControl, etag string) [][2]string {
	h := [][2]string{{"Accept-Ranges", "bytes"}}
	if cacheControl != "" {
		h = append(h, [2]string{"Cache-Control", cacheControl})
	}
	h = append(h, [2]string{"Content-Length", "480"}, [2]string{"Content-Type", ctype}, [2]string{"Date", "Thu, 26 Nov 2026 00:45:32 GMT"})
	if etag != "" {
		h = append(h, [2]string{"Etag", etag})
	}
	return append(h, [2]string{"Last-Modified", "Wed, 01 May 2024 12:00:00 GMT"})
}

// syntheticSite is a crawl of n URLs shaped like the fixture site
// (crawl/crawltest): a quarter of them pages, the rest hashed scripts and
// stylesheets and unhashed images. With failing, every URL fails the
// INM-over-IMS precedence check (MUST), as nginx's defaults make it, and
// every tenth page its HTML lifetime (SHOULD): the worst case for the
// report's size, since failures are listed with their evidence.
func syntheticSite(n int, failing bool) *reports.Results {
	var urls []siteURL
	for i := 0; len(urls) < n; i++ {
		page := fmt.Sprintf(`<!doctype html><html><head><title>Page %d</title><link rel="stylesheet" href="/assets/app-%d.%08x.css"><script src="/assets/app-%d.%08x.js"></script></head><body><img src="/img/logo-%d.png"><a href="/p/%d.html">page %d</a> <a href="/p/%d.html">page %d</a>%s</body></html>`,
			i, i, i*7919, i, i*7919, i, i+1, i+1, i+2, i+2, strings.Repeat(" <p>Lorem ipsum dolor sit amet.</p>", 8))
		for _, u := range []siteURL{
			{path: fmt.Sprintf("/p/%d.html", i), ctype: "text/html; charset=utf-8", header: assetHeader("text/html; charset=utf-8", "private, no-cache", fmt.Sprintf(`"%08x"`, i)), body: page},
			{path: fmt.Sprintf("/assets/app-%d.%08x.css", i, i*7919), ctype: "text/css", header: assetHeader("text/css", "public, max-age=31536000, immutable", fmt.Sprintf(`"c%07x"`, i)), body: "body{background:url(/img/bg.png)}"},
			{path: fmt.Sprintf("/assets/app-%d.%08x.js", i, i*7919), ctype: "text/javascript", header: assetHeader("text/javascript", "public, max-age=31536000, immutable", fmt.Sprintf(`"j%07x"`, i)), body: fmt.Sprintf("console.log(%d)", i)},
			{path: fmt.Sprintf("/img/logo-%d.png", i), ctype: "image/png", header: assetHeader("image/png", "max-age=86400", fmt.Sprintf(`"i%07x"`, i)), body: "\x89PNG\r\n"},
		} {
			if failing {
				u.fail = map[string]string{"probe/precedence/inm-match-beats-old-ims": "expected 304 for a matching If-None-Match with an old If-Modified-Since, observed 200"}
				if i%10 == 0 && strings.HasSuffix(u.path, ".html") {
					u.fail["probe/validators/etag-stable"] = `expected the same ETag on a second GET, observed "1" then "2"`
				}
			}
			u.status = 200
			urls = append(urls, u)
		}
	}
	return siteRun("http://127.0.0.1:8080", urls[:n], nil)
}

// The site the site view's tests read, worst URL first:
//
//	/api/data.json        1 MUST and 1 SHOULD failed
//	/                     1 MUST failed
//	/assets/app.….js      2 SHOULD failed
//	/img/logo.png         1 ADVISORY failed
//	/fonts/a.woff2        1 error
//	/missing              404, not probed
//	/assets/app.….css, /sitemap.xml, /old (a redirect): clean or not probed
var siteInPageOrder = []string{"/api/data.json", "/", "/assets/app.1a2b3c4d.js", "/img/logo.png", "/fonts/a.woff2",
	"/missing", "/assets/app.1a2b3c4d.css", "/old", "/sitemap.xml"}

func siteResults() *reports.Results {
	const date = "Thu, 26 Nov 2026 00:45:32 GMT"
	h := func(kv ...string) [][2]string {
		out := [][2]string{{"Date", date}}
		for i := 0; i < len(kv); i += 2 {
			out = append(out, [2]string{kv[i], kv[i+1]})
		}
		return out
	}
	must, should := "probe/precedence/inm-match-beats-old-ims", "probe/validators/etag-stable"
	return siteRun("http://127.0.0.1:8080", []siteURL{
		{path: "/", status: 200, ctype: "text/html; charset=utf-8", body: "<p>home</p>",
			header: h("Content-Type", "text/html; charset=utf-8", "Cache-Control", "private, no-cache", "ETag", `"home"`),
			fail:   map[string]string{must: "expected 304 for a matching If-None-Match with an old If-Modified-Since, observed 200"}},
		{path: "/api/data.json", status: 200, ctype: "application/json",
			header: h("Content-Type", "application/json"),
			fail:   map[string]string{must: "expected 304, observed 200", "probe/cache-control/valid-syntax": "expected a Cache-Control field"}},
		{path: "/assets/app.1a2b3c4d.css", status: 200, ctype: "text/css",
			header: h("Content-Type", "text/css", "Cache-Control", "public, max-age=31536000, immutable", "ETag", `"css"`, "Last-Modified", date)},
		{path: "/assets/app.1a2b3c4d.js", status: 200, ctype: "text/javascript",
			header: h("Content-Type", "text/javascript", "Cache-Control", "s-maxage=600", "ETag", `W/"js"`),
			fail:   map[string]string{should: `expected the same ETag twice, observed W/"js" then W/"js2"`, "probe/if-modified-since/equal-gets-304": "expected 304, observed 200"}},
		{path: "/fonts/a.woff2", status: 200, ctype: "font/woff2",
			header:  h("Content-Type", "font/woff2", "Cache-Control", "no-store"),
			errored: map[string]string{"probe/if-none-match/star": "read: connection reset by peer"}},
		{path: "/img/logo.png", status: 200, ctype: "image/png",
			header: h("Content-Type", "image/png", "Expires", "Fri, 27 Nov 2026 00:45:32 GMT", "Last-Modified", date),
			fail:   map[string]string{"probe/date/accurate": "expected a Date within a minute of the clock, observed an hour behind"}},
		{path: "/missing", status: 404, ctype: "text/html"},
		{path: "/old", status: 301, location: "http://127.0.0.1:8080/"},
		{path: "/sitemap.xml", status: 200, ctype: "application/xml",
			header: h("Content-Type", "application/xml", "Cache-Control", "max-age=600", "Last-Modified", date)},
	}, map[string]string{"probe/site/html-revalidated": "expected HTML to be revalidated, observed max-age=86400 on /"})
}
