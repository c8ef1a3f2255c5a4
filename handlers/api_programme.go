package handlers

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
)

// The programme's records in the JSON API: the 企业库 roster, the
// cooperating institutions and their specialists, referrals and deals,
// and the counties' league table. Who may do what is checked in bot.

// MaxRosterFile is the largest roster file accepted (10 MiB).
const MaxRosterFile = 10 << 20

func (s *Server) programmeRoutes(authed *gin.RouterGroup) {
	authed.POST("/roster/import", s.importRoster)
	authed.GET("/roster", s.listRoster)
	authed.GET("/roster/:code", s.rosterHistory)

	authed.GET("/institutions", s.listInstitutions)
	authed.POST("/institutions", s.createInstitution)
	authed.GET("/institutions/:inst", s.getInstitution)
	authed.PATCH("/institutions/:inst", s.patchInstitution)
	authed.POST("/institutions/:inst/specialists", s.addSpecialist)
	authed.DELETE("/institutions/:inst/specialists/:sid", s.deleteSpecialist)
	authed.POST("/institutions/:inst/specialists/:sid/bind-codes", s.specialistCode)

	authed.GET("/leads/:id/referrals", s.listReferrals)
	authed.POST("/leads/:id/referrals", s.createReferral)
	authed.GET("/leads/:id/deals", s.listDeals)
	authed.POST("/leads/:id/deals", s.createDeal)
	authed.PATCH("/leads/:id/deals/:deal", s.correctDeal)
	authed.POST("/leads/:id/deals/:deal/withdraw", s.withdrawDeal)

	authed.GET("/reports/league", s.league)
}

// idParam reads a numeric path parameter; anything else is 404.
func idParam(c *gin.Context, name string) (uint64, bool) {
	id, err := strconv.ParseUint(c.Param(name), 10, 64)
	return id, err == nil && id > 0
}

// importRoster: POST /api/v1/roster/import (multipart "file", csv or xlsx;
// ?dry_run=1 previews) → {"inserted","updated","unchanged","rejected"}.
func (s *Server) importRoster(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxRosterFile+1<<20)
	fh, err := c.FormFile("file")
	if err != nil {
		s.fail(c, domain.Errorf(domain.ErrInvalid, "请以 multipart 表单字段 file 上传 csv 或 xlsx 文件（不超过10MB）"))
		return
	}
	if fh.Size > MaxRosterFile {
		s.fail(c, domain.Errorf(domain.ErrInvalid, "文件不能超过10MB"))
		return
	}
	f, err := fh.Open()
	if err != nil {
		s.fail(c, err)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxRosterFile+1))
	if err != nil {
		s.fail(c, err)
		return
	}
	dry := c.Query("dry_run") == "1" || c.Query("dry_run") == "true"
	res, err := s.Admin.ImportRoster(c.Request.Context(), account(c), fh.Filename, data, dry)
	if err != nil {
		s.fail(c, err)
		return
	}
	setAudit(c, nil, gin.H{"file": fh.Filename, "dry_run": dry, "inserted": res.Inserted, "updated": res.Updated,
		"rejected": len(res.Rejected)})
	c.JSON(http.StatusOK, res)
}

func rosterFilter(c *gin.Context) (domain.RosterFilter, error) {
	f := domain.RosterFilter{County: c.Query("county"), Query: c.Query("q")}
	if t := c.Query("tier"); t != "" {
		tier, ok := dialog.ParseTier(t)
		if !ok {
			return f, domain.Errorf(domain.ErrInvalid, "质量信誉类型应为 1–4")
		}
		f.Tier = tier
	}
	return f, nil
}

// listRoster: GET /api/v1/roster?county=&tier=&q=[&format=xlsx]. The xlsx
// export is recorded in the audit log: who exported how many, when.
func (s *Server) listRoster(c *gin.Context) {
	f, err := rosterFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	acc := account(c)
	if c.Query("format") == "xlsx" {
		data, n, err := s.Admin.RosterXLSX(c.Request.Context(), acc, f)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.auditExport(c, "roster", n)
		c.Header("Content-Disposition", `attachment; filename="suzhirong-roster-`+s.Now().In(domain.Shanghai).Format("20060102")+`.xlsx"`)
		c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data)
		return
	}
	items, err := s.Admin.Roster(c.Request.Context(), acc, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items)})
}

