package leads

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// One way moves a lead's status: Service.Move. The chat, the console and
// the API are adapters that build an Actor and a MoveRequest, call Move and
// map its errors to their replies; the rules (who may move what, the note,
// the reason of a rejection, the amount of a disbursement, the transition,
// the notifications and the operations log line) are here, once.

// NoteMax is the longest note a move takes, in characters, from any entry.
const NoteMax = 500

// ErrReasonRequired is returned by Move for a rejection without a reason:
// the enterprise reads the reason in its notification.
var ErrReasonRequired = domain.Errorf(domain.ErrInvalid, "不予通过需要填写原因，企业将看到这个原因")

// ErrAmountRequired is returned by Move for a disbursement without an
// amount (万元).
var ErrAmountRequired = domain.Errorf(domain.ErrInvalid, "登记放款需要填写放款金额，请使用放款登记（POST /api/v1/leads/{id}/disburse）")

// Mover is who moves a lead. Exactly one of OpenID (a chat sender: the
// enterprise that filed the lead, or a contact bound to its county),
// Account (an officer, a county, a viewer or an institution's specialist,
// from the console or the API) or System (a job of the service's own) is
// set. Method, Route, RemoteIP and Who describe the request for the
// operations log; Move fills what is empty.
type Mover struct {
	OpenID  string
	Account domain.Account
	System  string
	At      time.Time // the chat message's time; the clock's when zero

	Method, Route, RemoteIP string
	Status                  int    // the HTTP status the adapter answers a move with; 200 when zero
	Who                     string // "张琳（昆山市局）"; derived when empty
}

// ChatActor is the sender of a chat message.
func ChatActor(in dialog.Inbound) Mover {
	return Mover{OpenID: in.OpenID, At: in.At, Method: "CHAT", Route: "公众号对话"}
}

// MoveRequest is one move: the lead (id or number), the status to move it
// to, the note, and for 已放款 the amount lent (万元).
type MoveRequest struct {
	Ref          string
	To           string
	Note         string
	DisbursedWan float64
}

// move is a checked move, ready to be recorded.
type move struct {
	lead  domain.Lead
	req   MoveRequest
	actor string // the event's actor: "account:admin", "wechat:o…"
	who   string
	owner bool // the enterprise withdrawing its own lead
	path  []string
}

// Move changes a lead's status on behalf of a, under one rule set for
// every entry: the actor must see the lead and may make the move, the note
// is at most NoteMax characters, a rejection has a reason, a disbursement
// an amount that fits the notice, and the move is one the transition table
// allows. The enterprise is notified (its county when it withdraws) through
// the outbox in the same transaction, and one operations log line is
// written.
func (l *Service) Move(ctx context.Context, a Mover, r MoveRequest) (domain.Lead, error) {
	m, err := l.checkMove(ctx, a, r, false)
	if err != nil {
		return domain.Lead{}, err
	}
	moved, err := l.record(ctx, m)
	if err != nil {
		return domain.Lead{}, err
	}
	l.auditMove(ctx, a, m, moved)
	return moved, nil
}

// CheckMove reports whether a may move the lead ref to status to at all,
// before a note, reason or amount is asked for (the console's
// confirmation screen).
func (l *Service) CheckMove(ctx context.Context, a Mover, ref, to string) error {
	_, err := l.checkMove(ctx, a, MoveRequest{Ref: ref, To: to}, true)
	return err
}

