package handlers

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
)

// The 待办 home: what a county contact (or the city) has to do now, most
// urgent first, each application with its contact deadline computed from
// the SLA worker's calendar when the page is shown.

// todoLimit bounds the open applications the home reads.
const todoLimit = 500

// leadRow is an application as lists show it: with its deadline.
type leadRow struct {
	domain.Lead
	Due leads.Deadline
	now time.Time
}

// DueText says where the application stands against its deadline.
func (r leadRow) DueText() string {
	d := r.Due
	switch d.State {
	case leads.DueOverdue:
		s := "已超时 " + leads.Span(d.Left)
		if d.Escalated(r.now) {
			s += "，已超4个工作日"
		}
		return s
	case leads.DueSoon:
		return "即将到期，剩余 " + leads.Span(d.Left)
	case leads.DueNew:
		return "剩余 " + leads.Span(d.Left)
	case leads.DueMet:
		return "已按时受理"
	case leads.DueLate:
		return "超时受理"
	}
	return "无需受理"
}

// DueDay is the last day to contact the enterprise, as people say it.
func (r leadRow) DueDay() string { return "受理时限 " + r.DueDate() }

// DueDate is the last day to contact the enterprise: 12月02日（周三）.
func (r leadRow) DueDate() string {
	last := r.Due.Due.Add(-time.Second).In(domain.Shanghai)
	return last.Format("01月02日") + "（" + weekdays[last.Weekday()] + "）"
}

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// Escalated reports whether the city officers have been (or are being)
// told about the application.
func (r leadRow) Escalated() bool { return r.Due.Escalated(r.now) }

// DueClass is the CSS class of the deadline's badge.
func (r leadRow) DueClass() string {
	switch r.Due.State {
	case leads.DueOverdue, leads.DueLate:
		return "due-over"
	case leads.DueSoon:
		return "due-soon"
	case leads.DueNew:
		return "due-new"
	}
	return "due-done"
}

// rows adds the deadlines to leads.
func (cs *console) rows(ctx context.Context, leads []domain.Lead) ([]leadRow, error) {
	out := make([]leadRow, 0, len(leads))
	if len(leads) == 0 {
		return out, nil
	}
	days, err := cs.Leads.Workdays(ctx)
	if err != nil {
		return nil, err
	}
	now := cs.Now()
	for _, l := range leads {
		out = append(out, leadRow{Lead: l, Due: days.DeadlineOf(l, now), now: now})
	}
	return out, nil
}

// todoGroup is one section of the home.
type todoGroup struct {
	Key   string // overdue, new, soon, open
	Title string
	Hint  string
	Rows  []leadRow
}

type todoData struct {
	Groups []todoGroup
	Total  int
	// Unreceived are the counties without a bound contact: their
	// applications reach nobody there.
	Unreceived []leads.Unreceived
	// Tickets are the enterprises' questions waiting for an answer, for
	// those who answer them.
	Tickets []domain.Ticket
}

// todoGroups sorts open applications into the home's sections: overdue
// (longest overdue first), 待受理, due soon (least time left first), then
// the rest of the open work (oldest first).
func todoGroups(rows []leadRow) []todoGroup {
	groups := []todoGroup{
		{Key: "overdue", Title: "已超时", Hint: "超过2个工作日仍未受理，请立即联系企业"},
		{Key: "new", Title: "待受理", Hint: "新提交的申请，请在2个工作日内联系企业"},
		{Key: "soon", Title: "即将到期", Hint: "已进入受理时限的最后一个工作日，请尽快联系企业"},
		{Key: "open", Title: "办理中", Hint: "已受理、尚未办结的申请"},
	}
	for _, r := range rows {
		i := 3
		switch r.Due.State {
		case leads.DueOverdue:
			i = 0
		case leads.DueNew:
			i = 1
		case leads.DueSoon:
			i = 2
		}
		groups[i].Rows = append(groups[i].Rows, r)
	}
	byDue := func(a, b leadRow) int { return cmp.Or(a.Due.Due.Compare(b.Due.Due), cmp.Compare(a.ID, b.ID)) }
	for i := range groups {
		slices.SortStableFunc(groups[i].Rows, byDue)
	}
	return groups
}

// todoPage: GET /console/ — the 待办 home.
func (cs *console) todoPage(c *gin.Context) {
	ctx := c.Request.Context()
	open, err := cs.Leads.List(ctx, account(c), domain.LeadFilter{OpenOnly: true, Limit: todoLimit})
	if err != nil {
		cs.failPage(c, err)
		return
	}
	rows, err := cs.rows(ctx, open)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	d := todoData{Groups: todoGroups(rows), Total: len(rows)}
	if d.Unreceived, err = cs.Leads.Unreceived(ctx, account(c)); err != nil {
		cs.failPage(c, err)
		return
	}
	if account(c).Can(domain.PermTickets) {
		if d.Tickets, err = cs.Leads.Tickets(ctx, account(c), domain.TicketFilter{Status: domain.TicketOpen}); err != nil {
			cs.failPage(c, err)
			return
		}
	}
	p := cs.newPage(c, "待办", d)
	cs.renderPage(c, http.StatusOK, "todo", p)
}
