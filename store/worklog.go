package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// LeadNote is a follow-up on an application that does not change its
// status: a phone call, a visit, anything else worth keeping.
type LeadNote struct {
	ID        uint64 `gorm:"primaryKey"`
	LeadID    uint64 `gorm:"index;not null"`
	Kind      string `gorm:"size:16;not null"` // phone, visit, other
	Note      string `gorm:"size:512;not null"`
	Actor     string `gorm:"size:64"`
	CreatedAt time.Time
	// SentAt is when the note was sent to the enterprise as a message;
	// nil when it stayed internal.
	SentAt *time.Time
}

// AddLeadNote records a follow-up note on lead id.
func (db *DB) AddLeadNote(ctx context.Context, id uint64, kind, note, actor string, at time.Time) error {
	return db.SendLeadNote(ctx, id, kind, note, actor, at, nil)
}

// SendLeadNote records a follow-up note on lead id and, when send is not
// nil, enqueues send's messages to the enterprise about it in the same
// transaction, marking the note as sent.
func (db *DB) SendLeadNote(ctx context.Context, id uint64, kind, note, actor string, at time.Time, send func(noteID uint64) ([]Message, error)) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		n := LeadNote{LeadID: id, Kind: kind, Note: note, Actor: actor, CreatedAt: at}
		if send != nil {
			n.SentAt = &at
		}
		if err := tx.Create(&n).Error; err != nil {
			return fmt.Errorf("add note to lead %d: %w", id, err)
		}
		if send == nil {
			return nil
		}
		msgs, err := send(n.ID)
		if err != nil {
			return fmt.Errorf("send note of lead %d: %w", id, err)
		}
		return enqueue(tx, msgs, at)
	})
}

// LeadNotes returns a lead's follow-up notes, oldest first.
func (db *DB) LeadNotes(ctx context.Context, id uint64) ([]domain.LeadNote, error) {
	var out []LeadNote
	if err := db.WithContext(ctx).Where("lead_id = ?", id).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("notes of lead %d: %w", id, err)
	}
	return toLeadNotes(out), nil
}

// SetContactProfile records a bound contact's name and mobile, for every
// county the openid is bound to.
func (db *DB) SetContactProfile(ctx context.Context, openID, name, mobile string) error {
	var n int64
	if err := db.WithContext(ctx).Model(&CountyContact{}).Where("open_id = ?", openID).Count(&n).Error; err != nil {
		return fmt.Errorf("contact profile: %w", err)
	}
	if n == 0 {
		return domain.ErrNotFound
	}
	// MySQL counts only changed rows as affected: the count above decides.
	err := db.WithContext(ctx).Model(&CountyContact{}).Where("open_id = ?", openID).
		Updates(map[string]any{"name": name, "mobile": mobile}).Error
	if err != nil {
		return fmt.Errorf("contact profile: %w", err)
	}
	return nil
}

// ContactsByOpenID returns every county binding of openID.
func (db *DB) ContactsByOpenID(ctx context.Context, openID string) ([]domain.Contact, error) {
	var out []CountyContact
	if err := db.WithContext(ctx).Where("open_id = ?", openID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("contact bindings: %w", err)
	}
	return toContacts(out), nil
}

// AllContacts returns every bound contact, in binding order.
func (db *DB) AllContacts(ctx context.Context) ([]domain.Contact, error) {
	var out []CountyContact
	if err := db.WithContext(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("all contacts: %w", err)
	}
	return toContacts(out), nil
}

// ContactSession signs a bound contact of county into the console: it
// finds (or creates, on first use) the county account that stands for the
// contact's WeChat and issues it a token. The account has no usable
// password: it is entered only through WeChat.
func (db *DB) ContactSession(ctx context.Context, c domain.Contact, at time.Time) (string, domain.Account, error) {
	var a Account
	err := db.WithContext(ctx).Where("open_id = ? AND role = ? AND county = ?", c.OpenID, domain.RoleCounty, c.County).
		Order("id").Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		secret := make([]byte, 32)
		rand.Read(secret)
		hash, herr := bcrypt.GenerateFromPassword([]byte(hex.EncodeToString(secret)), bcrypt.MinCost)
		if herr != nil {
			return "", domain.Account{}, fmt.Errorf("contact session: %w", herr)
		}
		a = Account{Username: "wx-" + strconv.FormatUint(c.ID, 10), PasswordHash: string(hash), Role: domain.RoleCounty,
			County: c.County, OpenID: c.OpenID, CreatedBy: "wechat", CreatedAt: at, UpdatedAt: at, Name: clip(c.Name, 32)}
		err = db.WithContext(ctx).Create(&a).Error
	} else if err == nil && c.Name != "" && a.Name != c.Name {
		// The operations log names the person as they registered.
		a.Name = clip(c.Name, 32)
		db.WithContext(ctx).Model(&Account{}).Where("id = ?", a.ID).Update("name", a.Name)
	}
	if err != nil {
		return "", domain.Account{}, fmt.Errorf("contact session: %w", err)
	}
	return db.issueBoundToken(ctx, a, at, db.WithContext(ctx).Model(&CountyContact{}).Where("county = ? AND open_id = ?", c.County, c.OpenID))
}