func (l *Service) checkMove(ctx context.Context, a Mover, r MoveRequest, draft bool) (move, error) {
	m := move{req: r}
	switch {
	case a.OpenID != "":
		lead, err := l.chatLead(ctx, a.OpenID, r)
		if err != nil {
			return m, err
		}
		m.lead, m.actor, m.owner = lead, "wechat:"+a.OpenID, r.To == domain.StatusWithdrawn
		if m.owner {
			m.actor, m.who = "enterprise:"+a.OpenID, "企业（"+lead.EnterpriseName+"）"
		} else {
			m.who = l.contactWho(lead.County)
		}
	case a.Account.Username != "":
		acc := a.Account
		if acc.Role == domain.RoleInstitution && !domain.SpecialistMove(r.To) {
			return m, domain.Errorf(domain.ErrForbidden, "合作金融机构只能登记审核、预授信、签约或未通过")
		}
		perm := domain.PermLeadsWrite
		if acc.Role == domain.RoleInstitution {
			perm = domain.PermDealWrite // the steps of a referred need
		}
		if err := acc.Require(perm); err != nil {
			return m, err
		}
		if !domain.ValidStatus(r.To) {
			return m, domain.Errorf(domain.ErrUnknownStatus, "未知的状态“%s”", r.To)
		}
		lead, err := l.Lead(ctx, acc, r.Ref)
		if err != nil {
			return m, err
		}
		if err := l.specialistMayMove(ctx, acc, lead, r.To); err != nil {
			return m, err
		}
		m.lead, m.actor, m.who = lead, "account:"+acc.Username, cmp.Or(a.Who, acc.Username)
		if acc.Role == domain.RoleInstitution && r.To != domain.StatusRejected {
			path, err := domain.PathTo(lead.Kind, lead.Status, r.To)
			if err != nil {
				return m, err
			}
			if len(path) == 0 {
				return m, domain.CheckMove(lead.Kind, lead.Status, r.To)
			}
			m.path = path[:len(path)-1]
		}
	case a.System != "":
		if !domain.ValidStatus(r.To) {
			return m, domain.Errorf(domain.ErrUnknownStatus, "未知的状态“%s”", r.To)
		}
		lead, err := l.leadByRef(ctx, r.Ref)
		if err != nil {
			return m, err
		}
		m.lead, m.actor, m.who = lead, "system:"+a.System, cmp.Or(a.Who, "系统")
	default:
		return m, domain.Errorf(domain.ErrForbidden, "未知的操作人")
	}
	if m.path == nil {
		if err := domain.CheckMove(m.lead.Kind, m.lead.Status, r.To); err != nil {
			return m, err
		}
	}
	if draft {
		return m, nil
	}
	if utf8.RuneCountInString(r.Note) > NoteMax {
		return m, domain.Errorf(domain.ErrInvalid, "说明不能超过%d字", NoteMax)
	}
	if r.To == domain.StatusRejected && strings.TrimSpace(r.Note) == "" {
		return m, ErrReasonRequired
	}
	if r.To == domain.StatusDisbursed {
		if r.DisbursedWan == 0 {
			return m, ErrAmountRequired
		}
		if !domain.ValidWan(r.DisbursedWan) {
			return m, domain.Errorf(domain.ErrInvalid, "放款金额应为大于0的万元数")
		}
		// The amount alone is still a deal of the lead's product: it must
		// fit the notice's amount and term.
		d := dialog.Deal{Product: m.lead.Product, AmountWan: r.DisbursedWan, TermMonths: m.lead.TermMonths,
			DisbursedOn: l.now().In(domain.Shanghai).Format("2006-01-02")}
		terms, err := l.dealTerms(ctx, m.lead, d, 0)
		if err != nil {
			return m, err
		}
		if err := FitsNotice(l.policy(), d, terms); err != nil {
			return m, err
		}
	}
	return m, nil
}

// chatLead is the lead a chat sender moves: the enterprise only its own
// (and only to withdraw it), a contact only its county's; to anyone else
// the lead does not exist, to a contact of another county or the lead's
// enterprise the move is refused.
func (l *Service) chatLead(ctx context.Context, openID string, r MoveRequest) (domain.Lead, error) {
	lead, err := l.db.LeadByNumber(ctx, strings.ToUpper(r.Ref))
	if err != nil {
		return domain.Lead{}, err
	}
	if r.To == domain.StatusWithdrawn {
		if lead.OpenID != openID {
			return domain.Lead{}, domain.ErrNotFound
		}
		return lead, nil
	}
	counties, err := l.db.ContactCounties(ctx, openID)
	if err != nil {
		return domain.Lead{}, err
	}
	if !slices.Contains(counties, lead.County) {
		if lead.OpenID == openID || len(counties) > 0 {
			return domain.Lead{}, domain.Errorf(domain.ErrForbidden, "只有申请所在县级市（区）的联系人可以处理该申请")
		}
		return domain.Lead{}, domain.ErrNotFound
	}
	return lead, nil
}

