// Package leads is the lead pipeline: an enterprise's application (入库申请)
// or financing need (融资需求) from the chat, routed to its county bureau,
// worked there (受理, notes, status changes), referred to cooperating
// institutions and closed with their deals; with the contact deadlines and
// the SLA reminders on working days, and the outbox that delivers every
// notification written in the transaction that changed the lead; and the
// enterprises' questions handed to a person (tickets) and their
// personal-data rights. A lead's status changes only through Service.Move
// (move.go), whoever moves it (the enterprise or a county contact from the
// chat, an account from the console or the API), under one rule set that
// also writes the move's operations log line. Every method that acts for
// an account checks the permission table itself. The package does not
// import the store: it declares the repository methods it calls, by
// concern (repo.go: leads, people, programme, tickets, the audit log,
// the outbox, the session store), and app wires the *store.DB and
// *store.Sessions that have them.
package leads
