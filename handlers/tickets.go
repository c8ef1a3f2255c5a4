package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
)

// Enterprises' questions handed to a person (tickets): the JSON API and
// the console pages go through the same use case (leads.Service), which
// writes the operations log entry of each act itself.

// auditedByAct marks a request whose act wrote its own operations log
// entry: the route-keyed entry is then not written.
const auditedByAct = "audit.byAct"

type ticketView struct {
	ID             uint64              `json:"id"`
	Number         string              `json:"number"`
	County         string              `json:"county"`
	Status         string              `json:"status"`
	StatusLabel    string              `json:"status_label"`
	Question       string              `json:"question"`
	EnterpriseName string              `json:"enterprise_name,omitempty"`
	CreatedAt      time.Time           `json:"created_at"`
	UpdatedAt      time.Time           `json:"updated_at"`
	AnsweredAt     *time.Time          `json:"answered_at,omitempty"`
	Messages       []ticketMessageView `json:"messages"`
}

type ticketMessageView struct {
	From      string    `json:"from"` // enterprise or staff
	Author    string    `json:"author,omitempty"`
	Text      string    `json:"text"`
	Via       string    `json:"via,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func ticketJSON(t domain.Ticket) ticketView {
	v := ticketView{ID: t.ID, Number: leads.TicketNumber(t.ID), County: t.County, Status: t.Status,
		StatusLabel: domain.TicketStatusLabel(t.Status), Question: t.Question, EnterpriseName: t.EnterpriseName,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, AnsweredAt: optTime(t.AnsweredAt), Messages: []ticketMessageView{}}
	for _, m := range t.Messages {
		v.Messages = append(v.Messages, ticketMessageJSON(m))
	}
	return v
}

func ticketMessageJSON(m domain.TicketMessage) ticketMessageView {
	from := "enterprise"
	if m.FromStaff {
		from = "staff"
	}
	return ticketMessageView{From: from, Author: m.Author, Text: m.Text, Via: m.Via, CreatedAt: m.CreatedAt}
}

func ticketID(c *gin.Context) (uint64, error) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		return 0, domain.ErrNotFound
	}
	return id, nil
}

// listTickets: GET /api/v1/tickets?status=&county=, each with its messages.
func (s *Server) listTickets(c *gin.Context) {
	ctx := c.Request.Context()
	list, err := s.Leads.Tickets(ctx, account(c), domain.TicketFilter{County: c.Query("county"), Status: c.Query("status")})
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.Leads.WithMessages(ctx, list); err != nil {
		s.fail(c, err)
		return
	}
	out := make([]ticketView, 0, len(list))
	for _, t := range list {
		out = append(out, ticketJSON(t))
	}
	c.JSON(http.StatusOK, gin.H{"tickets": out})
}

// replyTicket: POST /api/v1/tickets/{id}/reply {"text": "…"}.
func (s *Server) replyTicket(c *gin.Context) {
	var body struct {
		Text string `json:"text"`
	}
	if !s.bind(c, &body) {
		return
	}
	id, err := ticketID(c)
	if err == nil {
		var m domain.TicketMessage
		if m, err = s.Leads.AnswerTicket(c.Request.Context(), account(c), id, body.Text); err == nil {
			c.Set(auditedByAct, true)
			c.JSON(http.StatusOK, ticketMessageJSON(m))
			return
		}
	}
	s.fail(c, err)
}

// ticketsData is the data of the console's "tickets" page.
type ticketsData struct {
	Status  string
	Tickets []domain.Ticket
	Waiting int
}

// ticketsPage: GET /console/tickets?status=: the questions handed to a
// person, the waiting ones first.
func (cs *console) ticketsPage(c *gin.Context) {
	f := domain.TicketFilter{Status: c.Query("status")}
	list, err := cs.Leads.Tickets(c.Request.Context(), account(c), f)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	d := ticketsData{Status: f.Status, Tickets: list}
	for _, t := range list {
		if t.Status == domain.TicketOpen {
			d.Waiting++
		}
	}
	cs.render(c, http.StatusOK, "tickets", "企业咨询", d)
}

// ticketData is the data of the console's "ticket" page.
type ticketData struct {
	Ticket   domain.Ticket
	Number   string
	County   string
	Leads    []domain.Lead
	Reply    string // the answer typed, kept when it was refused
	Error    string
	MaxReply int
	Counties []domain.County // where it can be handed over
	// Teach is the teach-back form, for those who may teach, once staff
	// answered; nil else.
	Teach *admin.TeachChoices
}

func (cs *console) showTicket(c *gin.Context, status int, errMsg, reply string) {
	id, err := ticketID(c)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	acc := account(c)
	t, err := cs.Leads.Ticket(c.Request.Context(), acc, id)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	d := ticketData{Ticket: t, Number: leads.TicketNumber(t.ID), County: "苏州市（未知县区）", Reply: reply, Error: errMsg,
		MaxReply: domain.MaxTicketReply, Counties: cs.Bot.Policy().Counties}
	if county, ok := cs.Bot.Policy().County(t.County); ok {
		d.County = county.Name
	}
	if ls, err := cs.Leads.LeadsOfFollower(c.Request.Context(), acc, t.OpenID); err == nil {
		d.Leads = ls
	}
	if ch, err := cs.Admin.TicketTeachChoices(acc, t); err == nil && ch.Answer != "" {
		d.Teach = &ch
	}
	cs.render(c, status, "ticket", d.Number, d)
}

// ticketPage: GET /console/tickets/{id}: the enterprise, its applications
// and the conversation, with the answer form at the bottom.
func (cs *console) ticketPage(c *gin.Context) { cs.showTicket(c, http.StatusOK, "", "") }

// ticketReplySubmit: POST /console/tickets/{id}/reply (text).
func (cs *console) ticketReplySubmit(c *gin.Context) {
	text := c.PostForm("text")
	id, err := ticketID(c)
	if err == nil {
		if _, err = cs.Leads.AnswerTicket(c.Request.Context(), account(c), id, text); err == nil {
			c.Set(auditedByAct, true)
			c.Redirect(http.StatusSeeOther, "/console/tickets/"+c.Param("id")+"?ok=ticket_reply")
			return
		}
	}
	status, msg := apiStatus(err)
	if status == http.StatusNotFound || status >= http.StatusInternalServerError {
		cs.failPage(c, err)
		return
	}
	cs.showTicket(c, status, msg, text)
}

// ticketCloseSubmit: POST /console/tickets/{id}/close.
func (cs *console) ticketCloseSubmit(c *gin.Context) {
	id, err := ticketID(c)
	if err == nil {
		if err = cs.Leads.CloseTicket(c.Request.Context(), account(c), id); err == nil {
			c.Set(auditedByAct, true)
			c.Redirect(http.StatusSeeOther, "/console/tickets/"+c.Param("id")+"?ok=ticket_closed")
			return
		}
	}
	cs.failPage(c, err)
}

// ticketHandOverSubmit: POST /console/tickets/{id}/handover (county).
func (cs *console) ticketHandOverSubmit(c *gin.Context) {
	id, err := ticketID(c)
	if err == nil {
		if _, err = cs.Leads.HandOverTicket(c.Request.Context(), account(c), id, c.PostForm("county")); err == nil {
			c.Set(auditedByAct, true)
			target := "/console/tickets/" + c.Param("id") + "?ok=ticket_handover"
			if account(c).Role == domain.RoleCounty {
				target = "/console/tickets?ok=ticket_handover" // no longer its own
			}
			c.Redirect(http.StatusSeeOther, target)
			return
		}
	}
	status, msg := apiStatus(err)
	if status == http.StatusNotFound || status >= http.StatusInternalServerError {
		cs.failPage(c, err)
		return
	}
	cs.showTicket(c, status, msg, "")
}

// ticketTeachSubmit: POST /console/tickets/{id}/teach (how=faq: question,
// answer, clause; how=intent: question, intent): the staff answer becomes
// an FAQ answer, or the question a paraphrase of an existing intent,
// through 未识别问题's teaching.
func (cs *console) ticketTeachSubmit(c *gin.Context) {
	ctx, acc := c.Request.Context(), account(c)
	id, err := ticketID(c)
	if err == nil {
		_, err = cs.Leads.Ticket(ctx, acc, id) // the ticket must be the caller's to see
	}
	if err == nil {
		if c.PostForm("how") == "intent" {
			actionIs(c, "由咨询归入已有问答")
			var tp domain.TaughtParaphrase
			if tp, err = cs.Admin.AttachTicketQuestion(ctx, acc, c.PostForm("question"), c.PostForm("intent")); err == nil {
				setAudit(c, nil, gin.H{"ticket": leads.TicketNumber(id), "intent": tp.Intent, "question": tp.Text})
				c.Redirect(http.StatusSeeOther, "/console/tickets/"+c.Param("id")+"?ok=attached")
				return
			}
		} else {
			var f admin.FAQInput
			if f, err = cs.Admin.TeachFAQFromTicket(ctx, acc, faqForm(c, "")); err == nil {
				setAudit(c, nil, gin.H{"ticket": leads.TicketNumber(id), "question": f.Question, "answer": f.Answer, "clause": f.Clause})
				c.Redirect(http.StatusSeeOther, "/console/tickets/"+c.Param("id")+"?ok=answered")
				return
			}
		}
	}
	status, msg := apiStatus(err)
	if status == http.StatusNotFound || status == http.StatusForbidden || status >= http.StatusInternalServerError {
		cs.failPage(c, err)
		return
	}
	refused(c, msg)
	cs.showTicket(c, status, msg, "")
}
