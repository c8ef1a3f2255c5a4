package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// AuditEntry is one write to record: who, what and, where the handler
// knows them, the record before and after.
type AuditEntry struct {
	Actor    string // username
	Role     string
	Method   string // POST, PATCH, PUT, DELETE
	Route    string // the route pattern, e.g. /api/v1/counties/:county
	Target   string // the ids in the path, e.g. "county=kunshan"
	Status   int    // the HTTP status answered
	Before   any    // nil, a string of JSON, or a value encoded as JSON
	After    any
	RemoteIP string
	At       time.Time
}

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
func (db *DB) Audit(ctx context.Context, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	rec := AuditLog{
		Actor: clip(e.Actor, 64), Role: e.Role, Method: e.Method, Route: clip(e.Route, 191), Target: clip(e.Target, 191),
		Status: e.Status, Before: auditJSON(e.Before), After: auditJSON(e.After), At: e.At.UTC(), RemoteIP: clip(e.RemoteIP, 64),
	}
	if err := db.WithContext(ctx).Create(&rec).Error; err != nil {
		return fmt.Errorf("audit %s %s: %w", e.Method, e.Route, err)
	}
	return nil
}

// AuditLogs returns the latest audit entries, newest first; limit is
// capped at 1000 (100 when not positive).
func (db *DB) AuditLogs(ctx context.Context, limit int) ([]AuditLog, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	var out []AuditLog
	if err := db.WithContext(ctx).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("audit logs: %w", err)
	}
	return out, nil
}
