package admin

import (
	"context"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Wrong bind codes (“绑定 XXXXXXXXXXXX” in the chat) are counted per
// openid and per code prefix, within BindWindow. An openid's first
// BindFreeFailures cost nothing; each further one holds its next attempt
// back for BindSlowDown, doubling; at BindMaxFailures it is refused for
// BindWindow. BindPrefixMaxFailures wrong codes starting alike (from any
// number of openids) refuse that prefix for BindWindow. A held attempt is
// answered without the code being looked at, so a right guess while held
// binds nothing. With 12 characters of a 31-letter alphabet (31^12 ≈ 8e17
// codes) and at most BindPrefixMaxFailures × 31² guesses an hour from
// everyone together, guessing a live code stays hopeless.
// The numbers are the domain's (domain/limits.go).
const (
	BindWindow            = domain.BindWindow
	BindFreeFailures      = domain.BindFreeFailures
	BindMaxFailures       = domain.BindMaxFailures
	BindPrefixMaxFailures = domain.BindPrefixMaxFailures
	BindSlowDown          = domain.BindSlowDown
)

// BindCounters counts wrong bind codes and holds attempts back (the
// store's Redis sessions).
type BindCounters interface {
	BindHeld(ctx context.Context, openID, code string, at time.Time) (time.Time, error)
	CountBindFailure(ctx context.Context, openID, code string, window time.Duration) (failures, prefixFailures int64, err error)
	HoldBind(ctx context.Context, openID string, at, until time.Time) error
	HoldBindPrefix(ctx context.Context, code string, at, until time.Time) error
	BindSucceeded(ctx context.Context, openID string) error
}

// BindGuard applies the rules above to the chat's bind codes; the chat's
// bind flow (leads) asks it before and after a code is looked at.
type BindGuard struct {
	counters BindCounters
}

// NewBindGuard returns the guard of bind codes over counters.
func NewBindGuard(counters BindCounters) *BindGuard { return &BindGuard{counters: counters} }

// BindHeld returns until when openID's bind attempts (or those of the
// code's prefix) are held back, zero when the attempt may go ahead.
func (g *BindGuard) BindHeld(ctx context.Context, openID, code string, at time.Time) (time.Time, error) {
	return g.counters.BindHeld(ctx, openID, code, at)
}

// BindFailed counts a wrong code of openID and holds its next attempts
// as the rules above say.
func (g *BindGuard) BindFailed(ctx context.Context, openID, code string, at time.Time) (domain.BindFailure, error) {
	var f domain.BindFailure
	var err error
	f.Failures, f.PrefixFailures, err = g.counters.CountBindFailure(ctx, openID, code, BindWindow)
	if err != nil {
		return f, err
	}
	until := func(d time.Duration) time.Time {
		u := at.Add(d)
		if u.After(f.Until) {
			f.Until = u
		}
		return u
	}
	switch {
	case f.Failures >= BindMaxFailures:
		f.Locked = f.Failures == BindMaxFailures
		err = g.counters.HoldBind(ctx, openID, at, until(BindWindow))
	case f.Failures > BindFreeFailures:
		err = g.counters.HoldBind(ctx, openID, at, until(BindSlowDown<<(f.Failures-BindFreeFailures-1)))
	}
	if err == nil && f.PrefixFailures >= BindPrefixMaxFailures {
		f.Locked = f.Locked || f.PrefixFailures == BindPrefixMaxFailures
		err = g.counters.HoldBindPrefix(ctx, code, at, until(BindWindow))
	}
	if err != nil {
		return f, err
	}
	return f, nil
}

// BindSucceeded forgets openID's wrong codes once one was right.
func (g *BindGuard) BindSucceeded(ctx context.Context, openID string) error {
	return g.counters.BindSucceeded(ctx, openID)
}
