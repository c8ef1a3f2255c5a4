package domain

// The outbox as the use cases see it: the notifications they decide, which
// the store writes in the transaction that changed what they are about.

// Notification is a message to enqueue in the outbox. The store does not read
// Channel or Payload; the worker that sends them does.
type Notification struct {
	Channel   string // e.g. "template", "text", "robot"
	Recipient string // openid or robot webhook URL
	DedupeKey string // unique: enqueueing the same key twice keeps one row
	Payload   string // JSON
}

// NotifyFunc returns the messages to enqueue for a lead just written, in the
// same transaction: nothing is sent for a lead that was not stored, and
// nothing is stored without its notifications.
type NotifyFunc func(l Lead, ev LeadEvent) ([]Notification, error)

// Claimed is an outbox row a worker claimed to send: its message and how
// many times it was claimed, this time included.
type Claimed struct {
	ID        uint64
	Channel   string
	Recipient string
	DedupeKey string
	Payload   string
	Attempts  int
}