// leadByRef finds a lead by id or number, whoever asks.
func (l *Service) leadByRef(ctx context.Context, ref string) (domain.Lead, error) {
	if id, err := strconv.ParseUint(ref, 10, 64); err == nil {
		return l.db.Lead(ctx, id)
	}
	return l.db.LeadByNumber(ctx, strings.ToUpper(ref))
}

// record writes a checked move with its notifications in one transaction:
// a specialist's skipped steps first, silently, then the move, with what
// follows it (decided by follow).
func (l *Service) record(ctx context.Context, m move) (domain.Lead, error) {
	now, r := l.now(), m.req
	var steps []domain.LeadStep
	for _, st := range m.path {
		steps = append(steps, domain.LeadStep{Status: st, Note: "随" + domain.StatusLabel(r.To) + "补记"})
	}
	steps = append(steps, domain.LeadStep{Status: r.To, Note: r.Note})
	lm, err := l.follow(ctx, m.lead, steps, m.actor, now)
	if err != nil {
		return domain.Lead{}, err
	}
	if lm.Deal != nil { // the amount alone, on the lead's product and term
		lm.Deal.Product, lm.Deal.AmountWan, lm.Deal.TermMonths = m.lead.Product, r.DisbursedWan, m.lead.TermMonths
	}
	var notify domain.NotifyFunc
	if m.owner {
		robot, err := l.db.RobotURL(ctx, m.lead.County)
		if err != nil {
			return domain.Lead{}, err
		}
		contacts, err := l.db.Contacts(ctx, m.lead.County)
		if err != nil {
			return domain.Lead{}, err
		}
		notify = func(lead domain.Lead, _ domain.LeadEvent) ([]domain.Notification, error) {
			return l.countyMessages(lead, "withdrawn", contacts, robot)
		}
	} else {
		notify = l.notifyEnterprise(ctx, m.lead.OpenID, now)
	}
	// A lead that closes asks for a rating right after its notification
	// (not a withdrawal: the enterprise's own act is not a service).
	asked := !m.owner && domain.RatedStatus(r.To) && l.inWindow(ctx, m.lead.OpenID, now)
	notify = l.ratingNotify(notify, asked)
	moved, err := l.db.RecordMove(ctx, lm, func(mv domain.Moved) ([]domain.Notification, error) {
		return notify(mv.Lead, mv.Event)
	})
	if err == nil {
		l.openRating(ctx, moved.Lead, asked, now) // ratings.go
	}
	return moved.Lead, err
}

// follow is a move of lead through steps by actor with what follows it,
// decided here: reaching 已受理 stamps the first contact (the SLA
// reminders stop); an approved 入库申请 enters the roster as Ⅳ类 dated the
// day of approval (unless the roster lists the enterprise already); a
// disbursement is a deal row, of the one institution the need was
// referred to (none when it was referred to several or none), whose
// figures the caller fills.
func (l *Service) follow(ctx context.Context, lead domain.Lead, steps []domain.LeadStep, actor string, at time.Time) (domain.LeadMove, error) {
	lm := domain.LeadMove{LeadID: lead.ID, From: lead.Status, Steps: steps, Actor: actor, At: at}
	if len(steps) == 0 {
		return lm, nil
	}
	day := at.In(domain.Shanghai).Format("2006-01-02")
	for _, s := range steps {
		if s.Status == domain.StatusContacted {
			lm.Contacted = true
		}
	}
	switch to := steps[len(steps)-1].Status; {
	case to == domain.StatusApproved && lead.Kind == domain.LeadApply:
		lm.Admit = &domain.RosterAdmission{CreditCode: lead.CreditCode, Name: lead.EnterpriseName, Tier: domain.Tier4,
			Basis: "自愿申请入库（" + lead.Number + "）", County: lead.County, ListedOn: day, Source: dialog.RosterFromApplication}
	case to == domain.StatusDisbursed:
		refs, err := l.db.Referrals(ctx, lead.ID)
		if err != nil {
			return lm, err
		}
		lm.Deal = &domain.DealRow{DisbursedOn: day}
		if len(refs) == 1 {
			lm.Deal.Institution = refs[0].Institution
		}
	}
	return lm, nil
}

// moveActions name a move in the operations log by where it goes.
var moveActions = map[string]string{
	domain.StatusContacted: "受理", domain.StatusRejected: "驳回", domain.StatusWithdrawn: "撤回",
	domain.StatusDisbursed: "登记放款",
}

