package store

import (
	"context"
	"fmt"

	"github.com/suzhou-amr/suzhirong/domain"
)

// RecordSandbox stores an outbound WeChat call made in sandbox mode.
func (db *DB) RecordSandbox(ctx context.Context, api, toUser, body string) error {
	m := SandboxMessage{API: api, ToUser: toUser, Body: body}
	if err := db.WithContext(ctx).Create(&m).Error; err != nil {
		return fmt.Errorf("record sandbox %s: %w", api, err)
	}
	return nil
}

// SandboxMessages returns the latest recorded calls, newest first.
func (db *DB) SandboxMessages(ctx context.Context, toUser string, limit int) ([]domain.SandboxMessage, error) {
	var out []SandboxMessage
	q := db.WithContext(ctx).Order("id DESC").Limit(limit)
	if toUser != "" {
		q = q.Where("to_user = ?", toUser)
	}
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("sandbox messages: %w", err)
	}
	return toSandboxMessages(out), nil
}
