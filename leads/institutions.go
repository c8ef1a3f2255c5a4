package leads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// The programme's records as officers, counties and specialists use them:
// cooperating institutions and their specialists, referrals of
// applications to institutions, and the deals they report. The roster is
// in roster.go, the monthly return in reports.go, the league table in
// league.go.

// DefaultPublicURL is the base of links when PUBLIC_URL is unset.
const DefaultPublicURL = "http://localhost:8080"

// referralURL is the console page of a lead under the public URL.
func (l *Service) referralURL(id uint64) string {
	base := strings.TrimRight(l.cfg.PublicURL, "/")
	if base == "" {
		base = DefaultPublicURL
	}
	return fmt.Sprintf("%s/console/leads/%d", base, id)
}

// Institutions returns the cooperating institutions with their specialists.
func (l *Service) Institutions(ctx context.Context, acc domain.Account) ([]dialog.Institution, error) {
	if err := acc.Require(domain.PermInstRead); err != nil {
		return nil, err
	}
	return l.db.Institutions(ctx)
}

// SetInstitutionCounties records the counties an institution serves
// (officers); none is all of Suzhou. Unknown counties are refused.
func (l *Service) SetInstitutionCounties(ctx context.Context, acc domain.Account, id uint64, counties []string) (dialog.Institution, error) {
	if err := acc.Require(domain.PermInstWrite); err != nil {
		return dialog.Institution{}, err
	}
	p := l.policy()
	var out []string
	for _, c := range counties {
		if _, ok := p.County(c); !ok {
			return dialog.Institution{}, domain.Errorf(domain.ErrInvalid, "未知的县级市（区）")
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(out) == len(p.Counties) {
		out = nil // every county is all of Suzhou
	}
	return l.db.SetInstitutionCounties(ctx, id, out, acc.Username, l.now())
}

// SetSpecialistConsent records whether a specialist's name and phone may
// be shown to enterprises: by a city officer, or by the institution's own
// account for its own specialists.
func (l *Service) SetSpecialistConsent(ctx context.Context, acc domain.Account, inst, id uint64, consent bool) (dialog.Specialist, error) {
	if err := acc.Require(domain.PermSpecialistConsent); err != nil {
		return dialog.Specialist{}, err
	}
	if acc.Role == domain.RoleInstitution && acc.Institution != inst {
		return dialog.Specialist{}, domain.ErrNotFound
	}
	return l.db.SetSpecialistConsent(ctx, inst, id, consent, l.now())
}

// Institution returns one institution: officers, counties and viewers any,
// a specialist its own.
func (l *Service) Institution(ctx context.Context, acc domain.Account, id uint64) (dialog.Institution, error) {
	if acc.Role == domain.RoleInstitution {
		if acc.Institution != id {
			return dialog.Institution{}, domain.ErrNotFound
		}
	} else if err := acc.Require(domain.PermInstRead); err != nil {
		return dialog.Institution{}, err
	}
	return l.db.Institution(ctx, id)
}

// checkInstitution validates an institution's name and kind, returning the kind's id.
func checkInstitution(name, kind string) (string, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return "", "", domain.Errorf(domain.ErrInvalid, "机构名称不能为空，且不超过64个字")
	}
	if !dialog.PlainName(name) {
		// Names reach enterprises and county staff in WeChat messages.
		return "", "", domain.Errorf(domain.ErrInvalid, "机构名称不能换行，也不能包含 "+dialog.MarkupList+" 等符号")
	}
	k, ok := dialog.InstitutionKind(kind)
	if !ok {
		return "", "", domain.Errorf(domain.ErrInvalid, "机构类型应为 bank（银行）、leasing（融资租赁）、futures（期货）、guarantee（担保）或 insurance（保险）")
	}
	return name, k, nil
}

// CreateInstitution adds a cooperating institution (officers).
func (l *Service) CreateInstitution(ctx context.Context, acc domain.Account, name, kind string) (dialog.Institution, error) {
	if err := acc.Require(domain.PermInstWrite); err != nil {
		return dialog.Institution{}, err
	}
	name, kind, err := checkInstitution(name, kind)
	if err != nil {
		return dialog.Institution{}, err
	}
	return l.db.CreateInstitution(ctx, name, kind, acc.Username, l.now())
}

// UpdateInstitution renames an institution or changes its kind (officers).
func (l *Service) UpdateInstitution(ctx context.Context, acc domain.Account, id uint64, name, kind string) (dialog.Institution, error) {
	if err := acc.Require(domain.PermInstWrite); err != nil {
		return dialog.Institution{}, err
	}
	name, kind, err := checkInstitution(name, kind)
	if err != nil {
		return dialog.Institution{}, err
	}
	return l.db.UpdateInstitution(ctx, id, name, kind, acc.Username, l.now())
}

// AddSpecialist adds a service specialist to an institution (officers):
// a name, a mobile or landline phone, and the products handled.
func (l *Service) AddSpecialist(ctx context.Context, acc domain.Account, inst uint64, sp dialog.Specialist) (dialog.Specialist, error) {
	if err := acc.Require(domain.PermInstWrite); err != nil {
		return dialog.Specialist{}, err
	}
	sp.Name, sp.Phone, sp.Products = strings.TrimSpace(sp.Name), strings.TrimSpace(sp.Phone), strings.TrimSpace(sp.Products)
	if sp.Name == "" || utf8.RuneCountInString(sp.Name) > 32 {
		return dialog.Specialist{}, domain.Errorf(domain.ErrInvalid, "服务专员姓名不能为空，且不超过32个字")
	}
	if !dialog.PlainName(sp.Name) || !dialog.PlainName(sp.Products) {
		return dialog.Specialist{}, domain.Errorf(domain.ErrInvalid, "服务专员姓名和负责产品不能换行，也不能包含 "+dialog.MarkupList+" 等符号")
	}
	if !validPhone(sp.Phone) {
		return dialog.Specialist{}, domain.Errorf(domain.ErrInvalid, "电话应为11位手机号或 0512-xxxxxxxx")
	}
	if utf8.RuneCountInString(sp.Products) > 100 {
		return dialog.Specialist{}, domain.Errorf(domain.ErrInvalid, "负责产品不能超过100个字")
	}
	sp.Institution = inst
	return l.db.AddSpecialist(ctx, sp, l.now())
}

func validPhone(p string) bool {
	if domain.ValidCountyPhone(p) {
		return true
	}
	if len(p) != 11 || p[0] != '1' {
		return false
	}
	_, err := strconv.ParseUint(p, 10, 64)
	return err == nil
}

// DeleteSpecialist removes a specialist (officers): the sessions their
// WeChat sign-in opened end with it, and that sign-in refuses them from
// then on. It returns what was revoked, for the operations log.
func (l *Service) DeleteSpecialist(ctx context.Context, acc domain.Account, inst, id uint64) (domain.Revoked, error) {
	if err := acc.Require(domain.PermInstWrite); err != nil {
		return domain.Revoked{}, err
	}
	return l.db.DeleteSpecialist(ctx, inst, id)
}

// NewSpecialistCode issues a one-time code with which a specialist binds
// WeChat by sending “绑定 <code>” (officers).
func (l *Service) NewSpecialistCode(ctx context.Context, acc domain.Account, inst, id uint64) (domain.SpecialistCode, error) {
	if err := acc.Require(domain.PermInstWrite); err != nil {
		return domain.SpecialistCode{}, err
	}
	return l.db.CreateSpecialistCode(ctx, inst, id, "account:"+acc.Username, l.now())
}

// SpecialistBindData is the data of "bind_specialist_ok".
type SpecialistBindData struct {
	Name        string
	Institution string
}

// bindSpecialist binds the sender to a specialist with a code; ok is
// true when it did. A code that is no specialist's, or is used or
// expired, is an error wrapping domain.ErrNotFound, ErrCodeUsed or
// ErrCodeExpired.
func (l *Service) bindSpecialist(ctx context.Context, in dialog.Inbound, code string) ([]dialog.Reply, bool, error) {
	sp, revoked, err := l.db.UseSpecialistCode(ctx, code, in.OpenID, in.At)
	if err != nil {
		return nil, false, err
	}
	inst, err := l.db.Institution(ctx, sp.Institution)
	if err != nil {
		return nil, false, err
	}
	var note string
	if revoked.Sessions > 0 || len(revoked.Accounts) > 0 {
		note = "替换原绑定的微信：" + revoked.String()
	}
	l.auditChat(ctx, in, sp.Name+"（"+inst.Name+"）", "绑定服务专员微信", inst.Name, "", "", note)
	return []dialog.Reply{{Name: "bind_specialist_ok", Data: SpecialistBindData{Name: sp.Name, Institution: inst.Name}}}, true, nil
}

// Refer refers an application (a financing need still open) to an
// institution (推荐): the county for its own, officers for any. The
// institution's bound specialists get a template message opening the
// application, and the enterprise is told, in the same transaction.
func (l *Service) Refer(ctx context.Context, acc domain.Account, ref string, instID uint64) (dialog.Referral, error) {
	if err := acc.Require(domain.PermReferral); err != nil {
		return dialog.Referral{}, err
	}
	lead, err := l.Lead(ctx, acc, ref)
	if err != nil {
		return dialog.Referral{}, err
	}
	if lead.Kind != domain.LeadNeed {
		return dialog.Referral{}, domain.Errorf(domain.ErrInvalid, "只有融资需求可以推荐给金融机构")
	}
	if !lead.Open() {
		return dialog.Referral{}, domain.Errorf(domain.ErrTransition, "该申请已%s，不能再推荐", domain.StatusLabel(lead.Status))
	}
	if instID == 0 {
		return dialog.Referral{}, domain.Errorf(domain.ErrInvalid, "请选择要推荐的合作金融机构")
	}
	inst, err := l.db.Institution(ctx, instID)
	if errors.Is(err, domain.ErrNotFound) {
		return dialog.Referral{}, domain.Errorf(domain.ErrInvalid, "未知的合作金融机构（编号%d）", instID)
	}
	if err != nil {
		return dialog.Referral{}, err
	}
	openIDs, err := l.db.SpecialistOpenIDs(ctx, inst.ID)
	if err != nil {
		return dialog.Referral{}, err
	}
	now := l.now()
	county, _ := l.policy().County(lead.County)
	kind := domain.LeadKindLabel(lead.Kind)
	if pr, ok := l.policy().Product(lead.Product); ok {
		kind += "·" + pr.Name
	}
	var msgs []domain.Notification
	for _, id := range openIDs {
		tm := templateData(id, l.cfg.TemplateNewNeed, map[string]string{
			FieldNumber: lead.Number, FieldEnterprise: lead.EnterpriseName, FieldKind: kind,
			FieldTime: now.In(domain.Shanghai).Format("2006-01-02 15:04"), FieldCounty: county.Name + "推荐，请跟进",
		})
		tm.URL = l.referralURL(lead.ID)
		m, err := encodeTemplate(tm, fmt.Sprintf("referral:%d:%d:%s", lead.ID, inst.ID, id))
		if err != nil {
			return dialog.Referral{}, err
		}
		msgs = append(msgs, m)
	}
	if lead.OpenID != "" {
		tm := templateData(lead.OpenID, l.cfg.TemplateStatus, map[string]string{
			FieldNumber: lead.Number, FieldStatus: "已推荐", FieldNote: "已推荐至" + inst.Name,
			FieldTime: now.In(domain.Shanghai).Format("2006-01-02 15:04"),
		})
		m, err := encodeTemplate(tm, fmt.Sprintf("referral:%d:%d:enterprise", lead.ID, inst.ID))
		if err != nil {
			return dialog.Referral{}, err
		}
		msgs = append(msgs, m)
	}
	r, err := l.db.Refer(ctx, lead.ID, inst.ID, "account:"+acc.Username, now, msgs)
	if err != nil {
		return r, err
	}
	r.InstitutionName = inst.Name
	return r, nil
}

// Referrals returns the institutions an application was referred to, as
// the account may see it.
func (l *Service) Referrals(ctx context.Context, acc domain.Account, leadID uint64) ([]dialog.Referral, error) {
	rs, err := l.db.Referrals(ctx, leadID)
	if err != nil || acc.Role != domain.RoleInstitution {
		return rs, err
	}
	var own []dialog.Referral
	for _, r := range rs {
		if r.Institution == acc.Institution {
			own = append(own, r)
		}
	}
	return own, nil
}

// DealRequest is a deal as the API and the console submit it.
type DealRequest struct {
	Institution uint64  `json:"institution"`
	Product     string  `json:"product"`
	AmountWan   float64 `json:"amount_wan"`
	RatePct     float64 `json:"rate_pct"`
	TermMonths  int     `json:"term_months"`
	DisbursedOn string  `json:"disbursed_on"`
	Note        string  `json:"note"`
}

// RecordDeal records a disbursement on an application: by a specialist of
// an institution it was referred to (for that institution), or by its
// county or an officer (for any institution). The application moves to
// 已放款 through the steps it has not been through, the deal row is
// stored, and the enterprise is told, in one transaction.
func (l *Service) RecordDeal(ctx context.Context, acc domain.Account, ref string, req DealRequest) (domain.Lead, dialog.Deal, error) {
	lead, d, err := l.CheckDeal(ctx, acc, ref, req)
	if err != nil {
		return domain.Lead{}, dialog.Deal{}, err
	}
	now := l.now()
	path, err := domain.PathTo(lead.Kind, lead.Status, domain.StatusDisbursed)
	if err != nil {
		return domain.Lead{}, dialog.Deal{}, err
	}
	paid := fmt.Sprintf("%s放款%s万元", d.InstitutionName, dialog.FormatWan(d.AmountWan))
	var steps []domain.LeadStep
	for _, st := range path {
		note := "随放款登记补记"
		if st == domain.StatusDisbursed {
			note = paid
		}
		steps = append(steps, domain.LeadStep{Status: st, Note: note})
	}
	lm, err := l.follow(ctx, lead, steps, d.Actor, now)
	if err != nil {
		return domain.Lead{}, dialog.Deal{}, err
	}
	lm.Deal = &domain.DealRow{Institution: d.Institution, Product: d.Product, AmountWan: d.AmountWan, RatePct: d.RatePct,
		TermMonths: d.TermMonths, DisbursedOn: d.DisbursedOn}
	// The first disbursement closes the need: it asks for a rating, as a
	// move to 已放款 does; a further deal does not ask again.
	asked := lead.Status != domain.StatusDisbursed && l.inWindow(ctx, lead.OpenID, now)
	notify := l.ratingNotify(l.notifyEnterprise(ctx, lead.OpenID, now), asked)
	moved, err := l.db.RecordMove(ctx, lm, func(mv domain.Moved) ([]domain.Notification, error) {
		ev := mv.Event
		if ev.ID == 0 {
			// A further deal on a disbursed lead: tell about it too, under
			// an id no event has (the dedupe key is built from it).
			ev = domain.LeadEvent{ID: 1<<62 + mv.DealID, Status: domain.StatusDisbursed, Actor: d.Actor, Note: paid, CreatedAt: now}
		}
		return notify(mv.Lead, ev)
	})
	if err != nil {
		return domain.Lead{}, dialog.Deal{}, err
	}
	if lead.Status != domain.StatusDisbursed {
		l.openRating(ctx, moved.Lead, asked, now) // ratings.go
	}
	d.ID, d.LeadNumber, d.County, d.EnterpriseName, d.CreditCode, d.CreatedAt =
		moved.DealID, moved.Lead.Number, moved.Lead.County, moved.Lead.EnterpriseName, moved.Lead.CreditCode, now
	return moved.Lead, d, nil
}

// CheckDeal checks a deal as RecordDeal would record it, and records
// nothing: the confirmation page shows what will be recorded.
func (l *Service) CheckDeal(ctx context.Context, acc domain.Account, ref string, req DealRequest) (domain.Lead, dialog.Deal, error) {
	if err := acc.Require(domain.PermDealWrite); err != nil {
		return domain.Lead{}, dialog.Deal{}, err
	}
	lead, err := l.Lead(ctx, acc, ref)
	if err != nil {
		return domain.Lead{}, dialog.Deal{}, err
	}
	if acc.Role == domain.RoleInstitution {
		if req.Institution == 0 {
			req.Institution = acc.Institution
		}
		if req.Institution != acc.Institution {
			return domain.Lead{}, dialog.Deal{}, domain.Errorf(domain.ErrForbidden, "只能登记本机构的放款")
		}
	}
	if req.Institution == 0 {
		return domain.Lead{}, dialog.Deal{}, domain.Errorf(domain.ErrInvalid, "请选择放款的合作金融机构")
	}
	inst, err := l.db.Institution(ctx, req.Institution)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Lead{}, dialog.Deal{}, domain.Errorf(domain.ErrInvalid, "未知的合作金融机构（编号%d）", req.Institution)
	}
	if err != nil {
		return domain.Lead{}, dialog.Deal{}, err
	}
	product := strings.TrimSpace(req.Product)
	for _, p := range l.policy().Products {
		if product == p.Name {
			product = p.ID
		}
	}
	d := dialog.Deal{LeadID: lead.ID, Institution: inst.ID, InstitutionName: inst.Name, Product: product,
		AmountWan: req.AmountWan, RatePct: req.RatePct, TermMonths: req.TermMonths,
		DisbursedOn: strings.TrimSpace(req.DisbursedOn), Actor: "account:" + acc.Username}
	if err := dialog.ValidateDeal(d, l.now()); err != nil {
		return domain.Lead{}, dialog.Deal{}, err
	}
	if _, err := domain.PathTo(lead.Kind, lead.Status, domain.StatusDisbursed); err != nil {
		return domain.Lead{}, dialog.Deal{}, err
	}
	terms, err := l.dealTerms(ctx, lead, d, 0)
	if err != nil {
		return domain.Lead{}, dialog.Deal{}, err
	}
	if err := FitsNotice(l.policy(), d, terms); err != nil {
		return domain.Lead{}, dialog.Deal{}, err
	}
	return lead, d, nil
}

