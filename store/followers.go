package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// Follow records a subscribe or scan. A scene names the poster (a county's
// QR code) the follower came through; the first scene is kept as the source,
// and a county scene also sets the follower's county when none is known.
func (db *DB) Follow(ctx context.Context, openID, scene, county string, at time.Time) error {
	f := Follower{OpenID: openID, Scene: scene, County: county, Subscribed: true, SubscribedAt: &at}
	updates := map[string]any{"subscribed": true, "subscribed_at": at, "updated_at": at}
	if err := db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "open_id"}},
		DoUpdates: clause.Assignments(updates),
	}).Create(&f).Error; err != nil {
		return fmt.Errorf("follow %s: %w", openID, err)
	}
	if scene == "" {
		return nil
	}
	q := db.WithContext(ctx).Model(&Follower{}).Where("open_id = ? AND scene = ''", openID).Update("scene", scene)
	if q.Error != nil {
		return fmt.Errorf("follow %s: scene: %w", openID, q.Error)
	}
	if county != "" {
		if err := db.WithContext(ctx).Model(&Follower{}).Where("open_id = ? AND county = ''", openID).
			Update("county", county).Error; err != nil {
			return fmt.Errorf("follow %s: county: %w", openID, err)
		}
	}
	return nil
}

// Unfollow marks a follower as unsubscribed; the record stays for reporting.
func (db *DB) Unfollow(ctx context.Context, openID string, at time.Time) error {
	err := db.WithContext(ctx).Model(&Follower{}).Where("open_id = ?", openID).
		Updates(map[string]any{"subscribed": false, "unsubscribed_at": at, "updated_at": at}).Error
	if err != nil {
		return fmt.Errorf("unfollow %s: %w", openID, err)
	}
	return nil
}

// SaveCheck stores a self-check result on the follower, in one statement
// written out: it runs once in every few pushes, and gorm's upsert builder
// cost more than the statement itself.
func (db *DB) SaveCheck(ctx context.Context, openID string, tier domain.Tier, criteria []string, at time.Time) error {
	at = at.UTC().Truncate(time.Microsecond)
	crit := strings.Join(criteria, ",")
	q := db.WithContext(ctx)
	if db.dialect == "mysql" {
		q = q.Exec(saveCheckMySQL, openID, int(tier), crit, at, at, at, int(tier), crit, at, at)
	} else {
		q = q.Exec(saveCheckSQLite, openID, int(tier), crit, at, at, at)
	}
	err := q.Error
	if err != nil {
		return fmt.Errorf("save check %s: %w", openID, err)
	}
	return nil
}

// The upsert of SaveCheck in each dialect: a new follower gets every
// column a gorm insert would give it.
const (
	saveCheckInsert = "INSERT INTO followers (open_id, scene, county, subscribed, tier, criteria, checked_at, created_at, updated_at) " +
		"VALUES (?, '', '', false, ?, ?, ?, ?, ?) "
	// The values again rather than VALUES(col), which MySQL 8.0.20
	// deprecated.
	saveCheckMySQL  = saveCheckInsert + "ON DUPLICATE KEY UPDATE tier = ?, criteria = ?, checked_at = ?, updated_at = ?"
	saveCheckSQLite = saveCheckInsert + "ON CONFLICT (open_id) DO UPDATE SET tier = excluded.tier, criteria = excluded.criteria, " +
		"checked_at = excluded.checked_at, updated_at = excluded.updated_at"
)

// SetFollowerCounty records the county an enterprise confirmed in a form.
func (db *DB) SetFollowerCounty(ctx context.Context, openID, county string) error {
	err := db.WithContext(ctx).Model(&Follower{}).Where("open_id = ?", openID).Update("county", county).Error
	if err != nil {
		return fmt.Errorf("set county %s: %w", openID, err)
	}
	return nil
}

// Follower returns a follower's record, or domain.ErrNotFound.
func (db *DB) Follower(ctx context.Context, openID string) (Follower, error) {
	return take[Follower](db.WithContext(ctx).Where("open_id = ?", openID), "follower "+openID)
}

// Profile returns what the dialogue remembers of a follower, with whether
// it has filed an application or need, in one query; a follower the
// database does not know has no tier, result or county. It runs once per
// follower whose state has expired (or who is new), so it is written out.
func (db *DB) Profile(ctx context.Context, openID string) (dialog.Profile, error) {
	var row struct {
		Tier      *int
		Criteria  *string
		CheckedAt *time.Time
		County    *string
		Applied   bool
	}
	err := db.WithContext(ctx).Raw("SELECT f.tier, f.criteria, f.checked_at, f.county, "+
		"EXISTS (SELECT 1 FROM leads l WHERE l.open_id = ?) AS applied "+
		"FROM (SELECT 1 AS one) d LEFT JOIN followers f ON f.open_id = ?", openID, openID).Scan(&row).Error
	if err != nil {
		return dialog.Profile{}, fmt.Errorf("profile %s: %w", openID, err)
	}
	p := dialog.Profile{Applied: dialog.AppliedNone}
	if row.Applied {
		p.Applied = dialog.AppliedSome
	}
	if row.Tier != nil {
		p.Tier = domain.Tier(*row.Tier)
	}
	if row.County != nil {
		p.County = *row.County
	}
	if row.Criteria != nil && *row.Criteria != "" {
		p.Criteria = strings.Split(*row.Criteria, ",")
	}
	if row.CheckedAt != nil {
		p.CheckedAt = *row.CheckedAt
	}
	if row.Applied {
		// What the enterprise confirmed on its latest form, for 沿用上次信息.
		var l Lead
		err := db.WithContext(ctx).Select("enterprise_name", "credit_code", "county", "contact", "phone").
			Where("open_id = ?", openID).Order("id DESC").Limit(1).Find(&l).Error
		if err != nil {
			return dialog.Profile{}, fmt.Errorf("profile %s: latest lead: %w", openID, err)
		}
		p.Enterprise = dialog.Enterprise{Name: l.EnterpriseName, Code: l.CreditCode, County: l.County, Contact: l.Contact, Phone: l.Phone}
	}
	staff, err := db.staffRole(ctx, openID)
	if err != nil {
		return dialog.Profile{}, fmt.Errorf("profile %s: %w", openID, err)
	}
	p.Staff = staff
	return p, nil
}

// staffRole is domain.RoleCounty for a bound county contact,
// domain.RoleInstitution for a bound specialist, else "".
func (db *DB) staffRole(ctx context.Context, openID string) (string, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&CountyContact{}).Where("open_id = ?", openID).Count(&n).Error; err != nil {
		return "", fmt.Errorf("county contact: %w", err)
	}
	if n > 0 {
		return domain.RoleCounty, nil
	}
	if err := db.WithContext(ctx).Model(&SpecialistRecord{}).Where("open_id = ?", openID).Count(&n).Error; err != nil {
		return "", fmt.Errorf("specialist: %w", err)
	}
	if n > 0 {
		return domain.RoleInstitution, nil
	}
	return "", nil
}
