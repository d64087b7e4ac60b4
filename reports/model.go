// Package reports holds the results model of a run and renders it.
//
// results.json is the model itself, versioned by Schema; index.html and
// junit.xml are renderings of it, so `httpcheck report` can re-render any
// results file later, or several of them as one checks x targets matrix.
package reports

import "time"

// Schema names the version of the results.json format. Bump it on any
// change that an old reader would misread.
const Schema = "httpcheck-results/1"

// State is the outcome of one check.
type State string

// The states a check can end in. Error means the target misbehaved at the
// transport level (refused, reset, timed out, sent garbage), so the check
// could not grade it: that is not the same as failing it.
const (
	Passed  State = "passed"
	Failed  State = "failed"
	Skipped State = "skipped"
	Error   State = "error"
)

// The values of Results.Redaction.
const (
	RedactionOn  = "on"
	RedactionOff = "off"
)

// Unredacted is the warning every report of a --no-redact run starts
// with: its evidence holds credentials and session values in full.
const Unredacted = "NOT REDACTED (--no-redact): this report holds credentials and session values in full; do not upload or share it"

// Level is how strongly a check's rule binds.
type Level string

// Levels, strongest first. MUST comes from an RFC MUST / MUST NOT or the
// contract's own semantics; SHOULD from an RFC SHOULD; ADVISORY from
// security baselines (OWASP ASVS / WSTG) and browser limits.
const (
	Must     Level = "MUST"
	Should   Level = "SHOULD"
	Advisory Level = "ADVISORY"
)

// Levels lists the levels from strongest to weakest.
var Levels = []Level{Must, Should, Advisory}

// Results is one run: what was tested, when, and every check's verdict.
type Results struct {
	Schema  string    `json:"schema"`
	Tool    string    `json:"tool"`    // "httpcheck vX.Y.Z"
	Targets []Target  `json:"targets"` // usually one; several for a deployment
	Start   time.Time `json:"start"`
	// Redaction says whether credentials and session values were
	// redacted from the run's evidence and messages (reports/redact):
	// RedactionOn, RedactionOff (--no-redact), or "" in a file written
	// before redaction existed.
	Redaction string        `json:"redaction,omitempty"`
	Duration  time.Duration `json:"duration_ns"`
	Summary   Summary       `json:"summary"`
	// Baseline is what --baseline found: known, new and fixed failures,
	// and entries past their date. Nil without a baseline.
	Baseline *BaselineReport `json:"baseline,omitempty"`
	// Crawl is what `httpcheck probe --crawl` found: every URL it
	// fetched and every URL it skipped, with the reason. Nil without
	// --crawl.
	Crawl  *Crawl  `json:"crawl,omitempty"`
	Checks []Check `json:"checks"`
}

// Crawl is the site a probe crawled (crawl.Result, as reports keep it).
type Crawl struct {
	Start   string       `json:"start"`
	Pages   []CrawledURL `json:"pages"`
	Skipped []SkippedURL `json:"skipped,omitempty"`
}

// CrawledURL is a URL the crawl fetched: its answer, where a redirect
// pointed, whether its body was cut at the byte cap, or its transport
// failure.
type CrawledURL struct {
	URL         string `json:"url"`
	Depth       int    `json:"depth"`
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Location    string `json:"location,omitempty"`
	Truncated   bool   `json:"truncated,omitempty"`
	Error       string `json:"error,omitempty"`
}

// SkippedURL is a URL the crawl found and did not fetch.
type SkippedURL struct {
	URL    string `json:"url"`
	Reason string `json:"reason"`
}

// Target is what a run was pointed at.
type Target struct {
	Name     string         `json:"name"` // a label for matrices: "reference", "staging", ...
	URL      string         `json:"url"`
	Manifest map[string]any `json:"manifest,omitempty"` // as the target sent it
}

// Summary counts checks by state, and by level and state.
type Summary struct {
	Total   int                     `json:"total"`
	ByState map[State]int           `json:"by_state"`
	ByLevel map[Level]map[State]int `json:"by_level"`
}

// Check is the verdict of one check.
type Check struct {
	ID    string   `json:"id"` // suite/topic/name
	Suite string   `json:"suite"`
	Title string   `json:"title"`
	Level Level    `json:"level"`
	Refs  []string `json:"refs"` // "RFC6265bis 5.7", "OWASP ASVS 3.4.1"
	// Requirement is the sentence of the RFC or contract the check grades,
	// in its source's words, when the check quotes one (as h2spec prints
	// with a failure).
	Requirement string `json:"requirement,omitempty"`
	State       State  `json:"state"`
	Message     string `json:"message,omitempty"` // expected vs observed, or why skipped
	Target      string `json:"target,omitempty"`  // Target.Name, when a run has several
	// Baseline says how a run with --baseline counts this check:
	// BaselineKnown, BaselineNew or BaselineFixed; empty otherwise.
	Baseline string        `json:"baseline,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	// Exchanges is the evidence: every HTTP exchange the check made.
	Exchanges []Exchange `json:"exchanges,omitempty"`
}

// Exchange is one HTTP request and its response, as the harness saw them.
// Everything in it came from the target or was sent to it; renderers must
// treat every string as untrusted.
type Exchange struct {
	Method          string      `json:"method"`
	URL             string      `json:"url"`
	RequestHeaders  [][2]string `json:"request_headers,omitempty"`
	RequestBody     string      `json:"request_body,omitempty"` // excerpt
	Status          int         `json:"status,omitempty"`
	ResponseHeaders [][2]string `json:"response_headers,omitempty"`
	// Interim holds the 1xx responses that came before the final one
	// (RFC 9110 §15.2), in order: a cache in the middle must forward them.
	Interim     []Interim `json:"interim,omitempty"`
	BodyExcerpt string    `json:"body_excerpt,omitempty"`
	Error       string    `json:"error,omitempty"`  // transport error, if any
	Source      string    `json:"source,omitempty"` // "network", "cache", "revalidated"
	Note        string    `json:"note,omitempty"`   // what the check was doing
	Sent        time.Time `json:"sent"`
	Received    time.Time `json:"received"`
}

// Interim is one informational (1xx) response of an exchange.
type Interim struct {
	Status int         `json:"status"`
	Header [][2]string `json:"headers,omitempty"`
}

// Summarize recomputes r.Summary from r.Checks.
func (r *Results) Summarize() {
	s := Summary{ByState: map[State]int{}, ByLevel: map[Level]map[State]int{}}
	for _, c := range r.Checks {
		s.Total++
		s.ByState[c.State]++
		if s.ByLevel[c.Level] == nil {
			s.ByLevel[c.Level] = map[State]int{}
		}
		s.ByLevel[c.Level][c.State]++
	}
	r.Summary = s
}

// FailedAtOrAbove reports whether any check at level min or stronger
// failed. min == "" means never (--fail-on none).
func (r *Results) FailedAtOrAbove(min Level) bool {
	if min == "" {
		return false
	}
	for _, c := range r.Checks {
		if c.State == Failed && LevelRank(c.Level) <= LevelRank(min) {
			return true
		}
	}
	return false
}

// LevelRank orders levels: 0 for MUST, 1 for SHOULD, 2 for ADVISORY, 3 for
// anything unknown.
func LevelRank(l Level) int {
	for i, x := range Levels {
		if x == l {
			return i
		}
	}
	return len(Levels)
}
