package leads

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Deadline states of an application, as the console shows them.
const (
	DueNew     = "new"     // waiting to be contacted, more than a working day left
	DueSoon    = "soon"    // waiting, on its last working day
	DueOverdue = "overdue" // waiting past RemindAfter working days
	DueMet     = "met"     // contacted in time
	DueLate    = "late"    // contacted, but after the deadline
	DueNone    = "none"    // ended before anyone contacted it
)

// Deadline is an application's contact deadline, computed from the same
// working-day calendar as the SLA worker whenever it is shown, so it is
// right before the SLA job has run.
type Deadline struct {
	State    string
	Due      time.Time     // RemindAfter working days after filing: contact by then
	Escalate time.Time     // EscalateAfter working days: the city officers are told
	Left     time.Duration // until Due (DueNew, DueSoon); past Due (DueOverdue)
}

// Workdays returns the working-day calendar with the officers' overrides,
// the one the SLA worker uses.
func (l *Service) Workdays(ctx context.Context) (*Workdays, error) {
	raw, err := l.db.SettingValue(ctx, SettingWorkdays)
	if err != nil {
		return nil, err
	}
	return NewWorkdays(raw)
}

// DeadlineOf returns lead's contact deadline at now.
func (w *Workdays) DeadlineOf(lead domain.Lead, now time.Time) Deadline {
	d := Deadline{Due: w.Deadline(lead.CreatedAt, RemindAfter), Escalate: w.Deadline(lead.CreatedAt, EscalateAfter)}
	switch {
	case !lead.ContactedAt.IsZero():
		d.State = DueMet
		if lead.ContactedAt.After(d.Due) {
			d.State = DueLate
		}
	case lead.Status != domain.StatusSubmitted:
		d.State = DueNone
	case !now.Before(d.Due):
		d.State, d.Left = DueOverdue, now.Sub(d.Due)
	case !now.Before(w.Deadline(lead.CreatedAt, RemindAfter-1)):
		d.State, d.Left = DueSoon, d.Due.Sub(now)
	default:
		d.State, d.Left = DueNew, d.Due.Sub(now)
	}
	return d
}

// Escalated reports whether an overdue application is past the point where
// the city officers are told.
func (d Deadline) Escalated(now time.Time) bool {
	return d.State == DueOverdue && !now.Before(d.Escalate)
}

// Span writes a duration as people read it: 2天3小时, 5小时, 40分钟.
func Span(d time.Duration) string {
	if d < time.Minute {
		return "不到1分钟"
	}
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	mins := int(d % time.Hour / time.Minute)
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%d天%d小时", days, hours)
	case days > 0:
		return fmt.Sprintf("%d天", days)
	case hours > 0:
		return fmt.Sprintf("%d小时", hours)
	}
	return fmt.Sprintf("%d分钟", mins)
}

// LeadURL is the console page of a lead, for the links in notifications:
// inside WeChat it signs a bound contact in (snsapi_base) and opens the
// application. "" when no public URL is configured.
func (l *Service) LeadURL(lead domain.Lead) string {
	if l.cfg.PublicURL == "" {
		return ""
	}
	return strings.TrimRight(l.cfg.PublicURL, "/") + "/console/leads/" + strconv.FormatUint(lead.ID, 10)
}

// PublicURL is the service's public base URL (PUBLIC_URL).
func (l *Service) PublicURL() string { return strings.TrimRight(l.cfg.PublicURL, "/") }
