package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/suzhou-amr/suzhirong/domain"
)

// CreateBroadcast stores a draft broadcast; validation is the caller's.
func (db *DB) CreateBroadcast(ctx context.Context, d domain.Broadcast) (domain.Broadcast, error) {
	b := Broadcast(d)
	b.ID = 0
	b.Status = domain.BroadcastDraft
	if err := db.WithContext(ctx).Create(&b).Error; err != nil {
		return domain.Broadcast{}, fmt.Errorf("create broadcast: %w", err)
	}
	return domain.Broadcast(b), nil
}

// Broadcast returns a broadcast, or domain.ErrNotFound.
func (db *DB) Broadcast(ctx context.Context, id uint64) (domain.Broadcast, error) {
	b, err := take[Broadcast](db.WithContext(ctx).Where("id = ?", id), fmt.Sprintf("broadcast %d", id))
	return domain.Broadcast(b), err
}

// Broadcasts returns the broadcasts created or sent in [from, to), newest
// first.
func (db *DB) Broadcasts(ctx context.Context, from, to time.Time) ([]domain.Broadcast, error) {
	var out []Broadcast
	if err := db.WithContext(ctx).
		Where("(created_at >= ? AND created_at < ?) OR (sent_at >= ? AND sent_at < ?)", from, to, from, to).
		Order("id DESC").Limit(500).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("broadcasts: %w", err)
	}
	return convert(out, func(b Broadcast) domain.Broadcast { return domain.Broadcast(b) }), nil
}

// countedStatuses are the statuses that used a mass send of the quota.
var countedStatuses = []string{domain.BroadcastSending, domain.BroadcastSent, domain.BroadcastFinished}

// MassSendsIn counts the broadcasts sent (or being sent) in [from, to).
func (db *DB) MassSendsIn(ctx context.Context, from, to time.Time) (int, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&Broadcast{}).
		Where("status IN ? AND sent_at >= ? AND sent_at < ?", countedStatuses, from, to).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("mass sends: %w", err)
	}
	return int(n), nil
}

// StaleSending is how long a broadcast may stay "sending" before a new send
// may claim it again (its instance died between the claim and WeChat's answer).
const StaleSending = 10 * time.Minute

// ClaimBroadcast moves a draft (or failed, or stale sending) broadcast to sending, stamped
// at, when fewer than quota broadcasts were sent in [from, to). Exactly one
// of concurrent claims wins: the others get an ErrTransition error (already
// sent or being sent) or an ErrQuota error. On MySQL a counter row of the
// month is locked for the count, so two broadcasts cannot both take the
// last send.
func (db *DB) ClaimBroadcast(ctx context.Context, id uint64, by string, at, from, to time.Time, quota int) (domain.Broadcast, error) {
	var out Broadcast
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		lock := Counter{Name: "mass:" + from.Format("2006-01"), Value: 0}
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "name"}},
			DoUpdates: clause.Assignments(map[string]any{"value": gorm.Expr("`value`")}),
		}).Create(&lock).Error; err != nil {
			return fmt.Errorf("claim broadcast %d: lock: %w", id, err)
		}
		var b Broadcast
		err := tx.Where("id = ?", id).Take(&b).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("claim broadcast %d: %w", id, err)
		}
		// A send left "sending" by an instance that died before WeChat
		// answered may be sent again: the clientmsgid makes WeChat refuse a
		// second job for the same broadcast, so it cannot go out twice.
		stale := b.Status == domain.BroadcastSending && b.SentAt != nil && at.Sub(*b.SentAt) > StaleSending
		if b.Status != domain.BroadcastDraft && b.Status != domain.BroadcastFailed && !stale {
			return domain.Errorf(domain.ErrTransition, "该群发已发送（状态：%s），不能重复发送", b.Status)
		}
		var n int64
		if err := tx.Model(&Broadcast{}).Where("status IN ? AND sent_at >= ? AND sent_at < ?", countedStatuses, from, to).
			Count(&n).Error; err != nil {
			return fmt.Errorf("claim broadcast %d: count: %w", id, err)
		}
		if stale && !b.SentAt.Before(from) && b.SentAt.Before(to) {
			n-- // the stale claim itself was counted in this month
		}
		if int(n) >= quota {
			return domain.Errorf(domain.ErrQuota, "本月%d次群发额度已用完（服务号每月可群发%d次），请下月再发", quota, quota)
		}
		claim := tx.Model(&Broadcast{}).Where("id = ? AND status = ?", id, b.Status)
		if stale {
			claim = claim.Where("sent_at = ?", *b.SentAt)
		}
		res := claim.
			Updates(map[string]any{"status": domain.BroadcastSending, "sent_at": at, "sent_by": by, "last_error": ""})
		if res.Error != nil {
			return fmt.Errorf("claim broadcast %d: %w", id, res.Error)
		}
		if res.RowsAffected != 1 {
			return domain.Errorf(domain.ErrTransition, "该群发正在发送，不能重复发送")
		}
		return tx.Where("id = ?", id).Take(&out).Error
	})
	return domain.Broadcast(out), err
}

