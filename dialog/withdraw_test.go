package dialog_test

import (
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
)

const wdNumber = "SZR-20261127-0001"

// withdrawn is the MoveLead the chat emitted last, if any.
func (c *chat) withdrawn() (dialog.MoveLead, bool) {
	for _, e := range c.effects {
		if m, ok := e.(dialog.MoveLead); ok {
			return m, true
		}
	}
	return dialog.MoveLead{}, false
}

func TestWithdrawAsksReasonThenConfirms(t *testing.T) {
	for _, tt := range []struct {
		name    string
		answers []string
		reason  string
	}{
		{"numbered reason", []string{"1"}, "已通过其他渠道解决"},
		{"reason in words", []string{"暂时不需要了"}, "暂时不需要了"},
		{"wrong information", []string{"3"}, "信息填错要重新申请"},
		{"other, explained", []string{"4", "公司决定改用自有资金"}, "公司决定改用自有资金"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t, dialog.Profile{}).send("撤回 " + "szr-20261127-0001")
			if len(c.effects) != 1 || c.effects[0] != (dialog.ShowWithdrawal{Number: wdNumber}) {
				t.Fatalf("撤回: effects %#v", c.effects)
			}
			c.at2("withdraw", "reason")
			c.sendAll(tt.answers...)
			c.at2("withdraw", "confirm")
			if _, ok := c.withdrawn(); ok {
				t.Fatal("withdrawn before the confirmation")
			}
			c.contains("撤回原因："+tt.reason, "1. 确认撤回", "2. 取消")
			c.send("确认")
			m, ok := c.withdrawn()
			if !ok || m != (dialog.MoveLead{Number: wdNumber, Status: "withdrawn", Note: tt.reason}) || !c.s.Idle() {
				t.Fatalf("确认: effects %#v, state %s.%s", c.effects, c.s.Flow, c.s.Step)
			}
		})
	}
}

func TestWithdrawReasonTypedWithTheCommand(t *testing.T) {
	c := newChat(t, dialog.Profile{}).send("撤回 " + wdNumber + " 已从其他渠道获得贷款")
	if len(c.effects) != 1 || c.effects[0] != (dialog.ShowWithdrawal{Number: wdNumber, Reason: "已从其他渠道获得贷款"}) {
		t.Fatalf("effects %#v", c.effects)
	}
	c.at2("withdraw", "confirm")
	c.send("1")
	if m, ok := c.withdrawn(); !ok || m.Note != "已从其他渠道获得贷款" {
		t.Fatalf("1: effects %#v", c.effects)
	}
}

func TestWithdrawCancelledAtEveryStepChangesNothing(t *testing.T) {
	for _, tt := range []struct {
		name string
		says []string
	}{
		{"at the reason", []string{"取消"}},
		{"at the reason, by the menu", []string{"菜单"}},
		{"at the explanation", []string{"4", "取消"}},
		{"at the confirmation", []string{"2", "取消"}},
		{"declined at the confirmation", []string{"2", "2"}},
		{"no at the confirmation", []string{"1", "不"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t, dialog.Profile{}).send("撤回 " + wdNumber)
			for _, s := range tt.says {
				c.send(s)
				if _, ok := c.withdrawn(); ok {
					t.Fatalf("%q withdrew: %#v", s, c.effects)
				}
			}
			if !c.s.Idle() {
				t.Fatalf("still in %s.%s", c.s.Flow, c.s.Step)
			}
			if tt.says[len(tt.says)-1] != "菜单" {
				c.contains("未撤回")
			}
		})
	}
}

func TestWithdrawRefusesUnreadableAnswers(t *testing.T) {
	c := newChat(t, dialog.Profile{}).send("撤回 " + wdNumber)
	c.send("9")
	c.at2("withdraw", "reason")
	c.contains("请回复原因前的数字")
	c.sendAll("4", "a")
	c.at2("withdraw", "other")
	c.contains("请用一句话说明撤回原因")
	c.send("原因是<b>x</b>")
	c.at2("withdraw", "other")
	c.sendAll("不想贷了", "也许")
	c.at2("withdraw", "confirm")
	if _, ok := c.withdrawn(); ok {
		t.Fatal("withdrawn on an unclear answer")
	}
	c.contains("请回复“确认”撤回")
}

func TestWithdrawMarkupReasonIsAskedAgain(t *testing.T) {
	c := newChat(t, dialog.Profile{}).send("撤回 " + wdNumber + " <script>")
	if c.effects[0] != (dialog.ShowWithdrawal{Number: wdNumber}) {
		t.Fatalf("effects %#v", c.effects)
	}
	c.at2("withdraw", "reason")
}

// A reason typed in the enterprise's own words at the numbered question
// (不想贷了) is told how to give it: 4, then the sentence.
func TestWithdrawReasonInOwnWordsSaysHow(t *testing.T) {
	c := newChat(t, dialog.Profile{}).send("撤回 " + wdNumber)
	c.send("不想贷了")
	c.at2("withdraw", "reason")
	c.contains("请回复原因前的数字")
	c.contains("其他原因请先回复“4”，再用一句话说明")
}
