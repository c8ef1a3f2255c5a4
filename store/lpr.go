package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// LPRRate is the row of a domain.LPRRate.
type LPRRate struct {
	ID          uint64    `gorm:"primaryKey"`
	Rate        float64   `gorm:"not null"`
	EffectiveOn string    `gorm:"size:10;not null;index"` // 2006-01-02, China time
	CreatedBy   string    `gorm:"size:64"`
	CreatedAt   time.Time `gorm:"not null"`
}

// SetLPR schedules rate from date (YYYY-MM-DD): at once when the day has
// come, else from that day on. Earlier entries stay as history.
func (db *DB) SetLPR(ctx context.Context, rate float64, date, by string) error {
	if rate <= 0 || rate > 20 {
		return fmt.Errorf("set lpr: %v out of range", rate)
	}
	if _, err := time.Parse("2006-01-02", date); err != nil {
		return fmt.Errorf("set lpr: date %q: %w", date, err)
	}
	r := LPRRate{Rate: rate, EffectiveOn: date, CreatedBy: by, CreatedAt: time.Now().UTC()}
	if err := db.WithContext(ctx).Create(&r).Error; err != nil {
		return fmt.Errorf("set lpr: %w", err)
	}
	return nil
}

// LPRInForce returns the scheduled rate in force at at, if any is.
func (db *DB) LPRInForce(ctx context.Context, at time.Time) (domain.LPRRate, bool, error) {
	day := at.In(domain.Shanghai).Format("2006-01-02")
	var r LPRRate
	err := db.WithContext(ctx).Where("effective_on <= ?", day).Order("effective_on DESC, id DESC").Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.LPRRate{}, false, nil
	}
	if err != nil {
		return domain.LPRRate{}, false, fmt.Errorf("lpr in force %s: %w", day, err)
	}
	return domain.LPRRate(r), true, nil
}

// LPR returns the rate in force at at, and whether one is set.
func (db *DB) LPR(ctx context.Context, at time.Time) (float64, bool, error) {
	r, ok, err := db.LPRInForce(ctx, at)
	return r.Rate, ok, err
}

// LPRSchedule returns every scheduled rate, latest effective day first.
func (db *DB) LPRSchedule(ctx context.Context) ([]domain.LPRRate, error) {
	var rows []LPRRate
	if err := db.WithContext(ctx).Order("effective_on DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("lpr schedule: %w", err)
	}
	return convert(rows, func(r LPRRate) domain.LPRRate { return domain.LPRRate(r) }), nil
}
