package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// checkPersonName accepts an empty name or one line of at most 32
// characters without markup.
func checkPersonName(name string) error {
	if name == "" {
		return nil
	}
	if utf8.RuneCountInString(name) > 32 || !dialog.PlainName(name) {
		return domain.Errorf(domain.ErrInvalid, "姓名应为一行、不超过32个字，且不含特殊符号")
	}
	return nil
}

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

// ResetPassword gives an account a generated password that must be
// changed at the next sign-in, ends its sessions, and returns the password
// to hand over once.
func (db *DB) ResetPassword(ctx context.Context, id uint64) (string, error) {
	b := make([]byte, 6)
	rand.Read(b)
	password := "Szr-" + hex.EncodeToString(b)
	hash, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Account{}).Where("id = ?", id).
			Updates(map[string]any{"password_hash": string(hash), "must_change_password": true})
		if res.Error != nil {
			return fmt.Errorf("reset password %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("account %d: %w", id, domain.ErrNotFound)
		}
		if err := tx.Where("account_id = ?", id).Delete(&APIToken{}).Error; err != nil {
			return fmt.Errorf("reset password %d: end sessions: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return password, nil
}

// SetAccountName changes the person's name of an account.
func (db *DB) SetAccountName(ctx context.Context, id uint64, name string) error {
	name = strings.TrimSpace(name)
	if err := checkPersonName(name); err != nil {
		return err
	}
	if err := db.WithContext(ctx).Model(&Account{}).Where("id = ?", id).Update("name", name).Error; err != nil {
		return fmt.Errorf("account %d name: %w", id, err)
	}
	return nil
}
