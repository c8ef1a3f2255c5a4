package dialog_test

import (
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// A complaint outside a form opens a ticket raised to the officers; inside
// a form it is not read as one (不满意 may be an answer there). 催一下
// chases whatever is open, in any state.
func TestComplaintAndChase(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{})
	c.send("你们的服务太差了，我要投诉")
	if len(c.effects) != 1 || c.effects[0] != (dialog.OpenTicket{Question: "你们的服务太差了，我要投诉", Complaint: true}) {
		t.Fatalf("complaint: effects %v", c.effects)
	}
	c = newChat(t, dialog.Profile{Ticket: 9})
	c.send("怎么一直没人回复，不满意")
	var chased bool
	for _, e := range c.effects {
		if ch, ok := e.(dialog.Chase); ok && ch.Complaint {
			chased = true
		}
	}
	if !chased {
		t.Fatalf("complaint with a ticket open: effects %v", c.effects)
	}
	c = newChat(t, dialog.Profile{})
	c.sendAll("融资需求")
	c.send("不满意")
	for _, e := range c.effects {
		if _, ok := e.(dialog.OpenTicket); ok {
			t.Fatalf("不满意 inside a form opened a ticket: %v", c.effects)
		}
	}
	c.send("催一下")
	if len(c.effects) != 1 || c.effects[0] != (dialog.Chase{Text: "催一下"}) {
		t.Fatalf("催一下 in a form: effects %v", c.effects)
	}
}

// The state keeps the last unplaced message only until the next turn.
func TestUnplacedIsForgottenByAPlacedMessage(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{})
	c.send("锅炉房的蒸汽管道保温层脱落找谁修")
	if c.s.Unplaced == "" {
		t.Fatalf("an unplaced message is not kept: %v", c.names())
	}
	c.send("菜单")
	if c.s.Unplaced != "" {
		t.Fatalf("kept after a placed message: %q", c.s.Unplaced)
	}
}
