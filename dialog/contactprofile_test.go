package dialog_test

import (
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
)

func TestParseContactProfile(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, name, mobile string }{
		{"张琳 13912345678", "张琳", "13912345678"},
		{"13912345678 张琳", "张琳", "13912345678"},
		{"姓名：张琳，手机：139-1234-5678", "张琳", "13912345678"},
		{"我是欧阳明华，电话 １３９１２３４５６７８", "欧阳明华", "13912345678"},
		{"阿依古丽·买买提 15800001111", "阿依古丽·买买提", "15800001111"},
	} {
		name, mobile, reason := dialog.ParseContactProfile(c.in)
		if name != c.name || mobile != c.mobile || reason != "" {
			t.Errorf("%q: %q %q %q", c.in, name, mobile, reason)
		}
	}
	for _, in := range []string{"张琳", "13912345678", "张 13912345678", "张琳 0512-57328000", "张琳123 13912345678"} {
		if _, _, reason := dialog.ParseContactProfile(in); reason == "" {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestContactProfileStep(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{})
	c.s.AwaitContactProfile()
	c.send("张琳")
	if !c.has("invalid") || c.s.Flow != "contact" || len(c.effects) != 0 {
		t.Fatalf("a name without a mobile: %v %s %v", c.names(), c.s.Flow, c.effects)
	}
	c.send("张琳 13912345678")
	if len(c.effects) != 1 || c.effects[0] != (dialog.SaveContactProfile{Name: "张琳", Mobile: "13912345678"}) || !c.s.Idle() {
		t.Fatalf("name and mobile: %#v idle=%v", c.effects, c.s.Idle())
	}
	c = newChat(t, dialog.Profile{})
	c.s.AwaitContactProfile()
	c.send("跳过")
	if !c.has("contact_profile_skipped") || len(c.effects) != 0 || !c.s.Idle() {
		t.Fatalf("skip: %v", c.names())
	}
	// Later, from anywhere: 登记 <name> <mobile>.
	c = newChat(t, dialog.Profile{})
	c.sendAll("自检")
	c.send("登记 王芳 13800001111")
	if len(c.effects) != 1 || c.effects[0] != (dialog.SaveContactProfile{Name: "王芳", Mobile: "13800001111"}) || !c.s.Idle() {
		t.Fatalf("登记: %#v", c.effects)
	}
}
