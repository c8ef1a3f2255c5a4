package store

import (
	"context"
	"fmt"

	"github.com/suzhou-amr/suzhirong/domain"
)

// BoundCounties returns the counties with at least one bound WeChat
// contact.
func (db *DB) BoundCounties(ctx context.Context) (map[string]bool, error) {
	var ids []string
	if err := db.WithContext(ctx).Model(&CountyContact{}).Distinct("county").Pluck("county", &ids).Error; err != nil {
		return nil, fmt.Errorf("bound counties: %w", err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// WaitingByCounty counts each county's applications not yet taken up
// (已提交).
func (db *DB) WaitingByCounty(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		County string
		N      int64
	}
	if err := db.WithContext(ctx).Model(&Lead{}).Select("county, COUNT(*) AS n").Where("status = ?", domain.StatusSubmitted).
		Group("county").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("waiting by county: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.County] = r.N
	}
	return out, nil
}

// SpecialistNames returns the names of the bound specialists by openid.
func (db *DB) SpecialistNames(ctx context.Context) (map[string]string, error) {
	var rows []SpecialistRecord
	if err := db.WithContext(ctx).Where("open_id <> ''").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("specialist names: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.OpenID] = r.Name
	}
	return out, nil
}
