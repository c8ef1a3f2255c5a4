package leads

import (
	"context"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// The repository methods the use cases call, by concern. The store's *DB
// has them all (app wires it); the tests of this package may hand a fake.
// The store keeps the transactions, the queries and the outbox; which
// move is allowed, what it sets and whom it notifies is decided here.

// LeadRepo stores the leads, their events and notes: each write is one
// transaction with the outbox rows it is handed.
type LeadRepo interface {
	CreateLead(ctx context.Context, in dialog.SubmitLead, openID string, at time.Time, notify domain.NotifyFunc) (domain.Lead, error)
	Lead(ctx context.Context, id uint64) (domain.Lead, error)
	LeadByNumber(ctx context.Context, number string) (domain.Lead, error)
	Leads(ctx context.Context, f domain.LeadFilter) ([]domain.Lead, error)
	SearchLeads(ctx context.Context, q domain.LeadQuery) ([]domain.Lead, int64, error)
	RecordMove(ctx context.Context, m domain.LeadMove, notify domain.MoveNotifyFunc) (domain.Moved, error)
	OverdueLeads(ctx context.Context, before time.Time) ([]domain.Lead, error)
	MarkLead(ctx context.Context, id uint64, mark string, at time.Time, msgs []domain.Notification) (bool, error)
	LatestLeadCounty(ctx context.Context, openID string) (string, string, error)
	AddLeadNote(ctx context.Context, id uint64, kind, note, actor string, at time.Time) error
	SendLeadNote(ctx context.Context, id uint64, kind, note, actor string, at time.Time, send func(noteID uint64) ([]domain.Notification, error)) error
	LeadNotes(ctx context.Context, id uint64) ([]domain.LeadNote, error)
	WaitingByCounty(ctx context.Context) (map[string]int64, error)
}

// PeopleRepo stores who the leads are routed to and who asks: counties
// and their bound contacts, bind codes, accounts, followers and their
// personal data, and the settings.
type PeopleRepo interface {
	RobotURL(ctx context.Context, county string) (string, error)
	Contacts(ctx context.Context, county string) ([]string, error)
	ContactCounties(ctx context.Context, openID string) ([]string, error)
	ContactsByOpenID(ctx context.Context, openID string) ([]domain.Contact, error)
	AllContacts(ctx context.Context) ([]domain.Contact, error)
	BoundCounties(ctx context.Context) (map[string]bool, error)
	SetContactProfile(ctx context.Context, openID, name, mobile string) error
	CorrectLeadContacts(ctx context.Context, openID, name, mobile string, at time.Time) (int64, error)
	CreateBindCode(ctx context.Context, county, by string, at time.Time) (domain.BindCode, error)
	UseBindCode(ctx context.Context, code, openID string, at time.Time) (string, error)
	RevokeBindCode(ctx context.Context, county, code string, at time.Time) error
	OutstandingBindCodes(ctx context.Context, county string, at time.Time) ([]domain.BindCode, error)
	OfficerOpenIDs(ctx context.Context) ([]string, error)
	AccountByUsername(ctx context.Context, username string) (domain.Account, error)
	UseAccountBindCode(ctx context.Context, code, openID string, at time.Time) (domain.Account, error)
	SetFollowerCounty(ctx context.Context, openID, county string) error
	Profile(ctx context.Context, openID string) (dialog.Profile, error)
	ErasePersonalData(ctx context.Context, openID string, at time.Time) (domain.Erased, error)
	SettingValue(ctx context.Context, key string) (string, error)
}

// ProgrammeRepo stores the programme: institutions and their
// specialists, referrals, deals, the LPR and the roster.
type ProgrammeRepo interface {
	Institutions(ctx context.Context) ([]dialog.Institution, error)
	Institution(ctx context.Context, id uint64) (dialog.Institution, error)
	CreateInstitution(ctx context.Context, name, kind, by string, at time.Time) (dialog.Institution, error)
	UpdateInstitution(ctx context.Context, id uint64, name, kind, by string, at time.Time) (dialog.Institution, error)
	SetInstitutionCounties(ctx context.Context, id uint64, counties []string, by string, at time.Time) (dialog.Institution, error)
	SetSpecialistConsent(ctx context.Context, inst, id uint64, consent bool, at time.Time) (dialog.Specialist, error)
	AddSpecialist(ctx context.Context, s dialog.Specialist, at time.Time) (dialog.Specialist, error)
	DeleteSpecialist(ctx context.Context, inst, id uint64) (domain.Revoked, error)
	CreateSpecialistCode(ctx context.Context, inst, id uint64, by string, at time.Time) (domain.SpecialistCode, error)
	UseSpecialistCode(ctx context.Context, code, openID string, at time.Time) (dialog.Specialist, domain.Revoked, error)
	SpecialistOpenIDs(ctx context.Context, inst uint64) ([]string, error)
	SpecialistNames(ctx context.Context) (map[string]string, error)
	SpecialistInstitutions(ctx context.Context, openID string) ([]uint64, error)
	Refer(ctx context.Context, leadID, inst uint64, by string, at time.Time, msgs []domain.Notification) (dialog.Referral, error)
	Referrals(ctx context.Context, leadID uint64) ([]dialog.Referral, error)
	Referred(ctx context.Context, leadID, inst uint64) (bool, error)
	Deals(ctx context.Context, f domain.DealFilter) ([]dialog.Deal, error)
	ChangeDeal(ctx context.Context, id uint64, c dialog.DealChange, at time.Time) (dialog.Deal, dialog.Deal, error)
	LPR(ctx context.Context, at time.Time) (float64, bool, error)
	RosterEntry(ctx context.Context, code string) (dialog.RosterEntry, error)
}

// RatingRepo stores the enterprises' 好差评 of their closed leads.
type RatingRepo interface {
	OpenRating(ctx context.Context, lead domain.Lead, asked *time.Time, at time.Time) error
	RateLead(ctx context.Context, number, openID string, level int, comment string, at time.Time) (domain.Rating, error)
	SetRatingTicket(ctx context.Context, leadID, ticketID uint64) error
}

// TicketRepo stores the enterprises' questions handed to a person.
type TicketRepo interface {
	CreateTicket(ctx context.Context, t domain.Ticket, notify func(domain.Ticket) ([]domain.Notification, error)) (domain.Ticket, error)
	Ticket(ctx context.Context, id uint64) (domain.Ticket, error)
	Tickets(ctx context.Context, f domain.TicketFilter, limit int) ([]domain.Ticket, error)
	TicketsOf(ctx context.Context, openID string, limit int) ([]domain.Ticket, error)
	OpenTicketOf(ctx context.Context, openID string) (domain.Ticket, error)
	AnswerTicket(ctx context.Context, id uint64, m domain.TicketMessage, msgs []domain.Notification) (domain.TicketMessage, error)
	AppendTicketMessage(ctx context.Context, id uint64, text, placeholder string, at time.Time) error
	CloseTicket(ctx context.Context, id uint64, at time.Time) error
	HandOverTicket(ctx context.Context, id uint64, county, note string, at time.Time, msgs []domain.Notification) error
	RaiseTicket(ctx context.Context, id uint64, note string, at, due time.Time, msgs []domain.Notification) (bool, error)
	MarkTicket(ctx context.Context, id uint64, mark string, at time.Time, msgs []domain.Notification) (bool, error)
	OverdueTickets(ctx context.Context, before time.Time) ([]domain.DueTicket, error)
	OverdueRaisedTickets(ctx context.Context, now time.Time) ([]domain.DueTicket, error)
	FillTicketMessages(ctx context.Context, tickets []domain.Ticket) error
}

// AuditLog records the operations log.
type AuditLog interface {
	Audit(ctx context.Context, e domain.AuditEntry) error
}

// Enqueuer writes messages to the outbox outside a lead's transaction,
// once per dedupe key.
type Enqueuer interface {
	EnqueueNew(ctx context.Context, msgs []domain.Notification, at time.Time) (bool, error)
}

// OutboxRepo is the outbox as the worker drains it: claim rows, record
// what became of them.
type OutboxRepo interface {
	ClaimOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]domain.Claimed, error)
	MarkSent(ctx context.Context, id uint64, owner string, at time.Time) (bool, error)
	MarkRetry(ctx context.Context, id uint64, owner, lastErr string, next, at time.Time) error
}

// Repo is every repository the Service uses.
type Repo interface {
	LeadRepo
	PeopleRepo
	ProgrammeRepo
	TicketRepo
	RatingRepo
	AuditLog
	Enqueuer
}

// SessionStore is what the Service reads and counts in the session store:
// when a follower last wrote (the bind-code guard is BindGuard).
type SessionStore interface {
	LastSeen(ctx context.Context, openID string) (time.Time, error)
}
