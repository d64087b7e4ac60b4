// Command httpcheck checks that a web service gets cookies, sessions and
// HTTP caching right, and serves a reference implementation that does.
//
//	httpcheck run      test a target (default: the bundled reference server) and write reports
//	httpcheck probe    grade deployed URLs without a contract, and write reports
//	httpcheck serve    run the reference server
//	httpcheck proxy    run the reference shared cache, a reverse proxy
//	httpcheck origin   serve the harness origin, for a cache on another machine
//	httpcheck list     list the checks
//	httpcheck report   re-render results files, several as one matrix, or diff two runs
//	httpcheck baseline write a baseline of known failures from a run
//	httpcheck clearsessions  delete expired sessions from a session store
//	httpcheck version  print the version
//
// Exit codes: 0 nothing at or above --fail-on failed; 1 conformance
// failures; 2 usage or configuration error; 3 the target could not be
// reached or the run itself broke.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/httpcheck/httpcheck/reports"
)

// Exit codes (README.md, "Commands").
const (
	exitOK          = 0
	exitFailures    = 1
	exitUsage       = 2
	exitUnreachable = 3
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is used.
var version = ""

func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

const usage = `httpcheck: conformance checks for HTTP cookies, sessions and caching

Usage:
  httpcheck run     [--target URL]... [--name NAME] [--suite NAME]... [--label-filter EXPR] [--out DIR]
                    [--fail-on must|should|advisory|none] [--host-map HOST=ADDR]... [--ca FILE]
                    [--insecure] [--timeout DURATION] [--real-clock] [--max-wait DURATION]
                    [--redact NAME]... [--no-redact] [--baseline FILE [--fail-on-fixed]]
  httpcheck run     --proxy URL (--origin-listen HOST:PORT | --origin URL [--origin-token TOKEN]) [...]
  httpcheck probe   URL [URL...] [--header 'Name: value']... [--session FILE] [--out DIR]
                    [--fail-on must|should|advisory|none] [--host-map HOST=ADDR]... [--ca FILE]
                    [--insecure] [--timeout DURATION] [--redact NAME]... [--no-redact]
  httpcheck serve   [--addr HOST:PORT] [--tls-addr HOST:PORT] [--clock real|virtual]
                    [--sessions URL] [--cache URL] [--deployment ID]
  httpcheck proxy   --listen HOST:PORT --origin URL [--max-storage BYTES]
  httpcheck origin  --addr HOST:PORT [--token TOKEN]
  httpcheck list    [--suite NAME]... [--label-filter EXPR] [--format text|json]
  httpcheck report  --in results.json [--in more.json]... --out DIR
  httpcheck report  --diff OLD NEW [--format text|markdown|json]
  httpcheck report  --annotations DIR   (GitHub Actions annotations for new MUST failures)
  httpcheck baseline --in results.json [--out FILE] [--reason TEXT]
  httpcheck clearsessions [--sessions URL]
  httpcheck version

Run "httpcheck COMMAND -h" for a command's flags.
`

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitError carries an exit code other than 2 with its message.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }

// Main runs the command line args and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	var code int
	var err error
	switch cmd {
	case "run":
		code, err = cmdRun(rest, stdout, stderr)
	case "probe":
		code, err = cmdProbe(rest, stdout, stderr)
	case "serve":
		err = cmdServe(rest, stdout, stderr)
	case "proxy":
		err = cmdProxy(rest, stdout, stderr)
	case "origin":
		err = cmdOrigin(rest, stdout, stderr)
	case "list":
		err = cmdList(rest, stdout, stderr)
	case "report":
		err = cmdReport(rest, stdout, stderr)
	case "baseline":
		err = cmdBaseline(rest, stdout, stderr)
	case "clearsessions":
		err = cmdClearSessions(rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "httpcheck %s\n", toolVersion())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = usagef("unknown command %q\n\n%s", cmd, strings.TrimRight(usage, "\n"))
	}
	if err == nil {
		return code
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	// An error may quote what a target sent (a status line, a manifest):
	// its control characters never reach the terminal.
	fmt.Fprintf(stderr, "httpcheck %s: %s\n", cmd, reports.Printable(err.Error()))
	var ue usageError
	var ee exitError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &ee):
		return ee.code
	}
	return exitUnreachable
}

// newFlags returns a flag set that reports errors instead of exiting, so
// every usage error goes through Main's exit code 2.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("httpcheck "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses args, turning a flag error into a usage error and
// rejecting positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// listFlag is a flag that may be repeated.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }
