package leads

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// Follow-up notes, status corrections and the names behind actors: what a
// county contact and the city need to work an application from a phone.

// Note kinds: a follow-up without a status change.
var noteKinds = map[string]string{"phone": "电话", "visit": "走访", "other": "其他"}

// NoteKindLabel returns the name people read for a note kind.
func NoteKindLabel(kind string) string {
	if l, ok := noteKinds[kind]; ok {
		return l
	}
	return kind
}

// RejectReasons are the common reasons an application is not passed; the
// console offers them beside free text.
var RejectReasons = []string{
	"不符合企业库范围（注册地、独立法人等条件）",
	"近三年有安全生产、环保或税务方面的处罚",
	"企业经营状况不符合要求",
	"金融机构审核未通过",
	"企业已放弃或已通过其他渠道解决",
	"材料不全，经联系仍未补充",
	"多次联系不上企业",
}

// Note is a follow-up note as pages show it.
type Note struct {
	domain.LeadNote
	KindLabel string
}

// AddNote records a follow-up note (phone, visit, other) on a lead the
// account may work; the status does not change. With send, the note also
// reaches the enterprise as a message (a 客服 text within 48 h of its last
// message, else the status template), and is marked as sent.
func (l *Service) AddNote(ctx context.Context, acc domain.Account, ref, kind, text string, send bool) (domain.Lead, error) {
	if err := acc.Require(domain.PermLeadsWrite); err != nil {
		return domain.Lead{}, err
	}
	if _, ok := noteKinds[kind]; !ok {
		return domain.Lead{}, domain.Errorf(domain.ErrInvalid, "请选择跟进方式：电话、走访或其他")
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return domain.Lead{}, domain.Errorf(domain.ErrInvalid, "请填写跟进情况")
	}
	if utf8.RuneCountInString(text) > 500 {
		return domain.Lead{}, domain.Errorf(domain.ErrInvalid, "跟进情况不能超过500字")
	}
	lead, err := l.Lead(ctx, acc, ref)
	if err != nil {
		return domain.Lead{}, err
	}
	now := l.now()
	if !send {
		return lead, l.db.AddLeadNote(ctx, lead.ID, kind, text, "account:"+acc.Username, now)
	}
	if lead.OpenID == "" {
		return domain.Lead{}, domain.Errorf(domain.ErrInvalid, "该申请没有关联的微信用户，跟进情况无法发给企业；请取消勾选“同时发给企业”")
	}
	notify := l.notifyEnterprise(ctx, lead.OpenID, now)
	return lead, l.db.SendLeadNote(ctx, lead.ID, kind, text, "account:"+acc.Username, now, func(noteID uint64) ([]domain.Notification, error) {
		// The note travels as an event of the lead's current status, under
		// an id no event has (the dedupe key is built from it).
		return notify(lead, domain.LeadEvent{ID: 1<<61 + noteID, Status: lead.Status, Actor: "account:" + acc.Username,
			Note: l.bureauOf(lead) + "：" + text, CreatedAt: now})
	})
}

// bureauOf names who writes to the enterprise about its lead.
func (l *Service) bureauOf(lead domain.Lead) string {
	if c, ok := l.policy().County(lead.County); ok && c.Bureau != "" {
		return c.Bureau
	}
	return l.bureau(lead.County)
}

// Notes returns a lead's follow-up notes, oldest first.
func (l *Service) Notes(ctx context.Context, lead domain.Lead) ([]Note, error) {
	rows, err := l.db.LeadNotes(ctx, lead.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Note, 0, len(rows))
	for _, r := range rows {
		out = append(out, Note{LeadNote: r, KindLabel: NoteKindLabel(r.Kind)})
	}
	return out, nil
}

