package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// AccountBindCode is the row of a domain.AccountBindCode.
type AccountBindCode struct {
	Code      string `gorm:"primaryKey;size:16"`
	AccountID uint64 `gorm:"index;not null"`
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// InsertAccountBindCode stores a new code of an account; a code already
// taken (by any kind of code's table here) is an error wrapping
// domain.ErrDuplicate.
func (db *DB) InsertAccountBindCode(ctx context.Context, bc domain.AccountBindCode) error {
	row := AccountBindCode(bc)
	if err := db.WithContext(ctx).Create(&row).Error; err != nil {
		if IsDuplicate(err) {
			return fmt.Errorf("account bind code %d: %w", bc.AccountID, domain.ErrDuplicate)
		}
		return fmt.Errorf("account bind code %d: %w", bc.AccountID, err)
	}
	return nil
}

// PendingAccountBindCode returns the account's latest unused code
// unexpired at at, or domain.ErrNotFound.
func (db *DB) PendingAccountBindCode(ctx context.Context, accountID uint64, at time.Time) (domain.AccountBindCode, error) {
	bc, err := take[AccountBindCode](db.WithContext(ctx).Where("account_id = ? AND used_at IS NULL AND expires_at > ?", accountID, at).
		Order("created_at DESC"), "account bind code")
	return domain.AccountBindCode(bc), err
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
