package leads_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/leads"
)

// The new-application, reminder and escalation messages open the
// application's console page, and the console's deadline turns overdue at
// the moment the SLA worker reminds.
func TestCountyNotificationsLinkToTheApplicationAndDeadlinesMatchTheSLA(t *testing.T) {
	e := apptest.New(t, "o-officer-link")
	e.BindContact("o-ks-link", "kunshan")
	e.Clock.Set(apptest.Day("2026-11-27 10:00")) // Friday
	number := slaLead(e, "o-ent-link", "MA1N2PK01")
	lead := e.Lead(number)
	want := fmt.Sprintf("https://szr.example.gov.cn/console/leads/%d", lead.ID)
	days, err := e.Leads.Workdays(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := days.DeadlineOf(lead, apptest.Day("2026-12-01 23:59")); d.State != leads.DueSoon {
		t.Errorf("the minute before the reminder: %s", d.State)
	}
	if r := check(e, "2026-12-01 23:59"); r.Reminded != 0 {
		t.Fatalf("reminded early: %+v", r)
	}
	if d := days.DeadlineOf(lead, apptest.Day("2026-12-02 00:00")); d.State != leads.DueOverdue {
		t.Errorf("at the reminder: %s", d.State)
	}
	if r := check(e, "2026-12-02 00:00"); r.Reminded != 1 {
		t.Fatalf("reminder: %+v", r)
	}
	if d := days.DeadlineOf(lead, apptest.Day("2026-12-04 00:00")); !d.Escalated(apptest.Day("2026-12-04 00:00")) {
		t.Errorf("at the escalation: %+v", d)
	}
	if r := check(e, "2026-12-04 00:00"); r.Escalated != 1 {
		t.Fatalf("escalation: %+v", r)
	}
	e.Drain()
	for _, id := range []string{"o-ks-link", "o-officer-link"} {
		calls := e.TemplatesTo(id)
		if len(calls) == 0 {
			t.Fatalf("%s got nothing", id)
		}
		for _, c := range calls {
			if c.Body["url"] != want {
				t.Errorf("%s: url %v, want %s", id, c.Body["url"], want)
			}
		}
	}
	if n := len(e.TemplatesTo("o-ks-link")); n != 2 { // new and reminder
		t.Errorf("contact got %d messages", n)
	}
}
