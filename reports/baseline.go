package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"time"
)

// BaselineSchema names the version of a baseline file's format.
const BaselineSchema = "httpcheck-baseline/1"

// Baseline lists known failures: a run's failures listed here are
// reported as known and do not fail the build; failures it does not list
// are new and do. A team adopts httpcheck with a baseline of today's
// failures and trims it as it fixes them.
type Baseline struct {
	Schema string  `json:"schema"`
	Known  []Known `json:"known"`
}

// Known is one known failure: a check id, on one target when the run has
// several, with the reason it is accepted and, optionally, the last day it
// counts.
type Known struct {
	ID     string `json:"id"`
	Target string `json:"target,omitempty"`
	Reason string `json:"reason"`
	// Expires is a date, YYYY-MM-DD; from the day after, the entry no
	// longer counts and the run reports it as expired.
	Expires string `json:"expires,omitempty"`
}

// The values of Check.Baseline.
const (
	BaselineKnown = "known" // failed, and the baseline lists it
	BaselineNew   = "new"   // failed, and the baseline does not list it
	BaselineFixed = "fixed" // the baseline lists it, and it did not fail
)

// BaselineReport is what applying a baseline found, for the reports.
type BaselineReport struct {
	File  string `json:"file"`
	Known int    `json:"known"`
	New   int    `json:"new"`
	Fixed int    `json:"fixed"`
	// Expired are the entries past their date: they no longer count.
	Expired []Known `json:"expired,omitempty"`
	// Missing are entries for checks the run did not run (renamed,
	// filtered out or removed): they count for nothing.
	Missing []Known `json:"missing,omitempty"`
}

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// ReadBaseline reads a baseline file, or a results.json whose failures
// become the known failures (with the run's start as the reason). It
// refuses a file that is neither, saying why.
func ReadBaseline(rd io.Reader) (*Baseline, error) {
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("reading the baseline: %w", err)
	}
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("not a baseline or results file: %w", err)
	}
	switch head.Schema {
	case Schema:
		var r Results
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("reading results as a baseline: %w", err)
		}
		return BaselineOf(&r, "failed in the run of "+r.Start.UTC().Format(time.RFC3339)), nil
	case BaselineSchema:
	default:
		return nil, fmt.Errorf("not a baseline or results file: schema %q (want %q or %q)", head.Schema, BaselineSchema, Schema)
	}
	var b Baseline
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("reading the baseline: %w", err)
	}
	for i, k := range b.Known {
		switch {
		case k.ID == "":
			return nil, fmt.Errorf("baseline entry %d: no id", i+1)
		case k.Reason == "":
			return nil, fmt.Errorf("baseline entry %d (%s): give a reason: a known failure without one is soon a mystery", i+1, k.ID)
		case k.Expires != "" && !validDate(k.Expires):
			return nil, fmt.Errorf("baseline entry %d (%s): expires %q is not a date like 2027-03-31", i+1, k.ID, k.Expires)
		}
	}
	return &b, nil
}

func validDate(s string) bool {
	if !datePattern.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// BaselineOf lists every failure of r as known, with reason.
func BaselineOf(r *Results, reason string) *Baseline {
	b := &Baseline{Schema: BaselineSchema, Known: []Known{}}
	for _, c := range sortedChecks(r.Checks, compareID) {
		if c.State == Failed {
			b.Known = append(b.Known, Known{ID: c.ID, Target: c.Target, Reason: reason})
		}
	}
	return b
}

// WriteBaseline writes b as an indented baseline file.
func WriteBaseline(w io.Writer, b *Baseline) error {
	out := *b
	out.Schema = BaselineSchema
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(&out)
}

// Apply marks r's checks against the baseline, as of today: each failure
// is known or new, each listed check that did not fail is fixed. It
// records what it found in r.Baseline under the name file.
func (b *Baseline) Apply(r *Results, file string, today time.Time) {
	rep := &BaselineReport{File: file}
	day := today.UTC().Format(time.DateOnly)
	var live []Known
	for _, k := range b.Known {
		if k.Expires != "" && k.Expires < day {
			rep.Expired = append(rep.Expired, k)
			continue
		}
		live = append(live, k)
	}
	listed := func(c Check) bool {
		return slices.ContainsFunc(live, func(k Known) bool { return k.ID == c.ID && (k.Target == "" || k.Target == c.Target) })
	}
	ran := map[string]bool{}
	for i := range r.Checks {
		c := &r.Checks[i]
		ran[c.ID] = true
		switch {
		case c.State == Failed && listed(*c):
			c.Baseline = BaselineKnown
			rep.Known++
		case c.State == Failed:
			c.Baseline = BaselineNew
			rep.New++
		case listed(*c) && c.State == Passed:
			c.Baseline = BaselineFixed
			rep.Fixed++
		}
	}
	for _, k := range live {
		if !ran[k.ID] {
			rep.Missing = append(rep.Missing, k)
		}
	}
	r.Baseline = rep
}

// NewFailuresAtOrAbove reports whether a check at level min or stronger
// failed and is not a known failure. Without a baseline, every failure
// is new.
func (r *Results) NewFailuresAtOrAbove(min Level) bool {
	if min == "" {
		return false
	}
	for _, c := range r.Checks {
		if c.State == Failed && c.Baseline != BaselineKnown && LevelRank(c.Level) <= LevelRank(min) {
			return true
		}
	}
	return false
}
