package leads_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/domain"
)

// An enterprise sees what is kept about it, corrects it, and has it
// deleted: its open application is withdrawn, the record stays for the
// programme's reporting without the person, and each step is logged.
func TestEnterpriseControlsItsData(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	const ent = "o-rights-ent"
	e.BindContact("o-ks-rights", "kunshan")
	e.FillNeed(ent, "320583", "MA1N2P3R1")
	number := numberPattern.FindString(e.Say(ent, "确认"))
	if number == "" {
		t.Fatal("not submitted")
	}

	// A question handed to a person, which names someone.
	e.Say(ent, "转人工，我是财务王芳，电话13800002222，想问放款时间")
	shown := e.Say(ent, "我的信息")
	for _, want := range []string{number, "张三", "13912345678", "苏州测试精密机械有限公司", "【人工咨询】共1件"} {
		if !strings.Contains(shown, want) {
			t.Errorf("我的信息 lacks %s: %s", want, shown)
		}
	}

	e.Say(ent, "更正我的信息")
	if got := e.Say(ent, "李四 13800001111"); !strings.Contains(got, "已更正") {
		t.Fatalf("correction: %s", got)
	}
	if l := e.Lead(number); l.Contact != "李四" || l.Phone != "13800001111" {
		t.Errorf("after the correction: %s %s", l.Contact, l.Phone)
	}

	if got := e.Say(ent, "请删除我的个人信息"); !strings.Contains(got, "确认请回复") {
		t.Fatalf("no confirmation: %s", got)
	}
	if got := e.Say(ent, "确认"); !strings.Contains(got, "已删除您的个人信息") || !strings.Contains(got, "1件申请已撤回") {
		t.Fatalf("erased: %s", got)
	}
	l := e.Lead(number)
	if l.Status != domain.StatusWithdrawn || l.Contact != "" || l.Phone != "" || l.OpenID != "" {
		t.Errorf("the application after erasure: %+v", l)
	}
	if l.Number != number || l.EnterpriseName == "" || l.CreditCode == "" {
		t.Errorf("the record for reporting is gone: %+v", l)
	}
	for _, ev := range l.Events {
		if strings.Contains(ev.Actor, ent) {
			t.Errorf("an event still names the follower: %+v", ev)
		}
	}
	officer := domain.Account{Username: "admin", Role: domain.RoleOfficer}
	if tickets, err := e.Leads.Tickets(ctx, officer, domain.TicketFilter{}); err != nil || len(tickets) != 1 ||
		strings.Contains(tickets[0].Question, "王芳") || tickets[0].Status != domain.TicketClosed || tickets[0].OpenID != "" {
		t.Errorf("the ticket after erasure: %+v %v", tickets, err)
	} else if tk, _ := e.Leads.Ticket(ctx, officer, tickets[0].ID); strings.Contains(fmt.Sprint(tk.Messages), "13800002222") {
		t.Errorf("the ticket's messages after erasure: %+v", tk.Messages)
	}
	if p, err := e.DB.Profile(ctx, ent); err != nil || p.Tier != 0 || p.County != "" {
		t.Errorf("profile after erasure: %+v %v", p, err)
	}
	if got := e.Say(ent, "我的信息"); strings.Contains(got, number) || strings.Contains(got, "李四") {
		t.Errorf("still shown: %s", got)
	}
	// The county was told of the withdrawal.
	e.Drain()
	log, err := e.DB.AuditLogs(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]string{}
	for _, r := range log {
		actions[r.Action] = r.Summary
		if strings.Contains(r.Actor+r.Summary+r.Object, ent) {
			t.Errorf("unmasked in the operations log: %+v", r)
		}
	}
	for _, a := range []string{"查阅个人信息", "更正个人信息", "删除个人信息"} {
		if _, ok := actions[a]; !ok {
			t.Errorf("no %s entry: %v", a, actions)
		}
	}
	if s := actions["删除个人信息"]; !strings.Contains(s, "撤回办理中的申请1件") || !strings.Contains(s, "匿名化申请1件") {
		t.Errorf("erasure entry: %s", s)
	}
}

// A county contact who withdraws consent is unbound, and the sessions of
// their WeChat sign-in end.
func TestContactWithdrawsConsent(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	e.BindContact("o-ks-leaving", "kunshan")
	e.Say("o-ks-leaving", "王五 13700001111")
	token, _, err := e.Admin.WeChatSession(ctx, "o-ks-leaving")
	if err != nil {
		t.Fatal(err)
	}
	e.Say("o-ks-leaving", "撤回同意")
	if got := e.Say("o-ks-leaving", "确认"); !strings.Contains(got, "撤回同意") {
		t.Fatalf("withdrawn: %s", got)
	}
	if cs, _ := e.DB.ContactsByOpenID(ctx, "o-ks-leaving"); len(cs) != 0 {
		t.Errorf("still bound: %+v", cs)
	}
	if _, err := e.Admin.Authenticate(ctx, token); err == nil {
		t.Error("the session outlived the withdrawal")
	}
}
