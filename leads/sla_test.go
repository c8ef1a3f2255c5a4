package leads_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/store"
)

// slaLead files a 融资需求 in Kunshan at the clock's time and returns its number.
func slaLead(e *apptest.Env, openID, serial string) string {
	e.T.Helper()
	e.FillNeed(openID, "320583", serial)
	n := numberPattern.FindString(e.Say(openID, "确认"))
	if n == "" {
		e.T.Fatal("not submitted")
	}
	return n
}

func check(e *apptest.Env, at string) leads.SLAResult {
	e.T.Helper()
	e.Clock.Set(apptest.Day(at))
	r, err := e.SLA.Check(context.Background())
	if err != nil {
		e.T.Fatal(err)
	}
	return r
}

func TestSLARemindsThenEscalatesOverAWeekend(t *testing.T) {
	e := apptest.New(t, "o-officer-env")
	ctx := context.Background()
	if _, err := e.DB.CreateAccount(ctx, domain.NewAccount{Username: "boss", Password: "Sz-pass-2026", Role: "officer", OpenID: "o-officer-acc"}, "admin"); err != nil {
		t.Fatal(err)
	}
	e.BindContact("o-ks", "kunshan")
	e.DB.SetRobotURL(ctx, "kunshan", e.Fake.URL+"/cgi-bin/webhook/send?key=ks", "admin")
	e.Clock.Set(apptest.Day("2026-11-27 10:00")) // Friday
	late := slaLead(e, "o-ent", "MA1N2P3Q4")
	handled := slaLead(e, "o-ent2", "MA1N2P3Q5")
	e.Say("o-ks", "受理 "+handled)
	e.Drain()
	e.Fake.Reset()

	steps := []struct {
		at                  string
		reminded, escalated int
	}{
		{"2026-11-29 23:00", 0, 0}, // Sunday: no working day has passed
		{"2026-12-01 23:59", 0, 0}, // Tuesday: the second working day is not over
		{"2026-12-02 00:00", 1, 0}, // Wednesday: 2 working days passed
		{"2026-12-02 09:00", 0, 0}, // once only
		{"2026-12-03 23:00", 0, 0},
		{"2026-12-04 00:00", 0, 1}, // Friday: 4 working days passed
		{"2026-12-10 00:00", 0, 0},
	}
	for _, s := range steps {
		if r := check(e, s.at); r.Reminded != s.reminded || r.Escalated != s.escalated {
			t.Errorf("%s: %+v, want reminded %d escalated %d", s.at, r, s.reminded, s.escalated)
		}
	}
	l := e.Lead(late)
	if l.RemindedAt.IsZero() || l.EscalatedAt.IsZero() || !l.RemindedAt.Equal(apptest.Day("2026-12-02 00:00")) {
		t.Errorf("marks %+v", l)
	}
	if h := e.Lead(handled); !h.RemindedAt.IsZero() || !h.EscalatedAt.IsZero() {
		t.Errorf("a contacted lead was chased: %+v", h)
	}
	e.Drain()
	for _, id := range []string{"o-ks", "o-officer-env", "o-officer-acc"} {
		got := e.TemplatesTo(id)
		if len(got) != 1 || !strings.Contains(got[0].Raw, late) {
			t.Errorf("%s got %d messages", id, len(got))
		}
	}
	if robot := e.Fake.Calls("/cgi-bin/webhook/send"); len(robot) != 1 || !strings.Contains(robot[0].Raw, "催办") {
		t.Errorf("robot reminder %+v", robot)
	}
}

func TestSLAAcrossNationalDayAndOverrides(t *testing.T) {
	e := apptest.New(t, "o-officer")
	e.BindContact("o-ks", "kunshan")
	e.Clock.Set(apptest.Day("2026-09-30 10:00")) // the day before 国庆节
	number := slaLead(e, "o-ent", "MA1N2P3Q4")
	steps := []struct {
		at                  string
		reminded, escalated int
	}{
		{"2026-10-07 12:00", 0, 0}, // holiday week: no working day
		{"2026-10-09 12:00", 0, 0}, // Oct 8 passed, Oct 9 not over
		{"2026-10-10 00:00", 1, 0},
		{"2026-10-12 12:00", 0, 0}, // Sat Oct 10 was a make-up working day; Mon Oct 12 not over
		{"2026-10-13 00:00", 0, 1},
	}
	for _, s := range steps {
		if r := check(e, s.at); r.Reminded != s.reminded || r.Escalated != s.escalated {
			t.Errorf("%s: %+v, want reminded %d escalated %d", s.at, r, s.reminded, s.escalated)
		}
	}
	if l := e.Lead(number); l.EscalatedAt.IsZero() {
		t.Error("not escalated")
	}

	// An officer declares Tuesday 2026-12-01 off: the reminder moves a day.
	if err := e.DB.SetSetting(context.Background(), leads.SettingWorkdays, `{"2026-12-01":"off"}`, "admin"); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(apptest.Day("2026-11-27 10:00"))
	second := slaLead(e, "o-ent2", "MA1N2P3Q5")
	if r := check(e, "2026-12-02 12:00"); r.Reminded != 0 {
		t.Errorf("reminded despite the day off: %+v", r)
	}
	if r := check(e, "2026-12-03 00:00"); r.Reminded != 1 {
		t.Errorf("not reminded: %+v", r)
	}
	e.Drain()
	rows, _ := e.DB.OutboxRows(context.Background(), fmt.Sprintf("lead:%d:remind:", e.Lead(second).ID))
	if len(rows) != 1 || rows[0].Status != store.OutboxSent {
		t.Errorf("reminder rows %+v", rows)
	}

	if err := e.DB.SetSetting(context.Background(), leads.SettingWorkdays, `{"bad"`, "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.SLA.Check(context.Background()); err == nil {
		t.Error("a broken overrides setting must be reported")
	}
}

func TestSLATwoInstancesRemindOnce(t *testing.T) {
	e := apptest.New(t)
	e.BindContact("o-ks", "kunshan")
	e.Clock.Set(apptest.Day("2026-11-27 10:00"))
	slaLead(e, "o-ent", "MA1N2P3Q4")
	e.Clock.Set(apptest.Day("2026-12-02 10:00"))
	other := leads.NewSLA(e.Leads, e.Clock.Now)
	results := make(chan leads.SLAResult, 2)
	for _, s := range []*leads.SLA{e.SLA, other} {
		go func() {
			r, err := s.Check(context.Background())
			if err != nil {
				t.Error(err)
			}
			results <- r
		}()
	}
	a, b := <-results, <-results
	if a.Reminded+b.Reminded != 1 {
		t.Errorf("reminded %d times", a.Reminded+b.Reminded)
	}
	e.Drain()
	if n := len(e.TemplatesTo("o-ks")); n != 2 { // the new lead, then the reminder
		t.Errorf("contact got %d messages", n)
	}
}
