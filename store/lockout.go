package store

import (
	"context"
	"fmt"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// Login lockout: LockoutFailures failed logins within LockoutWindow lock
// the username for LockoutFor from the last of them. Failures are rows of
// their own (inserts, no read-modify-write), so concurrent attempts are all
// counted; a successful login clears them.
const (
	LockoutFailures = 5
	LockoutWindow   = 15 * time.Minute
	LockoutFor      = 15 * time.Minute
)

// LockedUntil returns when the username's lock ends, or the zero time when
// it is not locked at at.
func (db *DB) LockedUntil(ctx context.Context, username string, at time.Time) (time.Time, error) {
	var fails []LoginFailure
	if err := db.WithContext(ctx).Where("username = ? AND at > ?", username, at.Add(-LockoutWindow-LockoutFor)).
		Order("at DESC, id DESC").Limit(LockoutFailures).Find(&fails).Error; err != nil {
		return time.Time{}, fmt.Errorf("lockout %s: %w", username, err)
	}
	if len(fails) < LockoutFailures {
		return time.Time{}, nil
	}
	last, first := fails[0].At, fails[LockoutFailures-1].At
	if last.Sub(first) > LockoutWindow {
		return time.Time{}, nil
	}
	until := last.Add(LockoutFor)
	if !at.Before(until) {
		return time.Time{}, nil
	}
	return until, nil
}

// lockedError is the error of a locked account, with the time it ends.
func lockedError(until time.Time) error {
	return dialog.Errorf(dialog.ErrLocked, "登录失败次数过多，账号已锁定，请于%s后再试",
		until.In(dialog.Shanghai).Format("15:04"))
}

// recordLoginFailure notes a failed login; old rows are pruned on the way.
func (db *DB) recordLoginFailure(ctx context.Context, username string, at time.Time) error {
	if err := db.WithContext(ctx).Create(&LoginFailure{Username: clip(username, 64), At: at.UTC()}).Error; err != nil {
		return fmt.Errorf("record login failure: %w", err)
	}
	db.WithContext(ctx).Where("at < ?", at.Add(-24*time.Hour)).Delete(&LoginFailure{})
	return nil
}

// clearLoginFailures forgets a username's failures after a successful login.
func (db *DB) clearLoginFailures(ctx context.Context, username string) error {
	if err := db.WithContext(ctx).Where("username = ?", username).Delete(&LoginFailure{}).Error; err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
