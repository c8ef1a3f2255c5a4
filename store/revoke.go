package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Removing a person ends their access at once: every session of the
// accounts that stood for the removed binding ends in the same
// transaction, and the WeChat sign-in accepts an openid only while it is
// bound (OpenIDSession, ContactSession, SpecialistSession).

// endSessions deletes the tokens of the accounts q selects and says what
// ended.
func endSessions(tx *gorm.DB, q *gorm.DB) (domain.Revoked, error) {
	var accs []Account
	if err := q.Order("id").Find(&accs).Error; err != nil {
		return domain.Revoked{}, fmt.Errorf("end sessions: %w", err)
	}
	var r domain.Revoked
	for _, a := range accs {
		res := tx.Where("account_id = ?", a.ID).Delete(&APIToken{})
		if res.Error != nil {
			return domain.Revoked{}, fmt.Errorf("end sessions of %s: %w", a.Username, res.Error)
		}
		if res.RowsAffected > 0 {
			r.Sessions += res.RowsAffected
			r.Accounts = append(r.Accounts, a.Username)
		}
	}
	return r, nil
}

// RemoveContact unbinds openID from county and ends the sessions of the
// county account its WeChat sign-in used, in one transaction; not bound
// is domain.ErrNotFound.
func (db *DB) RemoveContact(ctx context.Context, county, openID string) (domain.Contact, domain.Revoked, error) {
	var c CountyContact
	var r domain.Revoked
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("county = ? AND open_id = ?", county, openID).Take(&c).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("unbind %s: %w", county, err)
		}
		if err := tx.Delete(&CountyContact{}, c.ID).Error; err != nil {
			return fmt.Errorf("unbind %s: %w", county, err)
		}
		// Only WeChat-made accounts carry a county and an openid: county
		// accounts cannot bind their own WeChat.
		r, err = endSessions(tx, tx.Where("open_id = ? AND role = ? AND county = ?", openID, domain.RoleCounty, county))
		return err
	})
	return domain.Contact(c), r, err
}

// DeleteSpecialist removes a specialist of institution inst and ends the
// sessions its WeChat opened, unless the same WeChat is still another
// specialist of inst.
func (db *DB) DeleteSpecialist(ctx context.Context, inst, id uint64) (domain.Revoked, error) {
	var r domain.Revoked
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var sp SpecialistRecord
		err := tx.Where("id = ? AND institution_id = ?", id, inst).Take(&sp).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("delete specialist %d: %w", id, err)
		}
		if err := tx.Delete(&SpecialistRecord{}, sp.ID).Error; err != nil {
			return fmt.Errorf("delete specialist %d: %w", id, err)
		}
		r, err = unbindSpecialistWeChat(tx, inst, sp.OpenID)
		return err
	})
	return r, err
}

// unbindSpecialistWeChat ends the sessions of institution inst's account
// for openID once no specialist of inst carries it.
func unbindSpecialistWeChat(tx *gorm.DB, inst uint64, openID string) (domain.Revoked, error) {
	if openID == "" {
		return domain.Revoked{}, nil
	}
	var n int64
	if err := tx.Model(&SpecialistRecord{}).Where("institution_id = ? AND open_id = ?", inst, openID).Count(&n).Error; err != nil {
		return domain.Revoked{}, fmt.Errorf("specialist wechat: %w", err)
	}
	if n > 0 {
		return domain.Revoked{}, nil
	}
	return endSessions(tx, tx.Where("open_id = ? AND role = ? AND institution_id = ?", openID, domain.RoleInstitution, inst))
}

// SetAccountDisabled disables or enables an account. Disabling ends, in
// the same transaction, its sessions and those of every account carrying
// the same WeChat (the person's), and WeChatRefused then refuses that
// WeChat's sign-in.
func (db *DB) SetAccountDisabled(ctx context.Context, id uint64, disabled bool) (domain.Revoked, error) {
	var r domain.Revoked
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var a Account
		err := tx.Where("id = ?", id).Take(&a).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("account %d: %w", id, domain.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("disable account %d: %w", id, err)
		}
		if err := tx.Model(&Account{}).Where("id = ?", id).Update("disabled", disabled).Error; err != nil {
			return fmt.Errorf("disable account %d: %w", id, err)
		}
		if !disabled {
			return nil
		}
		q := tx.Where("id = ?", id)
		if a.OpenID != "" {
			q = tx.Where("id = ? OR open_id = ?", id, a.OpenID)
		}
		r, err = endSessions(tx, q)
		return err
	})
	return r, err
}

// WeChatRefused reports whether openID is the WeChat of a disabled
// account: its person was removed, and no WeChat sign-in lets them in.
func (db *DB) WeChatRefused(ctx context.Context, openID string) (bool, error) {
	if openID == "" {
		return false, nil
	}
	var n int64
	if err := db.WithContext(ctx).Model(&Account{}).Where("open_id = ? AND disabled = ?", openID, true).Count(&n).Error; err != nil {
		return false, fmt.Errorf("wechat refused: %w", err)
	}
	return n > 0, nil
}
