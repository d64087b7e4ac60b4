package reports

import (
	"cmp"
	"fmt"
	"mime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// siteCheckPrefix starts the id of every site-level check of a crawl: a
// check graded over all the URLs at once, not against one of them.
const siteCheckPrefix = "probe/site/"

// maxHTMLExchanges bounds the exchanges index.html shows for one check. A
// site check of a large crawl holds a few exchanges per URL, thousands in
// all; results.json keeps every one of them.
const maxHTMLExchanges = 100

// evidencePerCheck is how many URLs' failures of one check the site view
// shows with their evidence. A check that fails on every URL of a large
// crawl (nginx's INM-over-IMS precedence) would otherwise be most of the
// page; later failures keep their message, and results.json their
// evidence.
const evidencePerCheck = 20

// The site view of a crawl: the site checks, one row per URL, and each
// URL's failures and errors. Every string in it has been through visible.
type (
	htmlSite struct {
		Start                         string
		Fetched, Probed, SkippedCount int
		Run                           htmlColumn // the summary of every check of the run
		Checks                        []htmlCheck
		SiteProblems                  int
		Rows                          []htmlURLRow
		Types, States                 []htmlBadge // the URL filter's choices
		Sections                      []htmlURLSection
		// ProblemCount counts the per-URL failures and errors shown;
		// OmittedCount the per-URL checks that passed or were skipped,
		// which the table counts and the page does not list.
		ProblemCount, OmittedCount int
		Skipped                    []htmlSkip
		// Shown is every check the page shows: the site checks and
		// the per-URL failures and errors, which the filter acts on.
		Shown []Check
	}
	htmlURLRow struct {
		Anchor   string // the URL's failures and errors, or ""
		URL      string
		Location string // where a redirect pointed
		Type     htmlBadge
		Status   string
		// State is the row's worst verdict, one of a fixed set: failed,
		// error, passed, skipped, or none for a URL not probed.
		State           string
		Lifetime        string
		LifetimeKey     int64 // seconds; -1 for none, -2 for no-store, -3 unknown
		Validators      string
		ValidatorsTitle string
		Failed          string // "2 MUST, 1 SHOULD" or "0"
		FailedKey       int
		Errors          int
		Passed          int
		Skipped         int
	}
	htmlURLSection struct {
		Anchor, URL string
		Checks      []htmlCheck
	}
	htmlSkip struct {
		URL, Reason string
	}
)

// urlFacts is what the site view gathers about one URL.
type urlFacts struct {
	url, target string
	page        *CrawledURL
	checks      []Check
	failed      [3]int // by level: MUST, SHOULD, ADVISORY (unknown levels count as ADVISORY)
	n           counts
}

// newHTMLSite prepares the site view of r, a run with a crawl. anchors
// numbers its checks as checkAnchors does, so links from summary.md and
// the verdict banner land on them.
func newHTMLSite(r *Results, anchors map[[2]string]string) *htmlSite {
	site := &htmlSite{Start: line(r.Crawl.Start), Fetched: len(r.Crawl.Pages), SkippedCount: len(r.Crawl.Skipped)}
	site.Run = htmlColumn{Anchor: "site"}
	site.Run.Summary, site.Run.Total = summaryRows(r.Checks)
	site.Run.HasOther = site.Run.Total.Other > 0

	// One row per URL: the pages the crawl fetched, in its order, then any
	// target it did not find (a URL given beside --crawl, a session page).
	var facts []*urlFacts
	byTarget := map[string]*urlFacts{}
	byURL := map[string]*urlFacts{}
	for i := range r.Crawl.Pages {
		p := &r.Crawl.Pages[i]
		if byURL[p.URL] != nil {
			continue
		}
		f := &urlFacts{url: p.URL, page: p}
		facts = append(facts, f)
		byURL[p.URL] = f
	}
	for _, t := range r.Targets {
		f := byURL[t.Name]
		if f == nil {
			f = byURL[t.URL]
		}
		if f == nil {
			f = &urlFacts{url: cmp.Or(t.URL, t.Name)}
			facts = append(facts, f)
			byURL[f.url] = f
		}
		if f.target == "" {
			f.target = t.Name
			byTarget[t.Name] = f
		}
	}
	var siteChecks []Check
	for _, c := range sortedChecks(r.Checks, compareUrgency) {
		if strings.HasPrefix(c.ID, siteCheckPrefix) {
			siteChecks = append(siteChecks, c)
			continue
		}
		f := byTarget[c.Target]
		if f == nil {
			f = byURL[c.Target]
		}
		if f == nil {
			f = &urlFacts{url: cmp.Or(c.Target, "(no target)"), target: c.Target}
			facts = append(facts, f)
			byTarget[c.Target] = f
		}
		f.checks = append(f.checks, c)
		f.n.add(c.State)
		if c.State == Failed {
			f.failed[min(LevelRank(c.Level), 2)]++
		}
	}
	for _, c := range siteChecks {
		v := newHTMLCheck(&c, anchors[checkKey(c)])
		v.Target = "" // the run names the first URL; the check is about them all
		site.Checks = append(site.Checks, v)
		if isProblem(c.State) {
			site.SiteProblems++
		}
	}
	site.Shown = siteChecks

	// Worst first: failed MUST checks, then SHOULD, then ADVISORY, then
	// errors, then URLs that answered an error status; the crawl's order
	// (by URL) within a tie.
	slices.SortStableFunc(facts, func(a, b *urlFacts) int {
		return cmp.Or(
			cmp.Compare(b.failed[0], a.failed[0]),
			cmp.Compare(b.failed[1], a.failed[1]),
			cmp.Compare(b.failed[2], a.failed[2]),
			cmp.Compare(b.n.Error, a.n.Error),
			cmp.Compare(b.broken(), a.broken()),
		)
	})
	shownWithEvidence := map[string]int{}
	for i, f := range facts {
		row := newHTMLURLRow(f)
		var problems []htmlCheck
		for _, c := range f.checks {
			if isProblem(c.State) {
				v := newHTMLCheck(&c, anchors[checkKey(c)])
				if shownWithEvidence[c.ID]++; shownWithEvidence[c.ID] > evidencePerCheck && len(v.Exchanges) > 0 {
					v.Exchanges, v.MoreExchanges = nil, v.ExchangeCount
					v.Elided = fmt.Sprintf("Evidence in results.json (shown here for the first %d URLs).", evidencePerCheck)
				}
				v.Target = "" // the section names the URL
				problems = append(problems, v)
				site.Shown = append(site.Shown, c)
			} else {
				site.OmittedCount++
			}
		}
		if len(f.checks) > 0 {
			site.Probed++
		}
		if len(problems) > 0 {
			row.Anchor = fmt.Sprintf("u%d", i+1)
			site.Sections = append(site.Sections, htmlURLSection{Anchor: row.Anchor, URL: row.URL, Checks: problems})
			site.ProblemCount += len(problems)
		}
		site.Rows = append(site.Rows, row)
		if !slices.ContainsFunc(site.Types, sameKey(row.Type)) {
			site.Types = append(site.Types, row.Type)
		}
		if b := rowStateBadge(row.State); !slices.ContainsFunc(site.States, sameKey(b)) {
			site.States = append(site.States, b)
		}
	}
	slices.SortFunc(site.Types, func(a, b htmlBadge) int { return slices.Index(urlTypes, a.Key()) - slices.Index(urlTypes, b.Key()) })
	slices.SortFunc(site.States, func(a, b htmlBadge) int { return slices.Index(rowStates, a.Key()) - slices.Index(rowStates, b.Key()) })
	for _, s := range r.Crawl.Skipped {
		site.Skipped = append(site.Skipped, htmlSkip{URL: line(s.URL), Reason: line(s.Reason)})
	}
	return site
}

// broken is 1 for a URL the crawl could not fetch or that answered 4xx or
// 5xx, else 0.
func (f *urlFacts) broken() int {
	if f.page != nil && (f.page.Error != "" || f.page.Status >= 400) {
		return 1
	}
	return 0
}

// newHTMLURLRow prepares the table row of one URL.
func newHTMLURLRow(f *urlFacts) htmlURLRow {
	row := htmlURLRow{URL: line(f.url), Errors: f.n.Error, Passed: f.n.Passed, Skipped: f.n.Skipped, LifetimeKey: -3}
	get := probeGET(f)
	var ctype string
	if f.page != nil {
		ctype = f.page.ContentType
		row.Location = line(f.page.Location)
		switch {
		case f.page.Error != "":
			row.Status = "error"
		case f.page.Status != 0:
			row.Status = strconv.Itoa(f.page.Status)
		}
	}
	if get != nil {
		if ctype == "" {
			ctype = field(get.ResponseHeaders, "Content-Type")
		}
		if row.Status == "" {
			row.Status = strconv.Itoa(get.Status)
		}
		row.Lifetime, row.LifetimeKey = lifetime(get)
		row.Validators, row.ValidatorsTitle = validators(get.ResponseHeaders)
	} else {
		row.Lifetime, row.Validators = "not probed", "not probed"
	}
	row.Type = typeBadge(urlType(ctype))
	switch {
	case f.n.Failed > 0:
		row.State = "failed"
	case f.n.Error > 0:
		row.State = "error"
	case f.n.Passed > 0:
		row.State = "passed"
	case f.n.Skipped > 0 || f.n.Other > 0:
		row.State = "skipped"
	default:
		row.State = "none"
	}
	var parts []string
	for i, n := range f.failed {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, Levels[i]))
		}
	}
	row.Failed = cmp.Or(strings.Join(parts, ", "), "0")
	row.FailedKey = f.failed[0]*1_000_000 + f.failed[1]*1_000 + f.failed[2]
	return row
}

