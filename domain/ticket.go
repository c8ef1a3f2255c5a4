package domain

import "time"

// A ticket is an enterprise's question that the bot handed to a person: the
// county bureau's contact (or the city officers when the county is
// unknown) answers it from the console, and the answer reaches the
// enterprise in WeChat.
type Ticket struct {
	ID             uint64
	OpenID         string
	County         string // "" : the city officers
	Status         string // TicketOpen, TicketAnswered, TicketClosed
	Question       string
	EnterpriseName string // from the follower's applications, when known
	CreatedAt      time.Time
	UpdatedAt      time.Time
	AnsweredAt     time.Time // first staff answer
	ClosedAt       time.Time
	RaisedAt       time.Time // chased (催一下) or complained of: raised to the city officers
	RaiseDue       time.Time // the officers' deadline for a raised ticket
	Messages       []TicketMessage
}

// TicketMessage is one message of a ticket: the enterprise's, or a staff
// answer with how and when it was sent.
type TicketMessage struct {
	ID        uint64
	TicketID  uint64
	FromStaff bool
	Author    string // the staff member's display name
	Text      string
	Via       string // staff answers: TicketViaText (客服 message) or TicketViaTemplate
	CreatedAt time.Time
}

// Ticket states.
const (
	TicketOpen     = "open"
	TicketAnswered = "answered"
	TicketClosed   = "closed"
)

// How a staff answer was sent.
const (
	TicketViaText     = "text"     // a 客服 message, within WeChat's 48-hour window
	TicketViaTemplate = "template" // the status template: the enterprise reads the answer with 我的问题
	TicketViaNote     = "note"     // not sent: a note of staff in the conversation (a handover)
)

// MaxTicketReply is the longest staff answer, in characters: one 客服
// message a person can read on a phone.
const MaxTicketReply = 600

// TicketStatusLabel is a ticket state in the words staff and enterprises read.
func TicketStatusLabel(s string) string {
	switch s {
	case TicketOpen:
		return "待回复"
	case TicketAnswered:
		return "已回复"
	case TicketClosed:
		return "已关闭"
	}
	return s
}

// TicketFilter narrows a list of tickets; County is forced to a county
// account's own.
type TicketFilter struct {
	County string
	Status string
}
