package leads_test

import (
	"context"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/domain"
)

// A ticket nobody answers reminds its county's contacts after one working
// day and tells the city officers after two, each once; an answer stops
// both. Outside working hours the enterprise is told when to expect one.
func TestTicketSLARemindsThenEscalates(t *testing.T) {
	e := apptest.New(t, "o-officer-tk")
	ctx := context.Background()
	e.BindContact("o-ks-tk", "kunshan")
	e.Clock.Set(apptest.Day("2026-11-27 18:30")) // Friday evening
	e.FillNeed("o-ent-tk", "320583", "MA1TKX001")
	e.Say("o-ent-tk", "确认")
	got := e.Say("o-ent-tk", "转人工，我想问一下放款大概多久")
	if !strings.Contains(got, "昆山市市场监管局苏质融联络员") || !strings.Contains(got, "非工作时间") || !strings.Contains(got, "11月30日（周一）") {
		t.Fatalf("handoff on Friday evening: %s", got)
	}
	e.Drain()
	e.Fake.Reset()
	steps := []struct {
		at                  string
		reminded, escalated int
	}{
		{"2026-11-29 23:00", 0, 0}, // Sunday: no working day has passed
		{"2026-12-01 00:00", 1, 0}, // Monday over: one working day
		{"2026-12-01 09:00", 0, 0}, // once only
		{"2026-12-02 00:00", 0, 1}, // Tuesday over: two
		{"2026-12-03 00:00", 0, 0},
	}
	for _, st := range steps {
		r := check(e, st.at)
		if r.TicketsReminded != st.reminded || r.TicketsEscalated != st.escalated {
			t.Fatalf("%s: %+v, want %d reminded, %d escalated", st.at, r, st.reminded, st.escalated)
		}
	}
	e.Drain()
	var toContact, toOfficer int
	for _, c := range e.Fake.Calls("/cgi-bin/message/template/send") {
		switch {
		case c.Body["touser"] == "o-ks-tk" && strings.Contains(c.Raw, "未答复"):
			toContact++
		case c.Body["touser"] == "o-officer-tk" && strings.Contains(c.Raw, "超2个工作日未答复"):
			toOfficer++
		}
	}
	if toContact != 1 || toOfficer != 1 {
		t.Fatalf("reminders: %d to the contact, %d to the officer: %v", toContact, toOfficer, e.Fake.Calls(""))
	}

	// Handed over to Wujiang, whose contact is told; its reminders start again.
	e.BindContact("o-wj-tk", "wujiang")
	officer := domain.Account{Username: "admin", Role: domain.RoleOfficer}
	tickets, err := e.Leads.Tickets(ctx, officer, domain.TicketFilter{})
	if err != nil || len(tickets) != 1 {
		t.Fatalf("tickets: %v %v", tickets, err)
	}
	ks := domain.Account{Username: "ks", Role: domain.RoleCounty, County: "kunshan"}
	moved, err := e.Leads.HandOverTicket(ctx, ks, tickets[0].ID, "wujiang")
	if err != nil || moved.County != "wujiang" {
		t.Fatalf("handover: %+v %v", moved, err)
	}
	if _, err := e.Leads.Ticket(ctx, ks, moved.ID); err == nil {
		t.Fatal("Kunshan still sees the ticket it handed over")
	}
	e.Drain()
	var told bool
	for _, c := range e.Fake.Calls("/cgi-bin/message/template/send") {
		told = told || c.Body["touser"] == "o-wj-tk" && strings.Contains(c.Raw, "转交")
	}
	if !told {
		t.Fatalf("Wujiang's contact not told: %v", e.Fake.Calls(""))
	}
	if r := check(e, "2026-12-03 09:00"); r.TicketsReminded != 0 {
		t.Fatalf("a ticket just handed over was reminded: %+v", r)
	}
	wj := domain.Account{Username: "wj", Role: domain.RoleCounty, County: "wujiang"}
	if _, err := e.Leads.AnswerTicket(ctx, wj, moved.ID, "您好，吴江区局已收到，今天联系您。"); err != nil {
		t.Fatal(err)
	}
	if r := check(e, "2026-12-10 09:00"); r.TicketsReminded != 0 || r.TicketsEscalated != 0 {
		t.Fatalf("an answered ticket was reminded: %+v", r)
	}
}

// A question reaches the county's WeCom robot with its markdown
// neutralised: an enterprise cannot put a link or a heading in the group.
func TestTicketRobotMessageEscapesMarkdown(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	e.BindContact("o-ks-md", "kunshan")
	e.DB.SetRobotURL(ctx, "kunshan", e.Fake.URL+"/cgi-bin/webhook/send?key=ks", "admin")
	e.FillNeed("o-ent-md", "320583", "MA1TKM001")
	e.Say("o-ent-md", "确认")
	e.Drain()
	e.Fake.Reset()
	e.Say("o-ent-md", "转人工 [点这里领补贴](http://evil.example) # 通知")
	e.Drain()
	var robot []string
	for _, c := range e.Fake.Calls("") {
		if strings.HasPrefix(c.Path, "/cgi-bin/webhook/") {
			robot = append(robot, c.Raw)
		}
	}
	if len(robot) != 1 || !strings.Contains(robot[0], "人工咨询") || strings.Contains(robot[0], "](http://evil.example)") {
		t.Fatalf("robot messages: %v", robot)
	}
}
