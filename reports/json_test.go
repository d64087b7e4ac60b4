package reports_test

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reports"
)

// roundTripResults is hostileResults without invalid UTF-8, which JSON
// cannot carry (TestJSONInvalidUTF8), with a manifest of every JSON type as
// encoding/json decodes it (numbers as float64), checks already in the
// order WriteJSON writes, and the summary already computed.
func roundTripResults() *reports.Results {
	clean := func(s string) string { return strings.ReplaceAll(s, badUTF8, "") }
	r := hostileResults()
	r.Targets[0].Name = clean(r.Targets[0].Name)
	r.Targets[0].Manifest = map[string]any{
		"contract": "httpcheck/1",
		"server":   xssScript + nulByte,
		"features": []any{"cookies", "clock"},
		"session":  map[string]any{"cookie_age": float64(1209600), "cookie_secure": false, "cookie_domain": nil},
	}
	for i := range r.Checks {
		c := &r.Checks[i]
		c.Message, c.Title = clean(c.Message), clean(c.Title)
		for j := range c.Exchanges {
			x := &c.Exchanges[j]
			x.RequestBody, x.BodyExcerpt, x.Error, x.Note = clean(x.RequestBody), clean(x.BodyExcerpt), clean(x.Error), clean(x.Note)
			x.Sent = x.Sent.Add(time.Duration(j) * time.Nanosecond)
			x.RequestHeaders, x.ResponseHeaders = slices.Clone(x.RequestHeaders), slices.Clone(x.ResponseHeaders)
			for k := range x.RequestHeaders {
				x.RequestHeaders[k][1] = clean(x.RequestHeaders[k][1])
			}
			for k := range x.ResponseHeaders {
				x.ResponseHeaders[k][1] = clean(x.ResponseHeaders[k][1])
			}
		}
	}
	r.Checks = append(r.Checks, reports.Check{ID: "bare/minimal/check", State: reports.Passed})
	slices.SortFunc(r.Checks, func(a, b reports.Check) int { return strings.Compare(a.ID, b.ID) })
	r.Summarize()
	return r
}

func TestJSONRoundTrip(t *testing.T) {
	want := roundTripResults()
	var buf bytes.Buffer
	if err := reports.WriteJSON(&buf, want); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	got, err := reports.ReadJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("ReadJSON: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the results:\n got %+v\nwant %+v", got, want)
	}
	if !bytes.Contains(buf.Bytes(), []byte("\n  \"schema\": \"httpcheck-results/1\",\n")) {
		t.Errorf("results.json is not indented, or has no schema first:\n%.200s", buf.String())
	}
}

// WriteJSON's output does not depend on the order checks finished in, nor
// on a stale summary.
func TestJSONStable(t *testing.T) {
	a := countedResults()
	b := countedResults()
	slices.Reverse(b.Checks)
	b.Summary = reports.Summary{Total: 99}
	b.Schema = ""
	var wa, wb bytes.Buffer
	if err := reports.WriteJSON(&wa, a); err != nil {
		t.Fatal(err)
	}
	if err := reports.WriteJSON(&wb, b); err != nil {
		t.Fatal(err)
	}
	if wa.String() != wb.String() {
		t.Errorf("same checks in another order gave different JSON:\n%s\n---\n%s", wa.String(), wb.String())
	}
	if b.Checks[0].ID != "cookies/delete/expired" || b.Summary.Total != 99 {
		t.Error("WriteJSON modified its argument")
	}
}

// JSON strings hold Unicode, not bytes: invalid UTF-8 is written as U+FFFD,
// after which the results round-trip unchanged.
func TestJSONInvalidUTF8(t *testing.T) {
	var first bytes.Buffer
	if err := reports.WriteJSON(&first, hostileResults()); err != nil {
		t.Fatal(err)
	}
	r, err := reports.ReadJSON(&first)
	if err != nil {
		t.Fatal(err)
	}
	var msg string
	for _, c := range r.Checks {
		if c.ID == "cookies/hostile/failed" {
			msg = c.Message
		}
	}
	if !strings.Contains(msg, "bad\uFFFD\uFFFDutf8") || !strings.Contains(msg, nulByte) {
		t.Errorf("message after round trip = %q, want invalid bytes as U+FFFD and NUL kept", msg)
	}
	var second, third bytes.Buffer
	if err := reports.WriteJSON(&second, r); err != nil {
		t.Fatal(err)
	}
	r2, err := reports.ReadJSON(bytes.NewReader(second.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := reports.WriteJSON(&third, r2); err != nil {
		t.Fatal(err)
	}
	if second.String() != third.String() {
		t.Error("second and third writes differ")
	}
}

func TestReadJSONRejects(t *testing.T) {
	for _, tc := range []struct {
		name, in, wantErr string
	}{
		{"missing schema", `{"tool": "httpcheck v0.1.0", "checks": []}`, `no "schema" field`},
		{"unknown schema", `{"schema": "httpcheck-results/2", "checks": []}`, `schema "httpcheck-results/2" is not supported`},
		{"empty schema", `{"schema": ""}`, `schema "" is not supported`},
		{"schema not a string", `{"schema": 1}`, `not an httpcheck results file`},
		{"not an object", `[1, 2]`, `not an httpcheck results file`},
		{"null", `null`, `no "schema" field`},
		{"not JSON", `<!DOCTYPE html>`, `not an httpcheck results file`},
		{"trailing data", `{"schema": "httpcheck-results/1"} {}`, `not an httpcheck results file`},
		{"bad field", `{"schema": "httpcheck-results/1", "checks": {}}`, `reading results (schema httpcheck-results/1)`},
		{"empty", ``, `not an httpcheck results file`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := reports.ReadJSON(strings.NewReader(tc.in))
			if err == nil {
				t.Fatalf("ReadJSON(%s) = %+v, want an error", tc.in, r)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ReadJSON(%s) error = %q, want it to say %q", tc.in, err, tc.wantErr)
			}
		})
	}
}

// Fields this version does not know are additions that do not bump the
// schema; a reader ignores them.
func TestReadJSONIgnoresUnknownFields(t *testing.T) {
	r, err := reports.ReadJSON(strings.NewReader(`{"schema": "httpcheck-results/1", "tool": "t", "future": {"x": 1},
		"checks": [{"id": "a/b/c", "state": "passed", "new_field": true}]}`))
	if err != nil {
		t.Fatalf("ReadJSON: %v", err)
	}
	if len(r.Checks) != 1 || r.Checks[0].ID != "a/b/c" || r.Tool != "t" {
		t.Errorf("got %+v", r)
	}
}