// Correct sets a wrong status right: officers only, with a reason, recorded
// as an event ("状态更正"). The enterprise is not notified again.
func (l *Service) Correct(ctx context.Context, acc domain.Account, ref, to, reason string) (domain.Lead, error) {
	if err := acc.Require(domain.PermLeadsCorrect); err != nil {
		return domain.Lead{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return domain.Lead{}, domain.Errorf(domain.ErrInvalid, "请填写更正的原因")
	}
	if utf8.RuneCountInString(reason) > 200 {
		return domain.Lead{}, domain.Errorf(domain.ErrInvalid, "更正原因不能超过200字")
	}
	lead, err := l.Lead(ctx, acc, ref)
	if err != nil {
		return domain.Lead{}, err
	}
	if !domain.StatusFits(lead.Kind, to) {
		return domain.Lead{}, domain.Errorf(domain.ErrInvalid, "%s不适用“%s”状态", domain.LeadKindLabel(lead.Kind), domain.StatusLabel(to))
	}
	if to == lead.Status {
		return domain.Lead{}, domain.Errorf(domain.ErrInvalid, "该申请已是“%s”，无需更正", domain.StatusLabel(to))
	}
	if to == domain.StatusDisbursed {
		return domain.Lead{}, domain.Errorf(domain.ErrInvalid, "放款须登记金额，请先更正为“已签约”，再登记放款")
	}
	note := "状态更正（原为“" + domain.StatusLabel(lead.Status) + "”）：" + reason
	// Back to 已提交 it waits for its first contact again (the SLA
	// applies); to a status of work it was contacted, now if not before.
	m := domain.LeadMove{LeadID: lead.ID, From: lead.Status, Steps: []domain.LeadStep{{Status: to, Note: note}},
		Actor: "account:" + acc.Username, At: l.now(), Uncontacted: to == domain.StatusSubmitted,
		Contacted: to != domain.StatusSubmitted && to != domain.StatusRejected && to != domain.StatusWithdrawn}
	moved, err := l.db.RecordMove(ctx, m, nil)
	if errors.Is(err, domain.ErrDuplicate) {
		return domain.Lead{}, domain.Errorf(domain.ErrDuplicate, "该企业已有一件未办结的同类申请，不能把这件改回办理中")
	}
	return moved.Lead, err
}

// Actor names who did something, as people read it: a bound contact as
// “张琳（昆山市局）”, an account by its name and bureau, never an openid.
type Actor struct {
	Name    string // 张琳（昆山市局）
	Account string // "account:<username>" for console accounts, else ""
}

// Actors returns a function naming the actors of a lead's history.
func (l *Service) Actors(ctx context.Context) (func(actor string) Actor, error) {
	contacts, err := l.db.AllContacts(ctx)
	if err != nil {
		return nil, err
	}
	byOpenID := map[string]domain.Contact{}
	for _, c := range contacts {
		if _, ok := byOpenID[c.OpenID]; !ok || c.Name != "" {
			byOpenID[c.OpenID] = c
		}
	}
	specialists, err := l.db.SpecialistNames(ctx)
	if err != nil {
		return nil, err
	}
	accounts := map[string]domain.Account{}
	return func(actor string) Actor {
		kind, id, _ := strings.Cut(actor, ":")
		switch kind {
		case "wechat":
			if c, ok := byOpenID[id]; ok {
				return Actor{Name: l.contactName(c)}
			}
			return Actor{Name: "县区联系人（微信）"}
		case "enterprise":
			return Actor{Name: "企业"}
		case "system":
			return Actor{Name: "系统"}
		case "account":
			a, ok := accounts[id]
			if !ok {
				a, _ = l.db.AccountByUsername(ctx, id)
				accounts[id] = a
			}
			if c, ok := byOpenID[a.OpenID]; ok && a.OpenID != "" && c.Name != "" {
				return Actor{Name: l.contactName(c), Account: actor}
			}
			name := id
			if a.Name != "" {
				name = a.Name
			} else if sp := specialists[a.OpenID]; a.OpenID != "" && sp != "" {
				// An account made by a specialist's WeChat sign-in (wx-1):
				// the person is the specialist.
				name = sp
			} else if a.OpenID != "" && a.Role == domain.RoleCounty {
				// A contact's WeChat sign-in (wx-1) before they gave a name.
				name = "微信联系人"
			}
			switch {
			case a.Role == domain.RoleCounty:
				return Actor{Name: name + "（" + l.bureau(a.County) + "）", Account: actor}
			case a.Role == domain.RoleOfficer:
				return Actor{Name: name + "（市局）", Account: actor}
			case a.Role == domain.RoleInstitution:
				return Actor{Name: name + "（合作金融机构）", Account: actor}
			}
			return Actor{Name: name, Account: actor}
		}
		if actor == "" {
			return Actor{Name: "系统"}
		}
		return Actor{Name: actor}
	}, nil
}

// bureau is the short name of a county's bureau: 昆山市局.
func (l *Service) bureau(county string) string {
	if c, ok := l.policy().County(county); ok {
		return c.Name + "局"
	}
	return county
}

func (l *Service) contactName(c domain.Contact) string {
	name := c.Name
	if name == "" {
		name = "联系人"
	}
	return name + "（" + l.bureau(c.County) + "）"
}

// saveContactProfile records a bound contact's name and mobile.
func (l *Service) saveContactProfile(ctx context.Context, in dialog.Inbound, e dialog.SaveContactProfile) ([]dialog.Reply, error) {
	err := l.db.SetContactProfile(ctx, in.OpenID, e.Name, e.Mobile)
	if errors.Is(err, domain.ErrNotFound) {
		return []dialog.Reply{{Name: "contact_profile_unbound"}}, nil
	}
	if err != nil {
		return nil, err
	}
	return []dialog.Reply{{Name: "contact_profile_ok", Data: dialog.ContactProfileData{Name: e.Name, Mobile: e.Mobile}}}, nil
}
