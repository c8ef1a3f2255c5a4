package store

import (
	"context"
	"fmt"

	"github.com/suzhou-amr/suzhirong/domain"
)

// editable are the statuses in which a broadcast may still be changed or
// deleted: nothing of it has gone out.
var editable = []string{domain.BroadcastDraft, domain.BroadcastFailed}

// UpdateBroadcast replaces a draft's title, kind, content and audience. A
// broadcast being sent or sent is an error wrapping domain.ErrTransition.
func (db *DB) UpdateBroadcast(ctx context.Context, b domain.Broadcast) (domain.Broadcast, error) {
	res := db.WithContext(ctx).Model(&Broadcast{}).Where("id = ? AND status IN ?", b.ID, editable).
		Updates(map[string]any{"title": b.Title, "kind": b.Kind, "content": b.Content,
			"audience_type": b.AudienceType, "audience_value": b.AudienceValue})
	if res.Error != nil {
		return domain.Broadcast{}, fmt.Errorf("update broadcast %d: %w", b.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		if _, err := db.Broadcast(ctx, b.ID); err != nil {
			return domain.Broadcast{}, err
		}
		return domain.Broadcast{}, domain.Errorf(domain.ErrTransition, "已发出的群发不能修改")
	}
	return db.Broadcast(ctx, b.ID)
}

// DeleteBroadcast deletes a draft (or a failed send) and returns it. A
// broadcast being sent or sent is an error wrapping domain.ErrTransition.
func (db *DB) DeleteBroadcast(ctx context.Context, id uint64) (domain.Broadcast, error) {
	b, err := db.Broadcast(ctx, id)
	if err != nil {
		return domain.Broadcast{}, err
	}
	res := db.WithContext(ctx).Where("id = ? AND status IN ?", id, editable).Delete(&Broadcast{})
	if res.Error != nil {
		return domain.Broadcast{}, fmt.Errorf("delete broadcast %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.Broadcast{}, domain.Errorf(domain.ErrTransition, "已发出的群发不能删除")
	}
	return b, nil
}

// AudienceSize counts the subscribed followers an audience reaches: all,
// a tier's or a county's.
func (db *DB) AudienceSize(ctx context.Context, a domain.Audience) (int64, error) {
	q := db.WithContext(ctx).Model(&Follower{}).Where("subscribed = ?", true)
	switch a.Type {
	case domain.AudienceAll:
	case domain.AudienceTier:
		q = q.Where("tier = ?", a.Value)
	case domain.AudienceCounty:
		q = q.Where("county = ?", a.Value)
	default:
		return 0, fmt.Errorf("audience %q: %w", a.Type, domain.ErrInvalid)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return 0, fmt.Errorf("audience size: %w", err)
	}
	return n, nil
}

// Subscribed reports whether openID follows the account now.
func (db *DB) Subscribed(ctx context.Context, openID string) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&Follower{}).Where("open_id = ? AND subscribed = ?", openID, true).Count(&n).Error; err != nil {
		return false, fmt.Errorf("subscribed: %w", err)
	}
	return n > 0, nil
}
