package handlers

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
)

// Console pages of the programme's records: the 企业库 roster (import with
// a preview, export), the cooperating institutions and their specialists,
// referrals and deals on the application page, and the league table.

func (cs *console) programmeRoutes(g *gin.RouterGroup) {
	g.GET("/console/roster", cs.rosterPage)
	g.POST("/console/roster/import", cs.rosterImport)
	g.GET("/console/roster/export", cs.rosterExport)
	g.GET("/console/institutions", cs.institutionsPage)
	g.POST("/console/institutions", cs.institutionCreate)
	g.POST("/console/institutions/:inst", cs.institutionRename)
	g.POST("/console/institutions/:inst/specialists", cs.specialistAdd)
	g.POST("/console/institutions/:inst/specialists/:sid/delete", cs.specialistDelete)
	g.POST("/console/institutions/:inst/specialists/:sid/bind-code", cs.specialistBindCode)
	g.POST("/console/institutions/:inst/counties", cs.institutionCounties)
	g.POST("/console/institutions/:inst/specialists/:sid/consent", cs.specialistConsent)
	g.POST("/console/leads/:id/referrals", cs.referralSubmit)
	g.POST("/console/leads/:id/deals", cs.dealSubmit)
	g.POST("/console/leads/:id/deals/:deal/correct", cs.dealChangeSubmit(false))
	g.POST("/console/leads/:id/deals/:deal/withdraw", cs.dealChangeSubmit(true))
	g.GET("/console/league", cs.leaguePage)
	g.GET("/console/league/download", cs.leagueDownload)
}

func init() {
	notices["institution"] = "合作金融机构已保存。"
	notices["specialist"] = "服务专员已保存。"
	notices["referral"] = "已推荐，机构服务专员和企业将收到通知。"
	notices["deal"] = "放款已登记，计入当月融资成交明细，企业将收到通知。"
}

type rosterData struct {
	Items    []admin.RosterLine
	Filter   rosterForm
	Counties []option
	Tiers    []option
	Import   *admin.RosterImport
	File     string
	CanEdit  bool
	Export   string // the export link with the filter
}

type rosterForm struct {
	County, Tier, Q string
}

func (cs *console) rosterData(c *gin.Context) (*rosterData, error) {
	acc := account(c)
	form := rosterForm{County: c.Query("county"), Tier: c.Query("tier"), Q: strings.TrimSpace(c.Query("q"))}
	f := domain.RosterFilter{County: form.County, Query: form.Q, Limit: 500}
	if form.Tier != "" {
		t, ok := dialog.ParseTier(form.Tier)
		if !ok {
			return nil, domain.Errorf(domain.ErrInvalid, "质量信誉类型应为 1–4")
		}
		f.Tier = t
	}
	items, err := cs.Admin.Roster(c.Request.Context(), acc, f)
	if err != nil {
		return nil, err
	}
	d := &rosterData{Items: items, Filter: form, CanEdit: acc.Can(domain.PermRosterImport),
		Tiers: []option{{"1", "Ⅰ类"}, {"2", "Ⅱ类"}, {"3", "Ⅲ类"}, {"4", "Ⅳ类"}}}
	if acc.Role != domain.RoleCounty {
		for _, cty := range cs.Bot.Policy().Counties {
			d.Counties = append(d.Counties, option{cty.ID, cty.Name})
		}
	}
	d.Export = "/console/roster/export?" + url.Values{"county": {form.County}, "tier": {form.Tier}, "q": {form.Q}}.Encode()
	return d, nil
}

// rosterPage: GET /console/roster?county=&tier=&q=.
func (cs *console) rosterPage(c *gin.Context) {
	d, err := cs.rosterData(c)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	cs.render(c, http.StatusOK, "roster", "企业库", d)
}

