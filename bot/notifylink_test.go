package bot_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/suzhou-amr/suzhirong/bot"
)

// The new-application, reminder and escalation messages open the
// application's console page, and the console's deadline turns overdue at
// the moment the SLA worker reminds.
func TestCountyNotificationsLinkToTheApplicationAndDeadlinesMatchTheSLA(t *testing.T) {
	e := mustLeadsEnv(t, "o-officer-link")
	e.bindContact("o-ks-link", "kunshan")
	e.clock.Set(day("2026-11-27 10:00")) // Friday
	number := e.slaLead("o-ent-link", "MA1N2PK01")
	lead := e.lead(number)
	want := fmt.Sprintf("https://szr.example.gov.cn/console/leads/%d", lead.ID)
	days, err := e.leads.Workdays(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := days.DeadlineOf(lead, day("2026-12-01 23:59")); d.State != bot.DueSoon {
		t.Errorf("the minute before the reminder: %s", d.State)
	}
	if r := e.check("2026-12-01 23:59"); r.Reminded != 0 {
		t.Fatalf("reminded early: %+v", r)
	}
	if d := days.DeadlineOf(lead, day("2026-12-02 00:00")); d.State != bot.DueOverdue {
		t.Errorf("at the reminder: %s", d.State)
	}
	if r := e.check("2026-12-02 00:00"); r.Reminded != 1 {
		t.Fatalf("reminder: %+v", r)
	}
	if d := days.DeadlineOf(lead, day("2026-12-04 00:00")); !d.Escalated(day("2026-12-04 00:00")) {
		t.Errorf("at the escalation: %+v", d)
	}
	if r := e.check("2026-12-04 00:00"); r.Escalated != 1 {
		t.Fatalf("escalation: %+v", r)
	}
	e.drain()
	for _, id := range []string{"o-ks-link", "o-officer-link"} {
		calls := e.templatesTo(id)
		if len(calls) == 0 {
			t.Fatalf("%s got nothing", id)
		}
		for _, c := range calls {
			if c.Body["url"] != want {
				t.Errorf("%s: url %v, want %s", id, c.Body["url"], want)
			}
		}
	}
	if n := len(e.templatesTo("o-ks-link")); n != 2 { // new and reminder
		t.Errorf("contact got %d messages", n)
	}
}
