package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
)

// The application page: details with the deadline, the enterprise's
// self-check as a badge, the next allowed moves as buttons (irreversible
// ones confirmed with a summary first), follow-up notes, an officer's
// status correction, and the history with people's names.

// action is a move offered on the application page.
type action struct {
	Value, Label string
	Final        bool // the move ends the application: confirmed first
}

// historyItem is one line of the history: a status change or a note.
type historyItem struct {
	At      time.Time
	Status  string // "" for a note
	Note    string
	Kind    string // the note's kind label
	Actor   leads.Actor
	Correct bool
	Sent    bool // a note sent to the enterprise
}

type leadData struct {
	Lead       domain.Lead
	Row        leadRow
	Next       []option
	Actions    []action
	Note       string
	Badge      string   // the enterprise's self-check tier
	Honours    []string // the criteria it claimed
	History    []historyItem
	Officer    bool
	Specialist bool     // an institution's specialist: their steps first, no county controls
	Statuses   []option // for an officer's correction
	Reasons    []string
	NoteKinds  []option
	// Confirm is the move waiting for confirmation (irreversible).
	Confirm      *action
	Reason       string // the picked common reason
	ReasonText   string
	Amount       string
	NoteKind     string
	NoteText     string
	NoteSend     bool
	CorrectTo    string
	CorrectNote  string
	ContactPhone string
	Programme    *programmeData // referrals and deals (console_programme.go)
}

// actionLabel is what the button of a move says.
func actionLabel(status string) string {
	switch status {
	case domain.StatusContacted:
		return "受理"
	case domain.StatusReviewing:
		return "转入审核"
	case domain.StatusPreApproved:
		return "登记预授信"
	case domain.StatusContracted:
		return "登记签约"
	case domain.StatusDisbursed:
		return "登记放款"
	case domain.StatusApproved:
		return "准予入库"
	case domain.StatusRejected:
		return "不予通过"
	case domain.StatusWithdrawn:
		return "登记撤回"
	}
	return domain.StatusLabel(status)
}

func (cs *console) leadData(c *gin.Context, l domain.Lead) (*leadData, error) {
	ctx := c.Request.Context()
	acc := account(c)
	d := &leadData{Lead: l, Officer: acc.Role == domain.RoleOfficer, Reasons: leads.RejectReasons,
		NoteKinds: []option{{"phone", "电话"}, {"visit", "走访"}, {"other", "其他"}}, NoteKind: "phone"}
	d.Specialist = acc.Role == domain.RoleInstitution
	for _, st := range domain.NextStatuses(l.Kind, l.Status) {
		d.Next = append(d.Next, option{st, domain.StatusLabel(st)})
		if st == domain.StatusDisbursed {
			// 放款 is recorded as a deal (institution, product, rate,
			// term), checked against the notice: the deal form.
			continue
		}
		d.Actions = append(d.Actions, action{Value: st, Label: actionLabel(st), Final: domain.Terminal(st)})
	}
	for _, st := range domain.Statuses {
		if domain.StatusFits(l.Kind, st) && st != l.Status && st != domain.StatusDisbursed {
			d.Statuses = append(d.Statuses, option{st, domain.StatusLabel(st)})
		}
	}
	rows, err := cs.rows(ctx, []domain.Lead{l})
	if err != nil {
		return nil, err
	}
	d.Row = rows[0]
	if l.OpenID != "" {
		if prof, err := cs.Leads.EnterpriseProfile(ctx, l.OpenID); err == nil && prof.Tier.Valid() {
			d.Badge = prof.Tier.Label()
			for _, id := range prof.Criteria {
				if cr, ok := cs.Bot.Policy().Criterion(id); ok {
					d.Honours = append(d.Honours, cr.Name)
				}
			}
		}
	}
	if county, ok := cs.Bot.Policy().County(l.County); ok {
		d.ContactPhone = county.Phone
	}
	actors, err := cs.Leads.Actors(ctx)
	if err != nil {
		return nil, err
	}
	for _, ev := range l.Events {
		d.History = append(d.History, historyItem{At: ev.CreatedAt, Status: ev.Status, Note: ev.Note, Actor: actors(ev.Actor),
			Correct: strings.HasPrefix(ev.Note, "状态更正")})
	}
	notes, err := cs.Leads.Notes(ctx, l)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		d.History = append(d.History, historyItem{At: n.CreatedAt, Note: n.Note, Kind: n.KindLabel, Actor: actors(n.Actor), Sent: n.Sent})
	}
	// Oldest first, notes among the changes by time.
	for i := 1; i < len(d.History); i++ {
		for j := i; j > 0 && d.History[j].At.Before(d.History[j-1].At); j-- {
			d.History[j], d.History[j-1] = d.History[j-1], d.History[j]
		}
	}
	return d, nil
}

