package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// stopContext returns a context that ends when httpcheck is asked to stop:
// Ctrl-C (SIGINT) from a user, SIGTERM from a supervisor or a container
// runtime. Every command that can take a while (run, probe, clearsessions)
// or serves until stopped (serve, proxy, origin) listens for the same two
// signals, so all of them stop alike.
func stopContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// serveUntilStopped blocks until httpcheck is asked to stop (stopContext),
// which is a clean end, or until the server serving in the background
// reports on failed, which ends the command with exit code 3 unless it
// reports nil. serve, proxy and origin each end this way.
func serveUntilStopped(failed <-chan error) error {
	ctx, stop := stopContext()
	defer stop()
	select {
	case <-ctx.Done():
		return nil
	case err := <-failed:
		if err != nil {
			return exitError{exitUnreachable, err}
		}
		return nil
	}
}
