package leads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// Tickets: an enterprise's question handed to a person. The chat opens one
// (人工, or a question the bot cannot place, handed on), routed to the
// enterprise's county bureau, whose contacts are notified with a link to the
// ticket; staff answer from the console or the API, and the answer reaches
// the enterprise as a 客服 message within WeChat's 48-hour window, else as
// the status template (the enterprise reads it with 我的问题).

// TicketHoursSetting is the setting with the hours staff answer in, as
// enterprises are told.
const TicketHoursSetting = "ticket_hours"

// maxTicketText bounds what a ticket keeps of one message, in characters
// (the column holds 1024).
const maxTicketText = 1000

// noQuestion is a ticket's question until the enterprise says what it is.
const noQuestion = "（企业请求人工服务，尚未说明问题）"

// defaultTicketHours is said when officers have set no hours.
const defaultTicketHours = "工作日一般4小时内"

// TicketOpenedData is the data of "ticket_opened".
type TicketOpenedData struct {
	Who         string // 吴江区市场监管局苏质融联络员
	When        string // 工作日一般4小时内 / 下一个工作日（12月8日）
	AskQuestion bool   // only a person was asked for: ask what the question is
	InFlow      bool   // a form or the self-check is kept for when the person comes back
	Phone       string // the county bureau's phone, for what cannot wait
}

// TicketsData is the data of "my_tickets".
type TicketsData struct {
	Tickets []TicketLine
}

// TicketLine is one ticket as the enterprise reads it.
type TicketLine struct {
	Number   string
	Status   string
	Question string
	Answers  []domain.TicketMessage
}

// TicketRobotData is the data of "ticket_robot", the WeCom group message
// of a ticket.
type TicketRobotData struct {
	HandedOver                           bool
	Number, County, Enterprise, Question string
}

// TicketAnswerData is the data of "ticket_answer", the 客服 message that
// carries a staff answer.
type TicketAnswerData struct {
	From string
	Text string
}

// TicketNumber is how a ticket is named to people.
func TicketNumber(id uint64) string { return "咨询-" + strconv.FormatUint(id, 10) }

// TicketURL links a notification to the ticket's console page ("" without
// PUBLIC_URL).
func (l *Service) TicketURL(id uint64) string {
	if l.cfg.PublicURL == "" {
		return ""
	}
	return strings.TrimRight(l.cfg.PublicURL, "/") + "/console/tickets/" + strconv.FormatUint(id, 10)
}

// applyTicket runs a ticket effect of a chat turn.
func (l *Service) applyTicket(ctx context.Context, in dialog.Inbound, st *dialog.State, e dialog.Effect) ([]dialog.Reply, error) {
	switch e := e.(type) {
	case dialog.OpenTicket:
		return l.openTicket(ctx, in, st, e)
	case dialog.AppendTicket:
		err := l.db.AppendTicketMessage(ctx, e.ID, truncateRunes(e.Text, maxTicketText), noQuestion, in.At)
		if errors.Is(err, domain.ErrNotFound) {
			st.Profile.Ticket = 0 // closed by staff: the next handoff opens a new one
			return nil, nil
		}
		return nil, err
	case dialog.ShowTickets:
		return l.showTickets(ctx, in.OpenID)
	case dialog.Chase:
		return l.chase(ctx, in, st, e)
	}
	return nil, fmt.Errorf("unknown effect %T", e)
}

