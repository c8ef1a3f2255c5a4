package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// shanghai is China Standard Time: application numbers use its dates.
var shanghai = domain.Shanghai

// LeadNumber formats an application number: SZR-20261127-0001.
func LeadNumber(day time.Time, seq int64) string {
	return fmt.Sprintf("SZR-%s-%04d", day.In(shanghai).Format("20060102"), seq)
}

func openKey(kind, code string) *string {
	k := kind + ":" + code
	return &k
}

func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func toLead(r Lead) domain.Lead {
	return domain.Lead{
		ID: r.ID, Number: r.Number, Kind: r.Kind, County: r.County, Status: r.Status,
		EnterpriseName: r.EnterpriseName, CreditCode: r.CreditCode, Contact: r.Contact, Phone: r.Phone,
		Product: r.Product, AmountWan: r.AmountWan, TermMonths: r.TermMonths, Purpose: r.Purpose, Note: r.Note,
		DisbursedWan: r.DisbursedWan, OpenID: r.OpenID, ConsentAt: r.ConsentAt, PolicyVersion: r.PolicyVersion,
		ContactedAt: timeOrZero(r.ContactedAt), RemindedAt: timeOrZero(r.RemindedAt), EscalatedAt: timeOrZero(r.EscalatedAt),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func toEvent(e LeadEvent) domain.LeadEvent {
	return domain.LeadEvent{ID: e.ID, Status: e.Status, Actor: e.Actor, Note: e.Note, CreatedAt: e.CreatedAt}
}

// nextSeq increments and returns the named counter inside tx. The upsert
// locks the counter row until tx ends, so concurrent callers queue.
func nextSeq(tx *gorm.DB, name string) (int64, error) {
	c := Counter{Name: name, Value: 1}
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "name"}},
		DoUpdates: clause.Assignments(map[string]any{"value": gorm.Expr("`value` + 1")}),
	}).Create(&c).Error
	if err != nil {
		return 0, fmt.Errorf("counter %s: %w", name, err)
	}
	if err := tx.Where("name = ?", name).Take(&c).Error; err != nil {
		return 0, fmt.Errorf("counter %s: read: %w", name, err)
	}
	return c.Value, nil
}

// NotifyFunc returns the messages to enqueue for a lead just written
// (domain.NotifyFunc).
type NotifyFunc = domain.NotifyFunc

// CreateLead stores a submitted form as a lead numbered by the day of at
// (Asia/Shanghai), with its first event and the notifications from notify,
// in one transaction. When the enterprise already has an open lead of the
// kind under the credit code, it returns that lead and an error wrapping
// domain.ErrDuplicate.
func (db *DB) CreateLead(ctx context.Context, in dialog.SubmitLead, openID string, at time.Time, notify NotifyFunc) (domain.Lead, error) {
	var out domain.Lead
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var open Lead
		err := tx.Where("open_key = ?", *openKey(in.Kind, in.CreditCode)).Take(&open).Error
		if err == nil {
			out = toLead(open)
			return fmt.Errorf("lead %s: %w", open.Number, domain.ErrDuplicate)
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("find open lead: %w", err)
		}
		day := at.In(shanghai).Format("20060102")
		seq, err := nextSeq(tx, "lead:"+day)
		if err != nil {
			return err
		}
		r := Lead{
			Number: LeadNumber(at, seq), Kind: in.Kind, County: in.County, Status: domain.StatusSubmitted,
			EnterpriseName: in.EnterpriseName, CreditCode: in.CreditCode, Contact: in.Contact, Phone: in.Phone,
			Product: in.Product, AmountWan: in.AmountWan, TermMonths: in.TermMonths, Purpose: in.Purpose, Note: in.Note,
			OpenID: openID, ConsentAt: in.ConsentAt, PolicyVersion: in.PolicyVersion,
			OpenKey: openKey(in.Kind, in.CreditCode), CreatedAt: at, UpdatedAt: at,
		}
		if err := tx.Create(&r).Error; err != nil {
			if IsDuplicate(err) {
				return fmt.Errorf("insert lead: %w: %w", domain.ErrDuplicate, err)
			}
			return fmt.Errorf("insert lead: %w", err)
		}
		ev := LeadEvent{LeadID: r.ID, Status: domain.StatusSubmitted, Actor: "enterprise", CreatedAt: at}
		if err := tx.Create(&ev).Error; err != nil {
			return fmt.Errorf("insert lead event: %w", err)
		}
		out = toLead(r)
		out.Events = []domain.LeadEvent{toEvent(ev)}
		if notify == nil {
			return nil
		}
		msgs, err := notify(out, out.Events[0])
		if err != nil {
			return fmt.Errorf("notify lead %s: %w", r.Number, err)
		}
		return enqueue(tx, msgs, at)
	})
	if errors.Is(err, domain.ErrDuplicate) && out.ID == 0 {
		// Lost a race with a concurrent submission: show the winner.
		if l, ferr := db.OpenLead(ctx, in.Kind, in.CreditCode); ferr == nil {
			out = l
		}
	}
	return out, err
}

