package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/domain"
)

// maxAuditJSON bounds the before/after JSON kept per entry.
const maxAuditJSON = 16 << 10

func auditJSON(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return clip(v, maxAuditJSON)
	case []byte:
		return clip(string(v), maxAuditJSON)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf(`{"error":%q}`, err.Error())
	}
	return clip(string(b), maxAuditJSON)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// Audit records a write in the audit log.
func (db *DB) Audit(ctx context.Context, e domain.AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	rec := AuditLog{
		Actor: clip(e.Actor, 64), Role: e.Role, Method: e.Method, Route: clip(e.Route, 191), Target: clip(e.Target, 191),
		Status: e.Status, Before: auditJSON(e.Before), After: auditJSON(e.After), At: e.At.UTC(), RemoteIP: clip(e.RemoteIP, 64),
		Who: clip(e.Who, 96), Action: clip(e.Action, 64), Object: clip(e.Object, 191), Summary: clip(e.Summary, maxAuditJSON),
	}
	if err := db.WithContext(ctx).Create(&rec).Error; err != nil {
		return fmt.Errorf("audit %s %s: %w", e.Method, e.Route, err)
	}
	return nil
}

// AuditLogs returns the latest audit entries, newest first; limit is
// capped at 1000 (100 when not positive).
func (db *DB) AuditLogs(ctx context.Context, limit int) ([]domain.AuditRecord, error) {
	return db.FindAudit(ctx, domain.AuditFilter{Limit: min(limit, 1000)})
}

// FindAudit returns the entries f selects, newest first.
func (db *DB) FindAudit(ctx context.Context, f domain.AuditFilter) ([]domain.AuditRecord, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q := db.WithContext(ctx).Order("id DESC").Limit(min(f.Limit, 5000))
	if f.Person != "" {
		like := "%" + escapeLike(f.Person) + "%"
		q = q.Where("(actor LIKE ? OR who LIKE ?)", like, like)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.Object != "" {
		q = q.Where("object LIKE ?", "%"+escapeLike(f.Object)+"%")
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	var out []AuditLog
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("audit logs: %w", err)
	}
	return toAuditRecords(out), nil
}

// AuditActions returns the actions recorded so far, for a filter's choices.
func (db *DB) AuditActions(ctx context.Context) ([]string, error) {
	var out []string
	if err := db.WithContext(ctx).Model(&AuditLog{}).Where("action <> ''").Distinct("action").Order("action").
		Pluck("action", &out).Error; err != nil {
		return nil, fmt.Errorf("audit actions: %w", err)
	}
	return out, nil
}
