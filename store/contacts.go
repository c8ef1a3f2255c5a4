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

// The bind codes' format and lifetime are the domain's (domain/bindcode.go).
const (
	BindCodeTTL = domain.BindCodeTTL
	BindCodeLen = domain.BindCodeLen
)

func newBindCode() string { return domain.NewBindCode() }

// NormalizeBindCode is domain.NormalizeBindCode.
func NormalizeBindCode(code string) string { return domain.NormalizeBindCode(code) }

// County returns a county record, or domain.ErrNotFound.
func (db *DB) County(ctx context.Context, id string) (domain.CountyRecord, error) {
	r, err := take[CountyRecord](db.WithContext(ctx).Where("id = ?", id), "county "+id)
	return domain.CountyRecord(r), err
}

// RobotURL returns a county's WeCom group robot webhook ("" when none),
// or domain.ErrNotFound for an unknown county.
func (db *DB) RobotURL(ctx context.Context, county string) (string, error) {
	r, err := db.County(ctx, county)
	return r.RobotURL, err
}

// SetRobotURL sets a county's WeCom group robot webhook ("" removes it).
func (db *DB) SetRobotURL(ctx context.Context, county, url, by string) error {
	res := db.WithContext(ctx).Model(&CountyRecord{}).Where("id = ?", county).
		Updates(map[string]any{"robot_url": url, "updated_by": by})
	if res.Error != nil {
		return fmt.Errorf("set robot url %s: %w", county, res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// CreateBindCode issues a one-time code binding a WeChat user to county,
// valid for BindCodeTTL from at.
func (db *DB) CreateBindCode(ctx context.Context, county, by string, at time.Time) (domain.BindCode, error) {
	if _, err := db.County(ctx, county); err != nil {
		return domain.BindCode{}, err
	}
	for range 5 {
		bc := BindCode{Code: newBindCode(), County: county, CreatedBy: by, ExpiresAt: at.Add(BindCodeTTL), CreatedAt: at}
		err := db.WithContext(ctx).Create(&bc).Error
		if err == nil {
			return domain.BindCode(bc), nil
		}
		if !IsDuplicate(err) {
			return domain.BindCode{}, fmt.Errorf("create bind code %s: %w", county, err)
		}
	}
	return domain.BindCode{}, fmt.Errorf("create bind code %s: no free code", county)
}

// UseBindCode binds openID as a contact of the code's county and spends the
// code, in one transaction. It returns the county, or an error wrapping
// domain.ErrNotFound (no such code), domain.ErrCodeUsed or
// domain.ErrCodeExpired.
func (db *DB) UseBindCode(ctx context.Context, code, openID string, at time.Time) (string, error) {
	code = NormalizeBindCode(code)
	var county string
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&BindCode{}).Where("code = ? AND used_at IS NULL AND expires_at > ?", code, at).
			Updates(map[string]any{"used_at": at, "used_by": openID})
		if res.Error != nil {
			return fmt.Errorf("use bind code: %w", res.Error)
		}
		var bc BindCode
		err := tx.Where("code = ?", code).Take(&bc).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("bind code: %w", domain.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("use bind code: %w", err)
		}
		if res.RowsAffected == 0 {
			if bc.UsedAt != nil {
				return fmt.Errorf("bind code: %w", domain.ErrCodeUsed)
			}
			return fmt.Errorf("bind code: %w", domain.ErrCodeExpired)
		}
		county = bc.County
		c := CountyContact{County: bc.County, OpenID: openID, BoundAt: at, CreatedAt: at}
		err = tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "county"}, {Name: "open_id"}},
			DoUpdates: clause.Assignments(map[string]any{"bound_at": at}),
		}).Create(&c).Error
		if err != nil {
			return fmt.Errorf("bind contact %s: %w", bc.County, err)
		}
		return nil
	})
	return county, err
}

// Contacts returns the openids bound to county, in binding order.
func (db *DB) Contacts(ctx context.Context, county string) ([]string, error) {
	var ids []string
	if err := db.WithContext(ctx).Model(&CountyContact{}).Where("county = ?", county).Order("id").
		Pluck("open_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("contacts %s: %w", county, err)
	}
	return ids, nil
}

// ContactCounties returns the counties openID is bound to.
func (db *DB) ContactCounties(ctx context.Context, openID string) ([]string, error) {
	var ids []string
	if err := db.WithContext(ctx).Model(&CountyContact{}).Where("open_id = ?", openID).Order("id").
		Pluck("county", &ids).Error; err != nil {
		return nil, fmt.Errorf("contact counties: %w", err)
	}
	return ids, nil
}

// Unbind removes a contact from county, as RemoveContact does, and is
// quiet when it was not bound.
func (db *DB) Unbind(ctx context.Context, county, openID string) error {
	if _, _, err := db.RemoveContact(ctx, county, openID); err != nil && !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	return nil
}

// SettingValue returns a setting's value, "" when unset.
func (db *DB) SettingValue(ctx context.Context, key string) (string, error) {
	var s Setting
	err := db.WithContext(ctx).Where("name = ?", key).Limit(1).Find(&s).Error
	if err != nil {
		return "", fmt.Errorf("setting %s: %w", key, err)
	}
	return s.Value, nil
}

// SetSetting stores a setting.
func (db *DB) SetSetting(ctx context.Context, key, value, by string) error {
	s := Setting{Key: key, Value: value, UpdatedBy: by}
	if err := db.WithContext(ctx).Save(&s).Error; err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	return nil
}

// OutstandingBindCodes returns a county's codes that are neither used nor
// expired at at, newest first.
func (db *DB) OutstandingBindCodes(ctx context.Context, county string, at time.Time) ([]domain.BindCode, error) {
	var out []BindCode
	if err := db.WithContext(ctx).Where("county = ? AND used_at IS NULL AND expires_at > ?", county, at).
		Order("created_at DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("bind codes %s: %w", county, err)
	}
	return toBindCodes(out), nil
}

// RevokeBindCode ends an outstanding code of county at once; a used,
// expired or unknown code is domain.ErrNotFound.
func (db *DB) RevokeBindCode(ctx context.Context, county, code string, at time.Time) error {
	res := db.WithContext(ctx).Model(&BindCode{}).
		Where("code = ? AND county = ? AND used_at IS NULL AND expires_at > ?", NormalizeBindCode(code), county, at).
		Update("expires_at", at)
	if res.Error != nil {
		return fmt.Errorf("revoke bind code: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("bind code: %w", domain.ErrNotFound)
	}
	return nil
}
