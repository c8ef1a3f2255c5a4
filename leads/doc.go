// Package leads is the lead pipeline: an enterprise's application (入库申请)
// or financing need (融资需求) from the chat, routed to its county bureau,
// worked there (受理, notes, status changes), referred to cooperating
// institutions and closed with their deals; with the contact deadlines and
// the SLA reminders on working days, and the outbox that delivers every
// notification written in the transaction that changed the lead; and the
// enterprises' questions handed to a person (tickets) and their
// personal-data rights.
//
// A lead's status changes only through Service.Move (move.go), whoever
// moves it (the enterprise or a county contact from the chat, an account
// from the console or the API, a job of the service), under one rule set:
// who may move what, the note, the reason of a rejection, the amount of a
// disbursement against the notice, the transition table of domain, the
// notifications, and the move's operations log line. A deal (RecordDeal)
// walks the need to 已放款 on the same transition table (domain.PathTo);
// a correction (Correct) sets a status outside it, for officers. What
// follows a move is decided here too (follow): the first-contact stamp
// that stops the SLA reminders, the roster entry of an approved 入库申请,
// the deal row of a disbursement. Every method that acts for an account
// checks the permission table itself.
//
// The package does not import the store. It declares the repository
// methods it calls, by concern (repo.go: LeadRepo, PeopleRepo,
// ProgrammeRepo, TicketRepo, AuditLog, Enqueuer; OutboxRepo for the
// worker; SessionStore), and app wires the *store.DB and *store.Sessions
// that have them; the tests may hand an in-memory fake (fake_test.go). A
// decided change reaches the store as one value (domain.LeadMove) that
// RecordMove writes in one transaction with the outbox rows the use case
// built, conditional on the status it was decided on.
//
// Left in the store, as conditions of its writes rather than decisions:
// the one open lead per kind and credit code (CreateLead, and a lead
// brought back by a correction); an SLA mark set once and only on a lead
// still 已提交 or a ticket still unanswered (MarkLead, MarkTicket); a
// closed ticket neither answered nor handed over, a raised one not raised
// again before its due time, and a handed-over one starting its reminders
// again (AnswerTicket, HandOverTicket, RaiseTicket). A deal's operations
// log line is still written by the console's and the API's audit
// middleware, not by RecordDeal.
package leads
