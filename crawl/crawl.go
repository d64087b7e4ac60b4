// Package crawl discovers the URLs of a site from a start URL, for
// `httpcheck probe --crawl` (issue 17): the links of its HTML pages and
// stylesheets, its sitemaps, and the redirects it answers with, on the
// start URL's origin only. It is bounded against hostile sites: a page
// budget and a depth limit end link loops and infinite calendars, a byte
// cap ends huge pages, a per-request timeout ends slow ones, a hop limit
// ends redirect chains, and every URL it does not fetch is listed with
// the reason. It knows nothing of the checks: it returns URLs.
package crawl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options bound a crawl. The zero value is usable: Crawl fills in the
// defaults below.
type Options struct {
	MaxPages     int              // URLs fetched at most (default 200)
	MaxDepth     int              // link hops from the start URL at most (0: no limit)
	Include      []*regexp.Regexp // when given, only URLs one of them matches
	Exclude      []*regexp.Regexp // URLs none of them may match
	Concurrency  int              // requests in flight at once (default 4)
	Rate         float64          // requests per second at most (0: no limit)
	IgnoreRobots bool             // fetch what robots.txt disallows
	Timeout      time.Duration    // per request (default 10s)
	MaxBytes     int64            // bytes read of one body at most (default 2 MiB)
	MaxRedirects int              // redirect hops followed from one URL at most (default 10)
	Header       http.Header      // sent with every request
	Client       *http.Client     // its transport is used (TLS trust, host map); nil: http.DefaultTransport
	Progress     io.Writer        // progress lines, when not nil
}

const userAgent = "httpcheck-crawl"

func (o Options) withDefaults() Options {
	if o.MaxPages <= 0 {
		o.MaxPages = 200
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 2 << 20
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 10
	}
	return o
}

// Page is a URL the crawl fetched.
type Page struct {
	URL         string `json:"url"`
	Depth       int    `json:"depth"`
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Location    string `json:"location,omitempty"`  // where a redirect pointed
	Truncated   bool   `json:"truncated,omitempty"` // the body was longer than MaxBytes
	Error       string `json:"error,omitempty"`     // the transport failure, when it failed
}

// Redirect reports whether the page answered with a redirect.
func (p Page) Redirect() bool { return p.Status >= 300 && p.Status < 400 && p.Location != "" }

// OK reports whether the page is a 2xx answer worth grading.
func (p Page) OK() bool { return p.Error == "" && p.Status >= 200 && p.Status < 300 }

// Skip is a URL the crawl found and did not fetch, with the reason.
type Skip struct {
	URL    string `json:"url"`
	Reason string `json:"reason"`
}

// Result is what a crawl found, in URL order.
type Result struct {
	Start   string `json:"start"`
	Pages   []Page `json:"pages"`
	Skipped []Skip `json:"skipped,omitempty"`
}

// Targets returns the URLs of the 2xx pages: what the probe grades.
func (r *Result) Targets() []string {
	var out []string
	for _, p := range r.Pages {
		if p.OK() {
			out = append(out, p.URL)
		}
	}
	return out
}

// Failures counts the pages that failed: transport errors and 4xx/5xx.
func (r *Result) Failures() int {
	n := 0
	for _, p := range r.Pages {
		if p.Error != "" || p.Status >= 400 {
			n++
		}
	}
	return n
}

// Crawl fetches start and what it links to on its origin, breadth first,
// within opt's bounds. The error is for a start URL that cannot be
// crawled at all; a page that fails is a Page with its Error.
func Crawl(ctx context.Context, start string, opt Options) (*Result, error) {
	su, err := url.Parse(start)
	if err != nil || (su.Scheme != "http" && su.Scheme != "https") || su.Host == "" {
		return nil, fmt.Errorf("crawl: %q is not an http or https URL", start)
	}
	su.Fragment = ""
	c := newCrawler(ctx, su, opt.withDefaults())
	c.readRobots()
	c.offer(su.String(), 0, 0)
	for _, u := range c.readSitemaps() {
		c.offer(u, 1, 0)
	}
	for depth := 0; len(c.queue) > 0 && ctx.Err() == nil; depth++ {
		level := c.queue
		c.queue = nil
		c.fetchLevel(level)
	}
	c.progress(true)
	return c.result(), ctx.Err()
}

// item is a URL waiting to be fetched.
type item struct {
	url   string
	depth int
	hops  int // redirects that led here
}

type crawler struct {
	ctx    context.Context
	origin *url.URL
	opt    Options
	client *http.Client
	robots *robots
	pace   *pacer

	mu      sync.Mutex
	seen    map[string]bool
	queue   []item
	pages   []Page
	skipped []Skip
	fetched int // URLs taken from the budget
}

func newCrawler(ctx context.Context, origin *url.URL, opt Options) *crawler {
	var rt http.RoundTripper = http.DefaultTransport
	if opt.Client != nil && opt.Client.Transport != nil {
		rt = opt.Client.Transport
	}
	client := &http.Client{Transport: rt, Timeout: opt.Timeout,
		// Redirects are links the crawl records and follows itself, so
		// that each hop is checked against the origin and the bounds.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &crawler{ctx: ctx, origin: origin, opt: opt, client: client,
		pace: newPacer(opt.Rate), seen: map[string]bool{}}
}

// offer queues u unless it was seen, is off the origin or outside the
// bounds, in which case it is listed as skipped with the reason.
func (c *crawler) offer(raw string, depth, hops int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	u, reason := c.admit(raw, depth)
	key := raw
	if u != nil {
		key = u.String()
	}
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	if reason == "" && c.fetched >= c.opt.MaxPages {
		reason = fmt.Sprintf("over --max-pages %d", c.opt.MaxPages)
	}
	if reason != "" {
		c.skipped = append(c.skipped, Skip{URL: key, Reason: reason})
		return
	}
	c.fetched++
	c.queue = append(c.queue, item{url: key, depth: depth, hops: hops})
}

