package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// Setting keys officers may change without a release (domain's).
const (
	SettingLPR     = domain.SettingLPR
	SettingLPRDate = domain.SettingLPRDate
)

// SeedPolicy writes the seeded counties and rates into the database. With
// overwrite false it inserts only what is missing, so an officer's edits
// survive restarts; `go run . seed` passes true to reload on purpose.
func (db *DB) SeedPolicy(ctx context.Context, p *dialog.Policy, overwrite bool) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i, c := range p.Counties {
			rec := CountyRecord{
				ID: c.ID, Name: c.Name, Bureau: c.Bureau, Contact: c.Contact, Post: c.Post, Phone: c.Phone,
				Divisions: strings.Join(c.Divisions, ","), Sort: i + 1, SceneID: 1000 + i + 1, UpdatedBy: "seed",
			}
			oc := clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoNothing: true}
			if overwrite {
				oc = clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoUpdates: clause.AssignmentColumns(
					[]string{"name", "bureau", "contact", "post", "phone", "divisions", "sort", "updated_by", "updated_at"})}
			}
			if err := tx.Clauses(oc).Create(&rec).Error; err != nil {
				return fmt.Errorf("seed county %s: %w", c.ID, err)
			}
		}
		settings := []Setting{
			{Key: SettingLPR, Value: strconv.FormatFloat(p.LPR, 'f', -1, 64), UpdatedBy: "seed"},
			{Key: SettingLPRDate, Value: p.LPRDate, UpdatedBy: "seed"},
		}
		for _, s := range settings {
			oc := clause.OnConflict{Columns: []clause.Column{{Name: "name"}}, DoNothing: true}
			if overwrite {
				oc = clause.OnConflict{Columns: []clause.Column{{Name: "name"}}, DoUpdates: clause.AssignmentColumns([]string{"value", "updated_by", "updated_at"})}
			}
			if err := tx.Clauses(oc).Create(&s).Error; err != nil {
				return fmt.Errorf("seed setting %s: %w", s.Key, err)
			}
		}
		if overwrite {
			// A reload on purpose returns to the seeded rate: the officers'
			// schedule goes with it.
			if err := tx.Where("1 = 1").Delete(&LPRRate{}).Error; err != nil {
				return fmt.Errorf("seed: clear the lpr schedule: %w", err)
			}
		}
		return nil
	})
}

// Policy returns base with the officer-maintained parts (county contacts,
// the LPR in force at at) read from the database. base is not modified.
func (db *DB) Policy(ctx context.Context, base *dialog.Policy, at time.Time) (*dialog.Policy, error) {
	var counties []CountyRecord
	if err := db.WithContext(ctx).Order("sort, id").Find(&counties).Error; err != nil {
		return nil, fmt.Errorf("load counties: %w", err)
	}
	var settings []Setting
	if err := db.WithContext(ctx).Find(&settings).Error; err != nil {
		return nil, fmt.Errorf("load settings: %w", err)
	}
	p := *base
	if len(counties) > 0 {
		p.Counties = make([]domain.County, 0, len(counties))
		for _, c := range counties {
			p.Counties = append(p.Counties, toCounty(c))
		}
	}
	for _, s := range settings {
		switch s.Key {
		case SettingLPR:
			v, err := strconv.ParseFloat(s.Value, 64)
			if err != nil {
				return nil, fmt.Errorf("setting %s=%q: %w", s.Key, s.Value, err)
			}
			p.LPR = v
		case SettingLPRDate:
			p.LPRDate = s.Value
		}
	}
	if r, ok, err := db.LPRInForce(ctx, at); err != nil {
		return nil, err
	} else if ok {
		p.LPR, p.LPRDate = r.Rate, r.EffectiveOn
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

func toCounty(c CountyRecord) domain.County {
	var divs []string
	if c.Divisions != "" {
		divs = strings.Split(c.Divisions, ",")
	}
	return domain.County{ID: c.ID, Name: c.Name, Bureau: c.Bureau, Contact: c.Contact, Post: c.Post, Phone: c.Phone, Divisions: divs}
}

// CountyByScene returns the county whose poster QR code has the scene id.
func (db *DB) CountyByScene(ctx context.Context, scene string) (string, error) {
	id, err := strconv.Atoi(scene)
	if err != nil {
		return "", nil
	}
	var c CountyRecord
	err = db.WithContext(ctx).Where("scene_id = ?", id).Limit(1).Find(&c).Error
	if err != nil {
		return "", fmt.Errorf("county by scene %s: %w", scene, err)
	}
	return c.ID, nil
}
