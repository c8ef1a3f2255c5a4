package domain

// SLA marks: what a reminder job records on a lead (MarkReminded,
// MarkEscalated) or a ticket (the three), once, with its notifications.
const (
	MarkReminded  = "reminded_at"
	MarkEscalated = "escalated_at"
	// MarkRaiseOverdue marks a raised ticket whose own deadline passed
	// while it waited for an answer.
	MarkRaiseOverdue = "raise_overdue_at"
)
