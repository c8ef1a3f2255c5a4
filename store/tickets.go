package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/suzhou-amr/suzhirong/domain"
)

// TicketRecord is an enterprise's question handed to a person.
type TicketRecord struct {
	ID             uint64 `gorm:"primaryKey"`
	OpenID         string `gorm:"size:64;index;not null"`
	County         string `gorm:"size:32;index:idx_tickets_county_status;not null"`
	Status         string `gorm:"size:16;index:idx_tickets_county_status;not null"`
	Question       string `gorm:"size:1024;not null"`
	EnterpriseName string `gorm:"size:128"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
	AnsweredAt     *time.Time
	ClosedAt       *time.Time
	RoutedAt       time.Time  // when its county got it: its reminders count from here
	RemindedAt     *time.Time // the county's contacts were reminded of it, unanswered
	EscalatedAt    *time.Time // the city officers were told of it, unanswered
	RaisedAt       *time.Time // the enterprise chased it or complained: raised to the officers
	RaiseDue       *time.Time // the officers' own deadline for a raised ticket
	RaiseOverdueAt *time.Time // the officers were told the raised ticket passed its deadline
}

func (TicketRecord) TableName() string { return "tickets" }

// TicketMessageRecord is one message of a ticket.
type TicketMessageRecord struct {
	ID        uint64 `gorm:"primaryKey"`
	TicketID  uint64 `gorm:"index;not null"`
	FromStaff bool
	Author    string `gorm:"size:64"`
	Text      string `gorm:"size:2048;not null"`
	Via       string `gorm:"size:16"`
	CreatedAt time.Time
}

func (TicketMessageRecord) TableName() string { return "ticket_messages" }

func toTicket(r TicketRecord) domain.Ticket {
	t := domain.Ticket{ID: r.ID, OpenID: r.OpenID, County: r.County, Status: r.Status, Question: r.Question,
		EnterpriseName: r.EnterpriseName, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.AnsweredAt != nil {
		t.AnsweredAt = *r.AnsweredAt
	}
	if r.ClosedAt != nil {
		t.ClosedAt = *r.ClosedAt
	}
	if r.RaisedAt != nil {
		t.RaisedAt = *r.RaisedAt
	}
	if r.RaiseDue != nil {
		t.RaiseDue = *r.RaiseDue
	}
	return t
}

func toTicketMessage(r TicketMessageRecord) domain.TicketMessage {
	return domain.TicketMessage{ID: r.ID, TicketID: r.TicketID, FromStaff: r.FromStaff, Author: r.Author, Text: r.Text,
		Via: r.Via, CreatedAt: r.CreatedAt}
}

// CreateTicket stores a ticket with its first message and the
// notifications of those who answer it, in one transaction.
func (db *DB) CreateTicket(ctx context.Context, t domain.Ticket, notify func(domain.Ticket) ([]Message, error)) (domain.Ticket, error) {
	r := TicketRecord{OpenID: t.OpenID, County: t.County, Status: domain.TicketOpen, Question: t.Question,
		EnterpriseName: t.EnterpriseName, CreatedAt: t.CreatedAt, UpdatedAt: t.CreatedAt, RoutedAt: t.CreatedAt}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("insert ticket: %w", err)
		}
		m := TicketMessageRecord{TicketID: r.ID, Text: t.Question, CreatedAt: t.CreatedAt}
		if err := tx.Create(&m).Error; err != nil {
			return fmt.Errorf("insert ticket message: %w", err)
		}
		t = toTicket(r)
		t.Messages = []domain.TicketMessage{toTicketMessage(m)}
		msgs, err := notify(t)
		if err != nil {
			return err
		}
		return enqueue(tx, msgs, t.CreatedAt)
	})
	return t, err
}

// OpenTicketOf returns the follower's latest ticket that is not closed, or
// domain.ErrNotFound.
func (db *DB) OpenTicketOf(ctx context.Context, openID string) (domain.Ticket, error) {
	r, err := take[TicketRecord](db.WithContext(ctx).Where("open_id = ? AND status <> ?", openID, domain.TicketClosed).
		Order("id DESC"), "open ticket")
	if err != nil {
		return domain.Ticket{}, err
	}
	return toTicket(r), nil
}

// AppendTicketMessage adds an enterprise's message to its open ticket,
// which waits for an answer again; a ticket whose question is still
// placeholder takes the message as its question. It returns
// domain.ErrNotFound when the ticket is closed.
func (db *DB) AppendTicketMessage(ctx context.Context, id uint64, text, placeholder string, at time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&TicketRecord{}).Where("id = ? AND question = ?", id, placeholder).
			Update("question", text).Error; err != nil {
			return fmt.Errorf("ticket %d: %w", id, err)
		}
		// Read, not judged by rows affected: MySQL counts a row whose values
		// did not change (the same second) as not affected.
		var t TicketRecord
		err := tx.Select("id", "status").Where("id = ?", id).Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) || err == nil && t.Status == domain.TicketClosed {
			return domain.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("ticket %d: %w", id, err)
		}
		if err := tx.Model(&TicketRecord{}).Where("id = ?", id).
			Updates(map[string]any{"status": domain.TicketOpen, "updated_at": at}).Error; err != nil {
			return fmt.Errorf("ticket %d: %w", id, err)
		}
		if err := tx.Create(&TicketMessageRecord{TicketID: id, Text: text, CreatedAt: at}).Error; err != nil {
			return fmt.Errorf("insert ticket message: %w", err)
		}
		return nil
	})
}

// Tickets lists tickets, the waiting first, then the latest.
func (db *DB) Tickets(ctx context.Context, f domain.TicketFilter, limit int) ([]domain.Ticket, error) {
	q := db.WithContext(ctx).Model(&TicketRecord{})
	if f.County != "" {
		q = q.Where("county = ?", f.County)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	var rows []TicketRecord
	order := "CASE WHEN status = 'open' THEN 0 WHEN status = 'answered' THEN 1 ELSE 2 END, updated_at DESC, id DESC"
	if err := q.Order(order).Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("tickets: %w", err)
	}
	out := make([]domain.Ticket, len(rows))
	for i, r := range rows {
		out[i] = toTicket(r)
	}
	return out, nil
}

// Ticket returns a ticket with its messages, or domain.ErrNotFound.
func (db *DB) Ticket(ctx context.Context, id uint64) (domain.Ticket, error) {
	r, err := take[TicketRecord](db.WithContext(ctx).Where("id = ?", id), "ticket")
	if err != nil {
		return domain.Ticket{}, err
	}
	one := []domain.Ticket{toTicket(r)}
	if err := db.FillTicketMessages(ctx, one); err != nil {
		return domain.Ticket{}, err
	}
	return one[0], nil
}

// AnswerTicket stores a staff answer, marks the ticket answered and
// enqueues the message that carries the answer to the enterprise, in one
// transaction. A closed ticket is not answered (domain.ErrConflict).
func (db *DB) AnswerTicket(ctx context.Context, id uint64, m domain.TicketMessage, msgs []Message) (domain.TicketMessage, error) {
	rec := TicketMessageRecord{TicketID: id, FromStaff: true, Author: m.Author, Text: m.Text, Via: m.Via, CreatedAt: m.CreatedAt}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t TicketRecord
		if err := tx.Where("id = ?", id).Take(&t).Error; err != nil {
			return fmt.Errorf("ticket %d: %w", id, err)
		}
		if t.Status == domain.TicketClosed {
			return domain.Errorf(domain.ErrTransition, "该问题已关闭，不能再回复")
		}
		updates := map[string]any{"status": domain.TicketAnswered, "updated_at": m.CreatedAt}
		if t.AnsweredAt == nil {
			updates["answered_at"] = m.CreatedAt
		}
		if err := tx.Model(&TicketRecord{}).Where("id = ?", id).Updates(updates).Error; err != nil {
			return fmt.Errorf("ticket %d: %w", id, err)
		}
		if err := tx.Create(&rec).Error; err != nil {
			return fmt.Errorf("insert ticket answer: %w", err)
		}
		return enqueue(tx, msgs, m.CreatedAt)
	})
	return toTicketMessage(rec), err
}

// CloseTicket closes a ticket; closing a closed one changes nothing.
func (db *DB) CloseTicket(ctx context.Context, id uint64, at time.Time) error {
	return db.WithContext(ctx).Model(&TicketRecord{}).Where("id = ? AND status <> ?", id, domain.TicketClosed).
		Updates(map[string]any{"status": domain.TicketClosed, "closed_at": at, "updated_at": at}).Error
}

// LatestLeadCounty returns the county of the follower's latest application
// or need, "" when it has none.
func (db *DB) LatestLeadCounty(ctx context.Context, openID string) (string, string, error) {
	var r Lead
	err := db.WithContext(ctx).Select("county", "enterprise_name").Where("open_id = ?", openID).Order("id DESC").Limit(1).Find(&r).Error
	if err != nil {
		return "", "", fmt.Errorf("latest lead county: %w", err)
	}
	return r.County, r.EnterpriseName, nil
}

// TicketsOf returns a follower's latest tickets with their messages.
func (db *DB) TicketsOf(ctx context.Context, openID string, limit int) ([]domain.Ticket, error) {
	var rows []TicketRecord
	if err := db.WithContext(ctx).Where("open_id = ?", openID).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("tickets of follower: %w", err)
	}
	out := make([]domain.Ticket, len(rows))
	for i, r := range rows {
		out[i] = toTicket(r)
	}
	return out, db.FillTicketMessages(ctx, out)
}

// FillTicketMessages reads the messages of tickets in one query.
func (db *DB) FillTicketMessages(ctx context.Context, tickets []domain.Ticket) error {
	if len(tickets) == 0 {
		return nil
	}
	at := make(map[uint64]int, len(tickets))
	ids := make([]uint64, len(tickets))
	for i, t := range tickets {
		at[t.ID], ids[i] = i, t.ID
	}
	var msgs []TicketMessageRecord
	if err := db.WithContext(ctx).Where("ticket_id IN ?", ids).Order("id").Find(&msgs).Error; err != nil {
		return fmt.Errorf("ticket messages: %w", err)
	}
	for _, m := range msgs {
		i := at[m.TicketID]
		tickets[i].Messages = append(tickets[i].Messages, toTicketMessage(m))
	}
	return nil
}

// OverdueTickets returns the tickets never answered, not closed, and
// routed to their county before before, oldest first.
func (db *DB) OverdueTickets(ctx context.Context, before time.Time) ([]domain.DueTicket, error) {
	var rows []TicketRecord
	err := db.WithContext(ctx).Where("status = ? AND answered_at IS NULL AND routed_at < ?", domain.TicketOpen, before).
		Order("id").Limit(500).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("overdue tickets: %w", err)
	}
	return toDueTickets(rows), nil
}

// MarkTicket records a reminder (MarkReminded) or an escalation
// (MarkEscalated) of a ticket still unanswered, with its messages, once.
func (db *DB) MarkTicket(ctx context.Context, id uint64, mark string, at time.Time, msgs []Message) (bool, error) {
	cond := "id = ? AND status = ? AND answered_at IS NULL AND " + mark + " IS NULL"
	switch mark {
	case MarkReminded, MarkEscalated:
	case MarkRaiseOverdue:
		// A raised ticket is overdue while it waits for an answer, even one
		// answered before it was chased.
		cond = "id = ? AND status = ? AND raise_due <= ? AND " + mark + " IS NULL"
	default:
		return false, fmt.Errorf("mark ticket %d: unknown mark %q", id, mark)
	}
	args := []any{id, domain.TicketOpen}
	if mark == MarkRaiseOverdue {
		args = append(args, at)
	}
	var set bool
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&TicketRecord{}).Where(cond, args...).
			Update(mark, at)
		if res.Error != nil {
			return fmt.Errorf("mark ticket %d %s: %w", id, mark, res.Error)
		}
		if res.RowsAffected != 1 {
			return nil
		}
		set = true
		return enqueue(tx, msgs, at)
	})
	return set, err
}

// HandOverTicket moves a ticket to another county, with a note in its
// conversation and the new county's notifications, in one transaction;
// its reminders start again.
func (db *DB) HandOverTicket(ctx context.Context, id uint64, county, note string, at time.Time, msgs []Message) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&TicketRecord{}).Where("id = ? AND status <> ?", id, domain.TicketClosed).
			Updates(map[string]any{"county": county, "reminded_at": nil, "escalated_at": nil, "routed_at": at, "updated_at": at})
		if res.Error != nil {
			return fmt.Errorf("hand over ticket %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return domain.Errorf(domain.ErrTransition, "该咨询已关闭，不能转交")
		}
		if err := tx.Create(&TicketMessageRecord{TicketID: id, FromStaff: true, Text: note, Via: domain.TicketViaNote, CreatedAt: at}).Error; err != nil {
			return fmt.Errorf("insert ticket note: %w", err)
		}
		return enqueue(tx, msgs, at)
	})
}

// MarkRaiseOverdue marks a raised ticket whose own deadline passed while
// it waited for an answer (MarkTicket; domain.MarkRaiseOverdue).
const MarkRaiseOverdue = domain.MarkRaiseOverdue

// OverdueRaisedTickets returns the raised tickets waiting for an answer
// past their own deadline, not yet reported.
func (db *DB) OverdueRaisedTickets(ctx context.Context, now time.Time) ([]domain.DueTicket, error) {
	var rows []TicketRecord
	err := db.WithContext(ctx).Where("status = ? AND raised_at IS NOT NULL AND raise_due <= ? AND raise_overdue_at IS NULL", domain.TicketOpen, now).
		Order("id").Limit(500).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("overdue raised tickets: %w", err)
	}
	return toDueTickets(rows), nil
}

func toDueTickets(rows []TicketRecord) []domain.DueTicket {
	out := make([]domain.DueTicket, len(rows))
	for i, r := range rows {
		out[i] = domain.DueTicket{ID: r.ID, OpenID: r.OpenID, County: r.County, Question: r.Question,
			EnterpriseName: r.EnterpriseName, RoutedAt: r.RoutedAt, RaisedAt: timeOrZero(r.RaisedAt),
			RemindedAt: timeOrZero(r.RemindedAt), EscalatedAt: timeOrZero(r.EscalatedAt)}
	}
	return out
}

// RaiseTicket records that the enterprise chased a ticket or complained:
// it is raised to the city officers, due by due, with a note in its
// conversation and the officers' notifications, in one transaction. A
// ticket already raised and not yet answered since is not raised again
// (false); a closed one is domain.ErrNotFound.
func (db *DB) RaiseTicket(ctx context.Context, id uint64, note string, at, due time.Time, msgs []Message) (bool, error) {
	var set bool
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t TicketRecord
		if err := tx.Where("id = ? AND status <> ?", id, domain.TicketClosed).Take(&t).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return domain.ErrNotFound
			}
			return fmt.Errorf("ticket %d: %w", id, err)
		}
		if t.RaisedAt != nil && t.RaiseDue != nil && at.Before(*t.RaiseDue) {
			return nil
		}
		if err := tx.Model(&TicketRecord{}).Where("id = ?", id).
			Updates(map[string]any{"raised_at": at, "raise_due": due, "raise_overdue_at": nil, "updated_at": at}).Error; err != nil {
			return fmt.Errorf("raise ticket %d: %w", id, err)
		}
		if err := tx.Create(&TicketMessageRecord{TicketID: id, FromStaff: true, Text: note, Via: domain.TicketViaNote, CreatedAt: at}).Error; err != nil {
			return fmt.Errorf("insert ticket note: %w", err)
		}
		set = true
		return enqueue(tx, msgs, at)
	})
	return set, err
}

// TicketTiming is domain.TicketTiming.
type TicketTiming = domain.TicketTiming

// TicketTimings returns the tickets opened in [from, to), for the monthly
// summary.
func (db *DB) TicketTimings(ctx context.Context, from, to time.Time) ([]TicketTiming, error) {
	var out []TicketTiming
	err := db.WithContext(ctx).Model(&TicketRecord{}).Select("county", "created_at", "answered_at").
		Where("created_at >= ? AND created_at < ?", from.UTC(), to.UTC()).Order("id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("ticket timings: %w", err)
	}
	return out, nil
}
