package dialog

import (
	"strings"
	"unicode/utf8"
)

// 撤回 编号: an enterprise withdraws one of its applications. The
// application is shown first (ShowWithdrawal, answered by the leads
// service, which also refuses a number that is not the sender's or no
// longer open), then a reason is chosen and the withdrawal confirmed;
// only the confirmation emits the MoveLead. 取消 or 菜单 at any step
// leaves the application as it was.

// ShowWithdrawal asks the caller to show the application about to be
// withdrawn and the flow's first question, or to end the flow when the
// number cannot be withdrawn by the sender.
type ShowWithdrawal struct {
	Number string
	Reason string // typed with the command (撤回 编号 原因): only the confirmation is asked
}

func (ShowWithdrawal) effect() {}

// WithdrawReasons are the numbered reasons of a withdrawal; the last asks
// for the reason in the enterprise's words.
var WithdrawReasons = []Option{
	{Key: "elsewhere", Label: "已通过其他渠道解决", Words: []string{"其他渠道", "别的渠道", "已解决", "贷到了", "已经贷款"}},
	{Key: "later", Label: "暂时不需要了", Words: []string{"不需要", "不用了", "暂时不"}},
	{Key: "wrong", Label: "信息填错要重新申请", Words: []string{"填错", "重新申请", "重新填", "写错"}},
	{Key: "other", Label: "其他（请说明）", Words: []string{"其他", "其它"}},
}

// WithdrawData is the data of "withdraw_reason", "withdraw_other" and
// "withdraw_confirm".
type WithdrawData struct {
	Number  string
	Reason  string
	Reasons []Option
}

// withdrawReasonRunes bounds a reason typed in the enterprise's words.
const withdrawReasonRunes = 100

func (t *turn) withdrawData() WithdrawData {
	return WithdrawData{Number: t.s.field("number"), Reason: t.s.field("reason"), Reasons: WithdrawReasons}
}

// beginWithdraw starts the flow for an application number; the caller's
// answer to ShowWithdrawal asks its first question.
func (t *turn) beginWithdraw(number, reason string) {
	t.end()
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > withdrawReasonRunes || !PlainName(reason) {
		reason = "" // asked for again among the numbered reasons
	}
	t.s.Flow, t.s.Step = "withdraw", "reason"
	t.s.Fields = map[string]string{"number": number}
	if reason != "" {
		t.s.Step, t.s.Fields["reason"] = "confirm", reason
	}
	t.emit(ShowWithdrawal{Number: number, Reason: reason})
}

// withdrawWords start a withdrawal without a number: the leads service
// takes the sender's one open application, or lists them to choose from.
var withdrawWords = []string{"撤回", "撤回申请", "我要撤回", "撤回需求", "撤回融资需求", "撤回入库申请", "撤销申请"}

// registerWithdraw registers this file's steps and entries (flows.go lists it).
func registerWithdraw() {
	for _, w := range withdrawWords {
		entryWords[w] = "withdraw"
	}
	entries["withdraw"] = func(t *turn) { t.beginWithdraw("", "") }
	register("withdraw.reason", step{
		ask: func(t *turn) { t.say("withdraw_reason", t.withdrawData()) },
		// A reason chosen in words (暂时不需要了) is an answer, not a cancel.
		claims: func(_ *turn, text string) bool { _, ok := chooseOne(WithdrawReasons, text); return ok },
		answer: func(t *turn, text string) {
			o, ok := chooseOne(WithdrawReasons, text)
			if !ok {
				t.reask("请回复原因前的数字（1至4）；其他原因请先回复“4”，再用一句话说明。")
				return
			}
			if o.Key == "other" {
				t.next("other")
				return
			}
			t.set("reason", o.Label)
			t.next("confirm")
		},
	})
	register("withdraw.other", step{
		ask: func(t *turn) { t.say("withdraw_other", t.withdrawData()) },
		// Whatever is typed is the reason (不想贷了 too); 取消 and 菜单 are
		// read before any step.
		claims: func(*turn, string) bool { return true },
		answer: func(t *turn, text string) {
			reason := strings.TrimSpace(text)
			n := utf8.RuneCountInString(reason)
			switch {
			case n < 2:
				t.reask("请用一句话说明撤回原因。")
				return
			case n > withdrawReasonRunes:
				t.reask("原因请不超过100个字。")
				return
			case !PlainName(reason):
				t.reask("原因请不要换行，也不要包含 " + MarkupList + " 等符号。")
				return
			}
			t.set("reason", reason)
			t.next("confirm")
		},
	})
	register("withdraw.confirm", step{
		ask:   func(t *turn) { t.say("withdraw_confirm", t.withdrawData()) },
		yesno: true,
		answer: func(t *turn, text string) {
			n := strings.TrimRight(Normalize(text), "。.!！")
			yes, ok := yesNo(text)
			if isWord(n, confirmWords) {
				yes, ok = true, true
			}
			if !ok {
				t.reask("请回复“确认”撤回，或“取消”保留该事项。")
				return
			}
			if !yes {
				t.end()
				t.say("withdraw_kept", nil)
				return
			}
			number, reason := t.s.field("number"), t.s.field("reason")
			t.end()
			t.emit(MoveLead{Number: number, Status: "withdrawn", Note: reason})
		},
	})
}