// rosterImport: POST /console/roster/import (multipart file, mode
// preview|import): the page again with the validation report.
func (cs *console) rosterImport(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxRosterFile+1<<20)
	d, err := cs.rosterData(c)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	p := cs.newPage(c, "企业库", d)
	fh, ferr := c.FormFile("file")
	if ferr != nil || fh.Size > MaxRosterFile {
		p.Error = "请选择要导入的 csv 或 xlsx 文件（不超过10MB）"
		cs.renderPage(c, http.StatusBadRequest, "roster", p)
		return
	}
	f, err := fh.Open()
	if err != nil {
		cs.failPage(c, err)
		return
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxRosterFile+1))
	f.Close()
	if err != nil {
		cs.failPage(c, err)
		return
	}
	dry := c.PostForm("mode") != "import"
	res, err := cs.Admin.ImportRoster(c.Request.Context(), account(c), fh.Filename, data, dry)
	if err != nil {
		status, msg := apiStatus(err)
		if status != http.StatusBadRequest {
			cs.failPage(c, err)
			return
		}
		p.Error = msg
		cs.renderPage(c, status, "roster", p)
		return
	}
	setAudit(c, nil, gin.H{"file": fh.Filename, "dry_run": dry, "inserted": res.Inserted, "updated": res.Updated, "rejected": len(res.Rejected)})
	if !dry {
		// Show the roster as it now is.
		if d, err = cs.rosterData(c); err != nil {
			cs.failPage(c, err)
			return
		}
		p.Data = d
	}
	d.Import, d.File = &res, fh.Filename
	cs.renderPage(c, http.StatusOK, "roster", p)
}

// rosterExport: GET /console/roster/export?county=&tier=&q= (xlsx), recorded
// in the audit log.
func (cs *console) rosterExport(c *gin.Context) {
	f, err := rosterFilter(c)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	data, n, err := cs.Admin.RosterXLSX(c.Request.Context(), account(c), f)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	cs.auditExport(c, "roster", n)
	name := "suzhirong-roster-" + cs.Now().In(domain.Shanghai).Format("20060102") + ".xlsx"
	c.Header("Content-Disposition", `attachment; filename="`+name+`"; filename*=UTF-8''`+url.PathEscape("苏质融企业库名录.xlsx"))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data)
}

type institutionsData struct {
	Items      []institutionView
	Kinds      []option
	Counties   []option // every county, for the served counties
	CanEdit    bool
	CanConsent bool   // may record the specialists' consent to be shown
	Code       string // a bind code just issued
	CodeFor    string
}

func kindOptions2() []option {
	var out []option
	for _, k := range dialog.InstitutionKinds() {
		out = append(out, option{k, dialog.InstitutionKindLabel(k)})
	}
	return out
}

func (cs *console) institutionsData(c *gin.Context) (*institutionsData, error) {
	acc := account(c)
	var list []dialog.Institution
	var err error
	if acc.Role == domain.RoleInstitution {
		// An institution's account sees its own, to agree for its
		// specialists to be shown to enterprises.
		var in dialog.Institution
		in, err = cs.Leads.Institution(c.Request.Context(), acc, acc.Institution)
		list = []dialog.Institution{in}
	} else {
		list, err = cs.Leads.Institutions(c.Request.Context(), acc)
	}
	if err != nil {
		return nil, err
	}
	d := &institutionsData{Kinds: kindOptions2(), CanEdit: acc.Can(domain.PermInstWrite), CanConsent: acc.Can(domain.PermSpecialistConsent)}
	for _, co := range cs.Bot.Policy().Counties {
		d.Counties = append(d.Counties, option{co.ID, co.Name})
	}
	for _, in := range list {
		d.Items = append(d.Items, institutionJSON(in))
	}
	return d, nil
}

// institutionCounties: POST /console/institutions/{id}/counties
// (county, repeated; none is all of Suzhou).
func (cs *console) institutionCounties(c *gin.Context) {
	id, ok := idParam(c, "inst")
	if !ok {
		cs.failPage(c, domain.ErrNotFound)
		return
	}
	before, err := cs.Leads.Institution(c.Request.Context(), account(c), id)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	in, err := cs.Leads.SetInstitutionCounties(c.Request.Context(), account(c), id, c.PostFormArray("county"))
	if err != nil {
		cs.institutionsAgain(c, err)
		return
	}
	setAudit(c, gin.H{"name": before.Name, "counties": cs.countyNames(before.Counties)}, gin.H{"name": in.Name, "counties": cs.countyNames(in.Counties)})
	c.Redirect(http.StatusSeeOther, "/console/institutions?ok=institution#institution-"+strconv.FormatUint(id, 10))
}

