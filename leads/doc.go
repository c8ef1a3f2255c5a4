// Package leads is the lead pipeline: an enterprise's application (入库申请)
// or financing need (融资需求) from the chat, routed to its county bureau,
// worked there (受理, notes, status changes), referred to cooperating
// institutions and closed with their deals; with the contact deadlines and
// the SLA reminders on working days, and the outbox that delivers every
// notification written in the transaction that changed the lead. Every
// method that acts for an account checks the permission table itself.
package leads
