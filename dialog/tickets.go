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
	// Complaint raises the ticket to the city officers at once, with its
	// own deadline (as Chase does).
	Complaint bool
}

// Chase raises the follower's open ticket, else its latest open
// application, to the city officers with a deadline of its own: 催一下,
// or a complaint while a ticket is open.
type Chase struct {
	Complaint bool
	Text      string
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
func (Chase) effect()        {}

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

// WithoutHandoff is the question of a message that asked for a person
// (转人工，想问下…), without the asking: what teach-back offers as the
// question.
func WithoutHandoff(text string) string {
	for _, w := range personWords {
		text = strings.ReplaceAll(text, w, "")
	}
	return strings.TrimLeft(strings.TrimSpace(text), "，,。.！!：:、 ")
}

// bareHandoff reports a message that only asks for a person.
func bareHandoff(text string) bool {
	n := strings.TrimRight(Normalize(text), "。.!！~～")
	_, ok := globalCommands[n]
	return ok || len([]rune(n)) <= 6 && (strings.Contains(n, "人工") || strings.Contains(n, "客服") || strings.Contains(n, "真人"))
}

// registerTickets registers this file's steps and entries (flows.go lists it).
func registerTickets() {
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

// complaintWords make a message a complaint about the service: it is
// handed to a person and raised to the city officers. Only read outside a
// flow, where 不满意 may be an answer (a rating).
var complaintWords = []string{"投诉", "不满意", "太慢了", "太慢", "没人理", "没人回", "没人管", "一直没回复", "一直没人", "服务太差", "态度太差", "态度差", "太差劲", "什么破", "垃圾"}

// chaseWords ask to hurry what the follower is waiting for.
var chaseWords = []string{"催一下", "催办", "催促", "帮我催", "催催", "催一催", "再催", "快点处理", "加快处理", "尽快处理"}

// complaintOrChase hands a complaint to a person (raised to the officers)
// and raises what the follower waits for on 催一下.
func (t *turn) complaintOrChase(text string) bool {
	n := Normalize(text)
	switch {
	case containsAny(n, chaseWords):
		t.emit(Chase{Text: strings.TrimSpace(text)})
		return true
	case t.s.Idle() && containsAny(n, complaintWords):
		if t.s.Profile.Ticket != 0 {
			// Already added to the ticket (appendToTicket): raise it.
			t.emit(Chase{Complaint: true, Text: strings.TrimSpace(text)})
			return true
		}
		t.emit(OpenTicket{Question: strings.TrimSpace(text), Complaint: true})
		return true
	}
	return false
}

// maxUnplacedKept bounds the message kept for a second one in a row.
const maxUnplacedKept = 200

// unplacedInARow hands the conversation to a person when the bot could
// not place this message nor the one before (prev): instead of a second
// "cannot answer", a ticket opens with both messages. It runs at the end
// of every turn and keeps this message when it was not placed.
func (t *turn) unplacedInARow(prev string) {
	t.s.Unplaced = ""
	if !t.recorded || t.in.Kind != KindText || t.handedOff() {
		return
	}
	if t.s.Profile.Ticket != 0 {
		// The message went to the open ticket (appendToTicket): say so
		// rather than "not understood".
		for i, r := range t.replies {
			if r.Name == "not_understood" {
				t.replies[i] = Reply{Name: "ticket_appended"}
				if t.s.Idle() && i+1 < len(t.replies) && t.replies[i+1].Name == "menu" {
					t.replies = append(t.replies[:i+1], t.replies[i+2:]...)
				}
				break
			}
		}
		return
	}
	text := strings.TrimSpace(t.in.Text)
	if r := []rune(text); len(r) > maxUnplacedKept {
		text = string(r[:maxUnplacedKept])
	}
	if prev == "" {
		t.s.Unplaced = text
		return
	}
	kept := t.replies[:0]
	for _, r := range t.replies {
		switch r.Name {
		case "faq_unknown", "not_understood", "aside_unknown":
			continue
		case "menu":
			if t.s.Idle() {
				continue
			}
		}
		kept = append(kept, r)
	}
	t.replies = append([]Reply{{Name: "unplaced_handoff"}}, kept...)
	t.emit(OpenTicket{Question: prev + "\n" + text, InFlow: !t.s.Idle()})
}

// handedOff reports whether this turn already opened a ticket.
func (t *turn) handedOff() bool {
	for _, e := range t.effects {
		if _, ok := e.(OpenTicket); ok {
			return true
		}
	}
	return false
}