// countyNames are the names of county slugs for the operations log; none
// is all of Suzhou.
func (cs *console) countyNames(ids []string) string {
	if len(ids) == 0 {
		return "苏州全市"
	}
	p := cs.Bot.Policy()
	var names []string
	for _, id := range ids {
		if co, ok := p.County(id); ok {
			names = append(names, co.Name)
		}
	}
	return strings.Join(names, "、")
}

// specialistConsent: POST /console/institutions/{id}/specialists/{sid}/consent
// (consent=1 to show the specialist's name and phone to enterprises, 0 to stop).
func (cs *console) specialistConsent(c *gin.Context) {
	inst, ok1 := idParam(c, "inst")
	id, ok2 := idParam(c, "sid")
	consent := c.PostForm("consent")
	if !ok1 || !ok2 || consent != "1" && consent != "0" {
		cs.failPage(c, domain.ErrNotFound)
		return
	}
	sp, err := cs.Leads.SetSpecialistConsent(c.Request.Context(), account(c), inst, id, consent == "1")
	if err != nil {
		cs.failPage(c, err)
		return
	}
	setAudit(c, gin.H{"name": sp.Name, "consent": consent != "1"}, gin.H{"name": sp.Name, "consent": consent == "1"})
	c.Redirect(http.StatusSeeOther, "/console/institutions?ok=specialist#institution-"+strconv.FormatUint(inst, 10))
}

// institutionsPage: GET /console/institutions.
func (cs *console) institutionsPage(c *gin.Context) {
	d, err := cs.institutionsData(c)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	cs.render(c, http.StatusOK, "institutions", "合作金融机构", d)
}

// institutionsAgain shows the institutions page with err's message, or
// fails the request when err is not the reader's to fix.
func (cs *console) institutionsAgain(c *gin.Context, err error) {
	status, msg := apiStatus(err)
	if status == http.StatusNotFound || status >= http.StatusInternalServerError || status == http.StatusForbidden {
		cs.failPage(c, err)
		return
	}
	d, derr := cs.institutionsData(c)
	if derr != nil {
		cs.failPage(c, derr)
		return
	}
	p := cs.newPage(c, "合作金融机构", d)
	p.Error = msg
	cs.renderPage(c, status, "institutions", p)
}

// institutionCreate: POST /console/institutions (name, kind).
func (cs *console) institutionCreate(c *gin.Context) {
	in, err := cs.Leads.CreateInstitution(c.Request.Context(), account(c), c.PostForm("name"), c.PostForm("kind"))
	if err != nil {
		cs.institutionsAgain(c, err)
		return
	}
	setAudit(c, nil, institutionJSON(in))
	c.Redirect(http.StatusSeeOther, "/console/institutions?ok=institution")
}

// institutionRename: POST /console/institutions/{id} (name, kind).
func (cs *console) institutionRename(c *gin.Context) {
	id, ok := idParam(c, "inst")
	if !ok {
		cs.failPage(c, domain.ErrNotFound)
		return
	}
	in, err := cs.Leads.UpdateInstitution(c.Request.Context(), account(c), id, c.PostForm("name"), c.PostForm("kind"))
	if err != nil {
		cs.institutionsAgain(c, err)
		return
	}
	setAudit(c, nil, institutionJSON(in))
	c.Redirect(http.StatusSeeOther, "/console/institutions?ok=institution")
}

// specialistAdd: POST /console/institutions/{id}/specialists (name, phone, products).
func (cs *console) specialistAdd(c *gin.Context) {
	id, ok := idParam(c, "inst")
	if !ok {
		cs.failPage(c, domain.ErrNotFound)
		return
	}
	sp, err := cs.Leads.AddSpecialist(c.Request.Context(), account(c), id, dialog.Specialist{
		Name: c.PostForm("name"), Phone: c.PostForm("phone"), Products: c.PostForm("products")})
	if err != nil {
		cs.institutionsAgain(c, err)
		return
	}
	setAudit(c, nil, specialistJSON(sp))
	c.Redirect(http.StatusSeeOther, "/console/institutions?ok=specialist")
}

