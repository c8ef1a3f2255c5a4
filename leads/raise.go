package leads

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// RaiseWithin is the officers' own deadline, in working days, for a ticket
// or an application the enterprise chased (催一下) or complained of.
const RaiseWithin = 1

// RaisedData is the data of "raised": what the enterprise is told after 催一下
// or a complaint.
type RaisedData struct {
	Number    string // 咨询-12 or SZR-…
	Due       string // 12月8日（周二）
	Again     bool   // already raised, its deadline still running
	Complaint bool
	Lead      bool // an application, not a question
}

// chase raises the follower's open ticket, else its latest open
// application, to the city officers with a deadline of their own.
func (l *Service) chase(ctx context.Context, in dialog.Inbound, st *dialog.State, e dialog.Chase) ([]dialog.Reply, error) {
	t, err := l.db.OpenTicketOf(ctx, in.OpenID)
	switch {
	case err == nil:
		st.Profile.Ticket = t.ID
		return l.raiseTicket(ctx, in, t, e.Complaint)
	case !errors.Is(err, domain.ErrNotFound):
		return nil, err
	}
	leads, err := l.db.Leads(ctx, domain.LeadFilter{OpenID: in.OpenID, Limit: 10})
	if err != nil {
		return nil, err
	}
	for _, lead := range leads {
		if lead.Open() {
			return l.raiseLead(ctx, in, lead, e.Complaint)
		}
	}
	if e.Complaint {
		// Nothing open: the complaint becomes a question for a person.
		return l.openTicket(ctx, in, st, dialog.OpenTicket{Question: e.Text, Complaint: true})
	}
	return []dialog.Reply{{Name: "nothing_to_chase"}}, nil
}

// raiseDue returns the officers' deadline for what is raised at at, and
// how the enterprise reads it.
func (l *Service) raiseDue(ctx context.Context, at time.Time) (time.Time, string, error) {
	days, err := l.Workdays(ctx)
	if err != nil {
		return time.Time{}, "", err
	}
	due := days.Deadline(at, RaiseWithin)
	last := due.Add(-time.Second).In(domain.Shanghai)
	return due, fmt.Sprintf("%d月%d日（%s）", last.Month(), last.Day(), weekday(last)), nil
}

// raiseTicket raises a ticket to the city officers: they are notified with
// the link, the conversation notes it and the operations log records it.
// A ticket raised within its deadline is not raised again.
func (l *Service) raiseTicket(ctx context.Context, in dialog.Inbound, t domain.Ticket, complaint bool) ([]dialog.Reply, error) {
	due, dueText, err := l.raiseDue(ctx, in.At)
	if err != nil {
		return nil, err
	}
	officers, err := l.OfficerOpenIDs(ctx)
	if err != nil {
		return nil, err
	}
	what, action := "chase", "企业催办"
	if complaint {
		what, action = "complaint", "企业投诉"
	}
	raised := t
	raised.CreatedAt = in.At
	msgs, err := l.ticketMessagesFor(raised, what+":"+dueText, officers, "")
	if err != nil {
		return nil, err
	}
	note := fmt.Sprintf("%s，已提请市局督办，须于%s前答复", action, dueText)
	set, err := l.db.RaiseTicket(ctx, t.ID, note, in.At, due, msgs)
	if errors.Is(err, domain.ErrNotFound) {
		return []dialog.Reply{{Name: "nothing_to_chase"}}, nil
	}
	if err != nil {
		return nil, err
	}
	if set {
		l.auditChat(ctx, in, l.enterpriseWho(t.EnterpriseName), action, TicketNumber(t.ID), "", "", "市局须于"+dueText+"前答复")
	} else if !t.RaiseDue.IsZero() {
		last := t.RaiseDue.Add(-time.Second).In(domain.Shanghai)
		dueText = fmt.Sprintf("%d月%d日（%s）", last.Month(), last.Day(), weekday(last))
	}
	return []dialog.Reply{{Name: "raised", Data: RaisedData{Number: TicketNumber(t.ID), Due: dueText, Again: !set, Complaint: complaint}}}, nil
}

// raiseLead raises an open application to the city officers, at most once
// a day: they are notified with its link and the operations log records it.
func (l *Service) raiseLead(ctx context.Context, in dialog.Inbound, lead domain.Lead, complaint bool) ([]dialog.Reply, error) {
	_, dueText, err := l.raiseDue(ctx, in.At)
	if err != nil {
		return nil, err
	}
	officers, err := l.OfficerOpenIDs(ctx)
	if err != nil {
		return nil, err
	}
	action := "企业催办"
	if complaint {
		action = "企业投诉"
	}
	county := "苏州市"
	if c, ok := l.policy().County(lead.County); ok {
		county = c.Name
	}
	day := in.At.In(domain.Shanghai).Format("20060102")
	var msgs []domain.Notification
	for _, id := range officers {
		m, err := templateMessage(id, l.cfg.TemplateNewNeed, map[string]string{
			FieldNumber: lead.Number, FieldEnterprise: lead.EnterpriseName,
			FieldKind: action + "：" + domain.LeadKindLabel(lead.Kind) + "（" + domain.StatusLabel(lead.Status) + "）",
			FieldTime: in.At.In(domain.Shanghai).Format("2006-01-02 15:04"), FieldCounty: county + "，" + dueText + "前跟进",
		}, fmt.Sprintf("lead:%d:raise:%s:%s", lead.ID, day, id), l.LeadURL(lead))
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	fresh, err := l.db.EnqueueNew(ctx, msgs, in.At)
	if err != nil {
		return nil, err
	}
	if fresh {
		l.auditChat(ctx, in, l.enterpriseWho(lead.EnterpriseName), action, lead.Number, "", "", "市局须于"+dueText+"前跟进")
	}
	return []dialog.Reply{{Name: "raised", Data: RaisedData{Number: lead.Number, Due: dueText, Again: !fresh, Complaint: complaint, Lead: true}}}, nil
}

// enterpriseWho names the enterprise in the operations log.
func (l *Service) enterpriseWho(name string) string {
	if name == "" {
		return "企业（公众号用户）"
	}
	return "企业（" + name + "）"
}
