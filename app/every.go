package app

import (
	"context"
	"log/slog"
	"time"
)

// Every runs job at once and then every d until ctx ends, logging its
// failures: the one loop of the background workers (the policy refresh,
// the outbox, the SLA check), each of which is just its job.
func Every(ctx context.Context, log *slog.Logger, name string, d time.Duration, job func(context.Context) error) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		if err := job(ctx); err != nil && ctx.Err() == nil {
			log.Error(name+" failed", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Workers starts the background workers until ctx ends: the policy
// refresh (every 30 s, so an officer's change reaches every instance), the
// outbox (every 3 s) and the SLA check (every 10 minutes).
func (a *App) Workers(ctx context.Context) {
	go Every(ctx, a.Log, "policy refresh", 30*time.Second, a.Policies.Refresh)
	go Every(ctx, a.Log, "outbox drain", 3*time.Second, func(ctx context.Context) error {
		_, err := a.Outbox.Drain(ctx)
		return err
	})
	go Every(ctx, a.Log, "sla check", 10*time.Minute, func(ctx context.Context) error {
		r, err := a.SLA.Check(ctx)
		if err == nil && r.Reminded+r.Escalated > 0 {
			a.Log.Info("sla check", slog.Int("reminded", r.Reminded), slog.Int("escalated", r.Escalated))
		}
		return err
	})
}
