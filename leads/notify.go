package leads

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// The notifications of the lead pipeline: the outbox channels and the
// template fields, the messages of a county's contacts and robot, and the
// enterprise's status messages.

// KFWindow is how long after a follower's last message a 客服 message may
// be sent; a margin is kept for the time a message waits in the outbox.
const KFWindow = 48*time.Hour - 30*time.Minute

// Outbox channels.
const (
	ChannelTemplate = "template" // WeChat template message; Recipient is an openid
	ChannelText     = "text"     // WeChat 客服 text message; Recipient is an openid
	ChannelRobot    = "robot"    // WeCom group robot markdown; Recipient is the webhook URL
)

// Template message fields. The templates chosen in the account's backend
// (WECHAT_TEMPLATE_*) must have these keys; values are cut to 20 runes and
// carry no colours, as WeChat's rules since 2023-05 require.
//
// New lead, reminder and escalation (WECHAT_TEMPLATE_NEW_LEAD_APPLY/NEED):
// character_string1 number, thing2 enterprise, thing3 kind (and product),
// time4 submitted at, thing5 county or what to do.
// Status change (WECHAT_TEMPLATE_STATUS): character_string1 number,
// phrase2 status, thing3 note or kind, time4 changed at.
const (
	FieldNumber     = "character_string1"
	FieldEnterprise = "thing2"
	FieldKind       = "thing3"
	FieldTime       = "time4"
	FieldCounty     = "thing5"
	FieldStatus     = "phrase2"
	FieldNote       = "thing3"
)

// MaxFieldRunes is WeChat's limit on a template field value.
const MaxFieldRunes = 20

// Truncate cuts s to at most n runes.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// triage is the new-lead template's free field: the amount and term of a
// need, and the county, within the field's 20 characters.
func triage(lead domain.Lead, county string) string {
	if lead.Kind != domain.LeadNeed || lead.AmountWan <= 0 {
		return county
	}
	s := dialog.FormatWan(lead.AmountWan) + "万元"
	if lead.TermMonths > 0 {
		s += "·" + strconv.Itoa(lead.TermMonths) + "个月"
	}
	return s + "·" + county
}