// auditExport records an export (a read that leaves the service) in the
// audit log.
func (s *Server) auditExport(c *gin.Context, what string, rows int) {
	acc := account(c)
	route := c.FullPath()
	if route == "" {
		route = c.Request.URL.Path
	}
	err := s.Admin.Audit(c.Request.Context(), domain.AuditEntry{
		Actor: acc.Username, Role: acc.Role, Method: http.MethodGet, Route: route, Target: "export=" + what,
		Status: http.StatusOK, After: gin.H{"export": what, "rows": rows, "query": c.Request.URL.RawQuery},
		RemoteIP: c.ClientIP(), At: s.Now(),
		Who: s.whoIs(acc), Action: map[string]string{"roster": "导出企业库名录", "league": "导出通报排名"}[what],
		Object: map[string]string{"roster": "企业库名录", "league": "通报排名"}[what], Summary: fmt.Sprintf("共%d行", rows),
	})
	if err != nil {
		s.Log.Error("export not audited", slog.String("route", route), slog.Any("error", err))
	}
}

// rosterHistory: GET /api/v1/roster/{code} → {"current","history"}.
func (s *Server) rosterHistory(c *gin.Context) {
	lines, err := s.Admin.RosterHistory(c.Request.Context(), account(c), c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"current": lines[0], "history": lines[1:]})
}

type specialistView struct {
	ID       uint64     `json:"id"`
	Name     string     `json:"name"`
	Phone    string     `json:"phone"`
	Products string     `json:"products"`
	Bound    bool       `json:"bound"`
	BoundAt  *time.Time `json:"bound_at,omitempty"`
	// Consent: name and phone may be shown to enterprises.
	Consent   bool       `json:"consent"`
	ConsentAt *time.Time `json:"consent_at,omitempty"`
}

type institutionView struct {
	ID          uint64           `json:"id"`
	Name        string           `json:"name"`
	Kind        string           `json:"kind"`
	KindLabel   string           `json:"kind_label"`
	Counties    []string         `json:"counties"` // county slugs served; empty: all of Suzhou
	Specialists []specialistView `json:"specialists"`
	UpdatedBy   string           `json:"updated_by"`
	UpdatedAt   time.Time        `json:"updated_at"`
}

func specialistJSON(sp dialog.Specialist) specialistView {
	return specialistView{ID: sp.ID, Name: sp.Name, Phone: sp.Phone, Products: sp.Products, Bound: sp.OpenID != "", BoundAt: optTime(sp.BoundAt),
		Consent: !sp.ConsentAt.IsZero(), ConsentAt: optTime(sp.ConsentAt)}
}

func institutionJSON(in dialog.Institution) institutionView {
	v := institutionView{ID: in.ID, Name: in.Name, Kind: in.Kind, KindLabel: dialog.InstitutionKindLabel(in.Kind),
		Counties: append([]string{}, in.Counties...), Specialists: []specialistView{}, UpdatedBy: in.UpdatedBy, UpdatedAt: in.UpdatedAt}
	for _, sp := range in.Specialists {
		v.Specialists = append(v.Specialists, specialistJSON(sp))
	}
	return v
}

