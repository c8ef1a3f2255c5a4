package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
)

// leadView is the JSON shape of a lead.
type leadView struct {
	ID             uint64      `json:"id"`
	Number         string      `json:"number"`
	Kind           string      `json:"kind"`
	KindLabel      string      `json:"kind_label"`
	County         string      `json:"county"`
	Status         string      `json:"status"`
	StatusLabel    string      `json:"status_label"`
	EnterpriseName string      `json:"enterprise_name"`
	CreditCode     string      `json:"credit_code"`
	Contact        string      `json:"contact"`
	Phone          string      `json:"phone"`
	Product        string      `json:"product,omitempty"`
	AmountWan      float64     `json:"amount_wan,omitempty"`
	TermMonths     int         `json:"term_months,omitempty"`
	Purpose        string      `json:"purpose,omitempty"`
	Note           string      `json:"note,omitempty"`
	Next           []string    `json:"next"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
	ContactedAt    *time.Time  `json:"contacted_at,omitempty"`
	RemindedAt     *time.Time  `json:"reminded_at,omitempty"`
	EscalatedAt    *time.Time  `json:"escalated_at,omitempty"`
	Events         []eventView `json:"events,omitempty"`
}

type eventView struct {
	Status      string    `json:"status"`
	StatusLabel string    `json:"status_label"`
	Actor       string    `json:"actor"`
	Note        string    `json:"note"`
	CreatedAt   time.Time `json:"created_at"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func leadJSON(l domain.Lead, events bool) leadView {
	v := leadView{
		ID: l.ID, Number: l.Number, Kind: l.Kind, KindLabel: domain.LeadKindLabel(l.Kind), County: l.County,
		Status: l.Status, StatusLabel: domain.StatusLabel(l.Status), EnterpriseName: l.EnterpriseName,
		CreditCode: l.CreditCode, Contact: l.Contact, Phone: l.Phone, Product: l.Product, AmountWan: l.AmountWan,
		TermMonths: l.TermMonths, Purpose: l.Purpose, Note: l.Note, Next: domain.NextStatuses(l.Kind, l.Status),
		CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt,
		ContactedAt: optTime(l.ContactedAt), RemindedAt: optTime(l.RemindedAt), EscalatedAt: optTime(l.EscalatedAt),
	}
	if v.Next == nil {
		v.Next = []string{}
	}
	if events {
		v.Events = []eventView{}
		for _, e := range l.Events {
			v.Events = append(v.Events, eventView{Status: e.Status, StatusLabel: domain.StatusLabel(e.Status),
				Actor: e.Actor, Note: e.Note, CreatedAt: e.CreatedAt})
		}
	}
	return v
}

// listLeads: GET /api/v1/leads?county=&status=&kind=.
func (s *Server) listLeads(c *gin.Context) {
	list, err := s.Leads.List(c.Request.Context(), account(c), domain.LeadFilter{
		County: c.Query("county"), Status: c.Query("status"), Kind: c.Query("kind"),
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]leadView, 0, len(list))
	for _, l := range list {
		out = append(out, leadJSON(l, false))
	}
	c.JSON(http.StatusOK, gin.H{"leads": out})
}

// getLead: GET /api/v1/leads/{id}, with its events; id may be the number.
func (s *Server) getLead(c *gin.Context) {
	l, err := s.Leads.Lead(c.Request.Context(), account(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, leadJSON(l, true))
}

type patchLeadRequest struct {
	Status string `json:"status"`
	Note   string `json:"note"`
}

// patchLead: PATCH /api/v1/leads/{id} {"status","note"}.
func (s *Server) patchLead(c *gin.Context) {
	var req patchLeadRequest
	if !s.bind(c, &req) {
		return
	}
	l, err := s.Leads.Change(c.Request.Context(), s.mover(c), c.Param("id"), req.Status, req.Note)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(auditedByAct, true) // Move wrote the operations log line
	c.JSON(http.StatusOK, leadJSON(l, true))
}

// createBindCode: POST /api/v1/counties/{county}/bind-codes → {"code"}.
func (s *Server) createBindCode(c *gin.Context) {
	bc, err := s.Leads.NewBindCode(c.Request.Context(), account(c), c.Param("county"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"code": bc.Code, "county": bc.County, "expires_at": bc.ExpiresAt})
}

// mover is the signed-in account as the one moving a lead, with what the
// operations log says of the request.
func (s *Server) mover(c *gin.Context) leads.Mover {
	acc := account(c)
	return leads.Mover{Account: acc, Method: c.Request.Method, Route: c.FullPath(), RemoteIP: c.ClientIP(),
		At: s.Now(), Who: s.whoIs(acc)}
}
