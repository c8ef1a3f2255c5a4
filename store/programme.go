package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// The programme's records: the 企业库 roster (upserted by credit code,
// keeping every replaced version), institutions and specialists,
// referrals and deals.

func toRosterEntry(r RosterRecord) dialog.RosterEntry {
	return dialog.RosterEntry{CreditCode: r.CreditCode, Name: r.Name, Tier: domain.Tier(r.Tier), Basis: r.Basis,
		County: r.County, ListedOn: r.ListedOn, Source: r.Source, Version: r.Version, UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt}
}

// RosterResult is domain.RosterResult.
type RosterResult = domain.RosterResult

// UpsertRoster records entries by credit code in one transaction: a new
// code is inserted as version 1; a changed one has its current version
// copied to roster_versions and is updated; an identical one is left
// alone, so importing the same file again changes nothing. With dryRun it
// only counts.
func (db *DB) UpsertRoster(ctx context.Context, entries []dialog.RosterEntry, by string, at time.Time, dryRun bool) (RosterResult, error) {
	var res RosterResult
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Read the current records in chunks, so that a large file costs
		// a query per 500 rows plus one per change.
		cur := make(map[string]RosterRecord, len(entries))
		for i := 0; i < len(entries); i += 500 {
			codes := make([]string, 0, 500)
			for _, e := range entries[i:min(i+500, len(entries))] {
				codes = append(codes, e.CreditCode)
			}
			var rows []RosterRecord
			if err := tx.Where("credit_code IN ?", codes).Find(&rows).Error; err != nil {
				return fmt.Errorf("roster read: %w", err)
			}
			for _, r := range rows {
				cur[r.CreditCode] = r
			}
		}
		var fresh []RosterRecord
		for _, e := range entries {
			old, ok := cur[e.CreditCode]
			switch {
			case !ok:
				res.Inserted++
				fresh = append(fresh, RosterRecord{CreditCode: e.CreditCode, Name: e.Name, Tier: int(e.Tier), Basis: e.Basis,
					County: e.County, ListedOn: e.ListedOn, Source: e.Source, Version: 1, UpdatedBy: by, CreatedAt: at, UpdatedAt: at})
			case toRosterEntry(old).Same(e):
				res.Unchanged++
			default:
				res.Updated++
				if !dryRun {
					if err := replaceRoster(tx, old, e, by, at); err != nil {
						return err
					}
				}
			}
		}
		if dryRun || len(fresh) == 0 {
			return nil
		}
		if err := tx.CreateInBatches(fresh, 200).Error; err != nil {
			if IsDuplicate(err) { // another import inserted the same enterprise meanwhile
				return domain.Errorf(domain.ErrTransition, "企业库记录刚被他人更新，请重新导入")
			}
			return fmt.Errorf("roster insert: %w", err)
		}
		return nil
	})
	return res, err
}

// replaceRoster keeps cur as a version and records e in its place.
func replaceRoster(tx *gorm.DB, cur RosterRecord, e dialog.RosterEntry, by string, at time.Time) error {
	old := RosterVersion{CreditCode: cur.CreditCode, Name: cur.Name, Tier: cur.Tier, Basis: cur.Basis, County: cur.County,
		ListedOn: cur.ListedOn, Source: cur.Source, Version: cur.Version, UpdatedBy: cur.UpdatedBy, RecordedAt: cur.UpdatedAt,
		ReplacedBy: by, ReplacedAt: at}
	if err := tx.Create(&old).Error; err != nil {
		return fmt.Errorf("roster history %s: %w", e.CreditCode, err)
	}
	res := tx.Model(&RosterRecord{}).Where("id = ? AND version = ?", cur.ID, cur.Version).Updates(map[string]any{
		"name": e.Name, "tier": int(e.Tier), "basis": e.Basis, "county": e.County, "listed_on": e.ListedOn,
		"source": e.Source, "version": cur.Version + 1, "updated_by": by, "updated_at": at,
	})
	if res.Error != nil {
		return fmt.Errorf("roster update %s: %w", e.CreditCode, res.Error)
	}
	if res.RowsAffected != 1 {
		return domain.Errorf(domain.ErrTransition, "企业库记录刚被他人更新，请重新导入")
	}
	return nil
}

