package leads

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// Moves of a lead's status, from the chat, the console and the API.

// withdraw ends a lead at its enterprise's request and tells the county's
// contacts and robot, who were working it, in the same transaction.
func (l *Service) withdraw(ctx context.Context, lead domain.Lead, note, openID string) (domain.Lead, error) {
	if err := domain.CheckMove(lead.Kind, lead.Status, domain.StatusWithdrawn); err != nil {
		return domain.Lead{}, err
	}
	county, err := l.db.County(ctx, lead.County)
	if err != nil {
		return domain.Lead{}, err
	}
	contacts, err := l.db.Contacts(ctx, lead.County)
	if err != nil {
		return domain.Lead{}, err
	}
	return l.db.MoveLead(ctx, lead.ID, domain.StatusWithdrawn, "enterprise:"+openID, note, l.now(),
		func(lead domain.Lead, _ domain.LeadEvent) ([]store.Message, error) {
			return l.countyMessages(lead, "withdrawn", contacts, county.RobotURL)
		})
}

// Move changes a lead's status on behalf of actor and notifies the
// enterprise: by 客服 text when it wrote within 48 h, else by template
// message, through the outbox in the same transaction.
func (l *Service) Move(ctx context.Context, id uint64, to, note, actor string) (domain.Lead, error) {
	return l.move(ctx, id, to, note, actor, 0)
}

// move is Move; a disbursement records its amount (万元) in the same
// transaction.
func (l *Service) move(ctx context.Context, id uint64, to, note, actor string, disbursedWan float64) (domain.Lead, error) {
	now := l.now()
	lead, err := l.db.Lead(ctx, id)
	if err != nil {
		return domain.Lead{}, err
	}
	if err := domain.CheckMove(lead.Kind, lead.Status, to); err != nil {
		return domain.Lead{}, err
	}
	notify := l.notifyEnterprise(ctx, lead.OpenID, now)
	if to == domain.StatusDisbursed {
		return l.db.DisburseLead(ctx, id, disbursedWan, actor, note, now, notify)
	}
	return l.db.MoveLead(ctx, id, to, actor, note, now, notify)
}

// MoveData is the data of "move_ok".
type MoveData struct {
	Line LeadLine
	Note string
}