// showLead renders the application page with status, msg as the error and
// fill applied to its data (what was typed stays).
func (cs *console) showLead(c *gin.Context, status int, msg string, fill func(d *leadData)) {
	l, err := cs.Leads.Lead(c.Request.Context(), account(c), c.Param("id"))
	if err != nil {
		cs.failPage(c, err)
		return
	}
	c.Set(auditObjectKey, l.Number) // a refused act on it names it
	d, err := cs.leadData(c, l)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	if err := cs.withProgramme(c, d); err != nil {
		cs.failPage(c, err)
		return
	}
	if fill != nil {
		fill(d)
	}
	p := cs.newPage(c, l.Number, d)
	p.Nav, p.Error = "leads", msg
	cs.renderPage(c, status, "lead", p)
}

// leadPage: GET /console/leads/{id}; another county's lead is 404.
func (cs *console) leadPage(c *gin.Context) {
	cs.showLead(c, http.StatusOK, "", nil)
}

// leadStatusSubmit: POST /console/leads/{id}/status (status, note), through
// leads.Service.Move like the API's PATCH: the same rules, events,
// notifications and operations log line. A move that ends the application
// (未通过, 已入库, 已撤回, 已放款) is first shown as a summary to confirm
// (confirm=1); the page offers the common reasons of a rejection and asks
// for the amount of a disbursement, and Move's refusals are shown on it.
func (cs *console) leadStatusSubmit(c *gin.Context) {
	ctx := c.Request.Context()
	acc := account(c)
	note := strings.TrimSpace(c.PostForm("note"))
	to := c.PostForm("status")
	reason, reasonText := c.PostForm("reason"), strings.TrimSpace(c.PostForm("reason_text"))
	amount := strings.TrimSpace(c.PostForm("disbursed_wan"))
	keep := func(d *leadData) {
		d.Note, d.Reason, d.ReasonText, d.Amount = note, reason, reasonText, amount
	}
	confirm := func(msg string) {
		code := http.StatusOK
		if msg != "" {
			code = http.StatusUnprocessableEntity
		} else {
			notAnAct(c) // the confirmation screen only
		}
		cs.showLead(c, code, msg, func(d *leadData) {
			keep(d)
			d.Confirm = &action{Value: to, Label: actionLabel(to), Final: true}
		})
	}
	final := domain.Terminal(to) && (acc.Can(domain.PermLeadsWrite) || acc.Can(domain.PermDealWrite))
	if final && c.PostForm("confirm") != "1" {
		if err := cs.Leads.CheckMove(ctx, cs.consoleMover(c), c.Param("id"), to); err != nil {
			status, msg := apiStatus(err)
			if status == http.StatusNotFound || status >= http.StatusInternalServerError {
				cs.failPage(c, err)
				return
			}
			cs.showLead(c, status, msg, keep)
			return
		}
		confirm("")
		return
	}
	if final && to == domain.StatusRejected {
		if reason != "" && !contains(leads.RejectReasons, reason) {
			reason = ""
		}
		note = strings.Trim(reason+"；"+reasonText, "；")
	}
	var (
		l     domain.Lead
		err   error
		moved = true
	)
	wan, perr := strconv.ParseFloat(amount, 64)
	if to == domain.StatusDisbursed {
		if perr != nil {
			wan = 0 // Move asks for the amount
		}
		if wan != 0 {
			l, _, moved, err = cs.Admin.SetDisbursed(ctx, cs.consoleMover(c), c.Param("id"), wan, note)
		} else {
			l, err = cs.Leads.Move(ctx, cs.consoleMover(c), leads.MoveRequest{Ref: c.Param("id"), To: to, Note: note})
		}
	} else {
		l, err = cs.Leads.Change(ctx, cs.consoleMover(c), c.Param("id"), to, note)
	}
	if err == nil {
		c.Set(auditedByAct, moved) // Move wrote the operations log line
		if !moved {
			setLeadAudit(c, l, note)
		}
		c.Redirect(http.StatusSeeOther, "/console/leads/"+strconv.FormatUint(l.ID, 10)+"?ok=status")
		return
	}
	status, msg := apiStatus(err)
	if status == http.StatusNotFound || status >= http.StatusInternalServerError {
		cs.failPage(c, err)
		return
	}
	switch {
	case errors.Is(err, leads.ErrReasonRequired):
		confirm("请选择或填写不予通过的原因，企业将看到这个原因。")
		return
	case errors.Is(err, leads.ErrAmountRequired), final && to == domain.StatusDisbursed && strings.Contains(msg, "放款金额应为"):
		confirm("请填写放款金额（万元，大于0的数字）。")
		return
	}
	// Show the lead again with the reason, keeping what was typed.
	cs.showLead(c, status, msg, keep)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// leadNoteSubmit: POST /console/leads/{id}/notes (kind, text): a follow-up
// without a status change.
func (cs *console) leadNoteSubmit(c *gin.Context) {
	kind, text, send := c.PostForm("kind"), c.PostForm("text"), c.PostForm("send") == "1"
	l, err := cs.Leads.AddNote(c.Request.Context(), account(c), c.Param("id"), kind, text, send)
	if err == nil {
		after := gin.H{"number": l.Number, "text": leads.NoteKindLabel(kind) + "：" + strings.TrimSpace(text)}
		if send {
			after["sent"] = true
		}
		setAudit(c, nil, after)
		c.Redirect(http.StatusSeeOther, "/console/leads/"+strconv.FormatUint(l.ID, 10)+"?ok=note")
		return
	}
	status, msg := apiStatus(err)
	if status == http.StatusNotFound || status >= http.StatusInternalServerError {
		cs.failPage(c, err)
		return
	}
	cs.showLead(c, status, msg, func(d *leadData) { d.NoteKind, d.NoteText, d.NoteSend = kind, text, send })
}

// leadCorrectSubmit: POST /console/leads/{id}/correct (status, reason):
// an officer sets a wrong status right.
func (cs *console) leadCorrectSubmit(c *gin.Context) {
	to, reason := c.PostForm("status"), c.PostForm("reason")
	l, err := cs.Leads.Correct(c.Request.Context(), account(c), c.Param("id"), to, reason)
	if err == nil {
		setLeadAudit(c, l, reason)
		c.Redirect(http.StatusSeeOther, "/console/leads/"+strconv.FormatUint(l.ID, 10)+"?ok=correct")
		return
	}
	status, msg := apiStatus(err)
	if status == http.StatusNotFound || status >= http.StatusInternalServerError {
		cs.failPage(c, err)
		return
	}
	cs.showLead(c, status, msg, func(d *leadData) { d.CorrectTo, d.CorrectNote = to, reason })
}

// consoleMover is the console's mover: a move answers with a redirect.
func (cs *console) consoleMover(c *gin.Context) leads.Mover {
	m := cs.mover(c)
	m.Status = http.StatusSeeOther
	return m
}