// openTicket stores the question, notifies who answers it and says who
// that is and when to expect an answer.
func (l *Service) openTicket(ctx context.Context, in dialog.Inbound, st *dialog.State, e dialog.OpenTicket) ([]dialog.Reply, error) {
	question := e.Question
	county, enterprise, err := l.db.LatestLeadCounty(ctx, in.OpenID)
	if err != nil {
		return nil, err
	}
	if st.Profile.County != "" {
		county = st.Profile.County
	}
	contacts, robot := []string(nil), ""
	if county != "" {
		if contacts, err = l.db.Contacts(ctx, county); err != nil {
			return nil, err
		}
		if u, err := l.db.RobotURL(ctx, county); err == nil {
			robot = u
		}
	}
	who, phone := "苏州市市场监管局苏质融工作人员", ""
	if c, ok := l.policy().County(county); ok {
		phone = c.Bureau + " " + c.Phone
	}
	if c, ok := l.policy().County(county); ok && len(contacts) > 0 {
		who = c.Name + "市场监管局苏质融联络员"
	} else {
		// No county, or nobody bound in it: the city officers answer.
		if contacts, err = l.OfficerOpenIDs(ctx); err != nil {
			return nil, err
		}
		robot = ""
	}
	text := truncateRunes(question, maxTicketText)
	if text == "" {
		text = noQuestion
	}
	t, err := l.db.CreateTicket(ctx, domain.Ticket{OpenID: in.OpenID, County: county, Question: text,
		EnterpriseName: enterprise, CreatedAt: in.At}, func(t domain.Ticket) ([]domain.Notification, error) {
		return l.ticketMessages(t, contacts, robot)
	})
	if err != nil {
		return nil, err
	}
	st.Profile.Ticket = t.ID
	when, err := l.answerExpected(ctx, in.At)
	if err != nil {
		return nil, err
	}
	replies := []dialog.Reply{{Name: "ticket_opened", Data: TicketOpenedData{Who: who, When: when, AskQuestion: question == "",
		InFlow: e.InFlow, Phone: phone}}}
	if e.Complaint {
		raised, err := l.raiseTicket(ctx, in, t, true)
		if err != nil {
			return nil, err
		}
		replies = append(replies, raised...)
	}
	return replies, nil
}

// answerExpected says when an answer can be expected: the officers' hours
// on a working day between 9:00 and 17:00 China time, else the next
// working day.
func (l *Service) answerExpected(ctx context.Context, at time.Time) (string, error) {
	hours, err := l.db.SettingValue(ctx, TicketHoursSetting)
	if err != nil || hours == "" {
		hours = defaultTicketHours
	}
	days, err := l.Workdays(ctx)
	if err != nil {
		return "", err
	}
	local := at.In(domain.Shanghai)
	if days.IsWorkday(local) && local.Hour() >= 9 && local.Hour() < 17 {
		return hours, nil
	}
	next := local
	if local.Hour() >= 9 || !days.IsWorkday(local) {
		next = local.AddDate(0, 0, 1)
		for !days.IsWorkday(next) {
			next = next.AddDate(0, 0, 1)
		}
	}
	return fmt.Sprintf("现在是非工作时间，将于%d月%d日（%s）上班后尽快回复", next.Month(), next.Day(), weekday(next)), nil
}

func weekday(t time.Time) string {
	return [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}[t.Weekday()]
}

// ticketMessages are the notifications of a new ticket: a template to each
// person who answers it, with a link to the ticket, and the county's robot.
func (l *Service) ticketMessages(t domain.Ticket, openIDs []string, robotURL string) ([]domain.Notification, error) {
	return l.ticketMessagesFor(t, "new", openIDs, robotURL)
}

