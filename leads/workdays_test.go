package leads_test

import (
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, domain.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWorkdays(t *testing.T) {
	t.Parallel()
	w, err := leads.NewWorkdays(`{"2026-12-31":"off","2026-12-26":"work"}`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		date string
		work bool
	}{
		{"2026-11-27", true},  // Friday
		{"2026-11-28", false}, // Saturday
		{"2026-11-29", false}, // Sunday
		{"2026-10-01", false}, // 国庆节
		{"2026-10-07", false}, // 国庆节
		{"2026-10-08", true},
		{"2026-09-20", true},  // Sunday, 调休 make-up day for 国庆节
		{"2026-10-10", true},  // Saturday, 调休 make-up day
		{"2026-02-16", false}, // 春节
		{"2026-12-31", false}, // override: off
		{"2026-12-26", true},  // override: a Saturday worked
	}
	for _, tt := range tests {
		if got := w.IsWorkday(day(tt.date + " 10:00")); got != tt.work {
			t.Errorf("%s: working %v, want %v", tt.date, got, tt.work)
		}
	}
	// 2026-09-30 16:00 UTC is already 10-01 in Shanghai.
	if w.IsWorkday(time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC)) {
		t.Error("the domain.Shanghai date must be used")
	}
}

func TestWorkdaysDeadline(t *testing.T) {
	t.Parallel()
	w, _ := leads.NewWorkdays(`{"2026-12-01":"off"}`)
	plain, _ := leads.NewWorkdays("")
	tests := []struct {
		w        *leads.Workdays
		from     string
		n        int
		deadline string
	}{
		{plain, "2026-11-25 10:00", 2, "2026-11-28 00:00"}, // Wed → Thu, Fri
		{plain, "2026-11-27 10:00", 2, "2026-12-02 00:00"}, // Fri → Mon, Tue (weekend skipped)
		{plain, "2026-11-28 10:00", 2, "2026-12-02 00:00"}, // filed on Saturday
		{plain, "2026-11-27 10:00", 4, "2026-12-04 00:00"},
		{w, "2026-11-27 10:00", 2, "2026-12-03 00:00"},     // override: Tue 12-01 off
		{plain, "2026-09-30 10:00", 2, "2026-10-10 00:00"}, // 国庆节 Oct 1–7 skipped: Oct 8, 9
		{plain, "2026-09-30 10:00", 4, "2026-10-13 00:00"}, // Sat Oct 10 is worked: Oct 8, 9, 10, 12
	}
	for _, tt := range tests {
		if got := tt.w.Deadline(day(tt.from), tt.n); !got.Equal(day(tt.deadline)) {
			t.Errorf("%s + %d: %s, want %s", tt.from, tt.n, got.In(domain.Shanghai).Format("2006-01-02 15:04"), tt.deadline)
		}
	}
}

func TestWorkdaysBadOverrides(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{`{`, `{"2026-13-01":"off"}`, `{"2026-12-31":"holiday"}`} {
		if _, err := leads.NewWorkdays(raw); err == nil {
			t.Errorf("%s accepted", raw)
		}
	}
}
