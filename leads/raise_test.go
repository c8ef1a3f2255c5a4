package leads_test

import (
	"context"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/domain"
)

var officer = domain.Account{Username: "admin", Role: domain.RoleOfficer}

// Two messages in a row the bot cannot place open a ticket with both,
// instead of a second "cannot answer"; a placed message in between resets
// the count.
func TestSecondUnplacedInARowOpensATicket(t *testing.T) {
	e := apptest.New(t, "o-officer-up")
	ctx := context.Background()
	first := e.Say("o-ent-up", "锅炉房的蒸汽管道保温层脱落找谁修")
	if strings.Contains(first, "转人工") && strings.Contains(first, "已为您转人工") {
		t.Fatalf("the first unplaced message opened a ticket: %s", first)
	}
	e.Say("o-ent-up", "菜单") // placed: the count starts again
	if got := e.Say("o-ent-up", "食堂的排烟罩油污太厚怎么清理"); strings.Contains(got, "已为您转人工") {
		t.Fatalf("a placed message in between did not reset the count: %s", got)
	}
	got := e.Say("o-ent-up", "仓库屋顶漏水要报修给哪个部门")
	if !strings.Contains(got, "两条消息我都没能准确回答") || !strings.Contains(got, "已为您转人工") {
		t.Fatalf("second unplaced in a row: %s", got)
	}
	list, err := e.Leads.Tickets(ctx, officer, domain.TicketFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("tickets: %+v %v", list, err)
	}
	q := list[0].Question
	if !strings.Contains(q, "排烟罩") || !strings.Contains(q, "屋顶漏水") {
		t.Fatalf("the ticket lacks one of the two messages: %q", q)
	}
	// The next one goes to the open ticket, not to a second.
	if got := e.Say("o-ent-up", "另外消防通道的门锁坏了找谁"); !strings.Contains(got, "转给处理您问题的工作人员") {
		t.Fatalf("with a ticket open: %s", got)
	}
	if list, _ := e.Leads.Tickets(ctx, officer, domain.TicketFilter{}); len(list) != 1 {
		t.Fatalf("a second ticket was opened: %+v", list)
	}
}

// A complaint opens a ticket raised to the city officers at once, with
// its own deadline, notified and in the operations log; 催一下 on an open
// ticket raises it once while its deadline runs, and on an open
// application raises the application.
func TestComplaintAndChaseRaiseToOfficers(t *testing.T) {
	e := apptest.New(t, "o-officer-rs")
	ctx := context.Background()
	e.BindContact("o-ks-rs", "kunshan")
	e.FillNeed("o-ent-rs", "320583", "MA1RPX001")
	e.Say("o-ent-rs", "确认")
	e.Drain()
	e.Fake.Reset()

	// 催一下 with no ticket: the open application is raised.
	got := e.Say("o-ent-rs", "催一下")
	if !strings.Contains(got, "已为您催办") || !strings.Contains(got, "SZR-") || !strings.Contains(got, "11月30日（周一）") {
		t.Fatalf("chase of an application: %s", got)
	}
	e.Drain()
	if n := countTemplates(e, "o-officer-rs", "企业催办"); n != 1 {
		t.Fatalf("officer told of the chased application %d times: %v", n, e.Fake.Calls(""))
	}
	if got := e.Say("o-ent-rs", "催办"); !strings.Contains(got, "已在催办中") {
		t.Fatalf("second chase the same day: %s", got)
	}
	e.Drain()
	if n := countTemplates(e, "o-officer-rs", "企业催办"); n != 1 {
		t.Fatalf("a second chase the same day notified again: %d", n)
	}

	// A complaint opens a ticket, routed to Kunshan and raised.
	got = e.Say("o-ent-rs", "你们审核太慢了，我要投诉")
	if !strings.Contains(got, "昆山市市场监管局苏质融联络员") || !strings.Contains(got, "提请苏州市市场监管局督办") {
		t.Fatalf("complaint: %s", got)
	}
	list, err := e.Leads.Tickets(ctx, officer, domain.TicketFilter{})
	if err != nil || len(list) != 1 || list[0].RaisedAt.IsZero() || list[0].RaiseDue.IsZero() || list[0].County != "kunshan" {
		t.Fatalf("complaint ticket: %+v %v", list, err)
	}
	e.Drain()
	if n := countTemplates(e, "o-officer-rs", "企业投诉"); n != 1 {
		t.Fatalf("officer told of the complaint %d times: %v", n, e.Fake.Calls(""))
	}
	if got := e.Say("o-ent-rs", "催一下"); !strings.Contains(got, "已在催办中") || !strings.Contains(got, "咨询-") {
		t.Fatalf("chase of a raised ticket: %s", got)
	}
	logs, err := e.DB.AuditLogs(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, l := range logs {
		actions = append(actions, l.Action)
	}
	joined := strings.Join(actions, ",")
	if strings.Count(joined, "企业催办") != 1 || strings.Count(joined, "企业投诉") != 1 {
		t.Fatalf("operations log: %v", actions)
	}
	tk, err := e.Leads.Ticket(ctx, officer, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var noted bool
	for _, m := range tk.Messages {
		noted = noted || m.Via == domain.TicketViaNote && strings.Contains(m.Text, "督办")
	}
	if !noted {
		t.Fatalf("the conversation does not show the raise: %+v", tk.Messages)
	}

	// Its own deadline: the end of the next working day (Monday); still
	// unanswered then, the officers are told once more, once.
	e.Drain()
	e.Fake.Reset()
	for _, st := range []struct {
		at   string
		want int
	}{{"2026-11-30 23:00", 0}, {"2026-12-01 00:00", 1}, {"2026-12-01 09:00", 0}} {
		if r := check(e, st.at); r.RaisedOverdue != st.want {
			t.Fatalf("%s: %+v, want %d raised overdue", st.at, r, st.want)
		}
	}
	e.Drain()
	if n := countTemplates(e, "o-officer-rs", "督办已超期"); n != 1 {
		t.Fatalf("officer told of the overdue raise %d times: %v", n, e.Fake.Calls(""))
	}
}

// 催一下 with nothing open says so.
func TestChaseWithNothingOpen(t *testing.T) {
	e := apptest.New(t)
	if got := e.Say("o-ent-none", "帮我催一下"); !strings.Contains(got, "没有待处理的咨询或申请") {
		t.Fatalf("chase with nothing open: %s", got)
	}
}

func countTemplates(e *apptest.Env, to, word string) int {
	n := 0
	for _, c := range e.Fake.Calls("/cgi-bin/message/template/send") {
		if c.Body["touser"] == to && strings.Contains(c.Raw, word) {
			n++
		}
	}
	return n
}
