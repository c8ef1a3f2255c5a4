package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// fileNeedThroughWebhook files a 融资需求 for openID through the webhook
// and returns its number.
func (s *leadsSvc) fileNeedThroughWebhook(tb testing.TB, openID, serial string) string {
	tb.Helper()
	for _, m := range []string{"融资需求", "苏州测试精密机械有限公司", creditCodeIn(tb, "320583", serial), "1", "张三",
		"13912345678", "苏质贷", "500", "12", "采购原材料", "1"} {
		s.say(openID, m)
	}
	number := leadNumber.FindString(s.say(openID, "确认"))
	if number == "" {
		tb.Fatal("need not filed")
	}
	return number
}

// TestWithdrawThroughTheWebhook: 撤回 shows the application, asks for a
// reason as numbered choices and for a confirmation; a cancel at any step
// leaves the application open, and the confirmed withdrawal is recorded
// with the reason as its note. A bound county contact's 进度 carries no
// 撤回 hint.
func TestWithdrawThroughTheWebhook(t *testing.T) {
	s := mustLeadsSvc(t)
	const ent, contact = "o-wd-enterprise", "o-wd-contact"
	admin := s.login("admin", leadsAdminPass)
	var bc struct{ Code string }
	if code := s.api(http.MethodPost, "/api/v1/counties/kunshan/bind-codes", admin, nil, &bc); code != http.StatusCreated {
		t.Fatalf("bind code: %d", code)
	}
	s.say(contact, "绑定 "+bc.Code)
	number := s.fileNeedThroughWebhook(t, ent, "MA1N2P3W1")

	if got := s.say(ent, "进度"); !strings.Contains(got, "“撤回 编号”") {
		t.Errorf("enterprise's 进度 lacks the 撤回 hint: %s", got)
	}
	if got := s.say(contact, "进度"); !strings.Contains(got, number) || strings.Contains(got, "撤回") {
		t.Errorf("staff's 进度: %s", got)
	}

	status := func() leadView {
		t.Helper()
		var lead leadView
		if code := s.api(http.MethodGet, "/api/v1/leads/"+number, admin, nil, &lead); code != http.StatusOK {
			t.Fatalf("api: %d", code)
		}
		return lead
	}
	for _, cancel := range [][]string{{"取消"}, {"4", "取消"}, {"2", "取消"}, {"1", "2"}} {
		got := s.say(ent, "撤回 "+number)
		for _, want := range []string{"您要撤回的是", number, "苏州测试精密机械有限公司", "1. 已通过其他渠道解决", "4. 其他（请说明）"} {
			if !strings.Contains(got, want) {
				t.Fatalf("撤回 lacks %q: %s", want, got)
			}
		}
		for _, m := range cancel {
			got = s.say(ent, m)
		}
		if !strings.Contains(got, "未撤回") {
			t.Errorf("%v: %s", cancel, got)
		}
		if l := status(); l.Status != "submitted" || len(l.Events) != 1 {
			t.Fatalf("%v changed the application: %+v", cancel, l)
		}
	}

	s.say(ent, "撤回 "+number)
	if got := s.say(ent, "4"); !strings.Contains(got, "请用一句话说明撤回原因") {
		t.Fatalf("4: %s", got)
	}
	if got := s.say(ent, "公司改用自有资金"); !strings.Contains(got, "撤回原因：公司改用自有资金") || !strings.Contains(got, "1. 确认撤回") {
		t.Fatalf("reason: %s", got)
	}
	if got := s.say(ent, "确认"); !strings.Contains(got, "已撤回") {
		t.Fatalf("确认: %s", got)
	}
	l := status()
	if last := l.Events[len(l.Events)-1]; l.Status != "withdrawn" || last.Note != "公司改用自有资金" {
		t.Fatalf("withdrawn lead %+v", l)
	}
	if got := s.say(contact, "撤回 "+number); !strings.Contains(got, "没有找到编号") {
		t.Errorf("a contact's 撤回: %s", got)
	}
}

// TestWithdrawWithoutANumber: 撤回 alone takes the sender's one open
// application; with none it says so, and with two it lists them to choose
// from; nothing moves until the withdrawal is confirmed.
func TestWithdrawWithoutANumber(t *testing.T) {
	s := mustLeadsSvc(t)
	const ent = "o-wd-bare"
	if got := s.say(ent, "撤回"); !strings.Contains(got, "没有可以撤回的办理事项") {
		t.Errorf("撤回 with nothing filed: %s", got)
	}
	first := s.fileNeedThroughWebhook(t, ent, "MA1N2P3W2")
	got := s.say(ent, "我要撤回")
	for _, want := range []string{"您要撤回的是", first, "1. 已通过其他渠道解决"} {
		if !strings.Contains(got, want) {
			t.Fatalf("我要撤回 with one open application lacks %q: %s", want, got)
		}
	}
	if got := s.say(ent, "2"); !strings.Contains(got, "1. 确认撤回") {
		t.Fatalf("reason: %s", got)
	}
	if got := s.say(ent, "取消"); !strings.Contains(got, "未撤回") {
		t.Fatalf("取消: %s", got)
	}
	// A second open application: an 入库申请 stored as the pipeline does.
	lead, err := s.db.CreateLead(context.Background(), dialog.SubmitLead{Kind: domain.LeadApply, EnterpriseName: "苏州测试精密机械有限公司",
		CreditCode: creditCodeIn(t, "320583", "MA1N2P3W3"), County: "kunshan", Contact: "张三", Phone: "13912345678"}, ent, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	second := lead.Number
	got = s.say(ent, "撤回")
	for _, want := range []string{"2项尚未办结", first, second, "例如：撤回 SZR-"} {
		if !strings.Contains(got, want) {
			t.Fatalf("撤回 with two open applications lacks %q: %s", want, got)
		}
	}
	if got := s.say(ent, "2"); strings.Contains(got, "确认撤回") {
		t.Errorf("a number after the list chose a withdrawal: %s", got)
	}
	var list struct{ Leads []leadView }
	if code := s.api(http.MethodGet, "/api/v1/leads", s.login("admin", leadsAdminPass), nil, &list); code != http.StatusOK {
		t.Fatalf("api: %d", code)
	}
	for _, l := range list.Leads {
		if l.Status != "submitted" {
			t.Errorf("%s moved to %s", l.Number, l.Status)
		}
	}
}