// OpenIDSession signs in the officer account that bound openID with its
// own code (escalations), or returns domain.ErrNotFound. The accounts the
// WeChat sign-in made for a county contact or a specialist also carry the
// openid, but their binding is the contact's or the specialist's: they are
// entered only through ContactSession and SpecialistSession, while bound.
func (db *DB) OpenIDSession(ctx context.Context, openID string, at time.Time) (string, domain.Account, error) {
	if openID == "" {
		return "", domain.Account{}, domain.ErrNotFound
	}
	a, err := take[Account](db.WithContext(ctx).Where("open_id = ? AND role = ?", openID, domain.RoleOfficer).Order("id"), "account by openid")
	if err != nil {
		return "", domain.Account{}, err
	}
	return db.issueToken(ctx, a, at)
}

// issueBoundToken issues a token to the account of a binding, and checks
// the binding (bound selects it) once more after: a removal that ran
// between the sign-in's look-up and the token ended every session but
// this one, which is then withdrawn as well (domain.ErrNotFound).
func (db *DB) issueBoundToken(ctx context.Context, a Account, at time.Time, bound *gorm.DB) (string, domain.Account, error) {
	token, acc, err := db.issueToken(ctx, a, at)
	if err != nil {
		return token, acc, err
	}
	var n int64
	if err := bound.Count(&n).Error; err != nil {
		db.Logout(ctx, token)
		return "", domain.Account{}, fmt.Errorf("session %s: binding: %w", a.Username, err)
	}
	if n == 0 {
		db.Logout(ctx, token)
		return "", domain.Account{}, domain.ErrNotFound
	}
	return token, acc, nil
}

func (db *DB) issueToken(ctx context.Context, a Account, at time.Time) (string, domain.Account, error) {
	if a.Disabled {
		return "", domain.Account{}, domain.Errorf(domain.ErrForbidden, "该账号已停用，请联系市市场监管局管理员")
	}
	db.WithContext(ctx).Model(&Account{}).Where("id = ?", a.ID).Update("last_login_at", at.UTC())
	b := make([]byte, 32)
	rand.Read(b)
	token := hex.EncodeToString(b)
	t := APIToken{Hash: hashToken(token), AccountID: a.ID, ExpiresAt: at.Add(domain.TokenTTL), CreatedAt: at}
	if err := db.WithContext(ctx).Create(&t).Error; err != nil {
		return "", domain.Account{}, fmt.Errorf("session %s: store token: %w", a.Username, err)
	}
	return token, toAccount(a), nil
}

// AccountByUsername returns an account, or domain.ErrNotFound.
func (db *DB) AccountByUsername(ctx context.Context, username string) (domain.Account, error) {
	a, err := take[Account](db.WithContext(ctx).Where("username = ?", username), "account "+username)
	if err != nil {
		return domain.Account{}, err
	}
	return toAccount(a), nil
}

// SpecialistSession signs in the service specialist bound to openID (WeChat
// web authorisation from a notification): the institution account that
// carries this openid, created on first use with no usable password, or
// domain.ErrNotFound when openID is no specialist's.
func (db *DB) SpecialistSession(ctx context.Context, openID string, at time.Time) (string, domain.Account, error) {
	if openID == "" {
		return "", domain.Account{}, domain.ErrNotFound
	}
	var sp SpecialistRecord
	err := db.WithContext(ctx).Where("open_id = ?", openID).Order("id").Take(&sp).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", domain.Account{}, domain.ErrNotFound
	}
	if err != nil {
		return "", domain.Account{}, fmt.Errorf("specialist session: %w", err)
	}
	// The account is the specialist's: a WeChat that replaced another
	// (UseSpecialistCode ended the old one's sessions) takes it over.
	var a Account
	username := "wx-s" + strconv.FormatUint(sp.ID, 10)
	err = db.WithContext(ctx).Where("username = ? AND role = ? AND institution_id = ?", username, domain.RoleInstitution, sp.InstitutionID).
		Take(&a).Error
	if err == nil && a.OpenID != openID {
		a.OpenID = openID
		err = db.WithContext(ctx).Model(&Account{}).Where("id = ?", a.ID).Update("open_id", openID).Error
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		secret := make([]byte, 32)
		rand.Read(secret)
		hash, herr := bcrypt.GenerateFromPassword([]byte(hex.EncodeToString(secret)), bcrypt.MinCost)
		if herr != nil {
			return "", domain.Account{}, fmt.Errorf("specialist session: %w", herr)
		}
		a = Account{Username: username, PasswordHash: string(hash), Role: domain.RoleInstitution,
			InstitutionID: sp.InstitutionID, OpenID: openID, Name: clip(sp.Name, 32), CreatedBy: "wechat", CreatedAt: at, UpdatedAt: at}
		err = db.WithContext(ctx).Create(&a).Error
	}
	if err != nil {
		return "", domain.Account{}, fmt.Errorf("specialist session: %w", err)
	}
	return db.issueBoundToken(ctx, a, at, db.WithContext(ctx).Model(&SpecialistRecord{}).Where("id = ? AND open_id = ?", sp.ID, openID))
}
