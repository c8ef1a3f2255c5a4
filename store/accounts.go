package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// AdminUsername is the bootstrap officer account.
const AdminUsername = "admin"

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9_.@-]{2,64}$`)

func toAccount(a Account) domain.Account {
	d := domain.Account{ID: a.ID, Username: a.Username, Role: a.Role, County: a.County, OpenID: a.OpenID,
		MustChangePassword: a.MustChangePassword, Name: a.Name, Disabled: a.Disabled, CreatedAt: a.CreatedAt,
		Institution: a.InstitutionID, Mobile: a.Mobile}
	if a.LastLoginAt != nil {
		d.LastLoginAt = *a.LastLoginAt
	}
	return d
}

// CreateAccount validates and stores an account with a bcrypt hash of its
// password. A taken username is an error wrapping domain.ErrDuplicate.
func (db *DB) CreateAccount(ctx context.Context, n domain.NewAccount, by string) (domain.Account, error) {
	if !usernamePattern.MatchString(n.Username) {
		return domain.Account{}, domain.Errorf(domain.ErrInvalid, "用户名应为2–64位字母、数字或 _ . @ -")
	}
	if err := CheckPassword(n.Password, n.Username); err != nil {
		return domain.Account{}, err
	}
	if err := checkPersonName(n.Name); err != nil {
		return domain.Account{}, err
	}
	if n.Mobile != "" && !domain.ValidMobile(n.Mobile) {
		return domain.Account{}, domain.Errorf(domain.ErrInvalid, "手机号应为11位数字，以1开头")
	}
	if n.Role != domain.RoleInstitution && n.Institution != 0 {
		return domain.Account{}, domain.Errorf(domain.ErrInvalid, "只有金融机构账号可以指定 institution")
	}
	switch n.Role {
	case domain.RoleInstitution:
		if n.County != "" {
			return domain.Account{}, domain.Errorf(domain.ErrInvalid, "金融机构账号不能指定 county")
		}
		if n.Institution == 0 {
			return domain.Account{}, domain.Errorf(domain.ErrInvalid, "金融机构账号必须指定 institution（合作金融机构编号）")
		}
		if _, err := db.Institution(ctx, n.Institution); errors.Is(err, domain.ErrNotFound) {
			return domain.Account{}, domain.Errorf(domain.ErrInvalid, "未知的合作金融机构（编号%d）", n.Institution)
		} else if err != nil {
			return domain.Account{}, err
		}
	case domain.RoleOfficer, domain.RoleViewer:
		if n.County != "" {
			return domain.Account{}, domain.Errorf(domain.ErrInvalid, "只有县级市（区）账号可以指定 county")
		}
	case domain.RoleCounty:
		if n.County == "" {
			return domain.Account{}, domain.Errorf(domain.ErrInvalid, "县级市（区）账号必须指定 county")
		}
		if _, err := db.County(ctx, n.County); errors.Is(err, domain.ErrNotFound) {
			return domain.Account{}, domain.Errorf(domain.ErrInvalid, "未知的县级市（区）“%s”", n.County)
		} else if err != nil {
			return domain.Account{}, err
		}
	default:
		return domain.Account{}, domain.Errorf(domain.ErrInvalid, "角色应为 officer、county、viewer 或 institution")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(n.Password), PasswordCost)
	if err != nil {
		return domain.Account{}, fmt.Errorf("hash password: %w", err)
	}
	a := Account{Username: n.Username, PasswordHash: string(hash), Role: n.Role, County: n.County, OpenID: n.OpenID,
		InstitutionID: n.Institution, CreatedBy: by, MustChangePassword: n.MustChangePassword, Name: n.Name, Mobile: n.Mobile}
	if err := db.WithContext(ctx).Create(&a).Error; err != nil {
		if IsDuplicate(err) {
			return domain.Account{}, domain.Errorf(domain.ErrDuplicate, "用户名“%s”已存在", n.Username)
		}
		return domain.Account{}, fmt.Errorf("create account %s: %w", n.Username, err)
	}
	return toAccount(a), nil
}

// EnsureAdmin creates the bootstrap officer account admin when no account
// of that name exists. With password empty a random one is generated and
// returned, to be shown once; created is false when admin existed.
func (db *DB) EnsureAdmin(ctx context.Context, password string) (created bool, generated string, err error) {
	var n int64
	if err := db.WithContext(ctx).Model(&Account{}).Where("username = ?", AdminUsername).Count(&n).Error; err != nil {
		return false, "", fmt.Errorf("ensure admin: %w", err)
	}
	if n > 0 {
		return false, "", nil
	}
	if password == "" {
		b := make([]byte, 12)
		rand.Read(b)
		password = "Szr-" + hex.EncodeToString(b)
		generated = password
	}
	_, err = db.CreateAccount(ctx, domain.NewAccount{Username: AdminUsername, Password: password, Role: domain.RoleOfficer,
		MustChangePassword: generated != ""}, "bootstrap")
	if errors.Is(err, domain.ErrDuplicate) {
		return false, "", nil // another instance created it first
	}
	if err != nil {
		return false, "", fmt.Errorf("ensure admin: %w", err)
	}
	return true, generated, nil
}

// ChangePassword replaces an account's password after checking the current
// one, and ends the account's other sessions: whoever knew the old password
// is signed out. keepToken is the session making the change. Wrong
// current passwords are throttled like logins (a stolen session must not
// become a way to guess the password), per account and address.
func (db *DB) ChangePassword(ctx context.Context, accountID uint64, current, next, keepToken, address string, at time.Time) error {
	var a Account
	if err := db.WithContext(ctx).Where("id = ?", accountID).Take(&a).Error; err != nil {
		return fmt.Errorf("change password %d: %w", accountID, err)
	}
	if err := CheckPassword(next, a.Username); err != nil {
		return err
	}
	att, until, err := db.beginAttempt(ctx, AttemptPassword, a.Username, address, at)
	if err != nil {
		return fmt.Errorf("change password %d: %w", accountID, err)
	}
	if !until.IsZero() {
		att.hold(ctx)
		return throttledError(until)
	}
	if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(current)) != nil {
		return att.failed(ctx, domain.Errorf(domain.ErrInvalid, "当前密码不正确"))
	}
	if err := att.succeed(ctx); err != nil {
		return fmt.Errorf("change password %d: %w", accountID, err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(next), PasswordCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Account{}).Where("id = ?", accountID).
			Updates(map[string]any{"password_hash": string(hash), "must_change_password": false}).Error; err != nil {
			return fmt.Errorf("change password %d: %w", accountID, err)
		}
		err := tx.Where("account_id = ? AND hash <> ?", accountID, hashToken(keepToken)).Delete(&APIToken{}).Error
		if err != nil {
			return fmt.Errorf("change password %d: end sessions: %w", accountID, err)
		}
		return nil
	})
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Login checks a username and password and issues a token valid for
// TokenTTL; only its SHA-256 is stored. Wrong credentials are an error
// wrapping domain.ErrUnauthorized; an attempt held back by the throttle
// (see throttle.go) wraps dialog.ErrLocked and is refused before the
// password is checked. Unknown usernames are counted alike, so a hold does
// not tell which usernames exist. address is the client's address.
func (db *DB) Login(ctx context.Context, username, password, address string, at time.Time) (string, domain.Account, error) {
	att, until, err := db.beginAttempt(ctx, AttemptLogin, username, address, at)
	if err != nil {
		return "", domain.Account{}, fmt.Errorf("login: %w", err)
	}
	if !until.IsZero() {
		att.hold(ctx)
		return "", domain.Account{}, throttledError(until)
	}
	wrong := domain.Errorf(domain.ErrUnauthorized, "用户名或密码错误")
	var a Account
	err = db.WithContext(ctx).Where("username = ?", username).Take(&a).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return "", domain.Account{}, fmt.Errorf("login: %w", err)
	}
	if err != nil {
		// Spend the same time as a wrong password, so usernames cannot be probed.
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return "", domain.Account{}, att.failed(ctx, wrong)
	}
	if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(password)) != nil {
		return "", domain.Account{}, att.failed(ctx, wrong)
	}
	if a.Disabled {
		// The password was right: no guess to count, and no session.
		att.hold(ctx)
		return "", domain.Account{}, domain.Errorf(domain.ErrForbidden, "该账号已停用，请联系市市场监管局管理员")
	}
	if err := att.succeed(ctx); err != nil {
		return "", domain.Account{}, fmt.Errorf("login: %w", err)
	}
	db.WithContext(ctx).Model(&Account{}).Where("id = ?", a.ID).Update("last_login_at", at.UTC())
	b := make([]byte, 32)
	rand.Read(b)
	token := hex.EncodeToString(b)
	t := APIToken{Hash: hashToken(token), AccountID: a.ID, ExpiresAt: at.Add(domain.TokenTTL), CreatedAt: at}
	if err := db.WithContext(ctx).Create(&t).Error; err != nil {
		return "", domain.Account{}, fmt.Errorf("login: store token: %w", err)
	}
	// Expired tokens are dropped as new ones are issued.
	db.WithContext(ctx).Where("expires_at < ?", at).Delete(&APIToken{})
	return token, toAccount(a), nil
}

// PasswordCost is the bcrypt cost of stored passwords. Tests lower it
// (storetest does) so that the hundreds of accounts they create do not
// dominate their run time; production never changes it.
var PasswordCost = bcrypt.DefaultCost

// dummyHash is checked against for unknown usernames, at the cost of real
// hashes, so that a wrong username takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("dummy-password"), PasswordCost)
	return h
})

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
