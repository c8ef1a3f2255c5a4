package domain

import "time"

// Shanghai is the time zone of months, report periods and quotas.
var Shanghai = time.FixedZone("CST", 8*3600)

// ParseMonth parses "YYYY-MM" into the first instant of that month in
// Asia/Shanghai and the first instant of the next; "" is the month of now.
func ParseMonth(month string, now time.Time) (from, to time.Time, err error) {
	if month == "" {
		month = now.In(Shanghai).Format("2006-01")
	}
	t, perr := time.ParseInLocation("2006-01", month, Shanghai)
	if perr != nil {
		return time.Time{}, time.Time{}, Errorf(ErrInvalid, "月份格式应为 YYYY-MM，如 2026-11")
	}
	return t, t.AddDate(0, 1, 0), nil
}
