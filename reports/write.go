package reports

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteAll writes the four outputs of a run into dir (created if need
// be): results.json, junit.xml, index.html and summary.md, in that order,
// so the model everything else is rendered from is on disk first.
//
// Each file is written to a temporary file in dir, synced, and renamed
// over its final name, so a crash or a full disk leaves the previous file
// or the new one, never half of one: CI may pick up whatever is there.
func WriteAll(dir string, r *Results) error {
	if r == nil {
		return errors.New("reports: writing reports: nil results")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	outputs := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"results.json", func(w io.Writer) error { return WriteJSON(w, r) }},
		{"junit.xml", func(w io.Writer) error { return WriteJUnit(w, r) }},
		{"index.html", func(w io.Writer) error { return WriteHTML(w, r) }},
		{"summary.md", func(w io.Writer) error { return WriteSummary(w, r) }},
	}
	for _, o := range outputs {
		if err := writeFileAtomic(filepath.Join(dir, o.name), o.write); err != nil {
			return err
		}
	}
	return nil
}

// writeFileAtomic writes path through a temporary file in the same
// directory (rename is atomic only within one file system) and renames it
// into place once it is complete and synced. On any error the temporary
// file is removed and path is left as it was.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	dir, name := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriter(f)
	// The renderers' errors say what failed, and the file's own errors
	// carry its path: no need to wrap either again.
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	// CreateTemp makes the file private (0600); reports are artifacts
	// meant to be shared, as os.Create would have made them.
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}
