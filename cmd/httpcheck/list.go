package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/httpcheck/httpcheck/harness/check"
)

func cmdList(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("list", stderr)
	var suites listFlag
	fs.Var(&suites, "suite", "list only this suite (repeatable)")
	labelFilter := fs.String("label-filter", "", "Ginkgo label filter over the checks' labels")
	format := fs.String("format", "text", "text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	known := check.Suites()
	for _, s := range suites {
		if !slices.Contains(known, s) {
			return usagef("unknown suite %q (known: %s)", s, strings.Join(known, ", "))
		}
	}
	filter, err := types.ParseLabelFilter(*labelFilter)
	if err != nil {
		return usagef("--label-filter: %v", err)
	}
	var selected []*check.Check
	for _, c := range check.All() {
		if (len(suites) == 0 || slices.Contains(suites, c.Suite())) && filter(c.Labels()) {
			selected = append(selected, c)
		}
	}
	switch *format {
	case "json":
		type row struct {
			ID          string   `json:"id"`
			Suite       string   `json:"suite"`
			Level       string   `json:"level"`
			Title       string   `json:"title"`
			Requirement string   `json:"requirement,omitempty"`
			Refs        []string `json:"refs"`
		}
		rows := []row{}
		for _, c := range selected {
			rows = append(rows, row{c.ID, c.Suite(), string(c.Level), c.Title, c.Requirement, c.Refs})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "text":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for _, c := range selected {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Level, c.Title, strings.Join(c.Refs, ", "))
		}
		return tw.Flush()
	}
	return usagef("--format %q: want text or json", *format)
}
