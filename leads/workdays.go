package leads

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
	"github.com/suzhou-amr/suzhirong/domain"
)

// SettingWorkdays is the settings key of the working-day overrides: a JSON
// object from date to "off" or "work", e.g. {"2026-12-31":"off"}.
const SettingWorkdays = "workdays_overrides"

// Workdays is China's working-day calendar: Monday to Friday, minus the
// public holidays, plus the make-up working days (调休) on weekends, as
// published by the State Council and carried by lunar-go's HolidayUtil,
// with officer overrides on top.
type Workdays struct {
	overrides map[string]bool // "2006-01-02" → working
}

// NewWorkdays builds the calendar from the overrides setting's JSON value
// ("" for none).
func NewWorkdays(overridesJSON string) (*Workdays, error) {
	w := &Workdays{overrides: map[string]bool{}}
	if overridesJSON == "" {
		return w, nil
	}
	var raw map[string]string
	if err := json.Unmarshal([]byte(overridesJSON), &raw); err != nil {
		return nil, fmt.Errorf("workdays overrides: %w", err)
	}
	for day, v := range raw {
		if _, err := time.Parse("2006-01-02", day); err != nil {
			return nil, fmt.Errorf("workdays overrides: date %q: %w", day, err)
		}
		switch v {
		case "off":
			w.overrides[day] = false
		case "work":
			w.overrides[day] = true
		default:
			return nil, fmt.Errorf("workdays overrides: %s: %q is neither \"off\" nor \"work\"", day, v)
		}
	}
	return w, nil
}

// IsWorkday reports whether the Shanghai date of t is a working day.
func (w *Workdays) IsWorkday(t time.Time) bool {
	d := t.In(domain.Shanghai)
	if v, ok := w.overrides[d.Format("2006-01-02")]; ok {
		return v
	}
	if h := HolidayUtil.GetHolidayByYmd(d.Year(), int(d.Month()), d.Day()); h != nil {
		return h.IsWork()
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Deadline returns when n working days after t have passed: the start
// (Shanghai midnight) of the day after the n-th working day following t's
// date. The day of t itself does not count, so a lead filed on Friday
// afternoon with n = 2 is due by the end of Tuesday.
func (w *Workdays) Deadline(t time.Time, n int) time.Time {
	d := t.In(domain.Shanghai)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, domain.Shanghai)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if w.IsWorkday(day) {
			n--
		}
	}
	return day.AddDate(0, 0, 1)
}
