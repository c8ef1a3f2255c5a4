package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Outbox statuses.
const (
	OutboxPending = "pending" // waiting to be sent, or to be retried
	OutboxSent    = "sent"
	OutboxFailed  = "failed" // given up: a permanent error or too many attempts
)

// Message is domain.OutboxMessage.
type Message = domain.OutboxMessage

// enqueue inserts messages in tx; a message whose dedupe key exists already
// is skipped, so a retried job never sends twice.
func enqueue(tx *gorm.DB, msgs []Message, at time.Time) error {
	for _, m := range msgs {
		row := Outbox{
			Channel: m.Channel, Recipient: m.Recipient, DedupeKey: m.DedupeKey, Payload: m.Payload,
			Status: OutboxPending, NextAt: at,
		}
		err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).
			Create(&row).Error
		if err != nil {
			return fmt.Errorf("enqueue %s: %w", m.DedupeKey, err)
		}
	}
	return nil
}

// Enqueue adds messages to the outbox, due at at.
func (db *DB) Enqueue(ctx context.Context, at time.Time, msgs ...Message) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return enqueue(tx, msgs, at) })
}

// EnqueueNew adds messages to the outbox, due at at, and reports whether
// any was new (not already there under its dedupe key); no messages is
// new.
func (db *DB) EnqueueNew(ctx context.Context, msgs []Message, at time.Time) (bool, error) {
	if len(msgs) == 0 {
		return true, nil
	}
	var fresh bool
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, m := range msgs {
			row := Outbox{
				Channel: m.Channel, Recipient: m.Recipient, DedupeKey: m.DedupeKey, Payload: m.Payload,
				Status: OutboxPending, NextAt: at,
			}
			// Looked up first: on MySQL an insert that met its key is
			// reported as affecting a row, as one that did not.
			var n int64
			if err := tx.Model(&Outbox{}).Where("dedupe_key = ?", m.DedupeKey).Count(&n).Error; err != nil {
				return fmt.Errorf("enqueue %s: %w", m.DedupeKey, err)
			}
			if n > 0 {
				continue
			}
			res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).Create(&row)
			if res.Error != nil {
				return fmt.Errorf("enqueue %s: %w", m.DedupeKey, res.Error)
			}
			fresh = fresh || res.RowsAffected > 0
		}
		return nil
	})
	return fresh, err
}

// ClaimOutbox locks up to limit due messages for owner until now+lease and
// returns them. The claim is one conditional UPDATE re-checking that each
// row is still pending and unlocked, so two workers never get the same
// row; a row whose lock expired (its worker died mid-send) is due again.
// Attempts counts claims, so a row that crashes its worker is given up in
// the end too. owner must be unique per call.
func (db *DB) ClaimOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Outbox, error) {
	gdb := db.WithContext(ctx)
	due := func(q *gorm.DB) *gorm.DB {
		return q.Where("status = ? AND next_at <= ? AND (locked_until IS NULL OR locked_until < ?)", OutboxPending, now, now)
	}
	var ids []uint64
	if err := due(gdb.Model(&Outbox{})).Order("next_at, id").Limit(limit).Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("claim outbox: select: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	until := now.Add(lease)
	res := due(gdb.Model(&Outbox{}).Where("id IN ?", ids)).Updates(map[string]any{
		"locked_by": owner, "locked_until": until, "attempts": gorm.Expr("attempts + 1"), "updated_at": now,
	})
	if res.Error != nil {
		return nil, fmt.Errorf("claim outbox: update: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	var rows []Outbox
	if err := gdb.Where("id IN ? AND locked_by = ?", ids, owner).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("claim outbox: read: %w", err)
	}
	return rows, nil
}

// MarkSent records a delivered message. It reports false when owner no
// longer held the lock (it expired and another worker claimed the row).
func (db *DB) MarkSent(ctx context.Context, id uint64, owner string, at time.Time) (bool, error) {
	res := db.WithContext(ctx).Model(&Outbox{}).Where("id = ? AND locked_by = ?", id, owner).Updates(map[string]any{
		"status": OutboxSent, "sent_at": at, "locked_by": "", "locked_until": nil, "last_error": "", "updated_at": at,
	})
	if res.Error != nil {
		return false, fmt.Errorf("mark sent %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// MarkRetry records a failed attempt: the message is due again at next, or
// given up when next is zero.
func (db *DB) MarkRetry(ctx context.Context, id uint64, owner, lastErr string, next, at time.Time) error {
	if len(lastErr) > 500 {
		lastErr = lastErr[:500]
	}
	updates := map[string]any{"locked_by": "", "locked_until": nil, "last_error": lastErr, "updated_at": at}
	if next.IsZero() {
		updates["status"] = OutboxFailed
	} else {
		updates["next_at"] = next
	}
	if err := db.WithContext(ctx).Model(&Outbox{}).Where("id = ? AND locked_by = ?", id, owner).
		Updates(updates).Error; err != nil {
		return fmt.Errorf("mark retry %d: %w", id, err)
	}
	return nil
}

// OutboxRows returns the outbox rows whose dedupe key starts with prefix
// ("" for all), oldest first: for tests and the console.
func (db *DB) OutboxRows(ctx context.Context, prefix string) ([]Outbox, error) {
	var rows []Outbox
	q := db.WithContext(ctx).Order("id")
	if prefix != "" {
		q = q.Where("dedupe_key LIKE ?", prefix+"%")
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("outbox rows: %w", err)
	}
	return rows, nil
}