// probeGET is the exchange the site view reads a URL's type, lifetime and
// validators from: the first plain GET of the URL its checks recorded, one
// that asked for nothing conditional and got an answer.
func probeGET(f *urlFacts) *Exchange {
	for i := range f.checks {
		for j := range f.checks[i].Exchanges {
			x := &f.checks[i].Exchanges[j]
			if x.Method != "GET" || x.Status == 0 || x.Error != "" || (x.URL != f.url && x.URL != f.target) {
				continue
			}
			if field(x.RequestHeaders, "If-None-Match") != "" || field(x.RequestHeaders, "If-Modified-Since") != "" ||
				field(x.RequestHeaders, "Range") != "" {
				continue
			}
			return x
		}
	}
	return nil
}

// field is the first value of the named header field, or "".
func field(hs [][2]string, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

// fields is every value of the named header field.
func fields(hs [][2]string, name string) []string {
	var out []string
	for _, h := range hs {
		if strings.EqualFold(h[0], name) {
			out = append(out, h[1])
		}
	}
	return out
}

// The URL types of the site view, in the order the filter offers them.
var urlTypes = []string{"html", "script", "stylesheet", "image", "font", "json", "other"}

// urlType sorts a Content-Type into one of urlTypes.
func urlType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	switch {
	case mt == "text/html" || mt == "application/xhtml+xml":
		return "html"
	case strings.HasSuffix(mt, "javascript") || strings.HasSuffix(mt, "ecmascript"):
		return "script"
	case mt == "text/css":
		return "stylesheet"
	case strings.HasPrefix(mt, "image/"):
		return "image"
	case strings.HasPrefix(mt, "font/") || strings.HasPrefix(mt, "application/font-") ||
		strings.HasPrefix(mt, "application/x-font-") || mt == "application/vnd.ms-fontobject":
		return "font"
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return "json"
	}
	return "other"
}

