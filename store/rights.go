package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Personal-data rights: a follower's applications are corrected, and on
// request their personal data is deleted or anonymised. A filed
// application stays for the programme's reporting (its number, enterprise,
// credit code, county, amounts and status history), without the person:
// contact, phone, note and openid go.

// CorrectLeadContacts sets the contact name and mobile of every application
// openID filed, and returns how many there are.
func (db *DB) CorrectLeadContacts(ctx context.Context, openID, name, mobile string, at time.Time) (int64, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&Lead{}).Where("open_id = ?", openID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("correct contacts: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	// MySQL counts only changed rows as affected: the count above decides.
	err := db.WithContext(ctx).Model(&Lead{}).Where("open_id = ?", openID).
		Updates(map[string]any{"contact": clip(name, 64), "phone": clip(mobile, 20), "updated_at": at}).Error
	if err != nil {
		return 0, fmt.Errorf("correct contacts: %w", err)
	}
	return n, nil
}

// ErasePersonalData deletes or anonymises, in one transaction, what is
// kept about openID: its applications lose their personal fields (the
// caller has withdrawn the open ones), its follower record becomes an
// anonymous count of the county it came from, its county contact bindings
// go with their sessions, and messages waiting for it are dropped.
func (db *DB) ErasePersonalData(ctx context.Context, openID string, at time.Time) (domain.Erased, error) {
	var e domain.Erased
	if openID == "" {
		return e, domain.ErrNotFound
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Lead{}).Where("open_id = ?", openID).
			Updates(map[string]any{"contact": "", "phone": "", "note": "", "open_id": "", "updated_at": at})
		if res.Error != nil {
			return fmt.Errorf("erase leads: %w", res.Error)
		}
		e.Leads = res.RowsAffected
		if err := tx.Model(&LeadEvent{}).Where("actor = ?", "enterprise:"+openID).Update("actor", "enterprise").Error; err != nil {
			return fmt.Errorf("erase lead events: %w", err)
		}
		// The follower stays counted (scene, county, subscription) under a
		// random id that leads back to no one.
		b := make([]byte, 12)
		rand.Read(b)
		res = tx.Model(&Follower{}).Where("open_id = ?", openID).Updates(map[string]any{
			"open_id": "erased-" + hex.EncodeToString(b), "tier": 0, "criteria": "", "checked_at": nil, "updated_at": at,
		})
		if res.Error != nil {
			return fmt.Errorf("erase follower: %w", res.Error)
		}
		e.Profile = res.RowsAffected > 0
		var contacts []CountyContact
		if err := tx.Where("open_id = ?", openID).Find(&contacts).Error; err != nil {
			return fmt.Errorf("erase contacts: %w", err)
		}
		if len(contacts) > 0 {
			if err := tx.Where("open_id = ?", openID).Delete(&CountyContact{}).Error; err != nil {
				return fmt.Errorf("erase contacts: %w", err)
			}
			e.Contacts = len(contacts)
			r, err := endSessions(tx, tx.Where("open_id = ? AND role = ?", openID, domain.RoleCounty))
			if err != nil {
				return err
			}
			e.Revoked = r
			// The accounts the WeChat sign-in made for the contact keep
			// their work in the log, no longer the person's name or WeChat.
			if err := tx.Model(&Account{}).Where("open_id = ? AND role = ? AND created_by = ?", openID, domain.RoleCounty, "wechat").
				Updates(map[string]any{"open_id": "", "name": ""}).Error; err != nil {
				return fmt.Errorf("erase contact accounts: %w", err)
			}
		}
		res = tx.Where("recipient = ?", openID).Delete(&Outbox{})
		if res.Error != nil {
			return fmt.Errorf("erase messages: %w", res.Error)
		}
		e.Messages = res.RowsAffected
		res = tx.Where("to_user = ?", openID).Delete(&SandboxMessage{})
		if res.Error != nil {
			return fmt.Errorf("erase sandbox messages: %w", res.Error)
		}
		e.Messages += res.RowsAffected
		// Who asked what the bot could not place: forgotten.
		if err := tx.Where("open_id = ?", openID).Delete(&UnplacedAsker{}).Error; err != nil {
			return fmt.Errorf("erase unplaced askers: %w", err)
		}
		// Ratings of the service: kept as counts, the comment and who go.
		if err := tx.Model(&LeadRating{}).Where("open_id = ?", openID).
			Updates(map[string]any{"open_id": "", "comment": ""}).Error; err != nil {
			return fmt.Errorf("erase ratings: %w", err)
		}
		// Questions handed to a person: kept as counts, their words go.
		var ids []uint64
		if err := tx.Model(&TicketRecord{}).Where("open_id = ?", openID).Pluck("id", &ids).Error; err != nil {
			return fmt.Errorf("erase tickets: %w", err)
		}
		if len(ids) > 0 {
			if err := tx.Model(&TicketMessageRecord{}).Where("ticket_id IN ? AND from_staff = ?", ids, false).
				Update("text", ErasedText).Error; err != nil {
				return fmt.Errorf("erase ticket messages: %w", err)
			}
			if err := tx.Model(&TicketRecord{}).Where("id IN ?", ids).Updates(map[string]any{
				"open_id": "", "question": ErasedText, "enterprise_name": "", "status": domain.TicketClosed, "closed_at": at, "updated_at": at,
			}).Error; err != nil {
				return fmt.Errorf("erase tickets: %w", err)
			}
			e.Tickets = int64(len(ids))
		}
		return nil
	})
	return e, err
}

// ErasedText stands for words an enterprise had deleted.
const ErasedText = "（已应本人要求删除）"
