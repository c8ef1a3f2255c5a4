package handlers

import (
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
)

// adminRoutes registers the officers' and county contacts' API: audit log,
// counties and their QR codes, settings, dashboard, broadcasts and tags,
// monthly reports. Who may call what is decided by dialog's permission
// table, checked in the bot functions each handler calls (and by allow for
// the few that call the store directly).
func (s *Server) adminRoutes(authed *gin.RouterGroup) {
	authed.GET("/audit", s.allow(domain.PermAuditRead), s.listAudit)

	authed.GET("/counties", s.listCounties)
	authed.PATCH("/counties/:county", s.patchCounty)
	authed.GET("/counties/:county/contacts", s.listContacts)
	authed.DELETE("/counties/:county/contacts/:openid", s.deleteContact)
	authed.POST("/counties/:county/qrcode", s.createQR)
	authed.GET("/counties/:county/qrcode.png", s.qrPNG)

	authed.GET("/settings", s.getSettings)
	authed.PUT("/settings", s.putSettings)
	authed.GET("/dashboard", s.dashboard)

	authed.POST("/tags/sync", s.syncTags)
	authed.GET("/broadcasts", s.listBroadcasts)
	authed.POST("/broadcasts", s.createBroadcast)
	authed.GET("/broadcasts/:id", s.getBroadcast)
	authed.POST("/broadcasts/:id/preview", s.previewBroadcast)
	authed.POST("/broadcasts/:id/send", s.sendBroadcast)

	authed.GET("/reports/monthly", s.monthlyReport)
	authed.POST("/reports/monthly/confirm", s.confirmReport)
	authed.POST("/leads/:id/disburse", s.disburseLead)
}

// allow answers 403 unless the account holds p (dialog's permission table).
func (s *Server) allow(p domain.Perm) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := account(c).Require(p); err != nil {
			s.fail(c, err)
			return
		}
		c.Next()
	}
}

const (
	auditBeforeKey = "audit_before"
	auditAfterKey  = "audit_after"
	auditFailKey   = "audit_fail"   // why the act was refused, as the person read it
	auditSkipKey   = "audit_skip"   // the request showed a screen: no act
	auditActionKey = "audit_action" // the act's name, when the route's is not it
)

// notAnAct marks a write request that only showed a screen (a confirmation
// to read before acting): nothing happened, so nothing is logged.
func notAnAct(c *gin.Context) { c.Set(auditSkipKey, true) }

// actionIs names this request's act when the route's name does not fit
// it (an LPR scheduled for a later day is not an edit of the one in force).
func actionIs(c *gin.Context, action string) { c.Set(auditActionKey, action) }

// refused records why a write was refused, for its log entry.
func refused(c *gin.Context, msg string) {
	if msg != "" {
		c.Set(auditFailKey, msg)
	}
}

// setAudit gives the audit entry of this request the record before and
// after the change.
func setAudit(c *gin.Context, before, after any) {
	if before != nil {
		c.Set(auditBeforeKey, before)
	}
	if after != nil {
		c.Set(auditAfterKey, after)
	}
}

// audited records every write (POST, PUT, PATCH, DELETE) of an
// authenticated account in the audit log once the handler has answered:
// who, the method and route, the ids in the path, the status, and the
// before/after a handler gave with setAudit. authenticate runs it, so every
// authenticated route is covered, whichever file registers it; the console
// uses it for its form posts.
func (s *Server) audited(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		c.Next()
		return
	}
	c.Next()
	if c.GetBool(auditedByAct) || c.GetBool(auditSkipKey) {
		return // the act wrote its own entry, or the request showed a screen
	}
	acc := account(c)
	var target []string
	for _, p := range c.Params {
		target = append(target, p.Key+"="+p.Value)
	}
	sort.Strings(target)
	before, _ := c.Get(auditBeforeKey)
	after, _ := c.Get(auditAfterKey)
	route := c.FullPath()
	if route == "" {
		route = c.Request.URL.Path
	}
	summary := auditSummary(before, after)
	if status := c.Writer.Status(); status >= http.StatusBadRequest {
		// A refusal says why, as the person was told.
		reason := c.GetString(auditFailKey)
		if reason == "" {
			reason = http.StatusText(status)
		}
		summary = strings.Trim("未成功："+reason+"；"+summary, "；")
	}
	err := s.Admin.Audit(c.Request.Context(), domain.AuditEntry{
		Actor: acc.Username, Role: acc.Role, Method: c.Request.Method, Route: route, Target: strings.Join(target, ","),
		Status: c.Writer.Status(), Before: before, After: after, RemoteIP: c.ClientIP(), At: s.Now(),
		Who: s.whoIs(acc), Action: auditAction(c, route), Object: s.auditObject(c, before, after),
		Summary: summary,
	})
	if err != nil {
		s.Log.Error("audit entry not recorded", slog.String("route", route), slog.Any("error", err))
	}
}