// specialistDelete: POST /console/institutions/{id}/specialists/{sid}/delete.
func (cs *console) specialistDelete(c *gin.Context) {
	inst, ok1 := idParam(c, "inst")
	id, ok2 := idParam(c, "sid")
	if !ok1 || !ok2 {
		cs.failPage(c, domain.ErrNotFound)
		return
	}
	revoked, err := cs.Leads.DeleteSpecialist(c.Request.Context(), account(c), inst, id)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	setAudit(c, nil, gin.H{"revoked": revoked.String()})
	c.Redirect(http.StatusSeeOther, "/console/institutions?ok=specialist")
}

// specialistBindCode: POST /console/institutions/{id}/specialists/{sid}/bind-code:
// the page again with the one-time code.
func (cs *console) specialistBindCode(c *gin.Context) {
	inst, ok1 := idParam(c, "inst")
	id, ok2 := idParam(c, "sid")
	if !ok1 || !ok2 {
		cs.failPage(c, domain.ErrNotFound)
		return
	}
	sc, err := cs.Leads.NewSpecialistCode(c.Request.Context(), account(c), inst, id)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	d, err := cs.institutionsData(c)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	d.Code = sc.Code
	for _, in := range d.Items {
		for _, sp := range in.Specialists {
			if sp.ID == id {
				d.CodeFor = in.Name + " " + sp.Name
			}
		}
	}
	cs.render(c, http.StatusOK, "institutions", "合作金融机构", d)
}

// programmeData is the lead page's part about institutions: referrals,
// deals, and the forms the reader may use.
type programmeData struct {
	Referrals    []referralView
	Deals        []dealView
	Institutions []option // to refer to, or to record a deal of
	CanRefer     bool
	CanDeal      bool
	Specialist   bool   // the reader is an institution's specialist
	Today        string // the disbursement date's default and maximum
	Deal         dealForm
	// Confirm is the deal waiting for confirmation, checked against the
	// notice.
	Confirm *admin.DealLine
	// Products are the notice's products, offered for the deal's product.
	Products []string
}

// dealView is a deal on the lead page: who recorded it, and whether the
// reader may correct or withdraw it.
type dealView struct {
	admin.DealLine
	ByName    string
	CanChange bool
}

type dealForm struct {
	Institution, Product, AmountWan, RatePct, TermMonths, DisbursedOn string
}