// admit normalises raw and says why it must not be fetched, if it must
// not.
func (c *crawler) admit(raw string, depth int) (*url.URL, string) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, "not a URL: " + err.Error()
	}
	u.Fragment = ""
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, "scheme " + u.Scheme + ": not fetched"
	case u.Scheme != c.origin.Scheme || !strings.EqualFold(u.Host, c.origin.Host):
		return u, "another origin"
	case c.opt.MaxDepth > 0 && depth > c.opt.MaxDepth:
		return u, fmt.Sprintf("deeper than --max-depth %d", c.opt.MaxDepth)
	case len(c.opt.Include) > 0 && !matchesAny(c.opt.Include, u.String()):
		return u, "matches no --include"
	case matchesAny(c.opt.Exclude, u.String()):
		return u, "matches --exclude"
	case !c.opt.IgnoreRobots && !c.robots.allows(u):
		return u, "disallowed by robots.txt"
	}
	return u, ""
}

func matchesAny(res []*regexp.Regexp, s string) bool {
	return slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(s) })
}

// fetchLevel fetches one depth's URLs, Concurrency at a time, and queues
// what they link to.
func (c *crawler) fetchLevel(level []item) {
	work := make(chan item)
	var wg sync.WaitGroup
	for range c.opt.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				c.visit(it)
			}
		}()
	}
	for _, it := range level {
		if c.ctx.Err() != nil {
			break
		}
		work <- it
	}
	close(work)
	wg.Wait()
}

// visit fetches one URL, records it and offers what it links to.
func (c *crawler) visit(it item) {
	if err := c.pace.wait(c.ctx); err != nil {
		return
	}
	page, body := c.fetch(it.url)
	page.Depth = it.depth
	c.mu.Lock()
	c.pages = append(c.pages, page)
	c.mu.Unlock()
	c.progress(false)
	if page.Redirect() {
		c.followRedirect(page, it)
		return
	}
	if !page.OK() {
		return
	}
	base, _ := url.Parse(page.URL)
	for _, l := range links(base, page.ContentType, body) {
		c.offer(l, it.depth+1, 0)
	}
}

// followRedirect offers a redirect's target at the same depth, within the
// hop limit.
func (c *crawler) followRedirect(page Page, it item) {
	if it.hops+1 > c.opt.MaxRedirects {
		c.mu.Lock()
		c.skipped = append(c.skipped, Skip{URL: page.Location,
			Reason: fmt.Sprintf("redirect chain longer than %d hops", c.opt.MaxRedirects)})
		c.mu.Unlock()
		return
	}
	c.offer(page.Location, it.depth, it.hops+1)
}

// fetch GETs u and reads at most MaxBytes of its body.
func (c *crawler) fetch(u string) (Page, []byte) {
	page := Page{URL: u}
	resp, err := c.get(u)
	if err != nil {
		page.Error = describe(err)
		return page, nil
	}
	defer resp.Body.Close()
	page.Status, page.ContentType = resp.StatusCode, resp.Header.Get("Content-Type")
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if l, err := resp.Request.URL.Parse(loc); err == nil {
			page.Location = l.String()
		}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opt.MaxBytes+1))
	if int64(len(body)) > c.opt.MaxBytes {
		body, page.Truncated = body[:c.opt.MaxBytes], true
	} else if err != nil {
		page.Error = describe(err)
	}
	return page, body
}

func (c *crawler) get(u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	for k, vs := range c.opt.Header {
		req.Header[k] = vs
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", userAgent)
	}
	return c.client.Do(req)
}

// describe turns a transport error into a short reason.
func describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Timeout() {
		return "timed out"
	}
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// progress prints pages done, queued and failures: every 25 pages, and at
// the end.
func (c *crawler) progress(final bool) {
	if c.opt.Progress == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	done := len(c.pages)
	if !final && done%25 != 0 {
		return
	}
	r := Result{Pages: c.pages}
	word := "crawling"
	if final {
		word = "crawled"
	}
	fmt.Fprintf(c.opt.Progress, "httpcheck: %s %s: %d pages done, %d queued, %d failures, %d skipped\n",
		word, c.origin.Host, done, c.fetched-done, r.Failures(), len(c.skipped))
}

func (c *crawler) result() *Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := &Result{Start: c.origin.String(), Pages: slices.Clone(c.pages), Skipped: slices.Clone(c.skipped)}
	slices.SortFunc(r.Pages, func(a, b Page) int { return strings.Compare(a.URL, b.URL) })
	slices.SortFunc(r.Skipped, func(a, b Skip) int { return strings.Compare(a.URL, b.URL) })
	return r
}

// pacer spaces requests 1/rate apart.
type pacer struct {
	mu    sync.Mutex
	every time.Duration
	next  time.Time
}

func newPacer(rate float64) *pacer {
	if rate <= 0 {
		return &pacer{}
	}
	return &pacer{every: time.Duration(float64(time.Second) / rate)}
}

func (p *pacer) wait(ctx context.Context) error {
	if p.every == 0 {
		return ctx.Err()
	}
	p.mu.Lock()
	now := time.Now()
	at := now
	if p.next.After(now) {
		at = p.next
	}
	p.next = at.Add(p.every)
	p.mu.Unlock()
	select {
	case <-time.After(at.Sub(now)):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