// ChangeDeal corrects (req's product, amount, rate, term and date) or,
// with withdraw, withdraws a recorded deal, with a reason: by the account
// that recorded it or an officer. A correction is checked against the
// notice like a new deal. The monthly return follows: a withdrawn deal
// leaves it, a corrected one shows its new figures. It returns the deal
// before and after, for the operations log.
func (l *Service) ChangeDeal(ctx context.Context, acc domain.Account, ref string, dealID uint64, req DealRequest, reason string, withdraw bool) (dialog.Deal, dialog.Deal, error) {
	if err := acc.Require(domain.PermDealWrite); err != nil {
		return dialog.Deal{}, dialog.Deal{}, err
	}
	lead, err := l.Lead(ctx, acc, ref)
	if err != nil {
		return dialog.Deal{}, dialog.Deal{}, err
	}
	deals, err := l.Deals(ctx, acc, lead.ID)
	if err != nil {
		return dialog.Deal{}, dialog.Deal{}, err
	}
	var cur dialog.Deal
	for _, d := range deals {
		if d.ID == dealID {
			cur = d
		}
	}
	if cur.ID == 0 {
		return dialog.Deal{}, dialog.Deal{}, domain.ErrNotFound
	}
	if acc.Role != domain.RoleOfficer && cur.Actor != "account:"+acc.Username {
		return dialog.Deal{}, dialog.Deal{}, domain.Errorf(domain.ErrForbidden, "只有登记人或市局可以更正或撤销这笔放款登记")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		return dialog.Deal{}, dialog.Deal{}, domain.Errorf(domain.ErrInvalid, "请填写更正或撤销的原因（不超过200字）")
	}
	what := "更正放款登记"
	if withdraw {
		what = "撤销放款登记"
	}
	change := dialog.DealChange{Remark: reason, Actor: "account:" + acc.Username, Withdraw: withdraw,
		Note: fmt.Sprintf("%s（%s万元，%s）：%s", what, dialog.FormatWan(cur.AmountWan), cur.DisbursedOn, reason)}
	if !withdraw {
		d := cur
		d.Product = strings.TrimSpace(req.Product)
		for _, p := range l.policy().Products {
			if d.Product == p.Name {
				d.Product = p.ID
			}
		}
		d.AmountWan, d.RatePct, d.TermMonths, d.DisbursedOn = req.AmountWan, req.RatePct, req.TermMonths, strings.TrimSpace(req.DisbursedOn)
		if err := dialog.ValidateDeal(d, l.now()); err != nil {
			return dialog.Deal{}, dialog.Deal{}, err
		}
		terms, err := l.dealTerms(ctx, lead, d, cur.ID)
		if err != nil {
			return dialog.Deal{}, dialog.Deal{}, err
		}
		if err := FitsNotice(l.policy(), d, terms); err != nil {
			return dialog.Deal{}, dialog.Deal{}, err
		}
		change.Deal = d
	}
	before, after, err := l.db.ChangeDeal(ctx, cur.ID, change, l.now())
	before.InstitutionName, after.InstitutionName = cur.InstitutionName, cur.InstitutionName
	return before, after, err
}

