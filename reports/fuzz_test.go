package reports_test

// A fuzz target for results.json as `httpcheck report --in` reads it: a
// file that may come from another machine, an older httpcheck, or anyone.
// Seeds are in testdata/fuzz/FuzzReadJSON.

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/httpcheck/httpcheck/reports"
	"github.com/httpcheck/httpcheck/reports/reporttest"
)

// FuzzReadJSON: any file reads without panicking; what ReadJSON accepts
// writes back to a results.json that reads the same and writes the same
// bytes again, renders to well-formed JUnit XML, and to an HTML page in
// which every element and attribute is one the template writes: no
// string from the file becomes markup.
func FuzzReadJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := reports.ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		var once, twice bytes.Buffer
		if err := reports.WriteJSON(&once, r); err != nil {
			t.Fatalf("WriteJSON of what ReadJSON accepted: %v", err)
		}
		again, err := reports.ReadJSON(bytes.NewReader(once.Bytes()))
		if err != nil {
			t.Fatalf("ReadJSON of what WriteJSON wrote: %v\n%s", err, once.Bytes())
		}
		if err := reports.WriteJSON(&twice, again); err != nil || !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatalf("results.json is not stable (%v):\n%s\nthen\n%s", err, once.Bytes(), twice.Bytes())
		}

		var junit bytes.Buffer
		if err := reports.WriteJUnit(&junit, r); err != nil {
			t.Fatalf("WriteJUnit: %v", err)
		}
		dec := xml.NewDecoder(bytes.NewReader(junit.Bytes()))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("junit.xml is not well-formed XML: %v\n%s", err, junit.Bytes())
			}
		}

		var page bytes.Buffer
		if err := reports.WriteHTML(&page, r); err != nil {
			t.Fatalf("WriteHTML: %v", err)
		}
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if foreign := reporttest.Foreign(doc); len(foreign) > 0 {
			t.Fatalf("index.html has markup that came from the data: %s", strings.Join(foreign, "; "))
		}
	})
}
