package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Accounts returns every account, officers first, then by username.
func (db *DB) Accounts(ctx context.Context) ([]domain.Account, error) {
	var rows []Account
	if err := db.WithContext(ctx).Order("role DESC, username").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	out := make([]domain.Account, 0, len(rows))
	for _, r := range rows {
		out = append(out, toAccount(r))
	}
	return out, nil
}

// Account returns one account by id, or an error wrapping
// domain.ErrNotFound.
func (db *DB) Account(ctx context.Context, id uint64) (domain.Account, error) {
	var a Account
	err := db.WithContext(ctx).Where("id = ?", id).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.Account{}, fmt.Errorf("account %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return domain.Account{}, fmt.Errorf("account %d: %w", id, err)
	}
	return toAccount(a), nil
}

// SetAccountName stores the person's name of an account, as given (admin
// checks it).
func (db *DB) SetAccountName(ctx context.Context, id uint64, name string) error {
	if err := db.WithContext(ctx).Model(&Account{}).Where("id = ?", id).Update("name", name).Error; err != nil {
		return fmt.Errorf("account %d name: %w", id, err)
	}
	return nil
}