// RosterEntry returns the roster's record of a credit code, or
// domain.ErrNotFound.
func (db *DB) RosterEntry(ctx context.Context, code string) (dialog.RosterEntry, error) {
	r, err := take[RosterRecord](db.WithContext(ctx).Where("credit_code = ?", code), "roster "+code)
	if err != nil {
		return dialog.RosterEntry{}, err
	}
	return toRosterEntry(r), nil
}

// FollowerRosterEntry returns the roster's record of the enterprise of the
// follower's latest application whose credit code the roster lists, in one
// query, or domain.ErrNotFound (no application, or none listed). The query
// is written out: it runs on every finished self-check.
func (db *DB) FollowerRosterEntry(ctx context.Context, openID string) (dialog.RosterEntry, error) {
	var rows []RosterRecord
	err := db.WithContext(ctx).Raw("SELECT r.* FROM roster_entries r JOIN leads l ON l.credit_code = r.credit_code "+
		"WHERE l.open_id = ? AND l.credit_code <> '' ORDER BY l.created_at DESC, l.id DESC LIMIT 1", openID).Scan(&rows).Error
	if err != nil {
		return dialog.RosterEntry{}, fmt.Errorf("roster of %s: %w", openID, err)
	}
	if len(rows) == 0 {
		return dialog.RosterEntry{}, domain.ErrNotFound
	}
	return toRosterEntry(rows[0]), nil
}

// Roster returns the roster entries f selects, by county and name.
func (db *DB) Roster(ctx context.Context, f domain.RosterFilter) ([]dialog.RosterEntry, error) {
	q := db.WithContext(ctx).Model(&RosterRecord{})
	if f.County != "" {
		q = q.Where("county = ?", f.County)
	}
	if f.Tier != 0 {
		q = q.Where("tier = ?", int(f.Tier))
	}
	if f.Query != "" {
		like := "%" + escapeLike(f.Query) + "%"
		q = q.Where("name LIKE ? OR credit_code LIKE ?", like, like)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	var rows []RosterRecord
	if err := q.Order("county, name, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("roster: %w", err)
	}
	out := make([]dialog.RosterEntry, len(rows))
	for i, r := range rows {
		out[i] = toRosterEntry(r)
	}
	return out, nil
}

// RosterHistory returns the replaced versions of a credit code, oldest first.
func (db *DB) RosterHistory(ctx context.Context, code string) ([]dialog.RosterEntry, error) {
	var rows []RosterVersion
	if err := db.WithContext(ctx).Where("credit_code = ?", code).Order("version").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("roster history %s: %w", code, err)
	}
	out := make([]dialog.RosterEntry, len(rows))
	for i, r := range rows {
		out[i] = dialog.RosterEntry{CreditCode: r.CreditCode, Name: r.Name, Tier: domain.Tier(r.Tier), Basis: r.Basis,
			County: r.County, ListedOn: r.ListedOn, Source: r.Source, Version: r.Version, UpdatedBy: r.UpdatedBy, UpdatedAt: r.RecordedAt}
	}
	return out, nil
}

// Institutions.

func toInstitution(r InstitutionRecord) dialog.Institution {
	var counties []string
	if r.Counties != "" {
		counties = strings.Split(r.Counties, ",")
	}
	return dialog.Institution{ID: r.ID, Name: r.Name, Kind: r.Kind, Counties: counties, UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt}
}

func toSpecialist(r SpecialistRecord) dialog.Specialist {
	return dialog.Specialist{ID: r.ID, Institution: r.InstitutionID, Name: r.Name, Phone: r.Phone, Products: r.Products,
		OpenID: r.OpenID, BoundAt: timeOrZero(r.BoundAt), ConsentAt: timeOrZero(r.ConsentAt)}
}

// SetInstitutionCounties records the counties an institution serves; none
// is all of Suzhou. The row is read back rather than trusting
// RowsAffected, which MariaDB reports as 0 for a same-value update.
func (db *DB) SetInstitutionCounties(ctx context.Context, id uint64, counties []string, by string, at time.Time) (dialog.Institution, error) {
	if _, err := db.Institution(ctx, id); err != nil {
		return dialog.Institution{}, err
	}
	err := db.WithContext(ctx).Model(&InstitutionRecord{}).Where("id = ?", id).
		Updates(map[string]any{"counties": strings.Join(counties, ","), "updated_by": by, "updated_at": at}).Error
	if err != nil {
		return dialog.Institution{}, fmt.Errorf("institution %d: counties: %w", id, err)
	}
	return db.Institution(ctx, id)
}

