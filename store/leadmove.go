package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// RecordMove writes a lead's move as the use case decided it, in one
// transaction: each step's status and event, conditional on the status
// read (of two concurrent moves one wins, the other gets
// domain.ErrTransition), the first-contact stamp, the roster entry, the
// deal row and the lead's disbursed amount (the sum of its deals), then
// the messages notify returns for the lead as written. The store decides
// nothing here: it only keeps the open key of CreateLead's one-open-lead
// rule in step (freed at a terminal status, taken again by a lead
// brought back from one).
func (db *DB) RecordMove(ctx context.Context, m domain.LeadMove, notify domain.MoveNotifyFunc) (domain.Moved, error) {
	var out domain.Moved
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r Lead
		err := tx.Where("id = ?", m.LeadID).Take(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("move lead %d: %w", m.LeadID, err)
		}
		if r.Status != m.From {
			return domain.Errorf(domain.ErrTransition, "该记录刚被他人更新，请刷新后重试")
		}
		var last LeadEvent
		status, contacted, open := r.Status, r.ContactedAt != nil, r.OpenKey != nil
		for _, s := range m.Steps {
			updates := map[string]any{"status": s.Status, "updated_at": m.At}
			switch {
			case m.Uncontacted && contacted:
				updates["contacted_at"], contacted = nil, false
			case m.Contacted && !contacted:
				updates["contacted_at"], contacted = m.At, true
			}
			if domain.Terminal(s.Status) {
				updates["open_key"], open = nil, false
			} else if !open {
				updates["open_key"], open = openKey(r.Kind, r.CreditCode), true
			}
			res := tx.Model(&Lead{}).Where("id = ? AND status = ?", r.ID, status).Updates(updates)
			if res.Error != nil {
				if IsDuplicate(res.Error) {
					return fmt.Errorf("move lead %d: %w", r.ID, domain.ErrDuplicate)
				}
				return fmt.Errorf("move lead %d: %w", r.ID, res.Error)
			}
			if res.RowsAffected != 1 {
				return domain.Errorf(domain.ErrTransition, "该记录刚被他人更新，请刷新后重试")
			}
			last = LeadEvent{LeadID: r.ID, Status: s.Status, Actor: m.Actor, Note: clip(s.Note, 512), CreatedAt: m.At}
			if err := tx.Create(&last).Error; err != nil {
				return fmt.Errorf("move lead %d: event: %w", r.ID, err)
			}
			status = s.Status
		}
		if a := m.Admit; a != nil {
			if err := admit(tx, *a, m.Actor, m.At); err != nil {
				return fmt.Errorf("move lead %d: %w", r.ID, err)
			}
		}
		if d := m.Deal; d != nil {
			rec := DealRecord{LeadID: r.ID, County: r.County, InstitutionID: d.Institution, EnterpriseName: r.EnterpriseName,
				CreditCode: r.CreditCode, Product: d.Product, AmountWan: d.AmountWan, RatePct: d.RatePct, TermMonths: d.TermMonths,
				DisbursedOn: d.DisbursedOn, Actor: m.Actor, CreatedAt: m.At}
			if err := tx.Create(&rec).Error; err != nil {
				return fmt.Errorf("deal lead %d: %w", r.ID, err)
			}
			var sum float64
			if err := tx.Model(&DealRecord{}).Select("COALESCE(SUM(amount_wan), 0)").Where("lead_id = ? AND withdrawn_at IS NULL", r.ID).Scan(&sum).Error; err != nil {
				return fmt.Errorf("deal lead %d: sum: %w", r.ID, err)
			}
			if err := tx.Model(&Lead{}).Where("id = ?", r.ID).Updates(map[string]any{"disbursed_wan": sum, "updated_at": m.At}).Error; err != nil {
				return fmt.Errorf("deal lead %d: amount: %w", r.ID, err)
			}
			out.DealID = rec.ID
		}
		var now Lead // a fresh row: Take keeps a field's old value where the column is NULL
		if err := tx.Where("id = ?", r.ID).Take(&now).Error; err != nil {
			return fmt.Errorf("move lead %d: reread: %w", r.ID, err)
		}
		out.Lead = toLead(now)
		var evs []LeadEvent
		if err := tx.Where("lead_id = ?", r.ID).Order("id").Find(&evs).Error; err != nil {
			return fmt.Errorf("move lead %d: events: %w", r.ID, err)
		}
		for _, e := range evs {
			out.Lead.Events = append(out.Lead.Events, toEvent(e))
		}
		if last.ID != 0 {
			out.Event = toEvent(last)
		}
		if notify == nil {
			return nil
		}
		msgs, err := notify(out)
		if err != nil {
			return fmt.Errorf("notify lead %s: %w", r.Number, err)
		}
		return enqueue(tx, msgs, m.At)
	})
	return out, err
}

// admit lists an enterprise in the roster, unless its credit code is
// there already.
func admit(tx *gorm.DB, a domain.RosterAdmission, by string, at time.Time) error {
	var n int64
	if err := tx.Model(&RosterRecord{}).Where("credit_code = ?", a.CreditCode).Count(&n).Error; err != nil {
		return fmt.Errorf("roster admit: %w", err)
	}
	if n > 0 {
		return nil
	}
	r := RosterRecord{CreditCode: a.CreditCode, Name: a.Name, Tier: int(a.Tier), Basis: a.Basis, County: a.County,
		ListedOn: a.ListedOn, Source: a.Source, Version: 1, UpdatedBy: by, CreatedAt: at, UpdatedAt: at}
	if err := tx.Create(&r).Error; err != nil {
		return fmt.Errorf("roster admit: %w", err)
	}
	return nil
}