// ticketMessagesFor are the notifications of a ticket that is new,
// handed over, or unanswered ("remind" its county, "escalate" to the
// officers).
func (l *Service) ticketMessagesFor(t domain.Ticket, what string, openIDs []string, robotURL string) ([]domain.Notification, error) {
	county := "苏州市"
	if c, ok := l.policy().County(t.County); ok {
		county = c.Name
	}
	enterprise := t.EnterpriseName
	if enterprise == "" {
		enterprise = "公众号用户"
	}
	var msgs []domain.Notification
	for _, id := range openIDs {
		last := county
		switch what {
		case "remind":
			last = "超1个工作日未答复，请尽快回复"
		case "escalate":
			last = county + "超2个工作日未答复"
		case "handover":
			last = "转交" + county + "答复"
		case "raise-overdue":
			last = "督办已超期，企业仍未获答复"
		case "rating":
			last = "企业差评，请回访整改"
		}
		if kind, due, ok := strings.Cut(what, ":"); ok && (kind == "chase" || kind == "complaint") {
			last = "企业催办，" + due + "前答复"
			if kind == "complaint" {
				last = "企业投诉，" + due + "前答复"
			}
		}
		m, err := templateMessage(id, l.cfg.TemplateNewNeed, map[string]string{
			FieldNumber: TicketNumber(t.ID), FieldEnterprise: enterprise, FieldKind: "人工咨询：" + t.Question,
			FieldTime: t.CreatedAt.In(domain.Shanghai).Format("2006-01-02 15:04"), FieldCounty: last,
		}, fmt.Sprintf("ticket:%d:%s:%d:%s", t.ID, what, t.CreatedAt.Unix(), id), l.TicketURL(t.ID))
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	if robotURL != "" {
		text, err := l.replies.Render(dialog.Reply{Name: "ticket_robot", Data: TicketRobotData{
			HandedOver: what == "handover", Number: TicketNumber(t.ID), County: county, Enterprise: enterprise,
			Question: truncateRunes(t.Question, 200),
		}})
		if err != nil {
			return nil, err
		}
		payload, _ := json.Marshal(map[string]string{"markdown": text})
		msgs = append(msgs, domain.Notification{Channel: ChannelRobot, Recipient: robotURL,
			DedupeKey: fmt.Sprintf("ticket:%d:%s:%d:robot", t.ID, what, t.CreatedAt.Unix()), Payload: string(payload)})
	}
	return msgs, nil
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// showTickets answers 我的问题 with the follower's latest questions and
// their answers.
func (l *Service) showTickets(ctx context.Context, openID string) ([]dialog.Reply, error) {
	list, err := l.db.TicketsOf(ctx, openID, 3)
	if err != nil {
		return nil, err
	}
	d := TicketsData{}
	for _, t := range list {
		line := TicketLine{Number: TicketNumber(t.ID), Status: domain.TicketStatusLabel(t.Status), Question: truncateRunes(t.Question, 60)}
		for _, m := range t.Messages {
			if m.FromStaff && m.Via != domain.TicketViaNote {
				line.Answers = append(line.Answers, m)
			}
		}
		d.Tickets = append(d.Tickets, line)
	}
	return []dialog.Reply{{Name: "my_tickets", Data: d}}, nil
}

// Tickets lists the tickets the account may see: a county account its own
// county's.
func (l *Service) Tickets(ctx context.Context, acc domain.Account, f domain.TicketFilter) ([]domain.Ticket, error) {
	if err := acc.Require(domain.PermTickets); err != nil {
		return nil, err
	}
	if f.Status != "" && domain.TicketStatusLabel(f.Status) == f.Status {
		return nil, domain.Errorf(domain.ErrInvalid, "未知的状态“%s”", f.Status)
	}
	if acc.Role == domain.RoleCounty {
		if f.County != "" && f.County != acc.County {
			return []domain.Ticket{}, nil
		}
		f.County = acc.County
	}
	return l.db.Tickets(ctx, f, 200)
}

// WithMessages fills the messages of tickets the account listed.
func (l *Service) WithMessages(ctx context.Context, list []domain.Ticket) error {
	return l.db.FillTicketMessages(ctx, list)
}

// Ticket returns a ticket with its messages, when the account may see it;
// another county's ticket is not found.
func (l *Service) Ticket(ctx context.Context, acc domain.Account, id uint64) (domain.Ticket, error) {
	if err := acc.Require(domain.PermTickets); err != nil {
		return domain.Ticket{}, err
	}
	t, err := l.db.Ticket(ctx, id)
	if err != nil {
		return domain.Ticket{}, err
	}
	if acc.Role == domain.RoleCounty && t.County != acc.County {
		return domain.Ticket{}, domain.ErrNotFound
	}
	return t, nil
}

// AnswerTicket sends a staff answer to the enterprise: a 客服 message while
// WeChat's 48-hour window is open (the status template if WeChat refuses
// it), else the status template, which tells the enterprise to read it with
// 我的问题. The answer, how it was sent and when are kept on the ticket,
// and the operations log says who answered what.
func (l *Service) AnswerTicket(ctx context.Context, acc domain.Account, id uint64, text string) (domain.TicketMessage, error) {
	t, err := l.Ticket(ctx, acc, id)
	if err != nil {
		return domain.TicketMessage{}, err
	}
	text = strings.TrimSpace(text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return domain.TicketMessage{}, domain.Errorf(domain.ErrInvalid, "回复内容不能为空")
	case n > domain.MaxTicketReply:
		return domain.TicketMessage{}, domain.Errorf(domain.ErrInvalid, "回复不能超过%d字（现为%d字），请分条回复", domain.MaxTicketReply, n)
	}
	now := l.now()
	from := "苏州市市场监管局"
	if c, ok := l.policy().County(t.County); ok && acc.Role == domain.RoleCounty {
		from = c.Name + "市场监管局"
	}
	tm := templateData(t.OpenID, l.cfg.TemplateStatus, map[string]string{
		FieldNumber: TicketNumber(t.ID), FieldStatus: "已回复", FieldNote: "请回复“我的问题”查看答复",
		FieldTime: now.In(domain.Shanghai).Format("2006-01-02 15:04"),
	})
	key := fmt.Sprintf("ticket:%d:answer:%d", t.ID, now.UnixNano())
	m := domain.TicketMessage{Author: staffName(acc), Text: text, CreatedAt: now, Via: domain.TicketViaTemplate}
	msg := domain.Notification{Channel: ChannelTemplate, Recipient: t.OpenID, DedupeKey: key}
	seen, err := l.sessions.LastSeen(ctx, t.OpenID)
	if err != nil {
		l.log.Warn("last seen unknown; answering by template", slog.Any("error", err))
	}
	if err == nil && !seen.IsZero() && now.Sub(seen) < KFWindow {
		content, err := l.replies.Render(dialog.Reply{Name: "ticket_answer", Data: TicketAnswerData{From: from, Text: text}})
		if err != nil {
			return domain.TicketMessage{}, err
		}
		payload, err := json.Marshal(textPayload{Content: content, Fallback: &tm})
		if err != nil {
			return domain.TicketMessage{}, err
		}
		msg.Channel, msg.Payload, m.Via = ChannelText, string(payload), domain.TicketViaText
	} else {
		payload, err := json.Marshal(tm)
		if err != nil {
			return domain.TicketMessage{}, err
		}
		msg.Payload = string(payload)
	}
	saved, err := l.db.AnswerTicket(ctx, t.ID, m, []domain.Notification{msg})
	if err != nil {
		return domain.TicketMessage{}, err
	}
	l.auditTicket(ctx, acc, "回复企业咨询", t, "答复："+truncateRunes(wechat.Mask(text), 80))
	return saved, nil
}

// CloseTicket closes a ticket: the enterprise's next 人工 opens a new one.
func (l *Service) CloseTicket(ctx context.Context, acc domain.Account, id uint64) error {
	t, err := l.Ticket(ctx, acc, id)
	if err != nil {
		return err
	}
	if acc.Role == domain.RoleViewer {
		return domain.Errorf(domain.ErrForbidden, "只读账号不能关闭企业的问题")
	}
	if err := l.db.CloseTicket(ctx, id, l.now()); err != nil {
		return err
	}
	l.auditTicket(ctx, acc, "关闭企业咨询", t, "")
	return nil
}

func (l *Service) auditTicket(ctx context.Context, acc domain.Account, action string, t domain.Ticket, summary string) {
	err := l.db.Audit(ctx, domain.AuditEntry{
		Actor: acc.Username, Role: acc.Role, Method: "POST", Route: "/console/tickets/:id", Status: 200, At: l.now(),
		Who: staffName(acc) + "（" + l.unitOf(acc) + "）", Action: action, Object: TicketNumber(t.ID), Summary: summary,
	})
	if err != nil {
		l.log.Error("audit entry not recorded", slog.String("action", action), slog.Any("error", err))
	}
}

// staffName is the name staff are shown by: the person's, else the
// account's.
func staffName(acc domain.Account) string {
	if acc.Name != "" {
		return acc.Name
	}
	return acc.Username
}

// unitOf is the bureau an account works for.
func (l *Service) unitOf(acc domain.Account) string {
	if c, ok := l.policy().County(acc.County); ok && acc.Role == domain.RoleCounty {
		return c.Name + "市场监管局"
	}
	return "市局"
}

// LeadsOfFollower returns the applications and needs a follower filed,
// those the account may see, for the ticket page.
func (l *Service) LeadsOfFollower(ctx context.Context, acc domain.Account, openID string) ([]domain.Lead, error) {
	if err := acc.Require(domain.PermTickets); err != nil {
		return nil, err
	}
	f := domain.LeadFilter{OpenID: openID, Limit: 10}
	if acc.Role == domain.RoleCounty {
		f.County = acc.County
	}
	return l.db.Leads(ctx, f)
}

// Ticket deadlines, in working days after the day a ticket reached its
// county, while no one has answered it.
const (
	TicketRemindAfter   = 1 // the county's contacts are reminded
	TicketEscalateAfter = 2 // the city officers are told
)

// checkTickets reminds the county's contacts of the tickets unanswered
// TicketRemindAfter working days after they reached the county, and tells
// the city officers after TicketEscalateAfter; each once.
func (s *SLA) checkTickets(ctx context.Context, now time.Time, days *Workdays) (SLAResult, error) {
	var res SLAResult
	l := s.leads
	due, err := l.db.OverdueTickets(ctx, now.Add(-12*time.Hour))
	if err != nil {
		return res, fmt.Errorf("sla: %w", err)
	}
	raised, err := l.db.OverdueRaisedTickets(ctx, now)
	if err != nil {
		return res, fmt.Errorf("sla: %w", err)
	}
	for _, r := range raised {
		t := domain.Ticket{ID: r.ID, OpenID: r.OpenID, County: r.County, Question: r.Question, EnterpriseName: r.EnterpriseName, CreatedAt: r.RaisedAt}
		officers, err := l.OfficerOpenIDs(ctx)
		if err != nil {
			return res, fmt.Errorf("sla: %w", err)
		}
		msgs, err := l.ticketMessagesFor(t, "raise-overdue", officers, "")
		if err != nil {
			return res, err
		}
		set, err := l.db.MarkTicket(ctx, t.ID, domain.MarkRaiseOverdue, now, msgs)
		if err != nil {
			return res, fmt.Errorf("sla ticket %d: %w", t.ID, err)
		}
		if set {
			res.RaisedOverdue++
		}
	}
	for _, r := range due {
		t := domain.Ticket{ID: r.ID, OpenID: r.OpenID, County: r.County, Question: r.Question, EnterpriseName: r.EnterpriseName, CreatedAt: r.RoutedAt}
		if r.RemindedAt.IsZero() && !now.Before(days.Deadline(r.RoutedAt, TicketRemindAfter)) && t.County != "" {
			contacts, err := l.db.Contacts(ctx, t.County)
			if err != nil {
				return res, fmt.Errorf("sla ticket %d: %w", t.ID, err)
			}
			msgs, err := l.ticketMessagesFor(t, "remind", contacts, "")
			if err != nil {
				return res, err
			}
			set, err := l.db.MarkTicket(ctx, t.ID, domain.MarkReminded, now, msgs)
			if err != nil {
				return res, fmt.Errorf("sla ticket %d: %w", t.ID, err)
			}
			if set {
				res.TicketsReminded++
			}
		}
		if r.EscalatedAt.IsZero() && !now.Before(days.Deadline(r.RoutedAt, TicketEscalateAfter)) {
			officers, err := l.OfficerOpenIDs(ctx)
			if err != nil {
				return res, fmt.Errorf("sla: %w", err)
			}
			msgs, err := l.ticketMessagesFor(t, "escalate", officers, "")
			if err != nil {
				return res, err
			}
			set, err := l.db.MarkTicket(ctx, t.ID, domain.MarkEscalated, now, msgs)
			if err != nil {
				return res, fmt.Errorf("sla ticket %d: %w", t.ID, err)
			}
			if set {
				res.TicketsEscalated++
			}
		}
	}
	return res, nil
}

// HandOverTicket hands a ticket to another county: officers may move any,
// a county account its own. The new county's contacts are notified and its
// reminders start again; the conversation records the handover.
func (l *Service) HandOverTicket(ctx context.Context, acc domain.Account, id uint64, county string) (domain.Ticket, error) {
	t, err := l.Ticket(ctx, acc, id)
	if err != nil {
		return domain.Ticket{}, err
	}
	to, ok := l.policy().County(county)
	if !ok {
		return domain.Ticket{}, domain.Errorf(domain.ErrInvalid, "请选择要转交的县级市（区）")
	}
	if county == t.County {
		return domain.Ticket{}, domain.Errorf(domain.ErrInvalid, "该咨询已在%s", to.Name)
	}
	from := "市局"
	if c, ok := l.policy().County(t.County); ok {
		from = c.Name
	}
	contacts, err := l.db.Contacts(ctx, county)
	if err != nil {
		return domain.Ticket{}, err
	}
	robot := ""
	if u, err := l.db.RobotURL(ctx, county); err == nil {
		robot = u
	}
	if len(contacts) == 0 {
		// No one bound there: the officers hear of it, as with a new ticket.
		if contacts, err = l.OfficerOpenIDs(ctx); err != nil {
			return domain.Ticket{}, err
		}
		robot = ""
	}
	now := l.now()
	moved := t
	moved.County, moved.CreatedAt = county, now
	msgs, err := l.ticketMessagesFor(moved, "handover", contacts, robot)
	if err != nil {
		return domain.Ticket{}, err
	}
	note := fmt.Sprintf("%s将咨询由%s转交%s", staffName(acc), from, to.Name)
	if err := l.db.HandOverTicket(ctx, t.ID, county, note, now, msgs); err != nil {
		return domain.Ticket{}, err
	}
	l.auditTicket(ctx, acc, "转交企业咨询", t, from+"→"+to.Name)
	return l.db.Ticket(ctx, t.ID)
}
