package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/suzhou-amr/suzhirong/domain"
)

// EventCount is domain.EventCount.
type EventCount = domain.EventCount

// EventCounts counts the lead status changes made in [from, to) by the
// lead's county and the status moved to. A lead moved twice to a status
// (never, with the transition table) would count twice.
func (db *DB) EventCounts(ctx context.Context, from, to time.Time) ([]EventCount, error) {
	var rows []EventCount
	err := db.WithContext(ctx).Table("lead_events").
		Select("leads.county AS county, lead_events.status AS status, COUNT(DISTINCT lead_events.lead_id) AS count").
		Joins("JOIN leads ON leads.id = lead_events.lead_id").
		Where("lead_events.created_at >= ? AND lead_events.created_at < ?", from, to).
		Group("leads.county, lead_events.status").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("event counts: %w", err)
	}
	return rows, nil
}

// ReceivedCount is domain.ReceivedCount.
type ReceivedCount = domain.ReceivedCount

// ReceivedCounts counts the leads filed in [from, to) by county and kind.
func (db *DB) ReceivedCounts(ctx context.Context, from, to time.Time) ([]ReceivedCount, error) {
	var rows []ReceivedCount
	if err := db.WithContext(ctx).Model(&Lead{}).Select("county, kind, COUNT(*) AS count").
		Where("created_at >= ? AND created_at < ?", from, to).Group("county, kind").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("received counts: %w", err)
	}
	return rows, nil
}

// DisbursedSum is domain.DisbursedSum.
type DisbursedSum = domain.DisbursedSum

// DisbursedSums sums the deals disbursed in [from, to) (by their
// disbursement date in Asia/Shanghai), by county and product, so that the
// summary agrees with the deal-by-deal list. A disbursement entered with
// its amount alone is a deal too (leads decides it; RecordMove writes it).
func (db *DB) DisbursedSums(ctx context.Context, from, to time.Time) ([]DisbursedSum, error) {
	var rows []DisbursedSum
	err := db.WithContext(ctx).Model(&DealRecord{}).
		Select("county, product, COUNT(*) AS count, COALESCE(SUM(amount_wan), 0) AS wan").
		Where("withdrawn_at IS NULL AND disbursed_on >= ? AND disbursed_on < ?", from.In(shanghai).Format("2006-01-02"), to.In(shanghai).Format("2006-01-02")).
		Group("county, product").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("disbursed sums: %w", err)
	}
	return rows, nil
}

// SetDisbursedWan records the amount (万元) actually disbursed on a lead.
func (db *DB) SetDisbursedWan(ctx context.Context, id uint64, wan float64) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Lead{}).Where("id = ?", id).Update("disbursed_wan", wan).Error; err != nil {
			return err
		}
		return correctSoleDeal(tx, id, wan)
	})
	if err != nil {
		return fmt.Errorf("set disbursed %d: %w", id, err)
	}
	return nil
}

// DisbursedWan returns the amount recorded as disbursed on a lead.
func (db *DB) DisbursedWan(ctx context.Context, id uint64) (float64, error) {
	var v []float64
	if err := db.WithContext(ctx).Model(&Lead{}).Where("id = ?", id).Pluck("disbursed_wan", &v).Error; err != nil {
		return 0, fmt.Errorf("disbursed %d: %w", id, err)
	}
	if len(v) == 0 {
		return 0, nil
	}
	return v[0], nil
}

// ConfirmReport records that county confirmed its report of month
// ("YYYY-MM"); confirming again updates who and when.
func (db *DB) ConfirmReport(ctx context.Context, county, month, by string, at time.Time) (ReportConfirmation, error) {
	c := ReportConfirmation{County: county, Month: month, ConfirmedBy: by, ConfirmedAt: at.UTC()}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "county"}, {Name: "month"}},
		DoUpdates: clause.AssignmentColumns([]string{"confirmed_by", "confirmed_at"}),
	}).Create(&c).Error
	if err != nil {
		return c, fmt.Errorf("confirm report %s %s: %w", county, month, err)
	}
	return c, nil
}

// ReportConfirmations returns the confirmations of month by county.
func (db *DB) ReportConfirmations(ctx context.Context, month string) (map[string]domain.ReportConfirmation, error) {
	var rows []ReportConfirmation
	if err := db.WithContext(ctx).Where("month = ?", month).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("report confirmations %s: %w", month, err)
	}
	out := make(map[string]domain.ReportConfirmation, len(rows))
	for _, r := range rows {
		out[r.County] = domain.ReportConfirmation(r)
	}
	return out, nil
}