// SetSpecialistConsent records whether a specialist of institution inst
// agreed to show its name and phone to enterprises (at, or withdrawn).
func (db *DB) SetSpecialistConsent(ctx context.Context, inst, id uint64, consent bool, at time.Time) (dialog.Specialist, error) {
	r, err := take[SpecialistRecord](db.WithContext(ctx).Where("id = ? AND institution_id = ?", id, inst), fmt.Sprintf("specialist %d", id))
	if err != nil {
		return dialog.Specialist{}, err
	}
	var when *time.Time
	if consent {
		when = &at
	}
	if err := db.WithContext(ctx).Model(&SpecialistRecord{}).Where("id = ?", r.ID).
		Updates(map[string]any{"consent_at": when, "updated_at": at}).Error; err != nil {
		return dialog.Specialist{}, fmt.Errorf("specialist %d: consent: %w", id, err)
	}
	r, err = take[SpecialistRecord](db.WithContext(ctx).Where("id = ?", id), fmt.Sprintf("specialist %d", id))
	return toSpecialist(r), err
}

// CreateInstitution stores an institution; a taken name wraps
// domain.ErrDuplicate.
func (db *DB) CreateInstitution(ctx context.Context, name, kind, by string, at time.Time) (dialog.Institution, error) {
	r := InstitutionRecord{Name: name, Kind: kind, UpdatedBy: by, CreatedAt: at, UpdatedAt: at}
	if err := db.WithContext(ctx).Create(&r).Error; err != nil {
		if IsDuplicate(err) {
			return dialog.Institution{}, domain.Errorf(domain.ErrDuplicate, "合作金融机构“%s”已存在", name)
		}
		return dialog.Institution{}, fmt.Errorf("create institution %s: %w", name, err)
	}
	return toInstitution(r), nil
}

