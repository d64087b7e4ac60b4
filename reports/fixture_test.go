package reports_test

import (
	"time"

	"github.com/httpcheck/httpcheck/reports"
)

// Strings a hostile target could send, placed in every field a target
// controls. The renderers must print each of them as text and never let one
// become markup, an attribute or a link.
const (
	xssScript = `<script>alert(1)</script>`
	xssAttr   = `"><img src=x onerror=alert(1)>`
	xssURL    = `javascript:alert(1)`
	badUTF8   = "bad\xff\xfeutf8"
	nulByte   = "nul\x00byte"
	bidi      = "abc\u202edef"
)

// tStart is the fixed start of every fixture run, so outputs are
// deterministic.
var tStart = time.Date(2026, 11, 26, 0, 45, 32, 123456789, time.UTC)

// check makes a check from the fields a case cares about; the suite is the
// id's first segment.
func check(id string, level reports.Level, state reports.State, msg string) reports.Check {
	suite := id
	for i := range id {
		if id[i] == '/' {
			suite = id[:i]
			break
		}
	}
	return reports.Check{
		ID: id, Suite: suite, Title: "title of " + id, Level: level,
		Refs: []string{"RFC9110 13.2.2"}, State: state, Message: msg,
		Duration: 1500 * time.Microsecond,
	}
}

// exchange is one recorded exchange at offset ms after tStart.
func exchange(method, url string, status int, ms int) reports.Exchange {
	sent := tStart.Add(time.Duration(ms) * time.Millisecond)
	return reports.Exchange{
		Method: method, URL: url, Status: status, Source: "network",
		RequestHeaders:  [][2]string{{"Cookie", "a=1"}},
		ResponseHeaders: [][2]string{{"Cache-Control", "max-age=60"}},
		Sent:            sent, Received: sent.Add(3 * time.Millisecond),
	}
}

// countedResults is a run whose counts the summary tests assert:
//
//	cookies     MUST      1 failed, 2 passed
//	cookies     SHOULD    1 skipped
//	conditional MUST      1 error, 1 passed
//	conditional ADVISORY  1 passed
//
// Checks are listed passes first, so ordering tests see the renderer move
// failures up.
func countedResults() *reports.Results {
	r := &reports.Results{
		Schema:   reports.Schema,
		Tool:     "httpcheck v0.1.0",
		Targets:  []reports.Target{{Name: "reference", URL: "http://127.0.0.1:8080/", Manifest: map[string]any{"server": "httpcheck-reference 0.1"}}},
		Start:    tStart,
		Duration: 2*time.Second + 345*time.Millisecond,
		Checks: []reports.Check{
			check("cookies/parse/max-age", reports.Must, reports.Passed, ""),
			check("cookies/parse/expires", reports.Must, reports.Passed, ""),
			check("conditional/precedence/inm-over-ims", reports.Must, reports.Passed, ""),
			check("conditional/etag/weak-compare", reports.Advisory, reports.Passed, ""),
			check("cookies/limits/4096", reports.Should, reports.Skipped, "target declares no cookies/limits"),
			check("conditional/transport/reset", reports.Must, reports.Error, "connection reset by peer"),
			check("cookies/delete/expired", reports.Must, reports.Failed, "expected the cookie gone, observed a=1 still sent"),
		},
	}
	r.Checks[1].Exchanges = []reports.Exchange{exchange("GET", "http://127.0.0.1:8080/cookies/set?name=a", 200, 10)}
	r.Summarize()
	return r
}

// hostileResults is a run in which the target put hostile strings
// everywhere it could, and a results file put them where the tool itself
// writes (tool, refs, state, level), as `httpcheck report --in` reads files
// anyone may have edited.
func hostileResults() *reports.Results {
	all := xssScript + " " + xssAttr + " " + xssURL + " " + badUTF8 + " " + nulByte + " " + bidi
	ex := reports.Exchange{
		Method:          "GET" + xssScript,
		URL:             xssURL,
		RequestHeaders:  [][2]string{{"Cookie", all}, {xssAttr, xssURL}},
		RequestBody:     all,
		Status:          200,
		ResponseHeaders: [][2]string{{"Set-Cookie", all}, {"Location", xssURL}, {"Link", "<" + xssURL + ">; rel=preload"}},
		Interim:         []reports.Interim{{Status: 103, Header: [][2]string{{"Link", "<" + xssURL + ">; rel=preload"}, {xssAttr, xssScript}}}},
		BodyExcerpt:     "<html><body>" + xssScript + "<a href=\"" + xssURL + "\">x</a>" + xssAttr + "\r\n" + nulByte + badUTF8,
		Error:           all,
		Source:          "network" + xssAttr,
		Note:            all,
		Sent:            tStart,
		Received:        tStart.Add(5 * time.Millisecond),
	}
	failed := check("cookies/hostile/failed", reports.Must, reports.Failed, all)
	failed.Title = all
	failed.Refs = []string{"RFC6265bis 5.7", xssURL, `RFC9110 13.2.2"><script>alert(1)</script>`, "OWASP ASVS 3.4.1"}
	failed.Exchanges = []reports.Exchange{ex, ex}
	errored := check("cookies/hostile/"+xssAttr, reports.Level(xssScript), reports.Error, all)
	errored.Exchanges = []reports.Exchange{ex}
	odd := check("cookies/hostile/odd-state", reports.Should, reports.State(xssScript), all)
	skipped := check("cookies/hostile/skipped", reports.Advisory, reports.Skipped, all)
	passed := check("cookies/hostile/passed", reports.Must, reports.Passed, all)
	passed.Exchanges = []reports.Exchange{ex}
	r := &reports.Results{
		Schema: reports.Schema,
		Tool:   "httpcheck " + xssScript,
		Targets: []reports.Target{{
			Name:     all,
			URL:      xssURL,
			Manifest: map[string]any{"server": all, "contract": "httpcheck/1"},
		}},
		Start:    tStart,
		Duration: time.Second,
		Checks:   []reports.Check{passed, skipped, odd, errored, failed},
	}
	r.Summarize()
	return r
}