type auditView struct {
	ID       uint64 `json:"id"`
	Actor    string `json:"actor"`
	Role     string `json:"role"`
	Method   string `json:"method"`
	Route    string `json:"route"`
	Target   string `json:"target"`
	Status   int    `json:"status"`
	Before   any    `json:"before,omitempty"`
	After    any    `json:"after,omitempty"`
	At       string `json:"at"`
	RemoteIP string `json:"remote_ip"`
	Who      string `json:"who"`
	Action   string `json:"action"`
	Object   string `json:"object"`
	Summary  string `json:"summary"`
}

// rawJSON passes stored JSON through as JSON (and anything else as a string).
func rawJSON(s string) any {
	if s == "" {
		return nil
	}
	if strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") {
		return jsonRaw(s)
	}
	return s
}

type jsonRaw string

func (j jsonRaw) MarshalJSON() ([]byte, error) { return []byte(j), nil }

// listAudit: GET /api/v1/audit?limit=&person=&action=&object=&from=&to=
// (officers).
func (s *Server) listAudit(c *gin.Context) {
	limit, _ := strconv.Atoi(c.Query("limit"))
	f, _, err := auditFilter(c, min(limit, 1000))
	if err != nil {
		s.fail(c, err)
		return
	}
	rows, err := s.Admin.FindAudit(c.Request.Context(), account(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]auditView, 0, len(rows))
	for _, r := range rows {
		out = append(out, auditView{ID: r.ID, Actor: r.Actor, Role: r.Role, Method: r.Method, Route: r.Route, Target: r.Target,
			Status: r.Status, Before: rawJSON(r.Before), After: rawJSON(r.After), At: r.At.In(domain.Shanghai).Format("2006-01-02T15:04:05-07:00"),
			RemoteIP: r.RemoteIP, Who: r.Who, Action: r.Action, Object: r.Object, Summary: r.Summary})
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

// getSettings: GET /api/v1/settings (officers).
func (s *Server) getSettings(c *gin.Context) {
	st, err := s.Admin.Settings(c.Request.Context(), account(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// putSettings: PUT /api/v1/settings {"lpr","lpr_date","workdays_overrides"} (officers).
func (s *Server) putSettings(c *gin.Context) {
	var req admin.Settings
	if !s.bind(c, &req) {
		return
	}
	before, after, err := s.Admin.UpdateSettings(c.Request.Context(), account(c), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	// The request is the change: a future LPR is scheduled, not in force.
	was, now := gin.H{"lpr": before.LPR, "lpr_date": before.LPRDate}, gin.H{"lpr": req.LPR, "lpr_date": req.LPRDate}
	if req.LPRDate > s.Now().In(domain.Shanghai).Format("2006-01-02") {
		// A new entry of the schedule, not an edit of the rate in force.
		actionIs(c, "安排LPR")
		delete(was, "lpr")
		delete(was, "lpr_date")
	}
	if req.Workdays != nil {
		was["workdays_overrides"], now["workdays_overrides"] = before.Workdays, after.Workdays
	}
	setAudit(c, was, now)
	c.JSON(http.StatusOK, after)
}

// dashboard: GET /api/v1/dashboard?month=YYYY-MM.
func (s *Server) dashboard(c *gin.Context) {
	d, err := s.Admin.Dashboard(c.Request.Context(), account(c), c.Query("month"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

type disburseRequest struct {
	DisbursedWan float64 `json:"disbursed_wan"`
	Note         string  `json:"note"`
}

// disburseLead: POST /api/v1/leads/{id}/disburse {"disbursed_wan","note"}
// moves a contracted need to disbursed with the amount, or corrects the
// amount of a disbursed one.
func (s *Server) disburseLead(c *gin.Context) {
	var req disburseRequest
	if !s.bind(c, &req) {
		return
	}
	lead, wan, moved, err := s.Admin.SetDisbursed(c.Request.Context(), s.mover(c), c.Param("id"), req.DisbursedWan, req.Note)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := leadJSON(lead, true)
	c.Set(auditedByAct, moved) // a move is logged by Move; a correction here
	setAudit(c, nil, gin.H{"id": lead.ID, "status": lead.Status, "disbursed_wan": wan})
	c.JSON(http.StatusOK, gin.H{"lead": v, "disbursed_wan": wan})
}