// UpdateInstitution renames an institution or changes its kind.
func (db *DB) UpdateInstitution(ctx context.Context, id uint64, name, kind, by string, at time.Time) (dialog.Institution, error) {
	res := db.WithContext(ctx).Model(&InstitutionRecord{}).Where("id = ?", id).
		Updates(map[string]any{"name": name, "kind": kind, "updated_by": by, "updated_at": at})
	if res.Error != nil {
		if IsDuplicate(res.Error) {
			return dialog.Institution{}, domain.Errorf(domain.ErrDuplicate, "合作金融机构“%s”已存在", name)
		}
		return dialog.Institution{}, fmt.Errorf("update institution %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return dialog.Institution{}, domain.ErrNotFound
	}
	return db.Institution(ctx, id)
}

// Institution returns an institution with its specialists, or
// domain.ErrNotFound.
func (db *DB) Institution(ctx context.Context, id uint64) (dialog.Institution, error) {
	r, err := take[InstitutionRecord](db.WithContext(ctx).Where("id = ?", id), fmt.Sprintf("institution %d", id))
	if err != nil {
		return dialog.Institution{}, err
	}
	inst := toInstitution(r)
	var sps []SpecialistRecord
	if err := db.WithContext(ctx).Where("institution_id = ?", id).Order("id").Find(&sps).Error; err != nil {
		return inst, fmt.Errorf("institution %d: specialists: %w", id, err)
	}
	for _, s := range sps {
		inst.Specialists = append(inst.Specialists, toSpecialist(s))
	}
	return inst, nil
}

// Institutions returns every institution with its specialists, by kind and name.
func (db *DB) Institutions(ctx context.Context) ([]dialog.Institution, error) {
	var rows []InstitutionRecord
	if err := db.WithContext(ctx).Order("kind, name, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("institutions: %w", err)
	}
	var sps []SpecialistRecord
	if err := db.WithContext(ctx).Order("id").Find(&sps).Error; err != nil {
		return nil, fmt.Errorf("institutions: specialists: %w", err)
	}
	by := map[uint64][]dialog.Specialist{}
	for _, s := range sps {
		by[s.InstitutionID] = append(by[s.InstitutionID], toSpecialist(s))
	}
	out := make([]dialog.Institution, len(rows))
	for i, r := range rows {
		out[i] = toInstitution(r)
		out[i].Specialists = by[r.ID]
	}
	return out, nil
}

// AddSpecialist adds a service specialist to an institution.
func (db *DB) AddSpecialist(ctx context.Context, s dialog.Specialist, at time.Time) (dialog.Specialist, error) {
	if _, err := db.Institution(ctx, s.Institution); err != nil {
		return dialog.Specialist{}, err
	}
	r := SpecialistRecord{InstitutionID: s.Institution, Name: s.Name, Phone: s.Phone, Products: s.Products, CreatedAt: at, UpdatedAt: at}
	if err := db.WithContext(ctx).Create(&r).Error; err != nil {
		return dialog.Specialist{}, fmt.Errorf("add specialist: %w", err)
	}
	return toSpecialist(r), nil
}

// CreateSpecialistCode issues a one-time code binding a WeChat user to
// specialist id of institution inst, valid for BindCodeTTL.
func (db *DB) CreateSpecialistCode(ctx context.Context, inst, id uint64, by string, at time.Time) (domain.SpecialistCode, error) {
	if _, err := take[SpecialistRecord](db.WithContext(ctx).Where("id = ? AND institution_id = ?", id, inst), fmt.Sprintf("specialist %d", id)); err != nil {
		return domain.SpecialistCode{}, err
	}
	for range 5 {
		sc := SpecialistCode{Code: newBindCode(), SpecialistID: id, CreatedBy: by, ExpiresAt: at.Add(BindCodeTTL), CreatedAt: at}
		err := db.WithContext(ctx).Create(&sc).Error
		if err == nil {
			return domain.SpecialistCode(sc), nil
		}
		if !IsDuplicate(err) {
			return domain.SpecialistCode{}, fmt.Errorf("create specialist code %d: %w", id, err)
		}
	}
	return domain.SpecialistCode{}, fmt.Errorf("create specialist code %d: no free code", id)
}

// UseSpecialistCode binds openID to the code's specialist and spends the
// code, in one transaction. A WeChat the specialist had bound before is
// replaced: the sessions it opened end (revoked says so). Errors wrap
// domain.ErrNotFound (no such code), domain.ErrCodeUsed or
// domain.ErrCodeExpired.
func (db *DB) UseSpecialistCode(ctx context.Context, code, openID string, at time.Time) (out dialog.Specialist, revoked domain.Revoked, err error) {
	code = NormalizeBindCode(code)
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var sc SpecialistCode
		err := tx.Where("code = ?", code).Take(&sc).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("use specialist code: %w", err)
		}
		if sc.UsedAt != nil {
			return domain.ErrCodeUsed
		}
		if !sc.ExpiresAt.After(at) {
			return domain.ErrCodeExpired
		}
		res := tx.Model(&SpecialistCode{}).Where("code = ? AND used_at IS NULL", code).Update("used_at", at)
		if res.Error != nil {
			return fmt.Errorf("use specialist code: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return domain.ErrCodeUsed
		}
		var was SpecialistRecord
		if err := tx.Where("id = ?", sc.SpecialistID).Take(&was).Error; err != nil {
			return fmt.Errorf("bind specialist %d: %w", sc.SpecialistID, err)
		}
		if err := tx.Model(&SpecialistRecord{}).Where("id = ?", sc.SpecialistID).
			Updates(map[string]any{"open_id": openID, "bound_at": at, "updated_at": at}).Error; err != nil {
			return fmt.Errorf("bind specialist %d: %w", sc.SpecialistID, err)
		}
		var r SpecialistRecord
		if err := tx.Where("id = ?", sc.SpecialistID).Take(&r).Error; err != nil {
			return fmt.Errorf("bind specialist %d: %w", sc.SpecialistID, err)
		}
		out = toSpecialist(r)
		if was.OpenID != "" && was.OpenID != openID {
			revoked, err = unbindSpecialistWeChat(tx, r.InstitutionID, was.OpenID)
		}
		return err
	})
	return out, revoked, err
}