// withProgramme adds the referrals, deals and forms to a lead page.
func (cs *console) withProgramme(c *gin.Context, d *leadData) error {
	acc := account(c)
	ctx := c.Request.Context()
	l := d.Lead
	pd := &programmeData{Today: cs.Now().In(domain.Shanghai).Format("2006-01-02"), Specialist: acc.Role == domain.RoleInstitution}
	refs, err := cs.Leads.Referrals(ctx, acc, l.ID)
	if err != nil {
		return err
	}
	actors, err := cs.Leads.Actors(ctx)
	if err != nil {
		return err
	}
	for _, r := range refs {
		v := referralJSON(r)
		v.ByName = actors(r.By).Name
		pd.Referrals = append(pd.Referrals, v)
	}
	deals, err := cs.Leads.Deals(ctx, acc, l.ID)
	if err != nil {
		return err
	}
	for _, dl := range deals {
		v := dealView{DealLine: cs.Admin.DealLine(dl), ByName: actors(dl.Actor).Name}
		// Its recorder or an officer may correct or withdraw it.
		v.CanChange = acc.Can(domain.PermDealWrite) && (acc.Role == domain.RoleOfficer || dl.Actor == "account:"+acc.Username)
		pd.Deals = append(pd.Deals, v)
	}
	_, pathErr := domain.PathTo(l.Kind, l.Status, domain.StatusDisbursed)
	// 放款 makes sense once a need was referred to an institution or is
	// under review: not on a need nobody has looked at.
	worked := len(refs) > 0 || slices.Contains([]string{domain.StatusReviewing, domain.StatusPreApproved, domain.StatusContracted, domain.StatusDisbursed}, l.Status)
	pd.CanDeal = l.Kind == domain.LeadNeed && acc.Can(domain.PermDealWrite) && pathErr == nil && worked
	pd.CanRefer = l.Kind == domain.LeadNeed && l.Open() && acc.Can(domain.PermReferral)
	if acc.Role != domain.RoleInstitution && (pd.CanRefer || pd.CanDeal) {
		insts, err := cs.Leads.Institutions(ctx, acc)
		if err != nil {
			return err
		}
		for _, in := range insts {
			pd.Institutions = append(pd.Institutions, option{strconv.FormatUint(in.ID, 10), in.Name + "（" + dialog.InstitutionKindLabel(in.Kind) + "）"})
		}
	}
	if pd.Specialist {
		// A specialist records review, pre-approval, contract or refusal;
		// the disbursement is the deal form.
		var next []option
		for _, st := range []string{domain.StatusReviewing, domain.StatusPreApproved, domain.StatusContracted} {
			if path, err := domain.PathTo(l.Kind, l.Status, st); err == nil && len(path) > 0 {
				next = append(next, option{st, domain.StatusLabel(st)})
			}
		}
		if domain.CheckMove(l.Kind, l.Status, domain.StatusRejected) == nil {
			next = append(next, option{domain.StatusRejected, domain.StatusLabel(domain.StatusRejected)})
		}
		d.Next, d.Actions = next, nil
		for _, o := range next {
			d.Actions = append(d.Actions, action{Value: o.Value, Label: actionLabel(o.Value), Final: domain.Terminal(o.Value)})
		}
	}
	pd.Deal.DisbursedOn = pd.Today
	for _, p := range cs.Bot.Policy().Products {
		pd.Products = append(pd.Products, p.Name)
	}
	if l.Product != "" {
		pd.Deal.Product = cs.productName(l.Product)
	}
	d.Programme = pd
	return nil
}

// referralSubmit: POST /console/leads/{id}/referrals (institution).
func (cs *console) referralSubmit(c *gin.Context) {
	inst, _ := strconv.ParseUint(c.PostForm("institution"), 10, 64)
	_, err := cs.Leads.Refer(c.Request.Context(), account(c), c.Param("id"), inst)
	cs.afterLeadForm(c, err, "referral", nil)
}

// dealSubmit: POST /console/leads/{id}/deals (institution, product,
// amount_wan, rate_pct, term_months, disbursed_on).
func (cs *console) dealSubmit(c *gin.Context) {
	form := dealForm{Institution: c.PostForm("institution"), Product: strings.TrimSpace(c.PostForm("product")),
		AmountWan: strings.TrimSpace(c.PostForm("amount_wan")), RatePct: strings.TrimSpace(c.PostForm("rate_pct")),
		TermMonths: strings.TrimSpace(c.PostForm("term_months")), DisbursedOn: strings.TrimSpace(c.PostForm("disbursed_on"))}
	req := leads.DealRequest{Product: form.Product, DisbursedOn: form.DisbursedOn}
	req.Institution, _ = strconv.ParseUint(form.Institution, 10, 64)
	var err error
	if req.AmountWan, err = strconv.ParseFloat(form.AmountWan, 64); err != nil {
		err = domain.Errorf(domain.ErrInvalid, "放款金额应为万元数，如 500")
	} else if req.RatePct, err = strconv.ParseFloat(form.RatePct, 64); err != nil {
		err = domain.Errorf(domain.ErrInvalid, "利率应为年利率百分数，如 3.45")
	} else if req.TermMonths, err = strconv.Atoi(form.TermMonths); err != nil {
		err = domain.Errorf(domain.ErrInvalid, "期限应为月数，如 12")
	}
	if err == nil && c.PostForm("confirm") != "1" {
		// One tap never records a deal: it is checked against the notice
		// and shown for confirmation first.
		var deal dialog.Deal
		if _, deal, err = cs.Leads.CheckDeal(c.Request.Context(), account(c), c.Param("id"), req); err == nil {
			notAnAct(c)
			line := cs.Admin.DealLine(deal)
			cs.showLead(c, http.StatusOK, "", func(d *leadData) {
				if d.Programme != nil {
					d.Programme.Deal, d.Programme.Confirm = form, &line
				}
			})
			return
		}
	}
	if err == nil {
		_, _, err = cs.Leads.RecordDeal(c.Request.Context(), account(c), c.Param("id"), req)
	}
	cs.afterLeadForm(c, err, "deal", &form)
}

