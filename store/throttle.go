package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Sign-in attempts. Every attempt is a row of login_attempts, kept as
// history (who, from which address, when, whether it succeeded). The store
// records and counts them; how many failures hold back which attempt, and
// for how long, is admin's throttle (admin/throttle.go).

// The throttle's limits, under the names the tests of the sign-in read
// from the store; admin applies them.
const (
	ThrottleWindow   = domain.ThrottleWindow
	PairFreeFailures = domain.PairFreeFailures
	MaxThrottle      = domain.MaxThrottle
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

// RecordAttempt records an attempt, as a failure until marked otherwise,
// and returns it with its id. The row is written before anything is
// checked, so a burst of parallel guesses sees itself.
func (db *DB) RecordAttempt(ctx context.Context, a domain.Attempt) (domain.Attempt, error) {
	row := LoginAttempt{Kind: a.Kind, Username: clip(a.Username, 64), Address: clip(a.Address, 64), At: a.At.UTC()}
	if err := db.WithContext(ctx).Create(&row).Error; err != nil {
		return domain.Attempt{}, fmt.Errorf("record %s attempt: %w", a.Kind, err)
	}
	return domain.Attempt{ID: row.ID, Kind: row.Kind, Username: row.Username, Address: row.Address, At: row.At}, nil
}

// AttemptFailures counts the failures recorded before attempt a (held
// attempts are no failures) after since: those of a's pair (username,
// address and kind) after the pair's last success, and those of a's
// address, of any kind and username; each with when the latest was.
func (db *DB) AttemptFailures(ctx context.Context, a domain.Attempt, since time.Time) (pair, address domain.FailureCount, err error) {
	username, addr := clip(a.Username, 64), clip(a.Address, 64)
	var lastOK struct{ ID uint64 }
	if err := db.WithContext(ctx).Model(&LoginAttempt{}).Select("COALESCE(MAX(id), 0) AS id").
		Where("username = ? AND address = ? AND kind = ? AND ok = ? AND id < ?", username, addr, a.Kind, true, a.ID).
		Scan(&lastOK).Error; err != nil {
		return pair, address, fmt.Errorf("throttle %s: %w", a.Kind, err)
	}
	pair, err = db.failures(db.WithContext(ctx).Where("username = ? AND address = ? AND kind = ? AND ok = ? AND held = ? AND at > ? AND id < ? AND id > ?",
		username, addr, a.Kind, false, false, since, a.ID, lastOK.ID))
	if err != nil {
		return pair, address, fmt.Errorf("throttle %s: %w", a.Kind, err)
	}
	address, err = db.failures(db.WithContext(ctx).Where("address = ? AND ok = ? AND held = ? AND at > ? AND id < ?",
		addr, false, false, since, a.ID))
	if err != nil {
		return pair, address, fmt.Errorf("throttle %s: %w", a.Kind, err)
	}
	return pair, address, nil
}

// failures counts the attempts q selects and finds the latest of them.
func (db *DB) failures(q *gorm.DB) (domain.FailureCount, error) {
	var n int64
	if err := q.Session(&gorm.Session{}).Model(&LoginAttempt{}).Count(&n).Error; err != nil {
		return domain.FailureCount{}, err
	}
	if n == 0 {
		return domain.FailureCount{}, nil
	}
	var last LoginAttempt
	if err := q.Session(&gorm.Session{}).Order("id DESC").Limit(1).Take(&last).Error; err != nil {
		return domain.FailureCount{}, err
	}
	return domain.FailureCount{N: int(n), Last: last.At}, nil
}

// HoldAttempt marks an attempt refused without its password being checked.
func (db *DB) HoldAttempt(ctx context.Context, id uint64) error {
	if err := db.WithContext(ctx).Model(&LoginAttempt{}).Where("id = ?", id).Update("held", true).Error; err != nil {
		return fmt.Errorf("record held attempt: %w", err)
	}
	return nil
}

// SucceedAttempt marks an attempt a success.
func (db *DB) SucceedAttempt(ctx context.Context, id uint64) error {
	if err := db.WithContext(ctx).Model(&LoginAttempt{}).Where("id = ?", id).Update("ok", true).Error; err != nil {
		return fmt.Errorf("record successful attempt: %w", err)
	}
	return nil
}

// LoginAttempts returns the latest attempts, newest first, for officers.
func (db *DB) LoginAttempts(ctx context.Context, limit int) ([]LoginAttempt, error) {
	var rows []LoginAttempt
	if err := db.WithContext(ctx).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("login attempts: %w", err)
	}
	return rows, nil
}
