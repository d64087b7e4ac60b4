package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Diff is what changed from one run to the next, check by check (by id
// and target): what broke, what was fixed, which checks appeared or went,
// and which failures now say something else.
type Diff struct {
	NewFailures    []Change `json:"new_failures"`
	Fixed          []Change `json:"fixed"`
	Added          []Change `json:"added"`
	Removed        []Change `json:"removed"`
	MessageChanged []Change `json:"message_changed"`
}

// Change is one check in a Diff: its state and message before and after.
type Change struct {
	ID         string `json:"id"`
	Target     string `json:"target,omitempty"`
	Level      Level  `json:"level"`
	Old        State  `json:"old,omitempty"`
	New        State  `json:"new,omitempty"`
	OldMessage string `json:"old_message,omitempty"`
	NewMessage string `json:"new_message,omitempty"`
}

func isBad(s State) bool { return s == Failed || s == Error }

// Compare lists what changed from old to new.
func Compare(old, new *Results) Diff {
	before := map[[2]string]Check{}
	for _, c := range old.Checks {
		before[checkKey(c)] = c
	}
	d := Diff{NewFailures: []Change{}, Fixed: []Change{}, Added: []Change{}, Removed: []Change{}, MessageChanged: []Change{}}
	seen := map[[2]string]bool{}
	for _, c := range sortedChecks(new.Checks, compareID) {
		k := checkKey(c)
		seen[k] = true
		o, had := before[k]
		ch := Change{ID: c.ID, Target: c.Target, Level: c.Level, New: c.State, NewMessage: c.Message}
		if had {
			ch.Old, ch.OldMessage = o.State, o.Message
		}
		switch {
		case !had:
			d.Added = append(d.Added, ch)
			if isBad(c.State) {
				d.NewFailures = append(d.NewFailures, ch)
			}
		case isBad(c.State) && !isBad(o.State):
			d.NewFailures = append(d.NewFailures, ch)
		case !isBad(c.State) && isBad(o.State):
			d.Fixed = append(d.Fixed, ch)
		case isBad(c.State) && (c.State != o.State || c.Message != o.Message):
			d.MessageChanged = append(d.MessageChanged, ch)
		}
	}
	for _, o := range sortedChecks(old.Checks, compareID) {
		if !seen[checkKey(o)] {
			d.Removed = append(d.Removed, Change{ID: o.ID, Target: o.Target, Level: o.Level, Old: o.State, OldMessage: o.Message})
		}
	}
	return d
}

// Empty reports whether nothing changed.
func (d Diff) Empty() bool {
	return len(d.NewFailures)+len(d.Fixed)+len(d.Added)+len(d.Removed)+len(d.MessageChanged) == 0
}

// The formats WriteDiff writes.
const (
	DiffText     = "text"
	DiffMarkdown = "markdown"
	DiffJSON     = "json"
)

// WriteDiff writes d in format: text for a terminal, markdown for a
// pull-request comment, json for tools.
func WriteDiff(w io.Writer, d Diff, format string) error {
	switch format {
	case DiffJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	case DiffText, DiffMarkdown:
	default:
		return fmt.Errorf("unknown diff format %q (text, markdown or json)", format)
	}
	md := format == DiffMarkdown
	var b strings.Builder
	if d.Empty() {
		b.WriteString("no change\n")
	}
	section := func(title string, cs []Change, show func(c Change) string) {
		if len(cs) == 0 {
			return
		}
		if md {
			fmt.Fprintf(&b, "## %s (%d)\n\n", title, len(cs))
		} else {
			fmt.Fprintf(&b, "%s (%d):\n", title, len(cs))
		}
		for _, c := range cs {
			name := c.ID
			if c.Target != "" {
				name += " on " + c.Target
			}
			if md {
				fmt.Fprintf(&b, "- **%s** %s%s\n", c.Level, code(name), show(c))
			} else {
				fmt.Fprintf(&b, "  %-8s %s%s\n", c.Level, line(name), show(c))
			}
		}
		b.WriteString("\n")
	}
	msg := func(s string) string {
		if md {
			return inline(s)
		}
		first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
		return line(first)
	}
	transition := func(c Change) string {
		s := ""
		if c.Old != "" {
			s = fmt.Sprintf(": %s → %s", c.Old, c.New)
		} else if c.New != "" {
			s = fmt.Sprintf(": %s", c.New)
		}
		if c.NewMessage != "" && isBad(c.New) {
			s += ": " + msg(c.NewMessage)
		}
		return s
	}
	section("New failures", d.NewFailures, transition)
	section("Fixed", d.Fixed, transition)
	section("Message changed", d.MessageChanged, func(c Change) string {
		return ": was " + msg(c.OldMessage) + "; now " + msg(c.NewMessage)
	})
	section("Added checks", d.Added, func(c Change) string { return ": " + string(c.New) })
	section("Removed checks", d.Removed, func(c Change) string { return ": was " + string(c.Old) })
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteAnnotations writes one GitHub Actions error annotation (a workflow
// command) per new MUST failure of r: failed, and not a known failure of
// its baseline. Messages are encoded as the runner requires, so nothing a
// target sent can end the command or start another.
func WriteAnnotations(w io.Writer, r *Results) error {
	var b strings.Builder
	for _, c := range sortedChecks(r.Checks, compareUrgency) {
		if c.State != Failed || c.Level != Must || c.Baseline == BaselineKnown {
			continue
		}
		title := "httpcheck " + c.ID
		if c.Target != "" && len(r.Targets) > 1 {
			title += " on " + c.Target
		}
		fmt.Fprintf(&b, "::error title=%s::%s\n", annotationProperty(line(title)), annotationData(c.Message))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// annotationData encodes a workflow command's message.
func annotationData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// annotationProperty encodes a workflow command's property value.
func annotationProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