// dealChangeSubmit: POST /console/leads/{id}/deals/{deal}/correct
// (product, amount_wan, rate_pct, term_months, disbursed_on, reason) and
// /withdraw (reason).
func (cs *console) dealChangeSubmit(withdraw bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, _ := strconv.ParseUint(c.Param("deal"), 10, 64)
		var req leads.DealRequest
		var err error
		if !withdraw {
			req.Product, req.DisbursedOn = strings.TrimSpace(c.PostForm("product")), strings.TrimSpace(c.PostForm("disbursed_on"))
			if req.AmountWan, err = strconv.ParseFloat(strings.TrimSpace(c.PostForm("amount_wan")), 64); err != nil {
				err = domain.Errorf(domain.ErrInvalid, "放款金额应为万元数，如 500")
			} else if req.RatePct, err = strconv.ParseFloat(strings.TrimSpace(c.PostForm("rate_pct")), 64); err != nil {
				err = domain.Errorf(domain.ErrInvalid, "利率应为年利率百分数，如 3.45")
			} else if req.TermMonths, err = strconv.Atoi(strings.TrimSpace(c.PostForm("term_months"))); err != nil {
				err = domain.Errorf(domain.ErrInvalid, "期限应为月数，如 12")
			}
		}
		if err == nil {
			var before, after dialog.Deal
			before, after, err = cs.Leads.ChangeDeal(c.Request.Context(), account(c), c.Param("id"), id, req, c.PostForm("reason"), withdraw)
			if err == nil {
				setAudit(c, cs.dealBefore(before), cs.Admin.DealLine(after))
			}
		}
		cs.afterLeadForm(c, err, "dealchange", nil)
	}
}

// afterLeadForm redirects to the lead after a form succeeded, or shows the
// lead again with the reason and what was typed.
func (cs *console) afterLeadForm(c *gin.Context, err error, ok string, form *dealForm) {
	if err == nil {
		l, lerr := cs.Leads.Lead(c.Request.Context(), account(c), c.Param("id"))
		if lerr != nil {
			cs.failPage(c, lerr)
			return
		}
		c.Redirect(http.StatusSeeOther, "/console/leads/"+strconv.FormatUint(l.ID, 10)+"?ok="+ok)
		return
	}
	status, msg := apiStatus(err)
	if status == http.StatusNotFound || status >= http.StatusInternalServerError {
		cs.failPage(c, err)
		return
	}
	cs.showLead(c, status, msg, func(d *leadData) {
		if form != nil && d.Programme != nil {
			d.Programme.Deal = *form
		}
	})
}

// leaguePage: GET /console/league?year=.
func (cs *console) leaguePage(c *gin.Context) {
	year, _ := strconv.Atoi(c.Query("year"))
	t, err := cs.Admin.League(c.Request.Context(), account(c), year)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	cs.render(c, http.StatusOK, "league", "通报排名", t)
}

// leagueDownload: GET /console/league/download?year= (xlsx).
func (cs *console) leagueDownload(c *gin.Context) {
	year, _ := strconv.Atoi(c.Query("year"))
	t, err := cs.Admin.League(c.Request.Context(), account(c), year)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	data, err := t.XLSX()
	if err != nil {
		cs.failPage(c, err)
		return
	}
	cs.auditExport(c, "league", len(t.Rows))
	c.Header("Content-Disposition", `attachment; filename="suzhirong-league-`+strconv.Itoa(t.Year)+`.xlsx"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data)
}
