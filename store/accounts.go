package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// AdminUsername is the bootstrap officer account.
const AdminUsername = "admin"

func toAccount(a Account) domain.Account {
	d := domain.Account{ID: a.ID, Username: a.Username, Role: a.Role, County: a.County, OpenID: a.OpenID,
		MustChangePassword: a.MustChangePassword, Name: a.Name, Disabled: a.Disabled, CreatedAt: a.CreatedAt,
		Institution: a.InstitutionID, Mobile: a.Mobile}
	if a.LastLoginAt != nil {
		d.LastLoginAt = *a.LastLoginAt
	}
	return d
}

// InsertAccount stores a new account with hash, the password's hash made
// by the caller. It checks nothing: the rules of who may have which
// account are admin's. A taken username is an error wrapping
// domain.ErrDuplicate.
func (db *DB) InsertAccount(ctx context.Context, n domain.NewAccount, hash, by string) (domain.Account, error) {
	a := Account{Username: n.Username, PasswordHash: hash, Role: n.Role, County: n.County, OpenID: n.OpenID,
		InstitutionID: n.Institution, CreatedBy: by, MustChangePassword: n.MustChangePassword, Name: n.Name, Mobile: n.Mobile}
	if err := db.WithContext(ctx).Create(&a).Error; err != nil {
		if IsDuplicate(err) {
			return domain.Account{}, domain.Errorf(domain.ErrDuplicate, "用户名“%s”已存在", n.Username)
		}
		return domain.Account{}, fmt.Errorf("create account %s: %w", n.Username, err)
	}
	return toAccount(a), nil
}

// CreateAccount stores an account with a bcrypt hash (PasswordCost) of its
// password, for the bootstrap account and tests' fixtures: it checks
// nothing (admin.Service.CreateAccount applies the account and password
// rules). A taken username is an error wrapping domain.ErrDuplicate.
func (db *DB) CreateAccount(ctx context.Context, n domain.NewAccount, by string) (domain.Account, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(n.Password), PasswordCost)
	if err != nil {
		return domain.Account{}, fmt.Errorf("hash password: %w", err)
	}
	return db.InsertAccount(ctx, n, string(hash), by)
}

// Credentials returns the account of username and its password hash, or
// an error wrapping domain.ErrNotFound.
func (db *DB) Credentials(ctx context.Context, username string) (domain.Account, string, error) {
	a, err := take[Account](db.WithContext(ctx).Where("username = ?", username), "account "+username)
	if err != nil {
		return domain.Account{}, "", err
	}
	return toAccount(a), a.PasswordHash, nil
}

// CredentialsByID returns the account id and its password hash, or an
// error wrapping domain.ErrNotFound.
func (db *DB) CredentialsByID(ctx context.Context, id uint64) (domain.Account, string, error) {
	a, err := take[Account](db.WithContext(ctx).Where("id = ?", id), "account "+strconv.FormatUint(id, 10))
	if err != nil {
		return domain.Account{}, "", err
	}
	return toAccount(a), a.PasswordHash, nil
}

// SetPassword stores an account's new password hash and whether it must be
// changed at the next sign-in, and ends every session of the account but
// keepToken ("": all), in one transaction; domain.ErrNotFound when there is
// no such account. A new bcrypt hash always differs from the stored one, so
// the row count is trustworthy on MariaDB too.
func (db *DB) SetPassword(ctx context.Context, id uint64, hash string, mustChange bool, keepToken string) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Account{}).Where("id = ?", id).
			Updates(map[string]any{"password_hash": hash, "must_change_password": mustChange})
		if res.Error != nil {
			return fmt.Errorf("set password %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("account %d: %w", id, domain.ErrNotFound)
		}
		q := tx.Where("account_id = ?", id)
		if keepToken != "" {
			q = q.Where("hash <> ?", hashToken(keepToken))
		}
		if err := q.Delete(&APIToken{}).Error; err != nil {
			return fmt.Errorf("set password %d: end sessions: %w", id, err)
		}
		return nil
	})
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// OpenSession issues accountID a token valid until expires; only its
// SHA-256 is stored. It records the sign-in's time and drops expired
// tokens as new ones are issued.
func (db *DB) OpenSession(ctx context.Context, accountID uint64, expires, at time.Time) (string, error) {
	db.WithContext(ctx).Model(&Account{}).Where("id = ?", accountID).Update("last_login_at", at.UTC())
	b := make([]byte, 32)
	rand.Read(b)
	token := hex.EncodeToString(b)
	t := APIToken{Hash: hashToken(token), AccountID: accountID, ExpiresAt: expires, CreatedAt: at}
	if err := db.WithContext(ctx).Create(&t).Error; err != nil {
		return "", fmt.Errorf("open session: store token: %w", err)
	}
	db.WithContext(ctx).Where("expires_at < ?", at).Delete(&APIToken{})
	return token, nil
}

// PasswordCost is the bcrypt cost of the passwords CreateAccount hashes,
// and the one app gives admin. Tests lower it (storetest does) so that the
// hundreds of accounts they create do not dominate their run time;
// production never changes it.
var PasswordCost = bcrypt.DefaultCost

// Authenticate returns the account of a valid, unexpired token, or an
// error wrapping domain.ErrUnauthorized.
func (db *DB) Authenticate(ctx context.Context, token string, at time.Time) (domain.Account, error) {
	if token == "" {
		return domain.Account{}, domain.Errorf(domain.ErrUnauthorized, "请先登录")
	}
	var a Account
	err := db.WithContext(ctx).Model(&Account{}).Select("accounts.*").
		Joins("JOIN api_tokens ON api_tokens.account_id = accounts.id").
		Where("api_tokens.hash = ? AND api_tokens.expires_at > ? AND accounts.disabled = ?", hashToken(token), at, false).
		Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.Account{}, domain.Errorf(domain.ErrUnauthorized, "登录已失效，请重新登录")
	}
	if err != nil {
		return domain.Account{}, fmt.Errorf("authenticate: %w", err)
	}
	return toAccount(a), nil
}

// Logout revokes a token.
func (db *DB) Logout(ctx context.Context, token string) error {
	if err := db.WithContext(ctx).Where("hash = ?", hashToken(token)).Delete(&APIToken{}).Error; err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// OfficerOpenIDs returns the openids bound to officer accounts.
func (db *DB) OfficerOpenIDs(ctx context.Context) ([]string, error) {
	var ids []string
	if err := db.WithContext(ctx).Model(&Account{}).Where("role = ? AND open_id <> '' AND disabled = ?", domain.RoleOfficer, false).
		Order("id").Pluck("open_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("officer openids: %w", err)
	}
	return ids, nil
}
