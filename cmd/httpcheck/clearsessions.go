package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/session"
)

// cmdClearSessions deletes the expired sessions of a store and prints how
// many: Django's `manage.py clearsessions`, for a cron job beside `serve`
// (which also sweeps by itself, --sweep). Expired sessions are never served
// either way; this only keeps the table or directory from growing.
func cmdClearSessions(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("clearsessions", stderr)
	sessionsURL := fs.String("sessions", session.DefaultURL, "session store: memory, sqlite:PATH, file:DIR, signed (secret in $"+session.SecretKeyEnv+"), redis://HOST:PORT/DB or postgres://USER@HOST:PORT/DB")
	if err := parse(fs, args); err != nil {
		return err
	}
	store, err := session.Open(*sessionsURL, clock.Real{})
	if err != nil {
		return usagef("--sessions: %v", err)
	}
	defer store.Close()

	ctx, stop := stopContext()
	defer stop()
	removed, err := store.ClearExpired(ctx)
	if err != nil {
		return exitError{exitUnreachable, fmt.Errorf("clearing expired sessions: %w", err)}
	}
	fmt.Fprintf(stdout, "httpcheck clearsessions: removed %d expired sessions\n", removed)
	switch backend, _, _ := strings.Cut(*sessionsURL, ":"); backend {
	case "signed":
		fmt.Fprintln(stdout, "httpcheck clearsessions: signed sessions live in the browsers' cookies; the server keeps none to remove")
	case "redis":
		fmt.Fprintln(stdout, "httpcheck clearsessions: Redis removes expired sessions itself (each has a TTL); there is nothing to clear")
	}
	return nil
}
