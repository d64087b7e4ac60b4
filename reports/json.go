package reports

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes r as results.json: the model itself, from which every
// other output can be rendered again later (`httpcheck report --in`).
//
// The output is indented and stable: the same results give the same bytes,
// whatever order the checks finished in. To that end it writes a copy of r
// with Schema set to this version's, Summary recomputed from the checks (a
// derived count must not be able to disagree with what it counts) and
// Checks sorted by id and target; map keys are sorted by encoding/json.
// JSON strings cannot carry arbitrary bytes, so invalid UTF-8 in r is
// written as U+FFFD; everything else round-trips through ReadJSON.
func WriteJSON(w io.Writer, r *Results) error {
	if r == nil {
		return fmt.Errorf("reports: writing JSON: nil results")
	}
	out := *r
	out.Schema = Schema
	out.Checks = sortedChecks(r.Checks, compareID)
	out.Summarize()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("reports: writing JSON: %w", err)
	}
	return nil
}

// ReadJSON reads a results.json. It refuses a document without a schema or
// with one other than Schema, saying which, rather than rendering a file it
// would misread: an old reader cannot know what a newer format means.
// Fields it does not know are ignored, as additions that an old reader
// would not misread do not bump Schema.
func ReadJSON(rd io.Reader) (*Results, error) {
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("reports: reading results: %w", err)
	}
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("reports: not an httpcheck results file: %w", err)
	}
	switch {
	case head.Schema == nil:
		return nil, fmt.Errorf("reports: not an httpcheck results file: no \"schema\" field (want %q)", Schema)
	case *head.Schema != Schema:
		return nil, fmt.Errorf("reports: results schema %q is not supported: this httpcheck reads %q", *head.Schema, Schema)
	}
	var r Results
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("reports: reading results (schema %s): %w", Schema, err)
	}
	return &r, nil
}

// compactJSON is v as one line of JSON, for showing a manifest value that
// should have been a string; a value JSON cannot encode shows as Go would
// print it.
func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
