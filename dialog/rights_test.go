package dialog_test

import (
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

func effectOf[E dialog.Effect](c *chat) (E, bool) {
	for _, e := range c.effects {
		if v, ok := e.(E); ok {
			return v, true
		}
	}
	var zero E
	return zero, false
}

// Personal-data requests are understood as people write them, not
// recorded as questions the bot could not place.
func TestRightsRequestsAreUnderstood(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"我的信息":           "show",
		"我的个人信息":         "show",
		"查看我的个人信息":       "show",
		"你们保存了我哪些信息":     "show",
		"个人信息":           "show",
		"删除我的信息":         "erase",
		"请删除我的个人信息":      "erase",
		"把我的资料删掉":        "erase",
		"我不想让你们保存我的信息":   "erase",
		"注销个人信息":         "erase",
		"撤回同意":           "withdraw",
		"我要撤回授权":         "withdraw",
		"不再同意你们使用我的信息":   "withdraw",
		"更正我的信息":         "correct",
		"我的电话填错了":        "correct",
		"修改我的联系方式":       "correct",
		"申请需要提供哪些个人信息材料": "",
		"苏质贷利率是多少":       "",
	} {
		c := newChat(t, dialog.Profile{}).send(text)
		var got string
		switch {
		case c.s.Flow == "rights" && c.s.Step == "erase":
			got = "erase"
		case c.s.Flow == "rights" && c.s.Step == "withdraw":
			got = "withdraw"
		case c.s.Flow == "rights" && c.s.Step == "correct":
			got = "correct"
		}
		if _, ok := effectOf[dialog.ShowMyData](c); ok {
			got = "show"
		}
		if got != want {
			t.Errorf("%q: %q (%v), want %q", text, got, c.names(), want)
		}
		if _, ok := effectOf[dialog.Unplaced](c); ok && want != "" {
			t.Errorf("%q recorded as unplaced", text)
		}
	}
}

// Deletion is confirmed first; confirmed, the conversation's state is
// forgotten with the rest; declined, nothing changes.
func TestDeletionIsConfirmed(t *testing.T) {
	t.Parallel()
	tier2 := dialog.Profile{Tier: domain.Tier2, Criteria: []string{"2-5"}, CheckedAt: chatStart, County: "kunshan"}
	c := newChat(t, tier2).send("删除我的信息")
	if !c.has("rights_erase_confirm") || len(c.effects) != 0 {
		t.Fatalf("no confirmation first: %v %v", c.names(), c.effects)
	}
	c.send("不知道")
	if !c.has("invalid") || c.s.Step != "erase" {
		t.Errorf("an unclear answer: %v", c.names())
	}
	c.send("确认")
	e, ok := effectOf[dialog.EraseMyData](c)
	if !ok || e.Withdraw {
		t.Fatalf("confirmed: %+v %v", c.effects, ok)
	}
	if c.s.Profile.Tier != 0 || c.s.Profile.County != "" || !c.s.Idle() {
		t.Errorf("the state kept %+v", c.s)
	}

	c = newChat(t, tier2).sendAll("撤回同意", "取消")
	if _, ok := effectOf[dialog.EraseMyData](c); ok || c.s.Profile.Tier != domain.Tier2 {
		t.Errorf("cancelled, yet %+v", c.effects)
	}
	c = newChat(t, tier2).sendAll("撤回同意", "否")
	if !c.has("rights_kept") {
		t.Errorf("declined: %v", c.names())
	}
	c = newChat(t, tier2).sendAll("撤回同意", "确认撤回")
	if e, ok := effectOf[dialog.EraseMyData](c); !ok || !e.Withdraw {
		t.Errorf("withdrawal confirmed: %+v", c.effects)
	}
}

func TestCorrectionAsksForNameAndMobile(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{}).sendAll("更正我的信息", "13912345678")
	if !c.has("invalid") {
		t.Fatalf("no name: %v", c.names())
	}
	c.send("李四 13800001111")
	e, ok := effectOf[dialog.CorrectMyData](c)
	if !ok || e.Name != "李四" || e.Mobile != "13800001111" || !c.s.Idle() {
		t.Errorf("correction: %+v %v", e, ok)
	}
}

// Inside a form the words are left to the form (取消 leaves it first).
func TestRightsRequestInsideAForm(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{}).sendAll("融资需求", "删除我的信息")
	if c.s.Flow == "rights" {
		t.Errorf("the form was left: %v", c.names())
	}
}
