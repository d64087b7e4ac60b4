package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/httpcheck/httpcheck/reports"
)

func cmdReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", stderr)
	var ins listFlag
	fs.Var(&ins, "in", "a results.json to render (repeatable: several render as one matrix)")
	out := fs.String("out", "httpcheck-report", "directory for index.html and junit.xml")
	diff := fs.Bool("diff", false, "compare two runs: report --diff OLD NEW, each a results.json or a report directory")
	format := fs.String("format", reports.DiffText, "with --diff: text, markdown or json")
	annotations := fs.String("annotations", "", "print a GitHub Actions error annotation for each new MUST failure of this run (a results.json or a report directory)")
	// Flags may follow the two runs of --diff: parse around them.
	var runs []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return parse(fs, rest) // the same error, as every command reports it
		}
		if fs.NArg() == 0 {
			break
		}
		runs, rest = append(runs, fs.Arg(0)), fs.Args()[1:]
	}
	if *diff {
		return reportDiff(runs, *format, stdout)
	}
	if *annotations != "" {
		r, err := readRun(*annotations)
		if err != nil {
			return err
		}
		return reports.WriteAnnotations(stdout, r)
	}
	if len(runs) > 0 {
		return usagef("unexpected argument %q", runs[0])
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

// reportDiff prints what changed from the run in paths[0] to the run in
// paths[1].
func reportDiff(paths []string, format string, stdout io.Writer) error {
	if len(paths) != 2 {
		return usagef("--diff takes two runs, OLD and NEW (results.json files or report directories), got %d", len(paths))
	}
	if format != reports.DiffText && format != reports.DiffMarkdown && format != reports.DiffJSON {
		return usagef("--format %q: want text, markdown or json", format)
	}
	var runs [2]*reports.Results
	for i, p := range paths {
		r, err := readRun(p)
		if err != nil {
			return err
		}
		runs[i] = r
	}
	return reports.WriteDiff(stdout, reports.Compare(runs[0], runs[1]), format)
}

// readRun reads the results.json at path, or in the report directory
// path names.
func readRun(path string) (*reports.Results, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "results.json")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("%v", err)
	}
	defer f.Close()
	r, err := reports.ReadJSON(f)
	if err != nil {
		return nil, usagef("%s: %v", path, err)
	}
	return r, nil
}

// cmdBaseline writes a baseline that lists every failure of a run as
// known, for --baseline.
func cmdBaseline(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("baseline", stderr)
	in := fs.String("in", "", "the run: a results.json or a report directory")
	out := fs.String("out", "", "where to write the baseline (default: standard output)")
	reason := fs.String("reason", "", "why these failures are accepted for now (default: the run they come from)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *in == "" {
		return usagef("give the run to take the failures from: --in results.json")
	}
	r, err := readRun(*in)
	if err != nil {
		return err
	}
	why := *reason
	if why == "" {
		why = "failed in the run of " + r.Start.UTC().Format(time.RFC3339)
	}
	b := reports.BaselineOf(r, why)
	if *out == "" {
		return reports.WriteBaseline(stdout, b)
	}
	if err := writeFile(*out, func(w io.Writer) error { return reports.WriteBaseline(w, b) }); err != nil {
		return exitError{exitUnreachable, err}
	}
	fmt.Fprintf(stderr, "httpcheck baseline: %d known failures in %s\n", len(b.Known), *out)
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
