package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Sign-in throttling. Every attempt is a row of login_attempts, kept as
// history (who, from which address, when, whether it succeeded). Failures
// slow down the pair (username, address) and, for password spraying, the
// address; never the username alone, so nobody can lock an account —
// admin included — from an address of their own.
//
// Failures of a pair within ThrottleWindow since its last success: the
// first PairFreeFailures cost nothing, then each one delays the next
// attempt, doubling from a minute up to MaxThrottle. An address gets
// AddressFreeFailures within the window, then the same doubling.
const (
	ThrottleWindow      = time.Hour
	PairFreeFailures    = 4
	AddressFreeFailures = 30
	MaxThrottle         = 15 * time.Minute
	// LockoutFor is the longest an attempt is held back.
	LockoutFor = MaxThrottle
)

// Attempt kinds.
const (
	AttemptLogin    = "login"
	AttemptPassword = "password" // the current password on a password change
)

// LoginAttempt is one sign-in or current-password check.
type LoginAttempt struct {
	ID       uint64    `gorm:"primaryKey"`
	Kind     string    `gorm:"size:16;not null;index:idx_login_attempts_pair,priority:3"`
	Username string    `gorm:"size:64;not null;index:idx_login_attempts_pair,priority:1"`
	Address  string    `gorm:"size:64;not null;index:idx_login_attempts_pair,priority:2;index:idx_login_attempts_addr,priority:1"`
	OK       bool      `gorm:"not null"`
	Held     bool      `gorm:"not null;default:false"` // refused by the throttle, password not checked
	At       time.Time `gorm:"not null;index:idx_login_attempts_addr,priority:2"`
}

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

// Throttled is the error of an attempt held back, with when to retry.
func throttledError(until time.Time) error {
	return domain.Errorf(domain.ErrLocked, "登录失败次数过多，已暂时锁定，请于%s后再试",
		until.In(domain.Shanghai).Format("15:04:05"))
}

// attempt is one recorded attempt under way.
type attempt struct {
	id uint64
	db *DB
}

// beginAttempt records an attempt — as a failure until succeed says
// otherwise — and returns when the pair or the address may try again when
// the failures before it hold it back (zero time: go ahead). The row is
// written before anything is checked, so a burst of parallel guesses sees
// itself and cannot outrun the throttle.
func (db *DB) beginAttempt(ctx context.Context, kind, username, address string, at time.Time) (attempt, time.Time, error) {
	row := LoginAttempt{Kind: kind, Username: clip(username, 64), Address: clip(address, 64), At: at.UTC()}
	if err := db.WithContext(ctx).Create(&row).Error; err != nil {
		return attempt{}, time.Time{}, fmt.Errorf("record %s attempt: %w", kind, err)
	}
	a := attempt{id: row.ID, db: db}
	until, err := db.heldUntil(ctx, row, 0)
	return a, until, err
}

// heldUntil returns when the attempts after row may go ahead, counting the
// failures before row (and row itself with extra 1), or the zero time.
func (db *DB) heldUntil(ctx context.Context, row LoginAttempt, extra int) (time.Time, error) {
	since := row.At.Add(-ThrottleWindow)
	var lastOK struct{ ID uint64 }
	if err := db.WithContext(ctx).Model(&LoginAttempt{}).Select("COALESCE(MAX(id), 0) AS id").
		Where("username = ? AND address = ? AND kind = ? AND ok = ? AND id < ?", row.Username, row.Address, row.Kind, true, row.ID).
		Scan(&lastOK).Error; err != nil {
		return time.Time{}, fmt.Errorf("throttle %s: %w", row.Kind, err)
	}
	pair, err := db.failures(ctx, db.WithContext(ctx).Where("username = ? AND address = ? AND kind = ? AND ok = ? AND held = ? AND at > ? AND id < ? AND id > ?",
		row.Username, row.Address, row.Kind, false, false, since, row.ID, lastOK.ID))
	if err != nil {
		return time.Time{}, fmt.Errorf("throttle %s: %w", row.Kind, err)
	}
	addr, err := db.failures(ctx, db.WithContext(ctx).Where("address = ? AND ok = ? AND held = ? AND at > ? AND id < ?",
		row.Address, false, false, since, row.ID))
	if err != nil {
		return time.Time{}, fmt.Errorf("throttle %s: %w", row.Kind, err)
	}
	var until time.Time
	if d := backoff(pair.N+extra, PairFreeFailures); d > 0 {
		last := row.At
		if extra == 0 {
			last = pair.Last
		}
		until = last.Add(d)
	}
	if d := backoff(addr.N+extra, AddressFreeFailures); d > 0 {
		last := row.At
		if extra == 0 {
			last = addr.Last
		}
		if u := last.Add(d); u.After(until) {
			until = u
		}
	}
	if !row.At.Before(until) {
		return time.Time{}, nil
	}
	return until.UTC(), nil
}

// failureCount is how many failures a condition matches and when the
// latest was.
type failureCount struct {
	N    int
	Last time.Time
}

// failures counts the attempts q selects and finds the latest of them.
func (db *DB) failures(ctx context.Context, q *gorm.DB) (failureCount, error) {
	var n int64
	if err := q.Session(&gorm.Session{}).Model(&LoginAttempt{}).Count(&n).Error; err != nil {
		return failureCount{}, err
	}
	if n == 0 {
		return failureCount{}, nil
	}
	var last LoginAttempt
	if err := q.Session(&gorm.Session{}).Order("id DESC").Limit(1).Take(&last).Error; err != nil {
		return failureCount{}, err
	}
	return failureCount{N: int(n), Last: last.At}, nil
}

// hold marks the attempt refused by the throttle: it was no guess, so it
// does not lengthen the hold (a user retrying too early is not punished).
// Until marked it counts as a failure, which keeps a parallel burst from
// slipping through.
func (a attempt) hold(ctx context.Context) error {
	if err := a.db.WithContext(ctx).Model(&LoginAttempt{}).Where("id = ?", a.id).Update("held", true).Error; err != nil {
		return fmt.Errorf("record held attempt: %w", err)
	}
	return nil
}

// succeed marks the attempt a success: the pair's failures before it stop
// counting.
func (a attempt) succeed(ctx context.Context) error {
	if err := a.db.WithContext(ctx).Model(&LoginAttempt{}).Where("id = ?", a.id).Update("ok", true).Error; err != nil {
		return fmt.Errorf("record successful attempt: %w", err)
	}
	return nil
}

// failed answers a failed attempt: the wrong credentials, or the hold
// this failure starts.
func (a attempt) failed(ctx context.Context, wrong error) error {
	var row LoginAttempt
	if err := a.db.WithContext(ctx).Where("id = ?", a.id).Take(&row).Error; err != nil {
		return wrong
	}
	if until, err := a.db.heldUntil(ctx, row, 1); err == nil && !until.IsZero() {
		return throttledError(until)
	}
	return wrong
}

// LoginAttempts returns the latest attempts, newest first, for officers.
func (db *DB) LoginAttempts(ctx context.Context, limit int) ([]LoginAttempt, error) {
	var rows []LoginAttempt
	if err := db.WithContext(ctx).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("login attempts: %w", err)
	}
	return rows, nil
}