// auditMove writes the operations log line of a move. A failure to record
// is logged, never the user's problem: the move stands.
func (l *Service) auditMove(ctx context.Context, a Mover, m move, moved domain.Lead) {
	from, to := m.lead.Status, moved.Status
	summary := []string{"状态 " + domain.StatusLabel(from) + "→" + domain.StatusLabel(to)}
	before := map[string]any{"number": moved.Number, "status": from}
	after := map[string]any{"number": moved.Number, "status": to}
	if m.req.To == domain.StatusDisbursed {
		summary = append(summary, "放款金额（万元）："+strconv.FormatFloat(m.req.DisbursedWan, 'f', -1, 64))
		after["disbursed_wan"] = m.req.DisbursedWan
	}
	if m.req.Note != "" {
		label := "说明"
		if to == domain.StatusRejected {
			label = "原因"
		}
		summary = append(summary, label+"："+m.req.Note)
		after["note"] = m.req.Note
	}
	action := moveActions[to]
	if action == "" {
		action = "变更申请状态"
	}
	e := domain.AuditEntry{
		Actor: a.Account.Username, Role: a.Account.Role, Method: a.Method, Route: a.Route, RemoteIP: a.RemoteIP,
		Target: "id=" + strconv.FormatUint(moved.ID, 10), Status: cmp.Or(a.Status, 200), At: cmp.Or(a.At, l.now()),
		Who: m.who, Action: action, Object: moved.Number, Summary: strings.Join(summary, "；"),
		Before: before, After: after,
	}
	switch {
	case a.OpenID != "":
		e.Actor, e.Before, e.After = "wechat:"+wechat.MaskOpenID(a.OpenID), nil, nil
	case a.System != "":
		e.Actor = "system:" + a.System
	}
	if err := l.db.Audit(ctx, e); err != nil {
		l.log.Error("audit entry not recorded", slog.String("action", action), slog.Any("error", err))
	}
}

// MoveData is the data of "move_ok".
type MoveData struct {
	Line LeadLine
	Note string
}

// moveFromChat is the chat's adapter of Move: 受理, 驳回 and 撤回 typed by
// a county contact or the enterprise.
func (l *Service) moveFromChat(ctx context.Context, in dialog.Inbound, e dialog.MoveLead) ([]dialog.Reply, error) {
	moved, err := l.Move(ctx, ChatActor(in), MoveRequest{Ref: e.Number, To: e.Status, Note: e.Note})
	switch {
	case err == nil:
	case errors.Is(err, domain.ErrNotFound):
		return []dialog.Reply{{Name: "lead_not_found", Data: e.Number}}, nil
	case errors.Is(err, domain.ErrForbidden):
		return []dialog.Reply{{Name: "move_refused", Data: e.Number}}, nil
	case errors.Is(err, ErrReasonRequired):
		return []dialog.Reply{{Name: "move_need_reason", Data: e.Number}}, nil
	case domain.Message(err) != "" && (errors.Is(err, domain.ErrTransition) || errors.Is(err, domain.ErrInvalid)):
		return []dialog.Reply{{Name: "move_invalid", Data: domain.Message(err)}}, nil
	default:
		return nil, err
	}
	if e.Status == domain.StatusWithdrawn {
		return []dialog.Reply{{Name: "lead_withdrawn", Data: MoveData{Line: l.line(moved), Note: e.Note}}}, nil
	}
	return []dialog.Reply{{Name: "move_ok", Data: MoveData{Line: l.line(moved), Note: e.Note}}}, nil
}

// Change moves a lead for an account (the API's PATCH, the console's
// buttons): Move with the account as the actor.
func (l *Service) Change(ctx context.Context, a Mover, ref, status, note string) (domain.Lead, error) {
	return l.Move(ctx, a, MoveRequest{Ref: ref, To: status, Note: note})
}

// Disburse moves a contracted need to disbursed with the amount lent:
// Move with the amount.
func (l *Service) Disburse(ctx context.Context, a Mover, ref string, wan float64, note string) (domain.Lead, error) {
	if wan == 0 {
		wan = -1 // no amount is a wrong amount here, not a missing one
	}
	return l.Move(ctx, a, MoveRequest{Ref: ref, To: domain.StatusDisbursed, Note: note, DisbursedWan: wan})
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
