package leads

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// Config configures the lead pipeline.
type Config struct {
	TemplateNewApply string   // WECHAT_TEMPLATE_NEW_LEAD_APPLY
	TemplateNewNeed  string   // WECHAT_TEMPLATE_NEW_LEAD_NEED
	TemplateStatus   string   // WECHAT_TEMPLATE_STATUS
	Officers         []string // OFFICER_OPENIDS: escalations, besides officer accounts with an openid
	PublicURL        string   // PUBLIC_URL: county notifications link to the application's console page
}

// Service runs the lead pipeline: submitting applications, listing
// progress, binding county contacts and specialists, status changes from
// the chat and the API, referrals to institutions and their deals. Every
// notification is written to the outbox in the transaction that changes
// the lead; the Outbox worker delivers it.
type Service struct {
	log      *slog.Logger
	db       Repo
	sessions SessionStore
	guard    BindGuard
	policies Policies
	replies  Renderer
	now      func() time.Time
	cfg      Config
}

// Policies gives the policy in force.
type Policies interface {
	Policy() *dialog.Policy
}

// Renderer renders a reply of the dialogue to text (the robot's markdown,
// the 客服 text of a status change).
type Renderer interface {
	Render(dialog.Reply) (string, error)
}

// Deps are the Service's collaborators.
type Deps struct {
	Log      *slog.Logger
	DB       Repo         // the store
	Sessions SessionStore // the session store
	Guard    BindGuard    // wrong bind codes: admin's guard
	Policies Policies
	Replies  Renderer
	Now      func() time.Time // nil: the real clock
}

// New returns the lead pipeline.
func New(d Deps, cfg Config) *Service {
	if d.Now == nil {
		d.Now = utcNow
	}
	return &Service{log: d.Log, db: d.DB, sessions: d.Sessions, guard: d.Guard, policies: d.Policies, replies: d.Replies, now: d.Now, cfg: cfg}
}

func (l *Service) policy() *dialog.Policy { return l.policies.Policy() }

// Officers are the openids escalations go to besides officer accounts
// with an openid (OFFICER_OPENIDS).
func (l *Service) Officers() []string { return l.cfg.Officers }

// utcNow is the default clock: times are stored in UTC.
func utcNow() time.Time { return time.Now().UTC() }

// SubmitError marks a SubmitLead that could not be stored: the turn
// answers lead_failed and keeps the state from before the message, so 确认
// works again.
type SubmitError struct {
	Kind string // the lead kind of the form
	Err  error
}

func (e *SubmitError) Error() string { return "submit lead: " + e.Err.Error() }
func (e *SubmitError) Unwrap() error { return e.Err }

// Apply runs a lead effect of a chat turn and returns its replies: a
// submitted form, a progress question, a bind code, a move typed by a
// county contact, a contact's profile.
func (l *Service) Apply(ctx context.Context, in dialog.Inbound, st *dialog.State, e dialog.Effect) ([]dialog.Reply, error) {
	switch e := e.(type) {
	case dialog.SubmitLead:
		return l.submitted(ctx, in, st, e)
	case dialog.ListLeads:
		if e.Number != "" {
			return l.history(ctx, in.OpenID, e.Number)
		}
		return l.list(ctx, in.OpenID, st.Profile.Staff != "")
	case dialog.Bind:
		return l.bind(ctx, in, st, e.Code)
	case dialog.MoveLead:
		return l.moveFromChat(ctx, in, e)
	case dialog.ShowWithdrawal:
		return l.showWithdrawal(ctx, in, st, e)
	case dialog.ShowBanks:
		return l.banks(ctx, e)
	case dialog.SaveContactProfile:
		return l.saveContactProfile(ctx, in, e)
	case dialog.OpenTicket, dialog.AppendTicket, dialog.ShowTickets, dialog.Chase:
		return l.applyTicket(ctx, in, st, e)
	case dialog.ShowMyData:
		return l.showMyData(ctx, in)
	case dialog.CorrectMyData:
		return l.correctMyData(ctx, in, e)
	case dialog.EraseMyData:
		return l.eraseMyData(ctx, in, e)
	case dialog.RateService:
		return l.rate(ctx, in, st, e) // ratings.go
	}
	return nil, fmt.Errorf("unknown effect %T", e)
}

