package bot

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/store"
)

// Policies holds the policy in force: the seeded one with what officers
// maintain in the database (contacts, the LPR schedule, what they taught
// the bot and their edits of the seeds). Readers get an immutable
// *dialog.Policy; Refresh builds a new one, so that an officer's change
// reaches every instance and a scheduled LPR takes effect on its day.
type Policies struct {
	log     *slog.Logger
	db      *store.DB
	base    *dialog.Policy
	now     func() time.Time
	current atomic.Pointer[dialog.Policy]
}

// NewPolicies loads the policy in force over base, the seeded policy; now
// is the clock of the LPR schedule (the real clock when nil).
func NewPolicies(ctx context.Context, log *slog.Logger, db *store.DB, base *dialog.Policy, now func() time.Time) (*Policies, error) {
	if now == nil {
		now = utcNow
	}
	p := &Policies{log: log, db: db, base: base, now: now}
	if err := p.Refresh(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// Policy returns the policy in force.
func (p *Policies) Policy() *dialog.Policy { return p.current.Load() }

// Base returns the seeded policy, before officers' changes.
func (p *Policies) Base() *dialog.Policy { return p.base }

// Refresh reloads the officer-maintained parts of the policy.
func (p *Policies) Refresh(ctx context.Context) error {
	pol, err := p.db.Policy(ctx, p.base, p.now())
	if err != nil {
		return fmt.Errorf("refresh policy: %w", err)
	}
	if pol, err = p.withTaught(ctx, pol); err != nil {
		return fmt.Errorf("refresh policy: %w", err)
	}
	p.current.Store(pol)
	return nil
}

// withTaught merges what officers taught and their edits of the seeds into
// p; the understanding index is then rebuilt (a few milliseconds, at each
// refresh).
func (p *Policies) withTaught(ctx context.Context, pol *dialog.Policy) (*dialog.Policy, error) {
	edits, off, err := p.db.SeedEdits(ctx)
	if err != nil {
		return nil, err
	}
	if len(edits) > 0 || len(off) > 0 {
		pol = pol.WithEdits(edits, off)
	}
	paras, faqs, err := p.db.Taught(ctx)
	if err != nil {
		return nil, err
	}
	if len(paras) == 0 && len(faqs) == 0 {
		return pol, nil
	}
	return pol.WithTaught(paras, faqs), nil
}
