package leads

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// Personal-data rights in the chat (dialog/rights.go): what is kept about
// a follower, its correction, its deletion or the withdrawal of consent.
// Each is entered in the operations log with the follower's openid masked.

// MyData is the data of "my_data": what is kept about the follower.
type MyData struct {
	TierLabel string   // the self-check's tier, "" when none
	Criteria  []string // the honours it named
	County    string
	CheckedAt time.Time
	Leads     []MyLead
	Contacts  []MyContact // county contact bindings
	Tickets   int         // questions handed to a person
}

// MyLead is one application as "my_data" shows it.
type MyLead struct {
	Number, KindLabel, StatusLabel, EnterpriseName, CreditCode, Contact, Phone string
}

// MyContact is a county contact binding as "my_data" shows it.
type MyContact struct {
	County, Name, Mobile string
}

// RightsCorrected is the data of "rights_corrected".
type RightsCorrected struct {
	Leads   int64
	Contact bool // the county contact's name and mobile were corrected too
}

// RightsErased is the data of "rights_erased".
type RightsErased struct {
	Withdraw  bool // consent withdrawn rather than deletion asked
	Withdrawn int  // open applications withdrawn
	Kept      int64
}

const rightsWho = "企业微信用户"

func (l *Service) showMyData(ctx context.Context, in dialog.Inbound) ([]dialog.Reply, error) {
	p := l.policy()
	prof, err := l.db.Profile(ctx, in.OpenID)
	if err != nil {
		return nil, err
	}
	var d MyData
	if prof.Tier != 0 {
		d.TierLabel, d.CheckedAt = prof.Tier.Label(), prof.CheckedAt
		for _, id := range prof.Criteria {
			if c, ok := p.Criterion(id); ok {
				d.Criteria = append(d.Criteria, c.Name)
			}
		}
	}
	if c, ok := p.County(prof.County); ok {
		d.County = c.Name
	}
	own, err := l.db.Leads(ctx, domain.LeadFilter{OpenID: in.OpenID, Limit: 50})
	if err != nil {
		return nil, err
	}
	for _, ld := range own {
		d.Leads = append(d.Leads, MyLead{Number: ld.Number, KindLabel: domain.LeadKindLabel(ld.Kind), StatusLabel: domain.StatusLabel(ld.Status),
			EnterpriseName: ld.EnterpriseName, CreditCode: ld.CreditCode, Contact: ld.Contact, Phone: ld.Phone})
	}
	contacts, err := l.db.ContactsByOpenID(ctx, in.OpenID)
	if err != nil {
		return nil, err
	}
	for _, c := range contacts {
		cc, _ := p.County(c.County)
		d.Contacts = append(d.Contacts, MyContact{County: cc.Name, Name: c.Name, Mobile: c.Mobile})
	}
	tickets, err := l.db.TicketsOf(ctx, in.OpenID, 100)
	if err != nil {
		return nil, err
	}
	d.Tickets = len(tickets)
	l.auditChat(ctx, in, rightsWho, "查阅个人信息", "本人信息", "", "", "")
	return []dialog.Reply{{Name: "my_data", Data: d}}, nil
}

func (l *Service) correctMyData(ctx context.Context, in dialog.Inbound, e dialog.CorrectMyData) ([]dialog.Reply, error) {
	n, err := l.db.CorrectLeadContacts(ctx, in.OpenID, e.Name, e.Mobile, l.now())
	if err != nil {
		return nil, err
	}
	d := RightsCorrected{Leads: n}
	if err := l.db.SetContactProfile(ctx, in.OpenID, e.Name, e.Mobile); err == nil {
		d.Contact = true
	} else if !isNotFound(err) {
		return nil, err
	}
	summary := "更正申请中的联系人和电话" + strconv.FormatInt(n, 10) + "件"
	if d.Contact {
		summary += "，及县区联系人登记的姓名和手机"
	}
	l.auditChat(ctx, in, rightsWho, "更正个人信息", "本人信息", "", "", summary)
	return []dialog.Reply{{Name: "rights_corrected", Data: d}}, nil
}

func (l *Service) eraseMyData(ctx context.Context, in dialog.Inbound, e dialog.EraseMyData) ([]dialog.Reply, error) {
	open, err := l.db.Leads(ctx, domain.LeadFilter{OpenID: in.OpenID, OpenOnly: true, Limit: 1000})
	if err != nil {
		return nil, err
	}
	note := "企业要求删除个人信息"
	if e.Withdraw {
		note = "企业撤回个人信息处理同意"
	}
	d := RightsErased{Withdraw: e.Withdraw}
	for _, ld := range open {
		if _, err := l.Move(ctx, ChatActor(in), MoveRequest{Ref: ld.Number, To: domain.StatusWithdrawn, Note: note}); err != nil {
			return nil, err
		}
		d.Withdrawn++
	}
	erased, err := l.db.ErasePersonalData(ctx, in.OpenID, l.now())
	if err != nil {
		return nil, err
	}
	d.Kept = erased.Leads
	action := "删除个人信息"
	if e.Withdraw {
		action = "撤回同意"
	}
	summary := erased.String()
	if d.Withdrawn > 0 {
		summary = "撤回办理中的申请" + strconv.Itoa(d.Withdrawn) + "件；" + summary
	}
	l.auditChat(ctx, in, rightsWho, action, "本人信息", "", "", summary)
	return []dialog.Reply{{Name: "rights_erased", Data: d}}, nil
}

func isNotFound(err error) bool { return errors.Is(err, domain.ErrNotFound) }