func (l *Service) submitted(ctx context.Context, in dialog.Inbound, st *dialog.State, e dialog.SubmitLead) ([]dialog.Reply, error) {
	lead, err := l.Submit(ctx, in.OpenID, e, in.At)
	if err == nil || errors.Is(err, domain.ErrDuplicate) && lead.ID != 0 {
		st.Profile.Applied = dialog.AppliedSome
	}
	if errors.Is(err, domain.ErrDuplicate) && lead.ID != 0 {
		return []dialog.Reply{{Name: "lead_duplicate", Data: dialog.LeadDuplicateData{
			Number: lead.Number, Kind: lead.Kind, KindLabel: domain.LeadKindLabel(lead.Kind),
			Status: domain.StatusLabel(lead.Status), SubmittedAt: lead.CreatedAt,
		}}}, nil
	}
	if err != nil {
		return nil, &SubmitError{Kind: e.Kind, Err: err}
	}
	if st.Profile.County != e.County {
		st.Profile.County = e.County
		if err := l.db.SetFollowerCounty(ctx, in.OpenID, e.County); err != nil {
			l.log.Warn("follower county not saved", slog.String("openid", wechat.MaskOpenID(in.OpenID)), slog.Any("error", err))
		}
	}
	return []dialog.Reply{{Name: "lead_submitted", Data: dialog.NewLeadSubmittedData(l.policy(), e, lead.Number)}}, nil
}

// Submit stores a completed form as a lead routed to its county, with the
// notifications of the county's bound contacts and robot, in one
// transaction. A duplicate returns the open lead and domain.ErrDuplicate.
func (l *Service) Submit(ctx context.Context, openID string, in dialog.SubmitLead, at time.Time) (domain.Lead, error) {
	robot, err := l.db.RobotURL(ctx, in.County)
	if err != nil {
		return domain.Lead{}, fmt.Errorf("route lead to %s: %w", in.County, err)
	}
	contacts, err := l.db.Contacts(ctx, in.County)
	if err != nil {
		return domain.Lead{}, err
	}
	var officers []string
	if len(contacts) == 0 {
		// Nobody in the county would hear of it: the city officers are told
		// at once, to find its receiver (their 待办 shows it too).
		if officers, err = l.OfficerOpenIDs(ctx); err != nil {
			return domain.Lead{}, err
		}
	}
	lead, err := l.db.CreateLead(ctx, in, openID, at, func(lead domain.Lead, _ domain.LeadEvent) ([]domain.Notification, error) {
		msgs, err := l.countyMessages(lead, "new", contacts, robot)
		if err != nil || len(contacts) > 0 {
			return msgs, err
		}
		more, err := l.countyMessages(lead, "unrouted", officers, "")
		return append(msgs, more...), err
	})
	if err == nil && len(contacts) == 0 {
		l.log.Warn("lead filed in a county without a bound contact; officers told", slog.String("county", in.County),
			slog.String("number", lead.Number), slog.Int("officers", len(officers)))
	}
	return lead, err
}

