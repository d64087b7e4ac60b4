package reports_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/httpcheck/httpcheck/reports"
)

func TestWriteAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "httpcheck-report", "nested")
	r := countedResults()
	if err := reports.WriteAll(dir, r); err != nil {
		t.Fatalf("WriteAll: %v", err)
	}
	// Again, over the first files, as a second run into the same --out.
	if err := reports.WriteAll(dir, hostileResults()); err != nil {
		t.Fatalf("WriteAll again: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() == 0 {
			t.Errorf("%s is empty", e.Name())
		}
		if info.Mode().Perm()&0o044 != 0o044 {
			t.Errorf("%s mode = %v, want readable by all like any artifact", e.Name(), info.Mode())
		}
	}
	if want := []string{"index.html", "junit.xml", "results.json", "summary.md"}; !slices.Equal(names, want) {
		t.Errorf("files = %q, want %q and no temporary files", names, want)
	}
	f, err := os.Open(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := reports.ReadJSON(f)
	if err != nil {
		t.Fatalf("reading results.json back: %v", err)
	}
	if got.Tool != hostileResults().Tool {
		t.Errorf("results.json is not the second run's")
	}
}

func TestWriteAllNotADirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := reports.WriteAll(file, countedResults()); err == nil {
		t.Error("WriteAll into a regular file succeeded, want an error")
	}
	if err := reports.WriteAll(t.TempDir(), nil); err == nil {
		t.Error("WriteAll(nil) succeeded, want an error")
	}
}
