package dialog_test

import (
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

func TestMainMenuChoices(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text, flow string
	}{
		{"1", "selfcheck"}, {"１", "selfcheck"}, {"自检", "selfcheck"}, {"质量信誉自检（我是哪一类）", "selfcheck"},
		{"2", "products"}, {"产品", "products"},
		{"3", "calc"}, {"测算", "calc"},
		{"4", "apply"}, {"入库", "apply"}, {"申请", "apply"},
		{"5", "need"}, {"融资需求", "need"},
		{"我想看看测算", "calc"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			c := newChat(t, dialog.Profile{})
			c.send(tt.text)
			if c.s.Flow != tt.flow {
				t.Fatalf("%q started %q, want %q (%v)", tt.text, c.s.Flow, tt.flow, c.names())
			}
		})
	}
}

func TestIdleTextWithoutFlow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text    string
		replies []string
		effects int
	}{
		{"6", nil, 1},  // 我的进度: the caller lists the leads
		{"进度", nil, 1}, // entry keyword
		{"7", []string{"contacts"}, 0},
		{"9", []string{"not_understood", "menu"}, 0},
		{"你好", []string{"chat_greeting"}, 0},
		{"zzzz", []string{"not_understood", "menu"}, 1}, // recorded for officers
		{"菜单", []string{"menu"}, 0},
		{"帮助", []string{"help"}, 0},
		{"取消", []string{"menu"}, 0},
		{"返回", []string{"menu"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			c := newChat(t, dialog.Profile{})
			c.send(tt.text)
			if tt.replies != nil && strings.Join(c.names(), ",") != strings.Join(tt.replies, ",") {
				t.Fatalf("replies %v, want %v", c.names(), tt.replies)
			}
			if len(c.effects) != tt.effects {
				t.Fatalf("effects %v, want %d", c.effects, tt.effects)
			}
			if !c.s.Idle() {
				t.Fatalf("left idle: %s.%s", c.s.Flow, c.s.Step)
			}
		})
	}
}

func TestQuestionsBeatMenuWords(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{})
	c.send("“苏质贷”的贷款利率是多少？")
	if !c.s.Idle() || !strings.Contains(c.text(), "LPR") {
		t.Fatalf("a rate question should be answered, got flow %q: %s", c.s.Flow, c.text())
	}
}

func TestHumanHandoffEverywhere(t *testing.T) {
	t.Parallel()
	for _, setup := range [][]string{nil, {"自检"}, {"融资需求", "苏州精密制造有限公司"}} {
		c := newChat(t, dialog.Profile{})
		c.sendAll(setup...)
		flow, step := c.s.Flow, c.s.Step
		c.send("人工")
		if len(c.effects) != 1 || c.effects[0] != (dialog.OpenTicket{InFlow: setup != nil}) {
			t.Fatalf("after %v: 人工 gave %v and effects %v, want a ticket opened", setup, c.names(), c.effects)
		}
		if c.s.Flow != flow || c.s.Step != step {
			t.Fatalf("人工 should keep the flow for when the user comes back")
		}
	}
	// A question said with the request goes to the person; with a ticket
	// open, 人工 says it is being worked on and what follows is added to it.
	c := newChat(t, dialog.Profile{})
	c.send("转人工，想问下苏质贷放款一般要多久")
	if len(c.effects) != 1 || c.effects[0] != (dialog.OpenTicket{Question: "转人工，想问下苏质贷放款一般要多久"}) {
		t.Fatalf("handoff with a question: effects %v", c.effects)
	}
	c = newChat(t, dialog.Profile{Ticket: 7})
	c.send("人工")
	c.reply("ticket_still_open")
	c.send("我们是昆山的企业")
	if len(c.effects) == 0 || c.effects[0] != (dialog.AppendTicket{ID: 7, Text: "我们是昆山的企业"}) {
		t.Fatalf("a message with a ticket open: effects %v", c.effects)
	}
}

func TestGlobalCommandsInsideAFlow(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{})
	c.sendAll("自检", "是")
	if len(c.s.History) != 1 {
		t.Fatalf("history %v", c.s.History)
	}
	step := c.s.Step
	c.send("帮助")
	if c.s.Step != step || len(c.replies) < 2 {
		t.Fatalf("帮助 should explain and re-ask: %v", c.names())
	}
	c.send("返回")
	if len(c.s.History) != 0 || c.s.Flow != "selfcheck" {
		t.Fatalf("返回: %s.%s %v", c.s.Flow, c.s.Step, c.s.History)
	}
	c.send("返回")
	if !c.s.Idle() || !c.has("menu") {
		t.Fatalf("返回 at the first step leaves to the menu: %v", c.names())
	}
	c.sendAll("自检", "是", "取消")
	if !c.s.Idle() || !c.has("cancelled") || len(c.effects) != 0 {
		t.Fatalf("取消: %v %v", c.names(), c.effects)
	}
	c.sendAll("自检", "菜单")
	if !c.s.Idle() || !c.has("menu") {
		t.Fatalf("菜单: %v", c.names())
	}
}

func TestEntryKeywordLeavesFlow(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{})
	c.sendAll("自检", "是", "联系")
	if !c.s.Idle() || !c.has("contacts") {
		t.Fatalf("联系 inside the self-check: %s %v", c.s.Flow, c.names())
	}
}

