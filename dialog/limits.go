package dialog

// MaxTextBytes is the longest text the engine reads: WeChat's own limit
// for the content of a text message (2048 bytes, about 680 Chinese
// characters), what a person types. Longer text reaches the engine only
// from a client that is not WeChat, and is answered politely without
// being read, so that no message costs more than a typed one.
const MaxTextBytes = 2048

// tooLong answers a text longer than MaxTextBytes without reading it: a
// polite note, then the current step asked again (a form keeps what was
// filled). It reports whether the text was too long.
func (t *turn) tooLong() bool {
	if t.in.Kind != KindText || len(t.in.Text) <= MaxTextBytes {
		return false
	}
	if !t.s.Idle() && !t.s.UpdatedAt.IsZero() && t.in.At.Sub(t.s.UpdatedAt) > ConversationTimeout {
		t.end()
	}
	t.say("text_too_long", nil)
	if !t.s.Idle() {
		steps[t.key()].ask(t)
	}
	return true
}
