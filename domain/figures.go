package domain

import "time"

// Figures the reports, the home page and the league table count.

// CheckCount is a number of self-checks of a county and tier.
type CheckCount struct {
	County string
	Tier   int
	Count  int64
}

// DisbursedSum is what a county's banks disbursed for a product.
type DisbursedSum struct {
	County  string
	Product string
	Count   int64
	Wan     float64
}

// EventCount is a number of lead status changes of a county.
type EventCount struct {
	County string
	Status string
	Count  int64
}

// LeagueCounts are one county's figures over a period for the league table.
type LeagueCounts struct {
	Followers  int64 // subscribed through the county's poster
	SelfChecks int64
	Leads      int64 // applications and financing needs filed
	InSLA      int64 // of Leads, contacted before any reminder
	Deals      int64
	DealWan    float64
}

// StatusCount is a number of leads of a county in a status.
type StatusCount struct {
	County string
	Kind   string
	Status string
	Count  int64
}

// TicketTiming is when a ticket was opened and first answered.
type TicketTiming struct {
	County     string
	CreatedAt  time.Time
	AnsweredAt *time.Time
}

// ReceivedCount is a number of leads of a kind a county received.
type ReceivedCount struct {
	County string
	Kind   string
	Count  int64
}