// SpecialistOpenIDs returns the bound WeChat users of an institution's specialists.
func (db *DB) SpecialistOpenIDs(ctx context.Context, inst uint64) ([]string, error) {
	var ids []string
	if err := db.WithContext(ctx).Model(&SpecialistRecord{}).Where("institution_id = ? AND open_id <> ''", inst).
		Order("id").Pluck("open_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("specialists of %d: %w", inst, err)
	}
	return ids, nil
}

// Referrals.

// Refer records that a lead was referred to an institution and enqueues
// msgs, in one transaction; a second referral to the same institution
// wraps domain.ErrDuplicate.
func (db *DB) Refer(ctx context.Context, leadID, inst uint64, by string, at time.Time, msgs []Message) (dialog.Referral, error) {
	r := ReferralRecord{LeadID: leadID, InstitutionID: inst, ReferredBy: by, CreatedAt: at}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			if IsDuplicate(err) {
				return domain.Errorf(domain.ErrDuplicate, "该申请已推荐给这家机构")
			}
			return fmt.Errorf("refer lead %d: %w", leadID, err)
		}
		return enqueue(tx, msgs, at)
	})
	if err != nil {
		return dialog.Referral{}, err
	}
	return dialog.Referral{ID: r.ID, LeadID: leadID, Institution: inst, By: by, At: r.CreatedAt}, nil
}

// Referrals returns a lead's referrals with the institutions' names, oldest first.
func (db *DB) Referrals(ctx context.Context, leadID uint64) ([]dialog.Referral, error) {
	var rows []struct {
		ID            uint64
		LeadID        uint64
		InstitutionID uint64
		Name          string
		ReferredBy    string
		CreatedAt     time.Time
	}
	err := db.WithContext(ctx).Table("referrals").
		Select("referrals.id, referrals.lead_id, referrals.institution_id, institutions.name, referrals.referred_by, referrals.created_at").
		Joins("JOIN institutions ON institutions.id = referrals.institution_id").
		Where("referrals.lead_id = ?", leadID).Order("referrals.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("referrals of %d: %w", leadID, err)
	}
	out := make([]dialog.Referral, len(rows))
	for i, r := range rows {
		out[i] = dialog.Referral{ID: r.ID, LeadID: r.LeadID, Institution: r.InstitutionID, InstitutionName: r.Name, By: r.ReferredBy, At: r.CreatedAt}
	}
	return out, nil
}

// Referred reports whether a lead was referred to institution inst.
func (db *DB) Referred(ctx context.Context, leadID, inst uint64) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&ReferralRecord{}).Where("lead_id = ? AND institution_id = ?", leadID, inst).
		Count(&n).Error; err != nil {
		return false, fmt.Errorf("referred %d: %w", leadID, err)
	}
	return n > 0, nil
}

// Deals.

// DealFilter selects deals (domain.DealFilter).
type DealFilter = domain.DealFilter