// countyMessages builds the notifications of a county's contacts and robot
// about a lead: what is "new", "remind", "escalate" or "withdrawn".
func (l *Service) countyMessages(lead domain.Lead, what string, openIDs []string, robotURL string) ([]domain.Notification, error) {
	p := l.policy()
	county, _ := p.County(lead.County)
	kind := domain.LeadKindLabel(lead.Kind)
	if pr, ok := p.Product(lead.Product); ok {
		kind += "·" + pr.Name
	}
	last := triage(lead, county.Name)
	switch what {
	case "unrouted":
		last = county.Name + "无联系人，请市局转办"
	case "remind":
		last = "已超2个工作日未受理，请尽快联系"
	case "escalate":
		last = county.Name + "超4个工作日未受理"
	case "withdrawn":
		last = "企业已撤回，无需跟进"
	}
	tmpl := l.cfg.TemplateNewNeed
	if lead.Kind == domain.LeadApply {
		tmpl = l.cfg.TemplateNewApply
	}
	var msgs []domain.Notification
	for _, id := range openIDs {
		m, err := templateMessage(id, tmpl, map[string]string{
			FieldNumber: lead.Number, FieldEnterprise: lead.EnterpriseName, FieldKind: kind,
			FieldTime: lead.CreatedAt.In(domain.Shanghai).Format("2006-01-02 15:04"), FieldCounty: last,
		}, fmt.Sprintf("lead:%d:%s:%s", lead.ID, what, id), l.LeadURL(lead))
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	if robotURL != "" && what != "escalate" && what != "unrouted" {
		text, err := l.replies.Render(dialog.Reply{Name: "lead_robot", Data: LeadRobotData{
			What: what, Lead: lead, KindLabel: kind, County: county.Name,
		}})
		if err != nil {
			return nil, err
		}
		payload, _ := json.Marshal(map[string]string{"markdown": text})
		msgs = append(msgs, domain.Notification{Channel: ChannelRobot, Recipient: robotURL,
			DedupeKey: fmt.Sprintf("lead:%d:%s:robot", lead.ID, what), Payload: string(payload)})
	}
	return msgs, nil
}

// templateData builds a template message with every field cut to WeChat's
// 20-character rule.
func templateData(openID, templateID string, data map[string]string) wechat.TemplateMessage {
	for k, v := range data {
		data[k] = Truncate(v, MaxFieldRunes)
	}
	return wechat.TemplateMessage{ToUser: openID, TemplateID: templateID, Data: data}
}

func templateMessage(openID, templateID string, data map[string]string, key, link string) (domain.Notification, error) {
	tm := templateData(openID, templateID, data)
	tm.URL = link
	payload, err := json.Marshal(tm)
	if err != nil {
		return domain.Notification{}, fmt.Errorf("encode template message: %w", err)
	}
	return domain.Notification{Channel: ChannelTemplate, Recipient: openID, DedupeKey: key, Payload: string(payload)}, nil
}

// LeadRobotData is the data of "lead_robot", the WeCom group message.
type LeadRobotData struct {
	What      string // new, remind
	Lead      domain.Lead
	KindLabel string
	County    string
}

// notifyEnterprise returns the notification of a lead's enterprise about a
// status change: a 客服 text when it wrote within 48 h, else a template
// message.
func (l *Service) notifyEnterprise(ctx context.Context, openID string, now time.Time) domain.NotifyFunc {
	text := false
	if openID != "" {
		seen, err := l.sessions.LastSeen(ctx, openID)
		if err != nil {
			// Redis unreachable: a template message reaches the enterprise anyway.
			l.log.Warn("last seen unknown; notifying by template", slog.Any("error", err))
		}
		text = err == nil && !seen.IsZero() && now.Sub(seen) < KFWindow
	}
	return func(lead domain.Lead, ev domain.LeadEvent) ([]domain.Notification, error) {
		if lead.OpenID == "" {
			return nil, nil
		}
		key := fmt.Sprintf("lead:%d:event:%d:enterprise", lead.ID, ev.ID)
		note := ev.Note
		if note == "" {
			note = domain.LeadKindLabel(lead.Kind)
		}
		tm := templateData(lead.OpenID, l.cfg.TemplateStatus, map[string]string{
			FieldNumber: lead.Number, FieldStatus: domain.StatusLabel(ev.Status), FieldNote: note,
			FieldTime: ev.CreatedAt.In(domain.Shanghai).Format("2006-01-02 15:04"),
		})
		if text {
			content, err := l.replies.Render(dialog.Reply{Name: "lead_status_text", Data: l.statusData(lead, ev)})
			if err != nil {
				return nil, err
			}
			payload, err := json.Marshal(textPayload{Content: content, Fallback: &tm})
			if err != nil {
				return nil, fmt.Errorf("encode text message: %w", err)
			}
			return []domain.Notification{{Channel: ChannelText, Recipient: lead.OpenID, DedupeKey: key, Payload: string(payload)}}, nil
		}
		payload, err := json.Marshal(tm)
		if err != nil {
			return nil, fmt.Errorf("encode template message: %w", err)
		}
		return []domain.Notification{{Channel: ChannelTemplate, Recipient: lead.OpenID, DedupeKey: key, Payload: string(payload)}}, nil
	}
}

// LeadStatusData is the data of "lead_status_text", the 客服 message telling
// an enterprise its lead changed.
type LeadStatusData struct {
	Line  LeadLine
	Event EventLine
}

func (l *Service) statusData(lead domain.Lead, ev domain.LeadEvent) LeadStatusData {
	return LeadStatusData{Line: l.line(lead), Event: eventLine(ev)}
}
