package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Counties returns every county record in the order of 附件2.
func (db *DB) Counties(ctx context.Context) ([]domain.CountyRecord, error) {
	var rows []CountyRecord
	if err := db.WithContext(ctx).Order("sort, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("counties: %w", err)
	}
	return convert(rows, func(r CountyRecord) domain.CountyRecord { return domain.CountyRecord(r) }), nil
}

// CountyPatch is domain.CountyPatch.
type CountyPatch = domain.CountyPatch

// UpdateCounty applies p to county and returns the record before and after.
func (db *DB) UpdateCounty(ctx context.Context, county string, p CountyPatch, by string) (before, after domain.CountyRecord, err error) {
	var rb, ra CountyRecord
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", county).Take(&rb).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return domain.ErrNotFound
			}
			return fmt.Errorf("update county %s: %w", county, err)
		}
		updates := map[string]any{"updated_by": by}
		for col, v := range map[string]*string{"contact": p.Contact, "post": p.Post, "phone": p.Phone, "robot_url": p.RobotURL} {
			if v != nil {
				updates[col] = *v
			}
		}
		if err := tx.Model(&CountyRecord{}).Where("id = ?", county).Updates(updates).Error; err != nil {
			return fmt.Errorf("update county %s: %w", county, err)
		}
		if err := tx.Where("id = ?", county).Take(&ra).Error; err != nil {
			return fmt.Errorf("update county %s: reread: %w", county, err)
		}
		return nil
	})
	return domain.CountyRecord(rb), domain.CountyRecord(ra), err
}

// SetCountyQR stores a county's poster QR code ticket and image URL.
func (db *DB) SetCountyQR(ctx context.Context, county, ticket, imageURL, by string) error {
	res := db.WithContext(ctx).Model(&CountyRecord{}).Where("id = ?", county).
		Updates(map[string]any{"qr_ticket": ticket, "qr_url": imageURL, "updated_by": by})
	if res.Error != nil {
		return fmt.Errorf("set qr %s: %w", county, res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// ContactRecords returns the WeChat contacts bound to county, in binding order.
func (db *DB) ContactRecords(ctx context.Context, county string) ([]domain.Contact, error) {
	var out []CountyContact
	if err := db.WithContext(ctx).Where("county = ?", county).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("contacts %s: %w", county, err)
	}
	return toContacts(out), nil
}

// Settings returns every setting by key.
func (db *DB) Settings(ctx context.Context) (map[string]domain.Setting, error) {
	var rows []Setting
	if err := db.WithContext(ctx).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	out := make(map[string]domain.Setting, len(rows))
	for _, s := range rows {
		out[s.Key] = domain.Setting(s)
	}
	return out, nil
}

// FollowerCount is a number of followers under a key (a scene, a county
// or a tier).
type FollowerCount struct {
	Key   string
	Count int64
}

// FollowersByScene counts the followers who came through each scene
// (subscribed still or not), and those of them who subscribed in [from, to).
func (db *DB) FollowersByScene(ctx context.Context, from, to time.Time) (total, inPeriod map[string]int64, err error) {
	total, inPeriod = map[string]int64{}, map[string]int64{}
	var rows []FollowerCount
	if err := db.WithContext(ctx).Model(&Follower{}).Select("scene AS `key`, COUNT(*) AS count").
		Where("scene <> ''").Group("scene").Scan(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("followers by scene: %w", err)
	}
	for _, r := range rows {
		total[r.Key] = r.Count
	}
	rows = nil
	if err := db.WithContext(ctx).Model(&Follower{}).Select("scene AS `key`, COUNT(*) AS count").
		Where("scene <> '' AND subscribed_at >= ? AND subscribed_at < ?", from, to).Group("scene").Scan(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("followers by scene: %w", err)
	}
	for _, r := range rows {
		inPeriod[r.Key] = r.Count
	}
	return total, inPeriod, nil
}

// CheckCount is domain.CheckCount.
type CheckCount = domain.CheckCount

// SelfChecks counts the followers whose last self-check fell in [from, to),
// by county and tier.
func (db *DB) SelfChecks(ctx context.Context, from, to time.Time) ([]CheckCount, error) {
	var rows []CheckCount
	if err := db.WithContext(ctx).Model(&Follower{}).Select("county, tier, COUNT(*) AS count").
		Where("checked_at >= ? AND checked_at < ?", from, to).Group("county, tier").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("self checks: %w", err)
	}
	return rows, nil
}

// StatusCount is domain.StatusCount.
type StatusCount = domain.StatusCount

// LeadCounts counts the leads filed in [from, to) by county, kind and
// current status.
func (db *DB) LeadCounts(ctx context.Context, from, to time.Time) ([]StatusCount, error) {
	var rows []StatusCount
	if err := db.WithContext(ctx).Model(&Lead{}).Select("county, kind, status, COUNT(*) AS count").
		Where("created_at >= ? AND created_at < ?", from, to).Group("county, kind, status").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("lead counts: %w", err)
	}
	return rows, nil
}

// WaitingLeads returns the leads still waiting to be contacted (status
// submitted), oldest first, at most 5000.
func (db *DB) WaitingLeads(ctx context.Context) ([]domain.Lead, error) {
	var rows []Lead
	if err := db.WithContext(ctx).Where("status = ?", domain.StatusSubmitted).Order("created_at, id").
		Limit(5000).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("waiting leads: %w", err)
	}
	out := make([]domain.Lead, len(rows))
	for i, r := range rows {
		out[i] = toLead(r)
	}
	return out, nil
}