// listInstitutions: GET /api/v1/institutions.
func (s *Server) listInstitutions(c *gin.Context) {
	list, err := s.Leads.Institutions(c.Request.Context(), account(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]institutionView, 0, len(list))
	for _, in := range list {
		out = append(out, institutionJSON(in))
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

type institutionRequest struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// createInstitution: POST /api/v1/institutions {"name","kind"} → {"id",…} (officers).
func (s *Server) createInstitution(c *gin.Context) {
	var req institutionRequest
	if !s.bind(c, &req) {
		return
	}
	in, err := s.Leads.CreateInstitution(c.Request.Context(), account(c), req.Name, req.Kind)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := institutionJSON(in)
	setAudit(c, nil, v)
	c.JSON(http.StatusCreated, v)
}

// getInstitution: GET /api/v1/institutions/{id}.
func (s *Server) getInstitution(c *gin.Context) {
	id, ok := idParam(c, "inst")
	if !ok {
		s.fail(c, domain.ErrNotFound)
		return
	}
	in, err := s.Leads.Institution(c.Request.Context(), account(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, institutionJSON(in))
}

// patchInstitution: PATCH /api/v1/institutions/{id} {"name","kind"} (officers).
func (s *Server) patchInstitution(c *gin.Context) {
	id, ok := idParam(c, "inst")
	if !ok {
		s.fail(c, domain.ErrNotFound)
		return
	}
	var req institutionRequest
	if !s.bind(c, &req) {
		return
	}
	before, err := s.Leads.Institution(c.Request.Context(), account(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if req.Name == "" {
		req.Name = before.Name
	}
	if req.Kind == "" {
		req.Kind = before.Kind
	}
	in, err := s.Leads.UpdateInstitution(c.Request.Context(), account(c), id, req.Name, req.Kind)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := institutionJSON(in)
	setAudit(c, institutionJSON(before), v)
	c.JSON(http.StatusOK, v)
}

type specialistRequest struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Products string `json:"products"`
}

// addSpecialist: POST /api/v1/institutions/{id}/specialists {"name","phone","products"} (officers).
func (s *Server) addSpecialist(c *gin.Context) {
	id, ok := idParam(c, "inst")
	if !ok {
		s.fail(c, domain.ErrNotFound)
		return
	}
	var req specialistRequest
	if !s.bind(c, &req) {
		return
	}
	sp, err := s.Leads.AddSpecialist(c.Request.Context(), account(c), id, dialog.Specialist{Name: req.Name, Phone: req.Phone, Products: req.Products})
	if err != nil {
		s.fail(c, err)
		return
	}
	v := specialistJSON(sp)
	setAudit(c, nil, v)
	c.JSON(http.StatusCreated, v)
}

// deleteSpecialist: DELETE /api/v1/institutions/{id}/specialists/{sid} (officers).
func (s *Server) deleteSpecialist(c *gin.Context) {
	inst, ok1 := idParam(c, "inst")
	id, ok2 := idParam(c, "sid")
	if !ok1 || !ok2 {
		s.fail(c, domain.ErrNotFound)
		return
	}
	revoked, err := s.Leads.DeleteSpecialist(c.Request.Context(), account(c), inst, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	setAudit(c, nil, gin.H{"revoked": revoked.String()})
	c.Status(http.StatusNoContent)
}

// specialistCode: POST /api/v1/institutions/{id}/specialists/{sid}/bind-codes → {"code","expires_at"}.
func (s *Server) specialistCode(c *gin.Context) {
	inst, ok1 := idParam(c, "inst")
	id, ok2 := idParam(c, "sid")
	if !ok1 || !ok2 {
		s.fail(c, domain.ErrNotFound)
		return
	}
	sc, err := s.Leads.NewSpecialistCode(c.Request.Context(), account(c), inst, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"code": sc.Code, "expires_at": sc.ExpiresAt})
}

type referralView struct {
	ID              uint64    `json:"id"`
	Institution     uint64    `json:"institution"`
	InstitutionName string    `json:"institution_name"`
	By              string    `json:"by"`
	ByName          string    `json:"by_name,omitempty"` // the person, as pages show them
	At              time.Time `json:"at"`
}

func referralJSON(r dialog.Referral) referralView {
	return referralView{ID: r.ID, Institution: r.Institution, InstitutionName: r.InstitutionName, By: r.By, At: r.At}
}

// leadID resolves the lead of the path as the account may see it.
func (s *Server) leadID(c *gin.Context) (uint64, bool) {
	l, err := s.Leads.Lead(c.Request.Context(), account(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return 0, false
	}
	return l.ID, true
}

// listReferrals: GET /api/v1/leads/{id}/referrals.
func (s *Server) listReferrals(c *gin.Context) {
	id, ok := s.leadID(c)
	if !ok {
		return
	}
	rs, err := s.Leads.Referrals(c.Request.Context(), account(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]referralView, 0, len(rs))
	for _, r := range rs {
		out = append(out, referralJSON(r))
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

// createReferral: POST /api/v1/leads/{id}/referrals {"institution"} (the
// county or officers); the specialists are notified.
func (s *Server) createReferral(c *gin.Context) {
	var req struct {
		Institution uint64 `json:"institution"`
	}
	if !s.bind(c, &req) {
		return
	}
	r, err := s.Leads.Refer(c.Request.Context(), account(c), c.Param("id"), req.Institution)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := referralJSON(r)
	setAudit(c, nil, v)
	c.JSON(http.StatusCreated, v)
}

// listDeals: GET /api/v1/leads/{id}/deals.
func (s *Server) listDeals(c *gin.Context) {
	id, ok := s.leadID(c)
	if !ok {
		return
	}
	ds, err := s.Leads.Deals(c.Request.Context(), account(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]admin.DealLine, 0, len(ds))
	for _, d := range ds {
		out = append(out, s.Admin.DealLine(d))
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

// createDeal: POST /api/v1/leads/{id}/deals
// {"institution","product","amount_wan","rate_pct","term_months","disbursed_on"}
// records a disbursement and moves the application to 已放款.
func (s *Server) createDeal(c *gin.Context) {
	var req leads.DealRequest
	if !s.bind(c, &req) {
		return
	}
	lead, deal, err := s.Leads.RecordDeal(c.Request.Context(), account(c), c.Param("id"), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := s.Admin.DealLine(deal)
	setAudit(c, nil, d)
	c.JSON(http.StatusCreated, gin.H{"id": deal.ID, "deal": d, "lead": leadJSON(lead, true)})
}

// dealChange is a correction's body: the deal's new figures and why.
type dealChange struct {
	leads.DealRequest
	Reason string `json:"reason"`
}

// correctDeal: PATCH /api/v1/leads/{id}/deals/{deal}
// {"product","amount_wan","rate_pct","term_months","disbursed_on","reason"}
// corrects a recorded deal (its recorder or an officer), checked against
// the notice like a new one.
func (s *Server) correctDeal(c *gin.Context) {
	var req dealChange
	if !s.bind(c, &req) {
		return
	}
	id, _ := strconv.ParseUint(c.Param("deal"), 10, 64)
	before, after, err := s.Leads.ChangeDeal(c.Request.Context(), account(c), c.Param("id"), id, req.DealRequest, req.Reason, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := s.Admin.DealLine(after)
	setAudit(c, s.dealBefore(before), d)
	c.JSON(http.StatusOK, gin.H{"deal": d})
}

// withdrawDeal: POST /api/v1/leads/{id}/deals/{deal}/withdraw {"reason"}
// withdraws a deal recorded in error: it leaves the monthly return.
func (s *Server) withdrawDeal(c *gin.Context) {
	var req struct {
		Reason string `json:"reason"`
	}
	if !s.bind(c, &req) {
		return
	}
	id, _ := strconv.ParseUint(c.Param("deal"), 10, 64)
	before, after, err := s.Leads.ChangeDeal(c.Request.Context(), account(c), c.Param("id"), id, leads.DealRequest{}, req.Reason, true)
	if err != nil {
		s.fail(c, err)
		return
	}
	setAudit(c, s.dealBefore(before), s.Admin.DealLine(after))
	c.Status(http.StatusNoContent)
}

// dealBefore is a deal as the log shows it before a change: the reason of
// an earlier change is not this one's.
func (s *Server) dealBefore(d dialog.Deal) admin.DealLine {
	d.Remark = ""
	return s.Admin.DealLine(d)
}

// league: GET /api/v1/reports/league?year=YYYY[&format=xlsx].
func (s *Server) league(c *gin.Context) {
	year, _ := strconv.Atoi(c.Query("year"))
	t, err := s.Admin.League(c.Request.Context(), account(c), year)
	if err != nil {
		s.fail(c, err)
		return
	}
	if c.Query("format") == "xlsx" {
		data, err := t.XLSX()
		if err != nil {
			s.fail(c, err)
			return
		}
		s.auditExport(c, "league", len(t.Rows))
		c.Header("Content-Disposition", `attachment; filename="suzhirong-league-`+strconv.Itoa(t.Year)+`.xlsx"`)
		c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data)
		return
	}
	c.JSON(http.StatusOK, t)
}