func (l *Service) moveFromChat(ctx context.Context, in dialog.Inbound, e dialog.MoveLead) ([]dialog.Reply, error) {
	lead, err := l.db.LeadByNumber(ctx, e.Number)
	if errors.Is(err, domain.ErrNotFound) {
		return []dialog.Reply{{Name: "lead_not_found", Data: e.Number}}, nil
	}
	if err != nil {
		return nil, err
	}
	if e.Status == domain.StatusWithdrawn {
		// Only the enterprise that filed a lead withdraws it.
		if lead.OpenID != in.OpenID {
			return []dialog.Reply{{Name: "lead_not_found", Data: e.Number}}, nil
		}
		moved, err := l.withdraw(ctx, lead, e.Note, in.OpenID)
		if msg := domain.Message(err); msg != "" && errors.Is(err, domain.ErrTransition) {
			return []dialog.Reply{{Name: "move_invalid", Data: msg}}, nil
		}
		if err != nil {
			return nil, err
		}
		l.auditChat(ctx, in, "企业（"+lead.EnterpriseName+"）", "撤回", lead.Number, lead.Status, moved.Status, e.Note)
		return []dialog.Reply{{Name: "lead_withdrawn", Data: MoveData{Line: l.line(moved), Note: e.Note}}}, nil
	}
	counties, err := l.db.ContactCounties(ctx, in.OpenID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(counties, lead.County) {
		if lead.OpenID == in.OpenID || len(counties) > 0 {
			return []dialog.Reply{{Name: "move_refused", Data: e.Number}}, nil
		}
		return []dialog.Reply{{Name: "lead_not_found", Data: e.Number}}, nil
	}
	if utf8.RuneCountInString(e.Note) > 200 {
		return []dialog.Reply{{Name: "move_invalid", Data: "说明不能超过200字"}}, nil
	}
	if e.Status == domain.StatusRejected && strings.TrimSpace(e.Note) == "" {
		return []dialog.Reply{{Name: "move_need_reason", Data: e.Number}}, nil
	}
	moved, err := l.Move(ctx, lead.ID, e.Status, e.Note, "wechat:"+in.OpenID)
	if msg := domain.Message(err); msg != "" && errors.Is(err, domain.ErrTransition) {
		return []dialog.Reply{{Name: "move_invalid", Data: msg}}, nil
	}
	if err != nil {
		return nil, err
	}
	action := map[string]string{domain.StatusContacted: "受理", domain.StatusRejected: "驳回"}[e.Status]
	if action == "" {
		action = "变更申请状态"
	}
	l.auditChat(ctx, in, l.contactWho(lead.County), action, lead.Number, lead.Status, moved.Status, e.Note)
	return []dialog.Reply{{Name: "move_ok", Data: MoveData{Line: l.line(moved), Note: e.Note}}}, nil
}

// Change moves a lead for an API account: viewers may not (ErrForbidden),
// and a county account cannot see other counties' leads (ErrNotFound).
func (l *Service) Change(ctx context.Context, acc domain.Account, ref, status, note string) (domain.Lead, error) {
	if acc.Role == domain.RoleInstitution && !dialog.SpecialistMove(status) {
		return domain.Lead{}, domain.Errorf(domain.ErrForbidden, "合作金融机构只能登记审核、预授信、签约或未通过")
	}
	perm := domain.PermLeadsWrite
	if acc.Role == domain.RoleInstitution {
		perm = domain.PermDealWrite // the steps of a referred need
	}
	if err := acc.Require(perm); err != nil {
		return domain.Lead{}, err
	}
	if !domain.ValidStatus(status) {
		return domain.Lead{}, domain.Errorf(domain.ErrUnknownStatus, "未知的状态“%s”", status)
	}
	if utf8.RuneCountInString(note) > 500 {
		return domain.Lead{}, domain.Errorf(domain.ErrInvalid, "说明不能超过500字")
	}
	lead, err := l.Lead(ctx, acc, ref)
	if err != nil {
		return domain.Lead{}, err
	}
	if err := l.specialistMayMove(ctx, acc, lead, status); err != nil {
		return domain.Lead{}, err
	}
	if status == domain.StatusDisbursed {
		if err := domain.CheckMove(lead.Kind, lead.Status, status); err != nil {
			return domain.Lead{}, err
		}
		return domain.Lead{}, domain.Errorf(domain.ErrInvalid, "登记放款需要填写放款金额，请使用放款登记（POST /api/v1/leads/{id}/disburse）")
	}
	if acc.Role == domain.RoleInstitution {
		return l.specialistMove(ctx, lead, status, note, "account:"+acc.Username)
	}
	return l.Move(ctx, lead.ID, status, note, "account:"+acc.Username)
}

// Disburse moves a contracted need of the account's to disbursed with the
// amount lent, the same transition, event and notification as Change.
func (l *Service) Disburse(ctx context.Context, acc domain.Account, ref string, wan float64, note string) (domain.Lead, error) {
	if err := acc.Require(domain.PermLeadsWrite); err != nil {
		return domain.Lead{}, err
	}
	if utf8.RuneCountInString(note) > 500 {
		return domain.Lead{}, domain.Errorf(domain.ErrInvalid, "说明不能超过500字")
	}
	if !domain.ValidWan(wan) {
		return domain.Lead{}, domain.Errorf(domain.ErrInvalid, "放款金额应为大于0的万元数")
	}
	lead, err := l.Lead(ctx, acc, ref)
	if err != nil {
		return domain.Lead{}, err
	}
	// The amount alone is still a deal of the lead's product: it must fit
	// the notice's amount and term.
	d := dialog.Deal{Product: lead.Product, AmountWan: wan, TermMonths: lead.TermMonths,
		DisbursedOn: l.now().In(domain.Shanghai).Format("2006-01-02")}
	terms, err := l.dealTerms(ctx, lead, d, 0)
	if err != nil {
		return domain.Lead{}, err
	}
	if err := FitsNotice(l.policy(), d, terms); err != nil {
		return domain.Lead{}, err
	}
	return l.move(ctx, lead.ID, domain.StatusDisbursed, note, "account:"+acc.Username, wan)
}

// auditChat records an action taken in the chat (受理, 驳回, 撤回, 绑定) in
// the operations log, beside the console's and the API's. A failure to
// record is logged, never the user's problem: the action stands.
func (l *Service) auditChat(ctx context.Context, in dialog.Inbound, who, action, object, from, to, note string) {
	var summary []string
	if from != "" && to != "" {
		summary = append(summary, "状态 "+domain.StatusLabel(from)+"→"+domain.StatusLabel(to))
	}
	if note != "" {
		label := "说明"
		if to == domain.StatusRejected {
			label = "原因"
		}
		summary = append(summary, label+"："+note)
	}
	err := l.db.Audit(ctx, domain.AuditEntry{
		Actor: "wechat:" + wechat.MaskOpenID(in.OpenID), Method: "CHAT", Route: "公众号对话", Status: 200, At: in.At,
		Who: who, Action: action, Object: object, Summary: strings.Join(summary, "；"),
	})
	if err != nil {
		l.log.Error("audit entry not recorded", slog.String("action", action), slog.Any("error", err))
	}
}

// specialistMayMove refuses a specialist's 未通过 on an application also
// referred to other institutions: one bank's refusal does not end it; the
// county decides.
func (l *Service) specialistMayMove(ctx context.Context, acc domain.Account, lead domain.Lead, status string) error {
	if acc.Role != domain.RoleInstitution || status != domain.StatusRejected {
		return nil
	}
	refs, err := l.db.Referrals(ctx, lead.ID)
	if err != nil {
		return err
	}
	if len(refs) > 1 {
		return domain.Errorf(domain.ErrTransition, "该申请还推荐给了其他机构，不能由本机构登记为未通过；请在说明中写明情况并联系所在县级市（区）市场监管局")
	}
	return nil
}

// specialistMove records a specialist's step on a referred need. 审核中,
// 已预授信 and 已签约 may be recorded directly: the steps in between are
// recorded first, by the specialist, and the enterprise is told of the
// last one.
func (l *Service) specialistMove(ctx context.Context, lead domain.Lead, status, note, actor string) (domain.Lead, error) {
	if status == domain.StatusRejected {
		return l.Move(ctx, lead.ID, status, note, actor)
	}
	path, err := dialog.PathTo(lead.Kind, lead.Status, status)
	if err != nil {
		return domain.Lead{}, err
	}
	if len(path) == 0 {
		return domain.Lead{}, domain.CheckMove(lead.Kind, lead.Status, status)
	}
	for _, st := range path[:len(path)-1] {
		if _, err := l.db.MoveLead(ctx, lead.ID, st, actor, "随"+domain.StatusLabel(status)+"补记", l.now(), nil); err != nil {
			return domain.Lead{}, err
		}
	}
	return l.Move(ctx, lead.ID, status, note, actor)
}
