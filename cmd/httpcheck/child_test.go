package main

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// child is this test binary running as httpcheck in a process of its own
// (see TestMain). startChild is the one way the tests start one: a
// long-running command (serve, proxy, origin) is waited for until it says
// it is ready; a one-shot command (run, probe, list...) goes through
// httpcheck(), which starts it the same way and waits for its exit.
type child struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr *strings.Builder
	exited chan struct{}
	err    error // what cmd.Wait returned, once exited is closed

	mu     sync.Mutex
	stdout strings.Builder // all of it, as written
	lines  []string        // the same, line by line
}

// startChild starts `httpcheck args...` with env added. With ready, it
// waits, for up to 30 s, until a line of its stdout makes ready true; with
// ready nil, it returns at once. When the test ends the child is
// interrupted, and killed if it has not stopped 10 s later.
func startChild(t *testing.T, ready func(line string) bool, env []string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "HTTPCHECK_AS_MAIN=1", "NO_COLOR=1"), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{t: t, cmd: cmd, stderr: &strings.Builder{}, exited: make(chan struct{})}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-c.exited
		}
	})
	isReady := make(chan struct{})
	go func() {
		c.read(stdout, ready, isReady)
		c.err = cmd.Wait()
		close(c.exited)
	}()
	if ready == nil {
		return c
	}
	select {
	case <-isReady:
		return c
	case <-c.exited:
		t.Fatalf("httpcheck %s exited before it was ready:\n%s", strings.Join(args, " "), c.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("httpcheck %s was not ready within 30 s:\n%s", strings.Join(args, " "), c.stderr.String())
	}
	return nil
}

// read keeps stdout up to its end, and closes isReady at the first line
// that makes ready true.
func (c *child) read(stdout io.Reader, ready func(line string) bool, isReady chan struct{}) {
	waiting := ready != nil
	r := bufio.NewReader(stdout)
	for {
		raw, err := r.ReadString('\n')
		line := strings.TrimSuffix(strings.TrimSuffix(raw, "\n"), "\r")
		if raw != "" {
			c.mu.Lock()
			c.stdout.WriteString(raw)
			c.lines = append(c.lines, line)
			c.mu.Unlock()
			if waiting && ready(line) {
				close(isReady)
				waiting = false
			}
		}
		if err != nil {
			return
		}
	}
}

// wait waits for the child to exit and returns what it did. Only a failure
// to run it ends the test; a non-zero exit is in result.code.
func (c *child) wait() result {
	c.t.Helper()
	<-c.exited
	var ee *exec.ExitError
	if c.err != nil && !errors.As(c.err, &ee) {
		c.t.Fatal(c.err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return result{code: c.cmd.ProcessState.ExitCode(), stdout: c.stdout.String(), stderr: c.stderr.String()}
}

// said returns the first word after prefix in the first stdout line that
// begins with it ("httpcheck serve: http://127.0.0.1:41234/" gives the
// URL), or "".
func (c *child) said(prefix string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.lines {
		if rest, ok := strings.CutPrefix(l, prefix); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				return f[0]
			}
		}
	}
	return ""
}

// kill stops it at once: no graceful shutdown, no Close of its stores.
func (c *child) kill() {
	c.cmd.Process.Kill()
	<-c.exited
}

// serveReady: serve prints its URLs, writes its certificate, then says
// how to stop it.
func serveReady(line string) bool { return strings.Contains(line, "stop with Ctrl-C") }

// saysPrefix is ready once a line begins with prefix.
func saysPrefix(prefix string) func(string) bool {
	return func(line string) bool { return strings.HasPrefix(line, prefix) }
}