// OfficerOpenIDs returns the openids of the city officers: officer
// accounts with an openid, then OFFICER_OPENIDS, without repeats.
func (l *Service) OfficerOpenIDs(ctx context.Context) ([]string, error) {
	ids, err := l.db.OfficerOpenIDs(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range l.cfg.Officers {
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if ids == nil {
		ids = []string{}
	}
	return ids, nil
}

// LeadLine is one lead as chat replies show it.
type LeadLine struct {
	Number         string
	KindLabel      string
	StatusLabel    string
	EnterpriseName string
	County         string // county name
	Bureau         string
	Contact        string // the bureau's contact person (附件2)
	Phone          string // the bureau's phone
	SubmittedAt    time.Time
	Last           EventLine
}

// EventLine is one status change as chat replies show it.
type EventLine struct {
	StatusLabel string
	Note        string
	At          time.Time
}

func eventLine(ev domain.LeadEvent) EventLine {
	return EventLine{StatusLabel: domain.StatusLabel(ev.Status), Note: ev.Note, At: ev.CreatedAt}
}

func (l *Service) line(lead domain.Lead) LeadLine {
	c, _ := l.policy().County(lead.County)
	ln := LeadLine{
		Number: lead.Number, KindLabel: domain.LeadKindLabel(lead.Kind), StatusLabel: domain.StatusLabel(lead.Status),
		EnterpriseName: lead.EnterpriseName, County: c.Name, Bureau: c.Bureau, Contact: c.Contact, Phone: c.Phone,
		SubmittedAt: lead.CreatedAt,
	}
	if ev, ok := lead.Last(); ok {
		ln.Last = eventLine(ev)
	} else {
		ln.Last = EventLine{StatusLabel: ln.StatusLabel, At: lead.UpdatedAt}
	}
	return ln
}

// LeadsData is the data of "leads", the 进度 list.
type LeadsData struct {
	Own    []LeadLine // the follower's own leads
	County []LeadLine // open leads of the counties the follower is a contact of
	Staff  bool       // the follower is bound as staff: no enterprise's 撤回 hint
}

// list answers 进度 without a number. staff is the follower's profile
// bound as staff.
func (l *Service) list(ctx context.Context, openID string, staff bool) ([]dialog.Reply, error) {
	own, err := l.db.Leads(ctx, domain.LeadFilter{OpenID: openID, Limit: 10})
	if err != nil {
		return nil, err
	}
	d := LeadsData{Staff: staff}
	for _, lead := range own {
		d.Own = append(d.Own, l.line(lead))
	}
	counties, err := l.db.ContactCounties(ctx, openID)
	if err != nil {
		return nil, err
	}
	d.Staff = d.Staff || len(counties) > 0
	for _, c := range counties {
		leads, err := l.db.Leads(ctx, domain.LeadFilter{County: c, OpenOnly: true, Limit: 10})
		if err != nil {
			return nil, err
		}
		for _, lead := range leads {
			d.County = append(d.County, l.line(lead))
		}
	}
	referred, err := l.referred(ctx, openID) // programme.go: a specialist's referrals
	if err != nil {
		return nil, err
	}
	if len(d.Own) == 0 && len(d.County) == 0 {
		if referred != nil {
			return []dialog.Reply{*referred}, nil
		}
		return []dialog.Reply{{Name: "leads_none"}}, nil
	}
	if referred != nil {
		return []dialog.Reply{{Name: "leads", Data: d}, *referred}, nil
	}
	return []dialog.Reply{{Name: "leads", Data: d}}, nil
}

// LeadHistoryData is the data of "lead_history".
type LeadHistoryData struct {
	Line    LeadLine
	Events  []EventLine
	Contact bool        // the reader is a contact of the lead's county: show the enterprise's details
	Lead    domain.Lead // for contacts
	Next    []string    // for contacts: what 受理/驳回 can do now
	// Timeline is the enterprise's 办理记录 in its words (timeline.go).
	Timeline []TimelineEntry
	Open     bool // the enterprise may still withdraw it
}

func (l *Service) history(ctx context.Context, openID, number string) ([]dialog.Reply, error) {
	lead, err := l.db.LeadByNumber(ctx, number)
	if errors.Is(err, domain.ErrNotFound) {
		return []dialog.Reply{{Name: "lead_not_found", Data: number}}, nil
	}
	if err != nil {
		return nil, err
	}
	counties, err := l.db.ContactCounties(ctx, openID)
	if err != nil {
		return nil, err
	}
	contact := slices.Contains(counties, lead.County)
	if lead.OpenID != openID && !contact {
		// Someone else's lead is answered as unknown, so numbers cannot be probed.
		return []dialog.Reply{{Name: "lead_not_found", Data: number}}, nil
	}
	d := LeadHistoryData{Line: l.line(lead), Contact: contact, Lead: lead}
	if !contact {
		if d.Timeline, err = l.timeline(ctx, lead); err != nil {
			return nil, err
		}
		d.Open = slices.Contains(domain.NextStatuses(lead.Kind, lead.Status), domain.StatusWithdrawn)
		return []dialog.Reply{{Name: "lead_history", Data: d}}, nil
	}
	for _, ev := range lead.Events {
		d.Events = append(d.Events, eventLine(ev))
	}
	if contact {
		for _, s := range domain.NextStatuses(lead.Kind, lead.Status) {
			if s != domain.StatusWithdrawn { // only the enterprise withdraws
				d.Next = append(d.Next, domain.StatusLabel(s))
			}
		}
	}
	return []dialog.Reply{{Name: "lead_history", Data: d}}, nil
}

// BindData is the data of "bind_ok": the county, and the applications
// waiting there, which the new contact takes over.
type BindData struct {
	County  string
	Bureau  string
	Waiting []LeadLine // the open applications not yet taken up, oldest first
}

// bind binds the sender with a code: a county's (contact), a
// specialist's, or an officer's own. Codes share one space; a wrong one,
// whether unknown, used or expired, gets the one answer "bind_failed",
// is counted (guard.go) and audited, and too many hold the sender's next
// attempts back without the code being looked at.
func (l *Service) bind(ctx context.Context, in dialog.Inbound, st *dialog.State, code string) ([]dialog.Reply, error) {
	until, err := l.guard.BindHeld(ctx, in.OpenID, code, in.At)
	if err != nil {
		return nil, err
	}
	if !until.IsZero() {
		return []dialog.Reply{{Name: "bind_held", Data: waitMinutes(in.At, until)}}, nil
	}
	county, err := l.db.UseBindCode(ctx, code, in.OpenID, in.At)
	if errors.Is(err, domain.ErrNotFound) {
		// Not a county's code: perhaps a specialist's, or an officer's own.
		replies, ok, serr := l.bindSpecialist(ctx, in, code)
		if ok {
			return replies, l.guard.BindSucceeded(ctx, in.OpenID)
		}
		err = serr
		if errors.Is(err, domain.ErrNotFound) {
			acc, aerr := l.db.UseAccountBindCode(ctx, code, in.OpenID, in.At)
			if aerr == nil {
				l.auditChat(ctx, in, acc.Username+"（市局）", "绑定本人微信", acc.Username, "", "", "")
				return []dialog.Reply{{Name: "bind_account_ok", Data: acc.Username}}, l.guard.BindSucceeded(ctx, in.OpenID)
			}
			err = aerr
		}
	}
	if wrongCode(err) {
		return l.bindFailed(ctx, in, code)
	}
	if err != nil {
		return nil, err
	}
	if err := l.guard.BindSucceeded(ctx, in.OpenID); err != nil {
		l.log.Warn("bind failures not cleared", slog.Any("error", err))
	}
	c, _ := l.policy().County(county)
	l.auditChat(ctx, in, l.contactWho(county), "绑定", c.Name, "", "", "")
	d := BindData{County: c.Name, Bureau: c.Bureau}
	// The applications filed while nobody received them are handed over
	// in the same message.
	waiting, err := l.db.Leads(ctx, domain.LeadFilter{County: county, Status: domain.StatusSubmitted, Limit: 20})
	if err != nil {
		return nil, err
	}
	for i := len(waiting) - 1; i >= 0; i-- {
		d.Waiting = append(d.Waiting, l.line(waiting[i]))
	}
	// The contact is asked for their name and mobile next.
	st.AwaitContactProfile()
	return []dialog.Reply{{Name: "bind_ok", Data: d}, {Name: "contact_profile_ask"}}, nil
}

// Lead returns a lead with its history as the account may see it: a county
// account gets domain.ErrNotFound for another county's lead. ref is the id
// or the number.
func (l *Service) Lead(ctx context.Context, acc domain.Account, ref string) (domain.Lead, error) {
	var (
		lead domain.Lead
		err  error
	)
	if id, perr := strconv.ParseUint(ref, 10, 64); perr == nil {
		lead, err = l.db.Lead(ctx, id)
	} else {
		lead, err = l.db.LeadByNumber(ctx, strings.ToUpper(ref))
	}
	if err != nil {
		return domain.Lead{}, err
	}
	if acc.Role == domain.RoleInstitution {
		// A specialist sees only the applications referred to its institution.
		if ok, err := l.db.Referred(ctx, lead.ID, acc.Institution); err != nil || !ok {
			return domain.Lead{}, cmp.Or(err, domain.ErrNotFound)
		}
		return lead, nil
	}
	if !acc.Sees(lead.County) {
		return domain.Lead{}, domain.ErrNotFound
	}
	return lead, nil
}

// List returns the leads matching f that the account may see; a county
// account always sees only its own county.
func (l *Service) List(ctx context.Context, acc domain.Account, f domain.LeadFilter) ([]domain.Lead, error) {
	if f.County != "" {
		if _, ok := l.policy().County(f.County); !ok {
			return nil, domain.Errorf(domain.ErrInvalid, "未知的县级市（区）“%s”", f.County)
		}
	}
	if f.Status != "" && !domain.ValidStatus(f.Status) {
		return nil, domain.Errorf(domain.ErrInvalid, "未知的状态“%s”", f.Status)
	}
	if f.Kind != "" && !domain.ValidKind(f.Kind) {
		return nil, domain.Errorf(domain.ErrInvalid, "未知的类型“%s”，应为 apply 或 need", f.Kind)
	}
	if acc.Role == domain.RoleCounty {
		if f.County != "" && f.County != acc.County {
			return []domain.Lead{}, nil
		}
		f.County = acc.County
	}
	if acc.Role == domain.RoleInstitution {
		f.Institution = acc.Institution
	}
	return l.db.Leads(ctx, f)
}

// NewBindCode issues a one-time code binding a contact to county: officers
// for any county, county accounts for their own.
func (l *Service) NewBindCode(ctx context.Context, acc domain.Account, county string) (domain.BindCode, error) {
	if err := acc.Require(domain.PermContactsWrite); err != nil {
		return domain.BindCode{}, err
	}
	if acc.Role == domain.RoleCounty && acc.County != county {
		return domain.BindCode{}, domain.Errorf(domain.ErrForbidden, "无权为该县级市（区）生成绑定码")
	}
	return l.db.CreateBindCode(ctx, county, "account:"+acc.Username, l.now())
}

// contactWho names a county's WeChat contact in the operations log.
func (l *Service) contactWho(county string) string {
	if c, ok := l.policy().County(county); ok {
		return "微信联系人（" + c.Name + "局）"
	}
	return "微信联系人"
}

// BindCodes returns a county's outstanding binding codes, for those who
// may issue them.
func (l *Service) BindCodes(ctx context.Context, acc domain.Account, county string) ([]domain.BindCode, error) {
	if err := acc.Require(domain.PermContactsWrite); err != nil {
		return nil, err
	}
	if acc.Role == domain.RoleCounty && acc.County != county {
		return nil, domain.Errorf(domain.ErrForbidden, "无权查看该县级市（区）的绑定码")
	}
	return l.db.OutstandingBindCodes(ctx, county, l.now())
}

// RevokeBindCode ends an outstanding binding code of county.
func (l *Service) RevokeBindCode(ctx context.Context, acc domain.Account, county, code string) error {
	if err := acc.Require(domain.PermContactsWrite); err != nil {
		return err
	}
	if acc.Role == domain.RoleCounty && acc.County != county {
		return domain.Errorf(domain.ErrForbidden, "无权撤销该县级市（区）的绑定码")
	}
	return l.db.RevokeBindCode(ctx, county, code, l.now())
}

// Search returns a page of the leads q selects, as acc may see them (a
// county account its own county's, a specialist its institution's), and
// how many match in all.
func (l *Service) Search(ctx context.Context, acc domain.Account, q domain.LeadQuery) ([]domain.Lead, int64, error) {
	switch acc.Role {
	case domain.RoleCounty:
		q.County = acc.County
	case domain.RoleInstitution:
		q.Institution = acc.Institution
	}
	return l.db.SearchLeads(ctx, q)
}

// EnterpriseProfile is what the follower's last self-check recorded: the
// tier and the honours it named.
func (l *Service) EnterpriseProfile(ctx context.Context, openID string) (dialog.Profile, error) {
	return l.db.Profile(ctx, openID)
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