// typeBadge is the label of a URL type; the key is one of urlTypes.
func typeBadge(key string) htmlBadge {
	text := map[string]string{"html": "HTML", "json": "JSON"}[key]
	return htmlBadge{Text: cmp.Or(text, key), Class: "y-" + key}
}

// The states of a row, most urgent first.
var rowStates = []string{"failed", "error", "passed", "skipped", "none"}

// rowStateBadge is what the URL filter calls rows in a state.
func rowStateBadge(state string) htmlBadge {
	text := map[string]string{"failed": "with failures", "error": "with errors, no failures",
		"passed": "passing", "skipped": "every check skipped", "none": "not probed"}[state]
	return htmlBadge{Text: text, Class: "r-" + state}
}

// lifetime is how long the response says it may be reused, as the site
// view shows it (max-age, s-maxage, or Expires less Date, with no-cache,
// no-store and immutable), and that lifetime in seconds for sorting: -1
// when it gives none, -2 for no-store.
func lifetime(x *Exchange) (string, int64) {
	cc := cachecontrol.Parse(fields(x.ResponseHeaders, "Cache-Control"))
	if cc.NoStore() {
		return "no-store", -2
	}
	var parts []string
	key := int64(-1)
	if noCache, _ := cc.NoCache(); noCache {
		parts, key = append(parts, "no-cache"), 0
	}
	maxAge, hasMaxAge := cc.MaxAge()
	sMaxAge, hasSMaxAge := cc.SMaxAge()
	if hasMaxAge {
		parts, key = append(parts, "max-age "+humanSeconds(maxAge)), int64(maxAge/time.Second)
	}
	if hasSMaxAge {
		parts = append(parts, "s-maxage "+humanSeconds(sMaxAge))
		if !hasMaxAge {
			key = int64(sMaxAge / time.Second)
		}
	}
	if !hasMaxAge && !hasSMaxAge {
		if v := field(x.ResponseHeaders, "Expires"); v != "" {
			exp, ok := httpdate.Parse(v)
			date, dok := httpdate.Parse(field(x.ResponseHeaders, "Date"))
			if !dok {
				date = x.Received
			}
			switch {
			case !ok:
				parts, key = append(parts, "Expires (invalid: already stale)"), 0
			case !exp.After(date):
				parts, key = append(parts, "Expires in the past"), 0
			default:
				d := exp.Sub(date)
				parts, key = append(parts, "Expires "+humanSeconds(d)), int64(d/time.Second)
			}
		}
	}
	if cc.Immutable() {
		parts = append(parts, "immutable")
	}
	if len(parts) == 0 {
		return "none", -1
	}
	return strings.Join(parts, ", "), key
}

