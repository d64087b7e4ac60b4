package session

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Expired records are never served (Store.Load refuses them), so removing
// them is housekeeping, not security: it keeps the database and the session
// directory from growing without bound. Django leaves it to a cron job
// running `manage.py clearsessions`; httpcheck offers both that command
// (`httpcheck clearsessions`, which opens the store and calls
// Store.ClearExpired) and a loop inside `serve` (Sweep).

// Sweep removes expired records from store at once and then every interval
// until ctx is done, when it returns ctx's error. A failed pass is logged
// and retried at the next tick: a sweeper that stopped on the first locked
// database would let the store grow unnoticed. The interval is real time,
// whatever clock the store reads: with a virtual clock, records that the
// clock has expired are refused at once and removed at the next tick.
func Sweep(ctx context.Context, store Store, every time.Duration) error {
	if every <= 0 {
		return errors.New("session: Sweep needs a positive interval")
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := store.ClearExpired(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("session: clearing expired sessions failed", "err", err)
		} else if n > 0 {
			slog.Debug("session: cleared expired sessions", "removed", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