// Deals returns the deals f selects with their institutions' names and
// application numbers, by date.
func (db *DB) Deals(ctx context.Context, f DealFilter) ([]dialog.Deal, error) {
	q := db.WithContext(ctx).Table("deals").
		Select("deals.*, COALESCE(institutions.name, '') AS institution_name, leads.number AS lead_number").
		Joins("LEFT JOIN institutions ON institutions.id = deals.institution_id").
		Joins("JOIN leads ON leads.id = deals.lead_id")
	if f.County != "" {
		q = q.Where("deals.county = ?", f.County)
	}
	if f.Institution != 0 {
		q = q.Where("deals.institution_id = ?", f.Institution)
	}
	if f.LeadID != 0 {
		q = q.Where("deals.lead_id = ?", f.LeadID)
	}
	if f.CreditCode != "" {
		q = q.Where("deals.credit_code = ?", f.CreditCode)
	}
	if !f.Withdrawn {
		q = q.Where("deals.withdrawn_at IS NULL")
	}
	if f.From != "" {
		q = q.Where("deals.disbursed_on >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("deals.disbursed_on < ?", f.To)
	}
	var rows []struct {
		DealRecord
		InstitutionName string
		LeadNumber      string
	}
	if err := q.Order("deals.disbursed_on, deals.id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("deals: %w", err)
	}
	out := make([]dialog.Deal, len(rows))
	for i, r := range rows {
		out[i] = dialog.Deal{ID: r.ID, LeadID: r.LeadID, LeadNumber: r.LeadNumber, County: r.County, Institution: r.InstitutionID,
			InstitutionName: r.InstitutionName, EnterpriseName: r.EnterpriseName, CreditCode: r.CreditCode, Product: r.Product,
			AmountWan: r.AmountWan, RatePct: r.RatePct, TermMonths: r.TermMonths, DisbursedOn: r.DisbursedOn, Actor: r.Actor,
			CreatedAt: r.CreatedAt, Withdrawn: r.WithdrawnAt != nil, Remark: r.Remark}
	}
	return out, nil
}

// DealChange is a correction or the withdrawal of a recorded deal
// (dialog.DealChange).
type DealChange = dialog.DealChange

// ChangeDeal corrects or withdraws deal id in one transaction: the lead's
// disbursed amount becomes the sum of its remaining deals, and an event
// of the lead's current status records who did it and why. It returns the
// deal before and after.
func (db *DB) ChangeDeal(ctx context.Context, id uint64, c DealChange, at time.Time) (dialog.Deal, dialog.Deal, error) {
	var before, after dialog.Deal
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r DealRecord
		if err := tx.Where("id = ? AND withdrawn_at IS NULL", id).Take(&r).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.ErrNotFound
		} else if err != nil {
			return fmt.Errorf("change deal %d: %w", id, err)
		}
		before = dialog.Deal{ID: r.ID, LeadID: r.LeadID, County: r.County, Institution: r.InstitutionID, EnterpriseName: r.EnterpriseName,
			CreditCode: r.CreditCode, Product: r.Product, AmountWan: r.AmountWan, RatePct: r.RatePct, TermMonths: r.TermMonths,
			DisbursedOn: r.DisbursedOn, Actor: r.Actor, CreatedAt: r.CreatedAt, Remark: r.Remark}
		updates := map[string]any{"remark": clip(c.Remark, 256)}
		after = before
		after.Remark = c.Remark
		if c.Withdraw {
			updates["withdrawn_at"] = at
			after.Withdrawn = true
		} else {
			updates["product"], updates["amount_wan"], updates["rate_pct"] = c.Deal.Product, c.Deal.AmountWan, c.Deal.RatePct
			updates["term_months"], updates["disbursed_on"] = c.Deal.TermMonths, c.Deal.DisbursedOn
			after.Product, after.AmountWan, after.RatePct = c.Deal.Product, c.Deal.AmountWan, c.Deal.RatePct
			after.TermMonths, after.DisbursedOn = c.Deal.TermMonths, c.Deal.DisbursedOn
		}
		res := tx.Model(&DealRecord{}).Where("id = ? AND withdrawn_at IS NULL", id).Updates(updates)
		if res.Error != nil {
			return fmt.Errorf("change deal %d: %w", id, res.Error)
		}
		if res.RowsAffected != 1 {
			return domain.Errorf(domain.ErrTransition, "该记录刚被他人更新，请刷新后重试")
		}
		var sum float64
		if err := tx.Model(&DealRecord{}).Select("COALESCE(SUM(amount_wan), 0)").Where("lead_id = ? AND withdrawn_at IS NULL", r.LeadID).Scan(&sum).Error; err != nil {
			return fmt.Errorf("change deal %d: sum: %w", id, err)
		}
		var lead Lead
		if err := tx.Where("id = ?", r.LeadID).Take(&lead).Error; err != nil {
			return fmt.Errorf("change deal %d: lead: %w", id, err)
		}
		if err := tx.Model(&Lead{}).Where("id = ?", r.LeadID).Updates(map[string]any{"disbursed_wan": sum, "updated_at": at}).Error; err != nil {
			return fmt.Errorf("change deal %d: amount: %w", id, err)
		}
		ev := LeadEvent{LeadID: r.LeadID, Status: lead.Status, Actor: c.Actor, Note: clip(c.Note, 512), CreatedAt: at}
		if err := tx.Create(&ev).Error; err != nil {
			return fmt.Errorf("change deal %d: event: %w", id, err)
		}
		after.LeadNumber, before.LeadNumber = lead.Number, lead.Number
		return nil
	})
	return before, after, err
}

