package faulttest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/reports"
)

// Suites whose targets are not the contract's (the probe, which grades
// URLs) run their children themselves: their TestMain recognises its own
// environment, runs the suite, and hands the results to WriteResults;
// RunChild starts such a child and reads them back.

// RunChild runs this test binary again with env added (NAME=value), as a
// child that runs a suite and calls WriteResults, and returns its results.
func RunChild(t *testing.T, env ...string) *reports.Results {
	t.Helper()
	out := filepath.Join(t.TempDir(), "results.json")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), env...), envResults+"="+out)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child run: %v\n%s", err, output)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res reports.Results
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	return &res
}

// WriteResults writes a child's results where RunChild reads them.
func WriteResults(res *reports.Results) error {
	f, err := os.Create(os.Getenv(envResults))
	if err != nil {
		return err
	}
	if err := reports.WriteJSON(f, res); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// RunFaults is Run with the run of one fault given: run runs the suite
// against the variant the fault makes and returns the results (Run runs the
// contract suites against the reference server; the probe, its URLs).
// Every check of the suite must be broken by some fault, and each fault
// must make the checks it breaks fail (on some target of the run).
func RunFaults(t *testing.T, suite string, faults []Fault, run func(t *testing.T, f Fault) *reports.Results) {
	t.Helper()
	broken := map[string]bool{}
	for _, f := range faults {
		for _, c := range f.Breaks {
			broken[c.ID] = true
		}
	}
	for _, c := range check.All() {
		if c.Suite() == suite && !broken[c.ID] {
			t.Errorf("check %s is broken by no fault: add a fault that makes it fail", c.ID)
		}
	}
	for _, f := range faults {
		t.Run(f.Name, func(t *testing.T) {
			res := run(t, f)
			failed, ran := map[string]bool{}, map[string]string{}
			for _, c := range res.Checks {
				ran[c.ID] += string(c.State) + " " + c.Message + "; "
				if c.State == reports.Failed {
					failed[c.ID] = true
				}
			}
			for _, c := range f.Breaks {
				switch {
				case ran[c.ID] == "":
					t.Errorf("%s did not run against fault %s", c.ID, f.Name)
				case !failed[c.ID]:
					t.Errorf("%s: want failed against fault %s, got %s", c.ID, f.Name, ran[c.ID])
				}
			}
			var others []string
			for _, c := range res.Checks {
				if c.State != reports.Passed && c.State != reports.Skipped && !slices.ContainsFunc(f.Breaks, func(b *check.Check) bool { return b.ID == c.ID }) {
					others = append(others, c.ID+" ("+string(c.State)+")")
				}
			}
			if len(others) > 0 {
				slices.Sort(others)
				others = slices.Compact(others)
				t.Logf("fault %s also breaks: %s", f.Name, strings.Join(others, ", "))
			}
		})
	}
}
