package domain

import "time"

// LeadMove is a change of a lead as the lead use cases decided it, for the
// store to write in one transaction: the statuses it goes through, what it
// stamps, and the programme's records that follow it. The store checks
// nothing of it but that the lead is still in From, and that a lead
// brought back from a terminal status is the only open one of its kind
// and credit code (domain.ErrDuplicate otherwise).
type LeadMove struct {
	LeadID uint64
	From   string // the status the move was decided on: another means someone moved it first
	// Steps are the statuses the lead goes through, each an event; the
	// last is where it ends. None: the lead stays where it is (a further
	// deal on a disbursed need).
	Steps []LeadStep
	Actor string // the events' actor: "account:admin", "wechat:o…"
	At    time.Time
	// Contacted stamps the lead's first contact (the SLA clock stops),
	// unless it has one.
	Contacted bool
	// Uncontacted clears the first-contact stamp: the SLA clock runs
	// again (a correction back to 已提交).
	Uncontacted bool
	// Admit, when set, lists the enterprise in the roster, unless the
	// roster has its credit code already.
	Admit *RosterAdmission
	// Deal, when set, is written as a deal row of the lead, whose
	// disbursed amount becomes the sum of its deals.
	Deal *DealRow
}

// LeadStep is one status a move goes through, with its event's note.
type LeadStep struct {
	Status string
	Note   string
}

// RosterAdmission is the roster entry an approved application makes.
type RosterAdmission struct {
	CreditCode string
	Name       string
	Tier       Tier
	Basis      string
	County     string
	ListedOn   string // YYYY-MM-DD, Asia/Shanghai
	Source     string
}

// DealRow is a deal as a move writes it; the lead gives the county and
// the enterprise.
type DealRow struct {
	Institution uint64 // 0: recorded without an institution
	Product     string
	AmountWan   float64
	RatePct     float64
	TermMonths  int
	DisbursedOn string // YYYY-MM-DD, Asia/Shanghai
}

// Moved is a lead just moved, in the transaction that moved it: the lead
// as written with its events, the last event written (zero when the move
// had no step), and the id of the deal row written (zero: none).
type Moved struct {
	Lead   Lead
	Event  LeadEvent
	DealID uint64
}

// MoveNotifyFunc returns the messages to enqueue for a move, in its
// transaction.
type MoveNotifyFunc func(Moved) ([]Notification, error)