// Deals returns the deals of an application as the account may see it.
func (l *Service) Deals(ctx context.Context, acc domain.Account, leadID uint64) ([]dialog.Deal, error) {
	f := domain.DealFilter{LeadID: leadID}
	if acc.Role == domain.RoleInstitution {
		f.Institution = acc.Institution
	}
	return l.db.Deals(ctx, f)
}

// ProductName is the name of a product id, or the text as recorded.
func (l *Service) ProductName(id string) string {
	if p, ok := l.policy().Product(id); ok {
		return p.Name
	}
	return id
}

// encodeTemplate turns a template message into an outbox row.
func encodeTemplate(tm wechat.TemplateMessage, key string) (domain.Notification, error) {
	payload, err := json.Marshal(tm)
	if err != nil {
		return domain.Notification{}, fmt.Errorf("encode template message: %w", err)
	}
	return domain.Notification{Channel: ChannelTemplate, Recipient: tm.ToUser, DedupeKey: key, Payload: string(payload)}, nil
}

// ReferredData is the data of "leads_referred": the open applications
// referred to the institutions a specialist serves.
type ReferredData struct {
	Institution string
	Lines       []LeadLine
}

// referred lists for 进度 the open applications referred to the
// institution of a bound specialist; nil when the sender is none.
func (l *Service) referred(ctx context.Context, openID string) (*dialog.Reply, error) {
	insts, err := l.db.SpecialistInstitutions(ctx, openID)
	if err != nil || len(insts) == 0 {
		return nil, err
	}
	var d ReferredData
	for _, id := range insts {
		inst, err := l.db.Institution(ctx, id)
		if err != nil {
			return nil, err
		}
		if d.Institution == "" {
			d.Institution = inst.Name
		}
		leads, err := l.db.Leads(ctx, domain.LeadFilter{Institution: id, OpenOnly: true, Limit: 10})
		if err != nil {
			return nil, err
		}
		for _, lead := range leads {
			d.Lines = append(d.Lines, l.line(lead))
		}
	}
	return &dialog.Reply{Name: "leads_referred", Data: d}, nil
}