// OpenLead returns the open lead of kind under a credit code, or domain.ErrNotFound.
func (db *DB) OpenLead(ctx context.Context, kind, code string) (domain.Lead, error) {
	r, err := take[Lead](db.WithContext(ctx).Where("open_key = ?", *openKey(kind, code)), "open lead "+kind)
	if err != nil {
		return domain.Lead{}, err
	}
	return toLead(r), nil
}

// Lead returns a lead with its events, or domain.ErrNotFound.
func (db *DB) Lead(ctx context.Context, id uint64) (domain.Lead, error) {
	return db.leadWhere(ctx, "id = ?", id)
}

// LeadByNumber returns a lead with its events, or domain.ErrNotFound.
func (db *DB) LeadByNumber(ctx context.Context, number string) (domain.Lead, error) {
	return db.leadWhere(ctx, "number = ?", number)
}

func (db *DB) leadWhere(ctx context.Context, cond string, arg any) (domain.Lead, error) {
	r, err := take[Lead](db.WithContext(ctx).Where(cond, arg), fmt.Sprintf("lead %v", arg))
	if err != nil {
		return domain.Lead{}, err
	}
	l := toLead(r)
	var evs []LeadEvent
	if err := db.WithContext(ctx).Where("lead_id = ?", r.ID).Order("id").Find(&evs).Error; err != nil {
		return domain.Lead{}, fmt.Errorf("lead %v: events: %w", arg, err)
	}
	for _, e := range evs {
		l.Events = append(l.Events, toEvent(e))
	}
	return l, nil
}

// whereLeads narrows q to the leads f selects.
func whereLeads(q *gorm.DB, f domain.LeadFilter) *gorm.DB {
	if f.County != "" {
		q = q.Where("county = ?", f.County)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.OpenID != "" {
		q = q.Where("open_id = ?", f.OpenID)
	}
	if f.OpenOnly {
		q = q.Where("status IN ?", domain.OpenStatuses())
	}
	if f.Institution != 0 {
		q = q.Where("id IN (?)", q.Session(&gorm.Session{NewDB: true}).Model(&ReferralRecord{}).
			Select("lead_id").Where("institution_id = ?", f.Institution))
	}
	return q
}

// Leads returns the leads matching f, newest first, each with its last event.
func (db *DB) Leads(ctx context.Context, f domain.LeadFilter) ([]domain.Lead, error) {
	q := whereLeads(db.WithContext(ctx), f).Order("created_at DESC, id DESC")
	limit := f.Limit
	if limit <= 0 {
		limit = 200
	}
	var rows []Lead
	if err := q.Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("leads: %w", err)
	}
	return db.withLastEvents(ctx, rows)
}

func (db *DB) withLastEvents(ctx context.Context, rows []Lead) ([]domain.Lead, error) {
	out := make([]domain.Lead, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var evs []LeadEvent
	if err := db.WithContext(ctx).Where("id IN (?)",
		db.WithContext(ctx).Model(&LeadEvent{}).Select("MAX(id)").Where("lead_id IN ?", ids).Group("lead_id"),
	).Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("leads: last events: %w", err)
	}
	last := make(map[uint64]LeadEvent, len(evs))
	for _, e := range evs {
		last[e.LeadID] = e
	}
	for _, r := range rows {
		l := toLead(r)
		if e, ok := last[r.ID]; ok {
			l.Events = []domain.LeadEvent{toEvent(e)}
		}
		out = append(out, l)
	}
	return out, nil
}

// OverdueLeads returns the leads still waiting to be contacted, created
// before before, that are not yet both reminded and escalated.
func (db *DB) OverdueLeads(ctx context.Context, before time.Time) ([]domain.Lead, error) {
	var rows []Lead
	err := db.WithContext(ctx).
		Where("status = ? AND contacted_at IS NULL AND created_at < ? AND (reminded_at IS NULL OR escalated_at IS NULL)",
			domain.StatusSubmitted, before).
		Order("id").Limit(1000).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("overdue leads: %w", err)
	}
	out := make([]domain.Lead, len(rows))
	for i, r := range rows {
		out[i] = toLead(r)
	}
	return out, nil
}

// SLA marks on a lead (domain.MarkReminded, domain.MarkEscalated).
const (
	MarkReminded  = domain.MarkReminded
	MarkEscalated = domain.MarkEscalated
)

// MarkLead sets a lead's SLA mark (MarkReminded or MarkEscalated) unless it
// is set already or the lead was contacted meanwhile, and enqueues msgs in
// the same transaction. It reports whether this call set the mark, so that
// of several instances exactly one notifies.
func (db *DB) MarkLead(ctx context.Context, id uint64, mark string, at time.Time, msgs []Message) (bool, error) {
	if mark != MarkReminded && mark != MarkEscalated {
		return false, fmt.Errorf("mark lead %d: unknown mark %q", id, mark)
	}
	var set bool
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Lead{}).Where("id = ? AND status = ? AND "+mark+" IS NULL", id, domain.StatusSubmitted).
			Update(mark, at)
		if res.Error != nil {
			return fmt.Errorf("mark lead %d %s: %w", id, mark, res.Error)
		}
		if res.RowsAffected != 1 {
			return nil
		}
		set = true
		return enqueue(tx, msgs, at)
	})
	return set, err
}
