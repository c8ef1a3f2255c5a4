package dialog

import "strings"

// OpenTicket hands the follower's question to a person: the county
// bureau's contact, or the city officers when the county is unknown. The
// lead pipeline stores it, notifies them, records the ticket in the state's
// profile and says who will answer. Question is "" when the follower only
// asked for a person.
type OpenTicket struct {
	Question string
	InFlow   bool // a form or the self-check is kept for when the person comes back
}

// AppendTicket adds a message of the follower to its open ticket; the
// ticket is forgotten from the profile once staff have closed it.
type AppendTicket struct {
	ID   uint64
	Text string
}

// ShowTickets answers 我的问题: the follower's questions and the answers.
type ShowTickets struct{}

func (OpenTicket) effect()   {}
func (AppendTicket) effect() {}
func (ShowTickets) effect()  {}

// handoff hands the conversation to a person: it opens a ticket, or says
// that the open one is being worked on (what was just typed is already
// added to it).
func (t *turn) handoff() {
	if t.s.Profile.Ticket != 0 {
		t.say("ticket_still_open", nil)
		return
	}
	q := ""
	if t.in.Kind == KindText && !bareHandoff(t.in.Text) {
		q = strings.TrimSpace(t.in.Text)
	}
	t.emit(OpenTicket{Question: q, InFlow: !t.s.Idle()})
}

// personWords ask for a person in a longer message (转人工，想问下…):
// the whole message is the question handed on.
var personWords = []string{"转人工", "人工客服", "人工服务", "找人工", "要人工", "联系人工", "找真人", "真人客服", "我要找真人", "找个真人", "真人回答", "人工回复一下"}

// asksForPerson reports a message that asks for a person.
func asksForPerson(text string) bool {
	n := Normalize(text)
	for _, w := range personWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// bareHandoff reports a message that only asks for a person.
func bareHandoff(text string) bool {
	n := strings.TrimRight(Normalize(text), "。.!！~～")
	_, ok := globalCommands[n]
	return ok || len([]rune(n)) <= 6 && (strings.Contains(n, "人工") || strings.Contains(n, "客服") || strings.Contains(n, "真人"))
}

func init() {
	entries["tickets"] = func(t *turn) { t.emit(ShowTickets{}) }
}

// appendToTicket adds a text message to the follower's open ticket, so
// the person answering sees what was said after the handoff. Answers
// inside a form or the self-check stay there: they are not the question.
func (t *turn) appendToTicket() {
	if t.s.Profile.Ticket == 0 || t.in.Kind != KindText || !t.s.Idle() || strings.TrimSpace(t.in.Text) == "" {
		return
	}
	// Commands (人工, 菜单, 我的问题…) are not part of the question.
	n := strings.TrimRight(Normalize(t.in.Text), "。.!！")
	if _, ok := globalCommands[n]; ok {
		return
	}
	if _, ok := entryWords[n]; ok {
		return
	}
	t.emit(AppendTicket{ID: t.s.Profile.Ticket, Text: t.in.Text})
}
