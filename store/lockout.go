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

// beginLoginAttempt records a login attempt as a failure — a successful
// login clears it — and returns how many failures of the username within
// LockoutWindow came before it. Old rows are pruned on the way.
func (db *DB) beginLoginAttempt(ctx context.Context, username string, at time.Time) (int, error) {
	row := LoginFailure{Username: clip(username, 64), At: at.UTC()}
	if err := db.WithContext(ctx).Create(&row).Error; err != nil {
		return 0, fmt.Errorf("record login attempt: %w", err)
	}
	var before int64
	if err := db.WithContext(ctx).Model(&LoginFailure{}).
		Where("username = ? AND at > ? AND id < ?", row.Username, at.Add(-LockoutWindow), row.ID).
		Count(&before).Error; err != nil {
		return 0, fmt.Errorf("count login attempts: %w", err)
	}
	db.WithContext(ctx).Where("at < ?", at.Add(-24*time.Hour)).Delete(&LoginFailure{})
	return int(before), nil
}

// clearLoginFailures forgets a username's failures after a successful login.
func (db *DB) clearLoginFailures(ctx context.Context, username string) error {
	if err := db.WithContext(ctx).Where("username = ?", username).Delete(&LoginFailure{}).Error; err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
