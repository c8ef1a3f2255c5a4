package leads

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
)

// SLA deadlines, in working days after the day a lead was filed.
const (
	RemindAfter   = domain.ContactWithinWorkdays // the county's contacts are reminded
	EscalateAfter = 4                            // the city officers are told
)

// SLA watches leads waiting to be contacted. A lead still submitted
// RemindAfter working days after it was filed reminds the county's bound
// contacts (and robot); after EscalateAfter working days it is escalated to
// the city officers: officer accounts with an openid, plus OFFICER_OPENIDS.
// Each is recorded on the lead (reminded_at, escalated_at) in the
// transaction that enqueues the messages, so it happens once even with
// several instances running.
type SLA struct {
	leads *Service
	now   func() time.Time
}

// NewSLA returns the SLA checker; now is its clock (time.Now when nil).
func NewSLA(leads *Service, now func() time.Time) *SLA {
	if now == nil {
		now = utcNow
	}
	return &SLA{leads: leads, now: now}
}

// SLAResult counts what one check did.
type SLAResult struct {
	Reminded  int
	Escalated int

	TicketsReminded, TicketsEscalated int
	// RaisedOverdue counts raised tickets (催办, complaints) still
	// unanswered at their own deadline: the officers are told again, once.
	RaisedOverdue int
}

// Check reminds and escalates the leads that are due now.
func (s *SLA) Check(ctx context.Context) (SLAResult, error) {
	var res SLAResult
	db := s.leads.db
	now := s.now()
	days, err := s.leads.Workdays(ctx)
	if err != nil {
		return res, fmt.Errorf("sla: %w", err)
	}
	// No lead is due before a full calendar day has passed.
	leads, err := db.OverdueLeads(ctx, now.Add(-24*time.Hour))
	if err != nil {
		return res, fmt.Errorf("sla: %w", err)
	}
	var officers []string
	for _, lead := range leads {
		if lead.RemindedAt.IsZero() && !now.Before(days.Deadline(lead.CreatedAt, RemindAfter)) {
			robot, err := db.RobotURL(ctx, lead.County)
			if err != nil {
				return res, fmt.Errorf("sla lead %d: %w", lead.ID, err)
			}
			contacts, err := db.Contacts(ctx, lead.County)
			if err != nil {
				return res, fmt.Errorf("sla lead %d: %w", lead.ID, err)
			}
			msgs, err := s.leads.countyMessages(lead, "remind", contacts, robot)
			if err != nil {
				return res, fmt.Errorf("sla lead %d: %w", lead.ID, err)
			}
			set, err := db.MarkLead(ctx, lead.ID, domain.MarkReminded, now, msgs)
			if err != nil {
				return res, fmt.Errorf("sla lead %d: %w", lead.ID, err)
			}
			if set {
				res.Reminded++
			}
		}
		if lead.EscalatedAt.IsZero() && !now.Before(days.Deadline(lead.CreatedAt, EscalateAfter)) {
			if officers == nil {
				if officers, err = s.Officers(ctx); err != nil {
					return res, fmt.Errorf("sla: %w", err)
				}
			}
			msgs, err := s.leads.countyMessages(lead, "escalate", officers, "")
			if err != nil {
				return res, fmt.Errorf("sla lead %d: %w", lead.ID, err)
			}
			set, err := db.MarkLead(ctx, lead.ID, domain.MarkEscalated, now, msgs)
			if err != nil {
				return res, fmt.Errorf("sla lead %d: %w", lead.ID, err)
			}
			if set {
				res.Escalated++
				if len(officers) == 0 {
					s.leads.log.Warn("lead escalated but no officer has an openid (OFFICER_OPENIDS)", slog.Uint64("lead_id", lead.ID))
				}
			}
		}
	}
	tickets, err := s.checkTickets(ctx, now, days)
	res.TicketsReminded, res.TicketsEscalated = tickets.TicketsReminded, tickets.TicketsEscalated
	res.RaisedOverdue = tickets.RaisedOverdue
	return res, err
}

// Officers returns the openids escalations go to: officer accounts with an
// openid, then OFFICER_OPENIDS, without repeats.
func (s *SLA) Officers(ctx context.Context) ([]string, error) { return s.leads.OfficerOpenIDs(ctx) }
