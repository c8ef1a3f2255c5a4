package admin

import (
	"context"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Sign-in throttling. Every attempt is recorded (store: login_attempts),
// kept as history. Failures slow down the pair (username, address) and, for
// password spraying, the address; never the username alone, so nobody can
// lock an account — admin included — from an address of their own.
//
// Failures of a pair within ThrottleWindow since its last success: the
// first PairFreeFailures cost nothing, then each one delays the next
// attempt, doubling from a minute up to MaxThrottle. An address gets
// AddressFreeFailures within the window, then the same doubling.
// The numbers are the domain's (domain/limits.go).
const (
	ThrottleWindow      = domain.ThrottleWindow
	PairFreeFailures    = domain.PairFreeFailures
	AddressFreeFailures = domain.AddressFreeFailures
	MaxThrottle         = domain.MaxThrottle
	// LockoutFor is the longest an attempt is held back.
	LockoutFor = MaxThrottle
)

// Attempt kinds.
const (
	AttemptLogin    = "login"
	AttemptPassword = "password" // the current password on a password change
)

// backoff is the delay after failures failures, once free are used.
func backoff(failures, free int) time.Duration {
	if failures <= free {
		return 0
	}
	d := time.Minute
	for i := free + 1; i < failures && d < MaxThrottle; i++ {
		d *= 2
	}
	return min(d, MaxThrottle)
}

// throttledError is the error of an attempt held back, with when to retry.
func throttledError(until time.Time) error {
	return domain.Errorf(domain.ErrLocked, "登录失败次数过多，已暂时锁定，请于%s后再试",
		until.In(domain.Shanghai).Format("15:04:05"))
}

// attempt is one recorded attempt under way.
type attempt struct {
	domain.Attempt
	repo Attempts
}

// beginAttempt records an attempt — as a failure until succeed says
// otherwise — and returns when the pair or the address may try again when
// the failures before it hold it back (zero time: go ahead). The attempt
// is recorded before anything is checked, so a burst of parallel guesses
// sees itself and cannot outrun the throttle.
func (s *Service) beginAttempt(ctx context.Context, kind, username, address string, at time.Time) (attempt, time.Time, error) {
	rec, err := s.attempts.RecordAttempt(ctx, domain.Attempt{Kind: kind, Username: username, Address: address, At: at.UTC()})
	if err != nil {
		return attempt{}, time.Time{}, err
	}
	a := attempt{Attempt: rec, repo: s.attempts}
	until, err := a.heldUntil(ctx, 0)
	return a, until, err
}

// heldUntil returns when the attempts after a may go ahead, counting the
// failures before a (and a itself with extra 1), or the zero time.
func (a attempt) heldUntil(ctx context.Context, extra int) (time.Time, error) {
	pair, addr, err := a.repo.AttemptFailures(ctx, a.Attempt, a.At.Add(-ThrottleWindow))
	if err != nil {
		return time.Time{}, err
	}
	var until time.Time
	if d := backoff(pair.N+extra, PairFreeFailures); d > 0 {
		last := a.At
		if extra == 0 {
			last = pair.Last
		}
		until = last.Add(d)
	}
	if d := backoff(addr.N+extra, AddressFreeFailures); d > 0 {
		last := a.At
		if extra == 0 {
			last = addr.Last
		}
		if u := last.Add(d); u.After(until) {
			until = u
		}
	}
	if !a.At.Before(until) {
		return time.Time{}, nil
	}
	return until.UTC(), nil
}

// hold marks the attempt refused by the throttle: it was no guess, so it
// does not lengthen the hold (a user retrying too early is not punished).
// Until marked it counts as a failure, which keeps a parallel burst from
// slipping through.
func (a attempt) hold(ctx context.Context) error { return a.repo.HoldAttempt(ctx, a.ID) }

// succeed marks the attempt a success: the pair's failures before it stop
// counting.
func (a attempt) succeed(ctx context.Context) error { return a.repo.SucceedAttempt(ctx, a.ID) }

// failed answers a failed attempt: the wrong credentials, or the hold
// this failure starts.
func (a attempt) failed(ctx context.Context, wrong error) error {
	if until, err := a.heldUntil(ctx, 1); err == nil && !until.IsZero() {
		return throttledError(until)
	}
	return wrong
}
