package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// child is this test binary running as httpcheck in the background (see
// TestMain): serve, proxy or origin. It is the one way the tests start a
// long-running command; one-shot commands go through httpcheck().
type child struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr *strings.Builder
	exited chan struct{}

	mu    sync.Mutex
	lines []string // stdout up to the line that said it was ready
}

// startChild starts `httpcheck args...` with env added and waits, for up
// to 30 s, until a line of its stdout makes ready true. When the test ends
// it is interrupted, and killed if it has not stopped 10 s later.
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
		sc := bufio.NewScanner(stdout)
		waiting := true
		for waiting && sc.Scan() {
			c.mu.Lock()
			c.lines = append(c.lines, sc.Text())
			c.mu.Unlock()
			if ready(sc.Text()) {
				close(isReady)
				waiting = false
			}
		}
		io.Copy(io.Discard, stdout)
		cmd.Wait()
		close(c.exited)
	}()
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
