package frameworktest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/httpcheck/httpcheck/reports"
)

// Matrix renders the results in the report directories ins as one report
// under out (httpcheck report --in ... --out out) and checks that its matrix
// has a column per target, named as the runs named them, and a row per
// check whose cells are the verdicts of each results file; that the rows
// where the targets disagree come first, marked; and that the overview
// counts each target's failed MUST checks.
func Matrix(t *testing.T, bin string, ins []string, out string) {
	t.Helper()
	args := []string{"report", "--out", out}
	var runs []*reports.Results
	for _, in := range ins {
		args = append(args, "--in", filepath.Join(in, "results.json"))
		res, err := LoadResults(in)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, res)
	}
	if r := Run(t, bin, args...); r.Code != 0 {
		t.Fatalf("httpcheck report: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	f, err := os.Open(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := goquery.NewDocumentFromReader(f)
	if err != nil {
		t.Fatal(err)
	}
	table := doc.Find("table.matrix")
	if table.Length() != 1 {
		t.Fatalf("index.html has %d matrix tables, want 1", table.Length())
	}
	var columns []string
	table.Find("thead th").Each(func(i int, s *goquery.Selection) {
		if i >= 2 { // Check, Level, then one column per target
			columns = append(columns, strings.TrimSpace(s.Text()))
		}
	})
	var want []string
	for _, r := range runs {
		want = append(want, r.Targets[0].Name)
	}
	if !slices.Equal(columns, want) {
		t.Errorf("matrix columns %q, want %q", columns, want)
	}
	rows := 0
	cells := map[string][]string{}
	var order []string
	marked := map[string]bool{}
	table.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
		rows++
		id := strings.TrimSpace(tr.Find("th code.id").Text())
		order = append(order, id)
		marked[id] = tr.HasClass("differs")
		tr.Find("td").Each(func(i int, td *goquery.Selection) {
			if i >= 1 { // the level, then the targets
				cells[id] = append(cells[id], strings.TrimSpace(td.Text()))
			}
		})
	})
	ids := map[string]bool{}
	for n, r := range runs {
		for _, c := range r.Checks {
			ids[c.ID] = true
			got := cells[c.ID]
			if len(got) != len(runs) {
				t.Errorf("matrix row %s has %d cells, want %d", c.ID, len(got), len(runs))
				continue
			}
			if got[n] != string(c.State) {
				t.Errorf("matrix cell %s x %s says %q, results.json %q", c.ID, want[n], got[n], c.State)
			}
		}
	}
	if rows != len(ids) {
		t.Errorf("matrix has %d rows, want one per check (%d)", rows, len(ids))
	}
	// The rows where the targets disagree come first, marked.
	differ := 0
	for i, id := range order {
		states := cells[id]
		d := slices.ContainsFunc(states[1:], func(s string) bool { return s != states[0] })
		if d != marked[id] {
			t.Errorf("matrix row %s (%q) marked as differing: %v", id, states, marked[id])
		}
		if d {
			if i != differ {
				t.Errorf("matrix row %s differs but comes after rows that agree", id)
			}
			differ++
		}
	}
	// The overview counts each target's failed MUST checks.
	var mustFailed []string
	doc.Find("table.overview tbody tr").Each(func(_ int, tr *goquery.Selection) {
		mustFailed = append(mustFailed, strings.TrimSpace(tr.Find("td").Last().Text()))
	})
	var wantMust []string
	for _, r := range runs {
		n := 0
		for _, c := range r.Checks {
			if c.Level == reports.Must && c.State == reports.Failed {
				n++
			}
		}
		wantMust = append(wantMust, fmt.Sprint(n))
	}
	if !slices.Equal(mustFailed, wantMust) {
		t.Errorf("overview's failed MUST column %q, want %q", mustFailed, wantMust)
	}
	t.Logf("matrix: %d checks x %d targets (%s); %d rows where a column differs from the reference",
		rows, len(runs), strings.Join(want, ", "), differ)
}
