package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// AccountBindCode is a one-time code with which a console account (an
// officer) binds its own WeChat, by sending “绑定 <code>” like a county
// contact: escalations and broadcast previews then reach that WeChat.
type AccountBindCode struct {
	Code      string `gorm:"primaryKey;size:16"`
	AccountID uint64 `gorm:"index;not null"`
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// AccountBindCode returns the account's unused, unexpired code, creating
// one when there is none: asking twice (a reload) gives the same code.
func (db *DB) AccountBindCode(ctx context.Context, accountID uint64, at time.Time) (AccountBindCode, error) {
	var bc AccountBindCode
	err := db.WithContext(ctx).Where("account_id = ? AND used_at IS NULL AND expires_at > ?", accountID, at).
		Order("created_at DESC").Take(&bc).Error
	if err == nil {
		return bc, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return AccountBindCode{}, fmt.Errorf("account bind code %d: %w", accountID, err)
	}
	for range 5 {
		bc = AccountBindCode{Code: newBindCode(), AccountID: accountID, ExpiresAt: at.Add(BindCodeTTL), CreatedAt: at}
		err := db.WithContext(ctx).Create(&bc).Error
		if err == nil {
			return bc, nil
		}
		if !IsDuplicate(err) {
			return AccountBindCode{}, fmt.Errorf("account bind code %d: %w", accountID, err)
		}
	}
	return AccountBindCode{}, fmt.Errorf("account bind code %d: no free code", accountID)
}

// PendingAccountBindCode returns the account's outstanding code, or
// domain.ErrNotFound.
func (db *DB) PendingAccountBindCode(ctx context.Context, accountID uint64, at time.Time) (AccountBindCode, error) {
	return take[AccountBindCode](db.WithContext(ctx).Where("account_id = ? AND used_at IS NULL AND expires_at > ?", accountID, at).
		Order("created_at DESC"), "account bind code")
}

// UseAccountBindCode binds openID to the code's account and spends the
// code, in one transaction; domain.ErrNotFound when it is no account's code.
func (db *DB) UseAccountBindCode(ctx context.Context, code, openID string, at time.Time) (domain.Account, error) {
	code = NormalizeBindCode(code)
	var acc Account
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var bc AccountBindCode
		if err := tx.Where("code = ?", code).Take(&bc).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return fmt.Errorf("account bind code: %w", domain.ErrNotFound)
			}
			return fmt.Errorf("account bind code: %w", err)
		}
		res := tx.Model(&AccountBindCode{}).Where("code = ? AND used_at IS NULL AND expires_at > ?", code, at).Update("used_at", at)
		if res.Error != nil {
			return fmt.Errorf("use account bind code: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			if bc.UsedAt != nil {
				return fmt.Errorf("account bind code: %w", domain.ErrCodeUsed)
			}
			return fmt.Errorf("account bind code: %w", domain.ErrCodeExpired)
		}
		if err := tx.Model(&Account{}).Where("id = ?", bc.AccountID).Update("open_id", openID).Error; err != nil {
			return fmt.Errorf("bind account %d: %w", bc.AccountID, err)
		}
		return tx.Where("id = ?", bc.AccountID).Take(&acc).Error
	})
	if err != nil {
		return domain.Account{}, err
	}
	return toAccount(acc), nil
}