// correctSoleDeal sets the amount of a lead's deal when it has exactly one
// (a correction through the disbursement form).
func correctSoleDeal(tx *gorm.DB, leadID uint64, wan float64) error {
	var n int64
	if err := tx.Model(&DealRecord{}).Where("lead_id = ? AND withdrawn_at IS NULL", leadID).Count(&n).Error; err != nil {
		return err
	}
	if n != 1 {
		return nil
	}
	return tx.Model(&DealRecord{}).Where("lead_id = ? AND withdrawn_at IS NULL", leadID).Update("amount_wan", wan).Error
}

// LeagueCounts is domain.LeagueCounts.
type LeagueCounts = domain.LeagueCounts

// League counts every county's figures over [from, to); days are the
// same bounds as dates (YYYY-MM-DD) for deals.
func (db *DB) League(ctx context.Context, from, to time.Time) (map[string]*LeagueCounts, error) {
	out := map[string]*LeagueCounts{}
	get := func(c string) *LeagueCounts {
		if out[c] == nil {
			out[c] = &LeagueCounts{}
		}
		return out[c]
	}
	type kv struct {
		County string
		N      int64
		S      int64
		W      float64
	}
	var rows []kv
	g := db.WithContext(ctx)
	if err := g.Model(&Follower{}).Select("county, COUNT(*) AS n").
		Where("scene <> '' AND county <> '' AND subscribed_at >= ? AND subscribed_at < ?", from, to).
		Group("county").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("league followers: %w", err)
	}
	for _, r := range rows {
		get(r.County).Followers = r.N
	}
	rows = nil
	if err := g.Model(&Follower{}).Select("county, COUNT(*) AS n").
		Where("county <> '' AND checked_at >= ? AND checked_at < ?", from, to).Group("county").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("league self-checks: %w", err)
	}
	for _, r := range rows {
		get(r.County).SelfChecks = r.N
	}
	rows = nil
	if err := g.Model(&Lead{}).
		Select("county, COUNT(*) AS n, SUM(CASE WHEN contacted_at IS NOT NULL AND reminded_at IS NULL THEN 1 ELSE 0 END) AS s").
		Where("created_at >= ? AND created_at < ?", from, to).Group("county").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("league leads: %w", err)
	}
	for _, r := range rows {
		get(r.County).Leads, get(r.County).InSLA = r.N, r.S
	}
	rows = nil
	if err := g.Model(&DealRecord{}).Select("county, COUNT(*) AS n, COALESCE(SUM(amount_wan), 0) AS w").
		Where("withdrawn_at IS NULL AND disbursed_on >= ? AND disbursed_on < ?", from.In(shanghai).Format("2006-01-02"), to.In(shanghai).Format("2006-01-02")).
		Group("county").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("league deals: %w", err)
	}
	for _, r := range rows {
		get(r.County).Deals, get(r.County).DealWan = r.N, r.W
	}
	return out, nil
}

// ConfirmReportFigures records a county's confirmation of month with the
// digest of its figures at that moment; confirming again replaces both.
func (db *DB) ConfirmReportFigures(ctx context.Context, county, month, by, figures string, at time.Time) (domain.ReportConfirmation, error) {
	r, err := db.ConfirmReport(ctx, county, month, by, at)
	c := domain.ReportConfirmation(r)
	if err != nil {
		return c, err
	}
	if err := db.WithContext(ctx).Model(&ReportConfirmation{}).Where("county = ? AND month = ?", county, month).
		Update("figures", figures).Error; err != nil {
		return c, fmt.Errorf("confirm report %s %s: figures: %w", county, month, err)
	}
	c.Figures = figures
	return c, nil
}

// SpecialistInstitutions returns the institutions whose specialist a WeChat user is.
func (db *DB) SpecialistInstitutions(ctx context.Context, openID string) ([]uint64, error) {
	var ids []uint64
	if err := db.WithContext(ctx).Model(&SpecialistRecord{}).Where("open_id = ?", openID).Distinct().
		Order("institution_id").Pluck("institution_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("institutions of specialist: %w", err)
	}
	return ids, nil
}
