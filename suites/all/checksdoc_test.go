package all

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/httpcheck/httpcheck/harness/check"
)

var update = flag.Bool("update", false, "rewrite docs/checks.md from the check definitions")

var checksDoc = filepath.Join("..", "..", "docs", "checks.md")

// TestChecksDocIsCurrent keeps docs/checks.md in step with the checks.
func TestChecksDocIsCurrent(t *testing.T) {
	want := ChecksMarkdown()
	if *update {
		if err := os.WriteFile(checksDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(checksDoc)
	if err != nil {
		t.Fatalf("%v (run: go test ./suites/all -update)", err)
	}
	if string(got) != want {
		t.Errorf("docs/checks.md is out of date with the check definitions: run go test ./suites/all -update")
	}
}

// TestCatalogue: ids are unique (Define panics otherwise, at start-up),
// every suite is linked in, and there are checks to run.
func TestCatalogue(t *testing.T) {
	all := check.All()
	if len(all) == 0 {
		t.Fatal("no checks defined")
	}
	seen := map[string]bool{}
	for _, c := range all {
		if seen[c.ID] {
			t.Errorf("duplicate id %s", c.ID)
		}
		seen[c.ID] = true
	}
}
