package reports_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/internal/resultschema"
	"github.com/httpcheck/httpcheck/reports"
)

// TestSchema: what WriteJSON writes, with every optional part filled
// (a baseline, exchanges, a requirement, hostile strings), is valid
// against docs/results.schema.json; and the schema refuses what a reader
// would misread.
func TestSchema(t *testing.T) {
	r := &reports.Results{Tool: "httpcheck test", Start: tStart, Duration: time.Second, Redaction: reports.RedactionOn,
		Targets: []reports.Target{{Name: "t", URL: "http://t/", Manifest: map[string]any{"contract": "httpcheck/1"}}}}
	c := check("cookies/basics/set-get", reports.Must, reports.Failed, xssScript+badUTF8)
	c.Requirement = "a sentence"
	c.Exchanges = []reports.Exchange{{Method: "GET", URL: xssURL, RequestHeaders: [][2]string{{"Cookie", nulByte}}, Status: 200,
		ResponseHeaders: [][2]string{{"Set-Cookie", bidi}}, Sent: tStart, Received: tStart.Add(time.Millisecond)}}
	r.Checks = []reports.Check{c, check("cache/set/stores", reports.Should, reports.Passed, "")}
	b := reports.BaselineOf(r, "why")
	b.Known = append(b.Known, reports.Known{ID: "x/y/z", Reason: "old", Expires: "2020-01-01"})
	b.Apply(r, "baseline.json", tStart)
	var out bytes.Buffer
	if err := reports.WriteJSON(&out, r); err != nil {
		t.Fatal(err)
	}
	if err := resultschema.Validate(out.Bytes()); err != nil {
		t.Fatalf("results.json breaks the schema: %v\n%s", err, out.Bytes())
	}
	for name, doc := range map[string]string{
		"wrong schema":  `{"schema": "httpcheck-results/2", "tool": "", "targets": [], "start": "2026-01-01T00:00:00Z", "duration_ns": 0, "summary": {"total": 0, "by_state": {}, "by_level": {}}, "checks": []}`,
		"unknown state": `{"schema": "httpcheck-results/1", "tool": "", "targets": [], "start": "2026-01-01T00:00:00Z", "duration_ns": 0, "summary": {"total": 0, "by_state": {}, "by_level": {}}, "checks": [{"id": "a/b/c", "suite": "a", "title": "", "level": "MUST", "refs": [], "state": "green", "duration_ns": 0}]}`,
		"no checks":     `{"schema": "httpcheck-results/1", "tool": "", "targets": [], "start": "2026-01-01T00:00:00Z", "duration_ns": 0, "summary": {"total": 0, "by_state": {}, "by_level": {}}}`,
	} {
		if err := resultschema.Validate([]byte(doc)); err == nil {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}