func TestExpiredConversation(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{})
	c.sendAll("自检", "是")
	c.at = c.at.Add(dialog.ConversationTimeout)
	c.send("是")
	if !c.has("expired") || !c.has("menu") || !c.s.Idle() {
		t.Fatalf("after 31 minutes: %v", c.names())
	}
	// An entry keyword after expiry starts its flow straight away.
	c.sendAll("自检")
	c.at = c.at.Add(time.Hour)
	c.send("产品")
	if !c.has("expired") || c.s.Flow != "products" {
		t.Fatalf("expired then 产品: %s %v", c.s.Flow, c.names())
	}
	// Within the timeout nothing expires.
	c = newChat(t, dialog.Profile{})
	c.sendAll("自检")
	c.at = c.at.Add(28 * time.Minute)
	c.send("是")
	if c.has("expired") || c.s.Flow != "selfcheck" {
		t.Fatalf("28 minutes should not expire: %v", c.names())
	}
}

func TestEvents(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{})
	c.do(dialog.Inbound{Kind: dialog.KindSubscribe, Scene: "1003"})
	if f, ok := c.effects[0].(dialog.Follow); !ok || f.Scene != "1003" || !c.has("welcome") || !c.has("menu") {
		t.Fatalf("subscribe: %v %v", c.effects, c.names())
	}
	c.sendAll("自检")
	c.do(dialog.Inbound{Kind: dialog.KindScan, Scene: "1004"})
	if c.s.Flow != "selfcheck" || c.has("menu") {
		t.Fatalf("a scan inside a flow keeps it: %v", c.names())
	}
	c.do(dialog.Inbound{Kind: dialog.KindOther})
	if !c.has("please_type") {
		t.Fatalf("image: %v", c.names())
	}
	c.do(dialog.Inbound{Kind: dialog.KindUnsubscribe})
	if _, ok := c.effects[0].(dialog.Unfollow); !ok || len(c.replies) != 0 || !c.s.Idle() {
		t.Fatalf("unsubscribe: %v %v", c.effects, c.names())
	}
	for key, flow := range map[string]string{dialog.KeySelfCheck: "selfcheck", dialog.KeyNeed: "need", dialog.KeyApply: "apply", dialog.KeyCalc: "calc", dialog.KeyProducts: "products"} {
		c = newChat(t, dialog.Profile{})
		c.click(key)
		if c.s.Flow != flow {
			t.Errorf("click %s: flow %q", key, c.s.Flow)
		}
	}
	c.click("NO_SUCH_KEY")
	if !c.has("unknown_click") {
		t.Fatalf("unknown click: %v", c.names())
	}
}

func TestPrefixCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want dialog.Effect
	}{
		{"绑定 AB12CD", dialog.Bind{Code: "AB12CD"}},
		{"进度 szr-20261127-0001", dialog.ListLeads{Number: "SZR-20261127-0001"}},
		{"受理 SZR-20261127-0001", dialog.MoveLead{Number: "SZR-20261127-0001", Status: "contacted"}},
		{"驳回 SZR-20261127-0001 材料不全 请补充", dialog.MoveLead{Number: "SZR-20261127-0001", Status: "rejected", Note: "材料不全 请补充"}},
	}
	for _, tt := range tests {
		c := newChat(t, dialog.Profile{})
		c.sendAll("自检")
		c.send(tt.text)
		if len(c.effects) != 1 || c.effects[0] != tt.want || !c.s.Idle() {
			t.Errorf("%q: effects %#v, want %#v", tt.text, c.effects, tt.want)
		}
	}
}

func TestHonoursDescribedFromTheMenu(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{})
	c.send("我们是江苏质量信用AA级企业，还有CCC认证")
	if c.s.Flow != "selfcheck" || !c.has("selfcheck_described") || !strings.Contains(c.text(), "江苏质量信用AA级") {
		t.Fatalf("a description from the menu: %s %v\n%s", c.s.Flow, c.names(), c.text())
	}
	for _, cond := range c.p.Eligibility {
		c.send(meets(cond))
	}
	c.at2("selfcheck", "confirm")
	c.send("对")
	var saved dialog.SaveCheck
	for _, e := range c.effects {
		if s, ok := e.(dialog.SaveCheck); ok {
			saved = s
		}
	}
	if saved.Tier != domain.Tier2 || len(saved.Criteria) != 2 {
		t.Fatalf("saved %+v\n%s", saved, c.text())
	}
}

func TestQuestionInsideAConsultationIsAnsweredAndAskedAgain(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{})
	c.sendAll("期货")
	step := c.s.Step
	if c.s.Flow != "products" || step != "tier" {
		t.Fatalf("期货 without a tier should ask it: %s.%s", c.s.Flow, step)
	}
	c.send("苏质贷利率是多少？")
	if !c.has("faq_rates") || !c.has("products_tier") || c.s.Step != step {
		t.Fatalf("question at the tier step: %v at %s", c.names(), c.s.Step)
	}
	c.send("2")
	if !c.has("products_detail") {
		t.Fatalf("the tier answer after the question: %v", c.names())
	}
}

func TestAmountsAsPeopleWriteThem(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"500": "500万元", "500万": "500万元", "1,000万元": "1000万元", "0.3亿": "3000万元", "2千万": "2000万元",
		"5000000元": "500万元", "一千万": "1000万元", "三百五十万": "350万元", "两千": "2000万元",
	} {
		c := newChat(t, dialog.Profile{Tier: domain.Tier1})
		c.sendAll("测算", text)
		if !c.has("calc_result") || !strings.Contains(c.text(), "（质量信誉Ⅰ类，"+want+"）") {
			t.Errorf("%q: %v\n%s", text, c.names(), c.text())
		}
	}
	for _, bad := range []string{"很多", "0", "-5", "万"} {
		c := newChat(t, dialog.Profile{Tier: domain.Tier1})
		c.sendAll("测算", bad)
		if c.has("calc_result") {
			t.Errorf("%q was read as an amount", bad)
		}
	}
}
