package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/httpcheck/httpcheck/reports"
)

func cmdReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", stderr)
	var ins listFlag
	fs.Var(&ins, "in", "a results.json to render (repeatable: several render as one matrix)")
	out := fs.String("out", "httpcheck-report", "directory for index.html and junit.xml")
	if err := parse(fs, args); err != nil {
		return err
	}
	if len(ins) == 0 {
		return usagef("give at least one --in results.json")
	}
	var all []*reports.Results
	for _, in := range ins {
		f, err := os.Open(in)
		if err != nil {
			return usagef("--in: %v", err)
		}
		r, err := reports.ReadJSON(f)
		f.Close()
		if err != nil {
			return usagef("--in %s: %v", in, err)
		}
		all = append(all, r)
	}
	if len(all) == 1 {
		if err := reports.WriteAll(*out, all[0]); err != nil {
			return exitError{exitUnreachable, err}
		}
	} else {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return exitError{exitUnreachable, err}
		}
		for name, write := range map[string]func(io.Writer, ...*reports.Results) error{
			"index.html": reports.WriteHTML, "junit.xml": reports.WriteJUnit,
		} {
			if err := writeFile(filepath.Join(*out, name), func(w io.Writer) error { return write(w, all...) }); err != nil {
				return exitError{exitUnreachable, err}
			}
		}
	}
	fmt.Fprintf(stdout, "httpcheck report: %s\n", filepath.Join(*out, "index.html"))
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
