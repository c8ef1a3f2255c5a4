package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
)

// upload posts a file as the multipart field "file".
func (s *leadsSvc) upload(path, token, name string, data []byte, out any) int {
	s.tb.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", name)
	part.Write(data)
	w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			s.tb.Fatalf("upload: decode %q: %v", rec.Body, err)
		}
	}
	return rec.Code
}

type importResult struct {
	Inserted  int `json:"inserted"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Rejected  []struct {
		Row    int    `json:"row"`
		Reason string `json:"reason"`
	} `json:"rejected"`
	Error string `json:"error"`
}

func rosterCSV(rows ...string) []byte {
	return []byte("\uFEFF企业名称,统一社会信用代码,质量信誉类型,依据,县级市（区）,入库日期\n" + strings.Join(rows, "\n") + "\n")
}

func TestRosterImport(t *testing.T) {
	s := mustAdminSvc(t, true)
	r := s.mustRoles()
	good1 := creditCodeIn(t, "320583", "MA1R0QTE1")
	good2 := creditCodeIn(t, "320594", "MA1R0QTE2")
	bad := good1[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte("0123456789ABCDEFGHJKLMNPQRTUWXY", good1[17])+1)%31])
	file := rosterCSV(
		"昆山甲精密机械有限公司,"+good1+",Ⅰ类,省长质量奖,昆山市,2026-03-15",
		"园区乙电子有限公司,"+good2+",3,江苏精品认证,工业园区,2026/5/8",
		"丙公司,"+bad+",Ⅱ类,市长质量奖,昆山市,2026-03-15",
		"丁公司,"+good1+",Ⅱ类,市长质量奖,昆山市,2026-03-15",
		"戊公司,"+creditCodeIn(t, "320583", "MA1R0QTE3")+",Ⅴ类,无,昆山市,2026-03-15",
		"己公司,"+creditCodeIn(t, "320583", "MA1R0QTE4")+",Ⅱ类,市长质量奖,上海市,2026-03-15",
		"庚公司,91320583MA1R0QTEI5,Ⅱ类,市长质量奖,昆山市,2026-03-15",
	)
	// Only officers import.
	for _, tok := range []string{r.county, r.viewer} {
		if code := s.upload("/api/v1/roster/import", tok, "roster.csv", file, nil); code != http.StatusForbidden {
			t.Errorf("import by a non-officer: %d", code)
		}
	}
	var dry importResult
	if code := s.upload("/api/v1/roster/import?dry_run=1", s.admin, "roster.csv", file, &dry); code != http.StatusOK {
		t.Fatalf("dry run: %d %+v", code, dry)
	}
	if dry.Inserted != 2 || dry.Updated != 0 || len(dry.Rejected) != 5 {
		t.Fatalf("dry run: %+v", dry)
	}
	want := map[int]string{4: "第18位", 5: "与第2行的统一社会信用代码重复", 6: "未知的质量信誉类型“Ⅴ类”", 7: "未知的县级市（区）“上海市”", 8: "第17位“I”"}
	for _, rj := range dry.Rejected {
		if w, ok := want[rj.Row]; !ok || !strings.Contains(rj.Reason, w) {
			t.Errorf("row %d: %q, want it to contain %q", rj.Row, rj.Reason, w)
		}
	}
	var list struct {
		Items []admin.RosterLine `json:"items"`
	}
	s.api(http.MethodGet, "/api/v1/roster", s.admin, nil, &list)
	if len(list.Items) != 0 {
		t.Fatalf("a dry run stored %d entries", len(list.Items))
	}

	var res importResult
	if code := s.upload("/api/v1/roster/import", s.admin, "roster.csv", file, &res); code != http.StatusOK || res.Inserted != 2 {
		t.Fatalf("import: %d %+v", code, res)
	}
	if code := s.upload("/api/v1/roster/import", s.admin, "roster.csv", file, &res); code != http.StatusOK ||
		res.Inserted != 0 || res.Updated != 0 || res.Unchanged != 2 || len(res.Rejected) != 5 {
		t.Fatalf("rerun: %d %+v", code, res)
	}
	s.api(http.MethodGet, "/api/v1/roster", s.admin, nil, &list)
	if len(list.Items) != 2 {
		t.Fatalf("roster: %+v", list.Items)
	}
	for _, it := range list.Items {
		if it.CreditCode == good2 && (it.Tier != 3 || it.County != "sip" || it.ListedOn != "2026-05-08") {
			t.Errorf("entry read as %+v", it)
		}
	}
	// A county account sees its own county's entries.
	s.api(http.MethodGet, "/api/v1/roster", r.county, nil, &list)
	if len(list.Items) != 1 || list.Items[0].CreditCode != good1 {
		t.Fatalf("kunshan's roster: %+v", list.Items)
	}

	// The same roster as xlsx, one tier raised and the date an Excel serial.
	f := excelize.NewFile()
	rows := [][]any{
		{"企业名称", "统一社会信用代码", "质量信誉类型", "依据", "县级市（区）", "入库日期"},
		{"园区乙电子有限公司", good2, "Ⅱ类", "江苏精品认证", "苏州工业园区", 46150},
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("Sheet1", cell, &row)
	}
	var buf bytes.Buffer
	f.Write(&buf)
	if code := s.upload("/api/v1/roster/import", s.admin, "roster.xlsx", buf.Bytes(), &res); code != http.StatusOK || res.Updated != 1 || res.Inserted != 0 {
		t.Fatalf("xlsx import: %d %+v", code, res)
	}
	var hist struct {
		Current admin.RosterLine   `json:"current"`
		History []admin.RosterLine `json:"history"`
	}
	if code := s.api(http.MethodGet, "/api/v1/roster/"+good2, s.admin, nil, &hist); code != http.StatusOK ||
		hist.Current.Tier != 2 || hist.Current.ListedOn != "2026-05-08" || len(hist.History) != 1 || hist.History[0].Tier != 3 {
		t.Fatalf("history: %d %+v", code, hist)
	}

	// A file without the headers is refused as a whole.
	if code := s.upload("/api/v1/roster/import", s.admin, "x.csv", []byte("名称,代码\n甲,1\n"), &res); code != http.StatusBadRequest || !strings.Contains(res.Error, "表头缺少") {
		t.Fatalf("no headers: %d %+v", code, res)
	}

	// The export is an xlsx, and who exported it is in the audit log.
	rec := s.raw(http.MethodGet, "/api/v1/roster?format=xlsx", r.viewer, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("export: %d", rec.Code)
	}
	x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := x.GetCellValue(admin.RosterSheet, "C4"); v == "" {
		t.Errorf("export has no first row")
	}
	var audit struct {
		Items []struct {
			Actor, Method, Target string
		} `json:"items"`
	}
	s.api(http.MethodGet, "/api/v1/audit", s.admin, nil, &audit)
	found := false
	for _, a := range audit.Items {
		if a.Method == http.MethodGet && a.Target == "export=roster" && strings.HasPrefix(a.Actor, "viewer-") {
			found = true
		}
	}
	if !found {
		t.Errorf("export not in the audit log: %+v", audit.Items)
	}
}

// mustInstitution creates an institution, a specialist bound to openID
// through the chat, and an institution account; it returns the id and
// the account's token.
func (s *adminSvc) mustInstitution(name, openID string) (uint64, string) {
	s.tb.Helper()
	var inst struct {
		ID uint64 `json:"id"`
	}
	if code := s.api(http.MethodPost, "/api/v1/institutions", s.admin, map[string]string{"name": name, "kind": "bank"}, &inst); code != http.StatusCreated || inst.ID == 0 {
		s.tb.Fatalf("create institution: %d", code)
	}
	var sp struct{ ID uint64 }
	if code := s.api(http.MethodPost, fmt.Sprintf("/api/v1/institutions/%d/specialists", inst.ID), s.admin,
		map[string]string{"name": "李专员", "phone": "13800001111", "products": "苏质贷"}, &sp); code != http.StatusCreated {
		s.tb.Fatalf("add specialist: %d", code)
	}
	var bc struct{ Code string }
	if code := s.api(http.MethodPost, fmt.Sprintf("/api/v1/institutions/%d/specialists/%d/bind-codes", inst.ID, sp.ID), s.admin, nil, &bc); code != http.StatusCreated {
		s.tb.Fatalf("bind code: %d", code)
	}
	if reply := s.say(openID, "绑定 "+bc.Code); !strings.Contains(reply, name+"的服务专员") {
		s.tb.Fatalf("bind reply: %q", reply)
	}
	user := "bank-" + randomSuffix()
	body := map[string]any{"username": user, "password": "password-" + user, "role": "institution", "institution": inst.ID}
	if code := s.api(http.MethodPost, "/api/v1/users", s.admin, body, nil); code != http.StatusCreated {
		s.tb.Fatalf("create institution account: %d", code)
	}
	return inst.ID, s.login(user, "password-"+user)
}

func (s *adminSvc) leadByNumber(token, number string) leadView {
	s.tb.Helper()
	var lv leadView
	if code := s.api(http.MethodGet, "/api/v1/leads/"+number, token, nil, &lv); code != http.StatusOK {
		s.tb.Fatalf("lead %s: %d", number, code)
	}
	return lv
}

func TestReferralToDisbursedDeal(t *testing.T) {
	s := mustAdminSvc(t, true)
	r := s.mustRoles()
	ctx := context.Background()
	instID, bank := s.mustInstitution("测试银行昆山支行", "o-specialist")
	otherID, other := s.mustInstitution("另一银行", "o-specialist2")

	num := s.fileNeed("o-ent-deal", "320583", "MA1D3AL01")
	unreferred := s.fileNeed("o-ent-other", "320583", "MA1D3AL02")
	lead := s.leadByNumber(s.admin, num)
	path := fmt.Sprintf("/api/v1/leads/%d", lead.ID)

	// Before any referral the institution sees nothing: 404, an empty list.
	if code := s.status(http.MethodGet, path, bank, nil); code != http.StatusNotFound {
		t.Fatalf("unreferred lead seen by the institution: %d", code)
	}
	var list struct{ Leads []leadView }
	s.api(http.MethodGet, "/api/v1/leads", bank, nil, &list)
	if len(list.Leads) != 0 {
		t.Fatalf("institution lists %d leads", len(list.Leads))
	}
	// Only the lead's county (or officers) refers; the institution cannot.
	if code := s.status(http.MethodPost, path+"/referrals", r.otherCounty, map[string]any{"institution": instID}); code != http.StatusNotFound {
		t.Errorf("referral by another county: %d", code)
	}
	if code := s.status(http.MethodPost, path+"/referrals", bank, map[string]any{"institution": instID}); code != http.StatusForbidden {
		t.Errorf("referral by the institution: %d", code)
	}
	if code := s.status(http.MethodPost, path+"/referrals", r.county, map[string]any{"institution": 99999}); code != http.StatusBadRequest {
		t.Errorf("referral to an unknown institution: %d", code)
	}
	if code := s.status(http.MethodPost, path+"/referrals", r.county, map[string]any{"institution": instID}); code != http.StatusCreated {
		t.Fatalf("referral: %d", code)
	}
	if code := s.status(http.MethodPost, path+"/referrals", r.county, map[string]any{"institution": instID}); code != http.StatusConflict {
		t.Errorf("second referral to the same institution: %d", code)
	}
	// The specialist is notified with a link to the application.
	rows, _ := s.db.OutboxRows(ctx, fmt.Sprintf("referral:%d:%d:o-specialist", lead.ID, instID))
	if len(rows) != 1 || !strings.Contains(rows[0].Payload, fmt.Sprintf(`"url":"http://localhost:8080/console/leads/%d"`, lead.ID)) {
		t.Fatalf("specialist notification: %+v", rows)
	}
	if rows, _ := s.db.OutboxRows(ctx, fmt.Sprintf("referral:%d:%d:enterprise", lead.ID, instID)); len(rows) != 1 {
		t.Errorf("enterprise not told of the referral: %+v", rows)
	}

	// Now the institution sees it, and only it.
	if code := s.status(http.MethodGet, path, bank, nil); code != http.StatusOK {
		t.Fatalf("referred lead: %d", code)
	}
	s.api(http.MethodGet, "/api/v1/leads", bank, nil, &list)
	if len(list.Leads) != 1 || list.Leads[0].ID != lead.ID {
		t.Fatalf("institution's list: %+v", list.Leads)
	}
	other404 := s.leadByNumber(s.admin, unreferred)
	for _, try := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, fmt.Sprintf("/api/v1/leads/%d", other404.ID), nil},
		{http.MethodPatch, fmt.Sprintf("/api/v1/leads/%d", other404.ID), map[string]string{"status": "reviewing"}},
		{http.MethodPost, fmt.Sprintf("/api/v1/leads/%d/deals", other404.ID), map[string]any{"institution": instID, "product": "苏质贷", "amount_wan": 100, "rate_pct": 3.1, "term_months": 12, "disbursed_on": "2026-01-05"}},
		{http.MethodGet, fmt.Sprintf("/api/v1/leads/%d/deals", other404.ID), nil},
		{http.MethodGet, path, other},
	} {
		tok := bank
		if try.body == other {
			tok, try.body = other, nil
		}
		if code := s.status(try.method, try.path, tok, try.body); code != http.StatusNotFound {
			t.Errorf("%s %s by an institution it was not referred to: %d, want 404", try.method, try.path, code)
		}
	}
	// Institutions see no county's figures.
	for _, p := range []string{"/api/v1/reports/monthly", "/api/v1/counties", "/api/v1/dashboard", "/api/v1/institutions"} {
		if code := s.status(http.MethodGet, p, bank, nil); code != http.StatusForbidden {
			t.Errorf("GET %s by an institution: %d", p, code)
		}
	}

	// One bank's refusal does not end an application referred to two.
	if code := s.status(http.MethodPost, path+"/referrals", r.county, map[string]any{"institution": otherID}); code != http.StatusCreated {
		t.Fatalf("second referral: %d", code)
	}
	if code := s.status(http.MethodPatch, path, other, map[string]string{"status": "rejected", "note": "不符合行内政策"}); code != http.StatusConflict {
		t.Errorf("a refusal by one of two institutions: %d", code)
	}
	// The specialist records pre-approval; it may not admit to the library.
	if code := s.status(http.MethodPatch, path, bank, map[string]string{"status": "contacted"}); code != http.StatusForbidden {
		t.Errorf("institution moving to contacted: %d", code)
	}
	if code := s.status(http.MethodPatch, path, r.county, map[string]string{"status": "contacted"}); code != http.StatusOK {
		t.Fatalf("county contacts: %d", code)
	}
	for _, st := range []string{"reviewing", "pre_approved"} {
		if code := s.status(http.MethodPatch, path, bank, map[string]string{"status": st, "note": "行内审批"}); code != http.StatusOK {
			t.Fatalf("institution moves to %s: %d", st, code)
		}
	}
	// A bad deal is refused and changes nothing.
	today := s.clock.Now().In(domain.Shanghai).Format("2006-01-02")
	var errRes struct{ Error string }
	if code := s.api(http.MethodPost, path+"/deals", bank, map[string]any{"institution": instID, "product": "苏质贷", "amount_wan": -5,
		"rate_pct": 3.1, "term_months": 12, "disbursed_on": today}, &errRes); code != http.StatusBadRequest || !strings.Contains(errRes.Error, "放款金额") {
		t.Fatalf("negative amount: %d %q", code, errRes.Error)
	}
	if code := s.status(http.MethodPost, path+"/deals", bank, map[string]any{"institution": otherID, "product": "苏质贷", "amount_wan": 5,
		"rate_pct": 3.1, "term_months": 12, "disbursed_on": today}); code != http.StatusForbidden {
		t.Errorf("deal for another institution: %d", code)
	}
	var created struct {
		ID   uint64         `json:"id"`
		Deal admin.DealLine `json:"deal"`
		Lead leadView       `json:"lead"`
	}
	if code := s.api(http.MethodPost, path+"/deals", bank, map[string]any{"institution": instID, "product": "苏质贷", "amount_wan": 800,
		"rate_pct": 3.25, "term_months": 12, "disbursed_on": today}, &created); code != http.StatusCreated {
		t.Fatalf("deal: %d", code)
	}
	if created.Lead.Status != domain.StatusDisbursed || created.Deal.AmountWan != 800 || created.Deal.Product != "szd" || created.ID == 0 {
		t.Fatalf("deal answer: %+v", created)
	}
	// The county sees each step on the application, by whom.
	seen := s.leadByNumber(r.county, num)
	var steps []string
	for _, e := range seen.Events {
		steps = append(steps, e.Status+"@"+strings.SplitN(e.Actor, "-", 2)[0])
	}
	if got := strings.Join(steps, " "); !strings.Contains(got, "reviewing@account:bank pre_approved@account:bank contracted@account:bank disbursed@account:bank") {
		t.Errorf("steps: %s", got)
	}
	// The enterprise was told of every step.
	ent, _ := s.db.OutboxRows(ctx, fmt.Sprintf("lead:%d:event:", lead.ID))
	if len(ent) != 4 { // contacted, reviewing, pre_approved, and the deal
		t.Errorf("enterprise notifications: %d", len(ent))
	}
	var deals struct{ Items []admin.DealLine }
	s.api(http.MethodGet, path+"/deals", r.county, nil, &deals)
	if len(deals.Items) != 1 || deals.Items[0].InstitutionName != "测试银行昆山支行" {
		t.Fatalf("county's view of deals: %+v", deals)
	}

	// The month's return lists the deal, with the summary.
	var rep struct {
		Counties []struct {
			County    string           `json:"county"`
			Deals     []admin.DealLine `json:"deals"`
			DealWan   float64          `json:"deal_wan"`
			Wan       float64          `json:"disbursed_wan"`
			Disbursed int64            `json:"disbursed"`
			Stale     bool             `json:"stale"`
		} `json:"counties"`
	}
	s.api(http.MethodGet, "/api/v1/reports/monthly", r.county, nil, &rep)
	if len(rep.Counties) != 1 || len(rep.Counties[0].Deals) != 1 || rep.Counties[0].DealWan != 800 || rep.Counties[0].Wan != 800 || rep.Counties[0].Disbursed != 1 {
		t.Fatalf("return: %+v", rep)
	}
	rec := s.raw(http.MethodGet, "/api/v1/reports/monthly?format=xlsx", s.admin, nil)
	x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	cells, _ := x.GetRows(admin.DealSheet)
	if len(cells) < 5 || !strings.Contains(cells[0][0], "融资成交信息明细表") || !strings.Contains(cells[1][0], "填报单位：苏州市市场监督管理局") ||
		!strings.Contains(cells[1][0], "填报人：admin") || cells[2][3] != "企业名称" || cells[3][4] != created.Deal.CreditCode || cells[3][7] != "800" {
		t.Fatalf("deal sheet: %q", cells)
	}
	panes, _ := x.GetPanes(admin.DealSheet)
	if !panes.Freeze || panes.YSplit != 3 {
		t.Errorf("header not frozen: %+v", panes)
	}
	if w, _ := x.GetColWidth(admin.DealSheet, "D"); w < 20 {
		t.Errorf("enterprise column width %v", w)
	}
}

func TestConfirmOnlyFinishedMonthsAndStale(t *testing.T) {
	s := mustAdminSvc(t, true)
	r := s.mustRoles()
	ksUser := "ks-conf-" + randomSuffix()
	r.county = s.createUser(s.admin, ksUser, "county", "kunshan")
	instID, _ := s.mustInstitution("确认测试银行", "o-sp-conf")
	now := s.clock.Now().In(domain.Shanghai)
	this := now.Format("2006-01")
	lastStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, domain.Shanghai).AddDate(0, -1, 0)
	last := lastStart.Format("2006-01")
	next := lastStart.AddDate(0, 2, 0).Format("2006-01")

	var errRes struct{ Error string }
	for _, m := range []string{this, next} {
		if code := s.api(http.MethodPost, "/api/v1/reports/monthly/confirm", r.county, map[string]string{"month": m}, &errRes); code != http.StatusBadRequest ||
			!strings.Contains(errRes.Error, "已结束的月份") {
			t.Errorf("confirm %s: %d %q", m, code, errRes.Error)
		}
	}
	deal := func(serial string) {
		num := s.fileNeed("o-"+serial, "320583", serial)
		lv := s.leadByNumber(s.admin, num)
		if code := s.status(http.MethodPost, fmt.Sprintf("/api/v1/leads/%d/deals", lv.ID), r.county, map[string]any{
			"institution": instID, "product": "流动资金贷款", "amount_wan": 120, "rate_pct": 3.4, "term_months": 6,
			"disbursed_on": lastStart.AddDate(0, 0, 9).Format("2006-01-02")}); code != http.StatusCreated {
			t.Fatalf("deal: %d", code)
		}
	}
	deal("MA1C0NF01")
	type row struct {
		County      string     `json:"county"`
		Confirmed   bool       `json:"confirmed"`
		ConfirmedAt *time.Time `json:"confirmed_at"`
		Stale       bool       `json:"stale"`
		Deals       []any      `json:"deals"`
	}
	var confirmed row
	if code := s.api(http.MethodPost, "/api/v1/reports/monthly/confirm", r.county, map[string]string{"month": last}, &confirmed); code != http.StatusOK ||
		!confirmed.Confirmed || confirmed.Stale || confirmed.ConfirmedAt == nil || len(confirmed.Deals) != 1 {
		t.Fatalf("confirm %s: %d %+v", last, code, confirmed)
	}
	report := func() row {
		var rep struct{ Counties []row }
		s.api(http.MethodGet, "/api/v1/reports/monthly?month="+last, r.county, nil, &rep)
		if len(rep.Counties) != 1 {
			t.Fatalf("report: %+v", rep)
		}
		return rep.Counties[0]
	}
	if got := report(); !got.Confirmed || got.Stale || got.ConfirmedAt == nil {
		t.Fatalf("after confirming: %+v", got)
	}
	// A deal of that month recorded late changes the figures: stale.
	deal("MA1C0NF02")
	if got := report(); !got.Confirmed || !got.Stale || len(got.Deals) != 2 {
		t.Fatalf("after a late deal: %+v", got)
	}
	b := newBrowser(t, s.handler)
	b.login(ksUser, "password-"+ksUser)
	page := b.mustPage("/console/reports?month=" + last)
	if !strings.Contains(page, admin.StaleText) || !strings.Contains(page, "流动资金贷款") {
		t.Errorf("console does not say the confirmation is stale")
	}
	s.api(http.MethodPost, "/api/v1/reports/monthly/confirm", r.county, map[string]string{"month": last}, nil)
	if got := report(); !got.Confirmed || got.Stale {
		t.Fatalf("after confirming again: %+v", got)
	}
}

// Roster names and bases are read back to enterprises in the chat: a row
// with markup is refused with the reason, the others are taken.
func TestRosterImportRefusesMarkup(t *testing.T) {
	s := mustAdminSvc(t, true)
	file := rosterCSV(
		"<a href=\"http://x\">昆山甲公司</a>,"+creditCodeIn(t, "320583", "MA1MKUP01")+",Ⅰ类,省长质量奖,昆山市,2026-03-15",
		"昆山乙公司,"+creditCodeIn(t, "320583", "MA1MKUP02")+",Ⅱ类,**江苏精品**,昆山市,2026-03-15",
		"昆山丙公司,"+creditCodeIn(t, "320583", "MA1MKUP03")+",Ⅱ类,江苏精品,昆山市,2026-03-15",
	)
	var res importResult
	if code := s.upload("/api/v1/roster/import?dry_run=1", s.admin, "roster.csv", file, &res); code != http.StatusOK {
		t.Fatalf("dry run: %d %+v", code, res)
	}
	if res.Inserted != 1 || len(res.Rejected) != 2 {
		t.Fatalf("dry run: %+v", res)
	}
	for _, rj := range res.Rejected {
		if !strings.Contains(rj.Reason, "不能换行，也不能包含") {
			t.Errorf("row %d: %q", rj.Row, rj.Reason)
		}
	}
}

func TestRosterInTheChat(t *testing.T) {
	s := mustAdminSvc(t, true)
	listed := creditCodeIn(t, "320583", "MA1CHAT01")
	file := rosterCSV("昆山聊天测试有限公司," + listed + ",Ⅰ类,中国质量奖,昆山市,2026-03-15")
	if code := s.upload("/api/v1/roster/import", s.admin, "roster.csv", file, nil); code != http.StatusOK {
		t.Fatalf("import: %d", code)
	}
	// Just the code.
	got := s.say("o-chat-1", listed)
	for _, w := range []string{"已列入“苏质融”企业库", "质量信誉Ⅰ类", "2026年3月15日", "昆山聊天测试有限公司"} {
		if !strings.Contains(got, w) {
			t.Errorf("lookup by code: no %q in %q", w, got)
		}
	}
	// The question, then the code.
	if got := s.say("o-chat-2", "我们在企业库里吗"); !strings.Contains(got, "统一社会信用代码") {
		t.Fatalf("question: %q", got)
	}
	unlisted := creditCodeIn(t, "320583", "MA1CHAT02")
	got = s.say("o-chat-2", unlisted)
	if !strings.Contains(got, "不在“苏质融”企业库名录中") || !strings.Contains(got, "入库") || !strings.Contains(got, "昆山市市场监督管理局") {
		t.Errorf("not listed: %q", got)
	}
	if got := s.say("o-chat-3", "企业库查询"); !strings.Contains(got, "18位统一社会信用代码") {
		t.Errorf("keyword: %q", got)
	}

	// An enterprise that filed under a listed code and self-checks to
	// another tier is told what the roster records.
	code := creditCodeIn(t, "320583", "MA1N2P3Q4")
	if code := s.upload("/api/v1/roster/import", s.admin, "roster.csv",
		rosterCSV("苏州测试精密机械有限公司,"+code+",Ⅱ类,江苏精品,昆山市,2025-12-01"), nil); code != http.StatusOK {
		t.Fatalf("import: %d", code)
	}
	s.fileNeed("o-chat-4", "320583", "MA1N2P3Q4")
	var last string
	for _, m := range []string{"自检", "是", "是", "是", "否", "都没有", "都没有", "都没有"} {
		last = s.say("o-chat-4", m)
	}
	if !strings.Contains(last, "质量信誉Ⅳ类") || !strings.Contains(last, "企业库名录记录贵企业") || !strings.Contains(last, "质量信誉Ⅱ类") {
		t.Errorf("self-check result: %q", last)
	}
	// Also when its conversation has expired and the next one starts from
	// the database; one who filed nothing gets the result alone.
	for _, id := range []string{"o-chat-4", "o-chat-5"} {
		s.forgetState(id)
		walk := []string{"自检", "是", "是", "是", "否", "都没有", "都没有", "都没有"}
		if id == "o-chat-4" {
			walk = slices.Insert(walk, 1, "1") // 重新自检: the database remembers the result
		}
		for _, m := range walk {
			last = s.say(id, m)
		}
		if !strings.Contains(last, "质量信誉Ⅳ类") || strings.Contains(last, "企业库名录记录贵企业") != (id == "o-chat-4") {
			t.Errorf("self-check result of %s after the state expired: %q", id, last)
		}
	}
}