// BroadcastSent records WeChat's acceptance of a send.
func (db *DB) BroadcastSent(ctx context.Context, id uint64, msgID, msgDataID int64) error {
	err := db.WithContext(ctx).Model(&Broadcast{}).Where("id = ? AND status = ?", id, domain.BroadcastSending).
		Updates(map[string]any{"status": domain.BroadcastSent, "msg_id": msgID, "msg_data_id": msgDataID}).Error
	if err != nil {
		return fmt.Errorf("broadcast %d sent: %w", id, err)
	}
	return nil
}

// BroadcastFailed records a send WeChat refused; the broadcast may be sent
// again, and it does not count against the quota.
func (db *DB) BroadcastFailed(ctx context.Context, id uint64, reason string) error {
	err := db.WithContext(ctx).Model(&Broadcast{}).Where("id = ? AND status = ?", id, domain.BroadcastSending).
		Updates(map[string]any{"status": domain.BroadcastFailed, "last_error": clip(reason, 512)}).Error
	if err != nil {
		return fmt.Errorf("broadcast %d failed: %w", id, err)
	}
	return nil
}

// MassResult is the outcome WeChat reports with MASSSENDJOBFINISH.
type MassResult struct {
	MsgID       int64
	Status      string
	TotalCount  int64
	FilterCount int64
	SentCount   int64
	ErrorCount  int64
	At          time.Time
}

// FinishBroadcast records a mass-send job's result on its broadcast and
// marks it finished. A repeated report (WeChat retries) writes the same
// values again. It reports whether a broadcast has the job's msg_id.
func (db *DB) FinishBroadcast(ctx context.Context, r MassResult) (bool, error) {
	if r.MsgID == 0 {
		return false, nil
	}
	res := db.WithContext(ctx).Model(&Broadcast{}).Where("msg_id = ?", r.MsgID).Updates(map[string]any{
		"status": domain.BroadcastFinished, "result": clip(r.Status, 64), "total_count": r.TotalCount,
		"filter_count": r.FilterCount, "sent_count": r.SentCount, "error_count": r.ErrorCount,
		"finished_at": gorm.Expr("COALESCE(finished_at, ?)", r.At.UTC()),
	})
	if res.Error != nil {
		return false, fmt.Errorf("finish broadcast msg %d: %w", r.MsgID, res.Error)
	}
	if res.RowsAffected > 0 {
		return true, nil
	}
	// MySQL reports 0 rows for an update that changed nothing: a retry.
	var n int64
	if err := db.WithContext(ctx).Model(&Broadcast{}).Where("msg_id = ?", r.MsgID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("finish broadcast msg %d: %w", r.MsgID, err)
	}
	return n > 0, nil
}

// Tags returns the WeChat tags the service created.
func (db *DB) Tags(ctx context.Context) ([]WechatTag, error) {
	var out []WechatTag
	if err := db.WithContext(ctx).Order("kind, value").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	return out, nil
}

// Tag returns the tag of an audience (kind tier or county), or
// domain.ErrNotFound.
func (db *DB) Tag(ctx context.Context, kind, value string) (domain.WechatTag, error) {
	t, err := take[WechatTag](db.WithContext(ctx).Where("kind = ? AND value = ?", kind, value), "tag "+kind+" "+value)
	return domain.WechatTag(t), err
}

// SaveTag stores a created tag; an existing one of the kind and value is
// overwritten with the new id.
func (db *DB) SaveTag(ctx context.Context, d domain.WechatTag) error {
	t := WechatTag(d)
	err := db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "kind"}, {Name: "value"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "tag_id"}),
	}).Create(&t).Error
	if err != nil {
		return fmt.Errorf("save tag %s: %w", t.Name, err)
	}
	return nil
}

// TagSynced stamps a tag's last membership sync.
func (db *DB) TagSynced(ctx context.Context, id uint64, at time.Time) error {
	if err := db.WithContext(ctx).Model(&WechatTag{}).Where("id = ?", id).Update("synced_at", at).Error; err != nil {
		return fmt.Errorf("tag synced: %w", err)
	}
	return nil
}

// AudienceOpenIDs returns the subscribed followers of a tier (value "1".."4")
// or a county (value its slug).
func (db *DB) AudienceOpenIDs(ctx context.Context, kind, value string) ([]string, error) {
	q := db.WithContext(ctx).Model(&Follower{}).Where("subscribed = ?", true)
	switch kind {
	case domain.AudienceTier:
		q = q.Where("tier = ?", value)
	case domain.AudienceCounty:
		q = q.Where("county = ?", value)
	default:
		return nil, fmt.Errorf("audience %q: no tag", kind)
	}
	var ids []string
	if err := q.Order("id").Pluck("open_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("audience %s %s: %w", kind, value, err)
	}
	return ids, nil
}