// humanSeconds shows a lifetime in its largest whole unit: 1y, 30d, 2h,
// 10m, 45s (a year being 365 days).
func humanSeconds(d time.Duration) string {
	s := int64(d / time.Second)
	for _, u := range []struct {
		secs int64
		unit string
	}{{365 * 86400, "y"}, {86400, "d"}, {3600, "h"}, {60, "m"}} {
		if s >= u.secs && s%u.secs == 0 {
			return strconv.FormatInt(s/u.secs, 10) + u.unit
		}
	}
	return strconv.FormatInt(s, 10) + "s"
}

// validators names the validators a response carries, and their values
// for the cell's title.
func validators(hs [][2]string) (names, values string) {
	var ns, vs []string
	if e := field(hs, "ETag"); e != "" {
		n := "ETag"
		if strings.HasPrefix(e, "W/") {
			n = "ETag (weak)"
		}
		ns, vs = append(ns, n), append(vs, "ETag: "+line(e))
	}
	if lm := field(hs, "Last-Modified"); lm != "" {
		ns, vs = append(ns, "Last-Modified"), append(vs, "Last-Modified: "+line(lm))
	}
	if len(ns) == 0 {
		return "none", ""
	}
	return strings.Join(ns, ", "), strings.Join(vs, "\n")
}
