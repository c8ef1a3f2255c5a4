package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// escapeLike escapes the wildcards of a LIKE pattern (with ESCAPE '!').
func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// SearchLeads returns one page of the leads matching q, newest first, each
// with its last event, and the number of leads matching in all.
func (db *DB) SearchLeads(ctx context.Context, q domain.LeadQuery) ([]domain.Lead, int64, error) {
	tx := whereLeads(db.WithContext(ctx).Model(&Lead{}).Session(&gorm.Session{}), q.LeadFilter)
	if !q.From.IsZero() {
		tx = tx.Where("created_at >= ?", q.From.UTC())
	}
	if !q.To.IsZero() {
		tx = tx.Where("created_at < ?", q.To.UTC())
	}
	if s := strings.TrimSpace(q.Search); s != "" {
		like := "%" + escapeLike(s) + "%"
		tx = tx.Where("(enterprise_name LIKE ? ESCAPE '!' OR number LIKE ? ESCAPE '!' OR credit_code LIKE ? ESCAPE '!')",
			like, "%"+escapeLike(strings.ToUpper(s))+"%", "%"+escapeLike(strings.ToUpper(s))+"%")
	}
	var total int64
	if err := tx.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("search leads: count: %w", err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	var rows []Lead
	if err := tx.Order("created_at DESC, id DESC").Offset(q.Offset).Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("search leads: %w", err)
	}
	out, err := db.withLastEvents(ctx, rows)
	return out, total, err
}
