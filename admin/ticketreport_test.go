package admin_test

import (
	"context"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/domain"
)

// The monthly summary counts each county's questions handed to a person
// and the median time to the first staff answer; those the city answered
// are a row of their own, and a county account sees only its own.
func TestMonthlyReportCountsTickets(t *testing.T) {
	e := apptest.New(t, "o-officer-rp")
	ctx := context.Background()
	e.BindContact("o-ks-rp", "kunshan")
	officer := domain.Account{Username: "admin", Role: domain.RoleOfficer}
	ks := domain.Account{Username: "ks", Role: domain.RoleCounty, County: "kunshan"}
	ask := func(openID, serial string) uint64 {
		e.FillNeed(openID, "320583", serial)
		e.Say(openID, "确认")
		e.Say(openID, "转人工，放款大概要多久")
		list, err := e.Leads.Tickets(ctx, officer, domain.TicketFilter{Status: domain.TicketOpen})
		if err != nil || len(list) == 0 {
			t.Fatalf("tickets: %v %v", list, err)
		}
		return list[0].ID
	}
	a := ask("o-ent-rp1", "MA1RP0001")
	e.Clock.Add(2 * time.Hour)
	if _, err := e.Leads.AnswerTicket(ctx, ks, a, "您好，一般两周内。"); err != nil {
		t.Fatal(err)
	}
	b := ask("o-ent-rp2", "MA1RP0002")
	e.Clock.Add(4 * time.Hour)
	if _, err := e.Leads.AnswerTicket(ctx, ks, b, "您好，一般两周内。"); err != nil {
		t.Fatal(err)
	}
	e.Say("o-ent-rp3", "我要找真人问问") // no county: the city answers
	month := e.Clock.Now().In(domain.Shanghai).Format("2006-01")

	r, err := e.Admin.MonthlyReport(ctx, officer, month)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]struct {
		opened, answered int64
		median           string
	}{}
	for _, f := range r.Tickets {
		got[f.County] = struct {
			opened, answered int64
			median           string
		}{f.Opened, f.Answered, f.MedianHours()}
	}
	if g := got["kunshan"]; g.opened != 2 || g.answered != 2 || g.median != "3.0" {
		t.Fatalf("kunshan: %+v (all %+v)", g, r.Tickets)
	}
	if g := got[""]; g.opened != 1 || g.answered != 0 || g.median != "—" {
		t.Fatalf("city: %+v", g)
	}
	if g := got["total"]; g.opened != 3 || g.answered != 2 {
		t.Fatalf("total: %+v", g)
	}
	if g := got["wujiang"]; g.opened != 0 {
		t.Fatalf("wujiang: %+v", g)
	}
	r, err = e.Admin.MonthlyReport(ctx, ks, month)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Tickets) != 1 || r.Tickets[0].County != "kunshan" || r.Tickets[0].Opened != 2 {
		t.Fatalf("kunshan's own report: %+v", r.Tickets)
	}
}
