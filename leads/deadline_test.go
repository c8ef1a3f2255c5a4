package leads

import (
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
)

func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, domain.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestDeadlineOf(t *testing.T) {
	t.Parallel()
	days, _ := NewWorkdays("")
	filed := cst("2026-11-23 10:00") // a Monday; the 2nd working day after it ends on Wednesday
	waiting := domain.Lead{Status: domain.StatusSubmitted, CreatedAt: filed}
	for _, c := range []struct {
		name  string
		lead  domain.Lead
		now   string
		state string
		left  time.Duration
	}{
		{"just filed", waiting, "2026-11-23 10:00", DueNew, 62 * time.Hour},
		{"next day", waiting, "2026-11-24 18:00", DueNew, 30 * time.Hour},
		{"last working day", waiting, "2026-11-25 09:00", DueSoon, 15 * time.Hour},
		{"an hour late", waiting, "2026-11-26 01:00", DueOverdue, time.Hour},
		{"contacted in time", domain.Lead{Status: domain.StatusContacted, CreatedAt: filed, ContactedAt: cst("2026-11-25 16:00")}, "2026-11-30 10:00", DueMet, 0},
		{"contacted late", domain.Lead{Status: domain.StatusReviewing, CreatedAt: filed, ContactedAt: cst("2026-11-27 09:00")}, "2026-11-30 10:00", DueLate, 0},
		{"withdrawn before", domain.Lead{Status: domain.StatusWithdrawn, CreatedAt: filed}, "2026-11-30 10:00", DueNone, 0},
	} {
		d := days.DeadlineOf(c.lead, cst(c.now))
		if d.State != c.state || d.Left != c.left {
			t.Errorf("%s: %s %v, want %s %v", c.name, d.State, d.Left, c.state, c.left)
		}
		if !d.Due.Equal(cst("2026-11-26 00:00")) || !d.Escalate.Equal(cst("2026-11-28 00:00")) {
			t.Errorf("%s: due %v, escalate %v", c.name, d.Due, d.Escalate)
		}
	}
	// Filed on Friday afternoon: the weekend does not count.
	fri := days.DeadlineOf(domain.Lead{Status: domain.StatusSubmitted, CreatedAt: cst("2026-11-27 15:00")}, cst("2026-11-28 12:00"))
	if fri.State != DueNew || !fri.Due.Equal(cst("2026-12-02 00:00")) {
		t.Errorf("friday: %+v", fri)
	}
	// Over the National Day holiday: 2026-09-30 (Wed) filed, 10-01..10-07 off, 10-10 (Sat) a make-up working day.
	hol := days.DeadlineOf(domain.Lead{Status: domain.StatusSubmitted, CreatedAt: cst("2026-09-30 11:00")}, cst("2026-10-06 12:00"))
	if hol.State != DueNew {
		t.Errorf("holiday: %+v (due %s)", hol, hol.Due.In(domain.Shanghai))
	}
	// Escalated after the 4th working day, as the SLA worker does.
	late := days.DeadlineOf(waiting, cst("2026-11-28 08:00"))
	if late.State != DueOverdue || !late.Escalated(cst("2026-11-28 08:00")) || late.Escalated(cst("2026-11-27 23:00")) {
		t.Errorf("escalation: %+v", late)
	}
	// The overrides officers set count as they do for the SLA worker.
	off, _ := NewWorkdays(`{"2026-11-24":"off"}`)
	if d := off.DeadlineOf(waiting, cst("2026-11-26 01:00")); d.State != DueSoon {
		t.Errorf("with Tuesday off: %+v", d)
	}
}

func TestSpan(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		30 * time.Second: "不到1分钟", 40 * time.Minute: "40分钟", 5*time.Hour + 10*time.Minute: "5小时",
		26 * time.Hour: "1天2小时", 48 * time.Hour: "2天",
	} {
		if got := Span(d); got != want {
			t.Errorf("Span(%v) = %q, want %q", d, got, want)
		}
	}
}
