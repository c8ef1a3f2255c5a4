package domain

import "time"

// SLA marks: what a reminder job records on a lead (MarkReminded,
// MarkEscalated) or a ticket (the three), once, with its notifications.
const (
	MarkReminded  = "reminded_at"
	MarkEscalated = "escalated_at"
	// MarkRaiseOverdue marks a raised ticket whose own deadline passed
	// while it waited for an answer.
	MarkRaiseOverdue = "raise_overdue_at"
)

// DueTicket is a ticket a reminder job looks at: whom it is from and
// about, when it reached its county, and the marks it has (zero: not
// set).
type DueTicket struct {
	ID             uint64
	OpenID         string
	County         string
	Question       string
	EnterpriseName string
	RoutedAt       time.Time
	RaisedAt       time.Time
	RemindedAt     time.Time
	EscalatedAt    time.Time
}
