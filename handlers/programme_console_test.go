package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
)

func TestSpecialistBindsWithCode(t *testing.T) {
	s := mustAdminSvc(t, true)
	instID, _ := s.mustInstitution("绑定测试银行", "o-bind-sp")
	var inst struct {
		Specialists []struct {
			Bound bool `json:"bound"`
		} `json:"specialists"`
	}
	s.api(http.MethodGet, fmt.Sprintf("/api/v1/institutions/%d", instID), s.admin, nil, &inst)
	if len(inst.Specialists) != 1 || !inst.Specialists[0].Bound {
		t.Fatalf("specialist not bound: %+v", inst)
	}
	if got := s.say("o-nobody", "绑定 ZZZZ2222"); !strings.Contains(got, "绑定码不正确") {
		t.Errorf("unknown code: %q", got)
	}
	// Only officers edit institutions.
	r := s.mustRoles()
	if code := s.status(http.MethodPost, "/api/v1/institutions", r.county, map[string]string{"name": "x", "kind": "bank"}); code != http.StatusForbidden {
		t.Errorf("county creates an institution: %d", code)
	}
	var errRes struct{ Error string }
	if code := s.api(http.MethodPost, "/api/v1/institutions", s.admin, map[string]string{"name": "某公司", "kind": "crypto"}, &errRes); code != http.StatusBadRequest || !strings.Contains(errRes.Error, "机构类型") {
		t.Errorf("bad kind: %d %q", code, errRes.Error)
	}
	// Names reach enterprises and county staff in WeChat messages: no markup.
	if code := s.api(http.MethodPost, "/api/v1/institutions", s.admin, map[string]string{"name": "<img src=x onerror=alert(1)>银行", "kind": "bank"}, &errRes); code != http.StatusBadRequest || !strings.Contains(errRes.Error, "不能换行") {
		t.Errorf("markup in an institution's name: %d %q", code, errRes.Error)
	}
	if code := s.api(http.MethodPost, fmt.Sprintf("/api/v1/institutions/%d/specialists", instID), s.admin,
		map[string]string{"name": "[张三](http://x)", "phone": "13912345678", "products": "苏质贷"}, &errRes); code != http.StatusBadRequest || !strings.Contains(errRes.Error, "不能换行") {
		t.Errorf("markup in a specialist's name: %d %q", code, errRes.Error)
	}
	if code := s.api(http.MethodPost, fmt.Sprintf("/api/v1/institutions/%d/specialists", instID), s.admin,
		map[string]string{"name": "李四", "phone": "13912345678", "products": "苏质贷\n*融资租赁*"}, &errRes); code != http.StatusBadRequest {
		t.Errorf("markup in a specialist's products: %d %q", code, errRes.Error)
	}
	if code := s.status(http.MethodPost, "/api/v1/users", s.admin, map[string]any{"username": "inst-x", "password": "password-inst-x", "role": "institution", "institution": 424242}); code != http.StatusBadRequest {
		t.Errorf("account of an unknown institution: %d", code)
	}
}

// postFile submits a multipart form with a file, adding the CSRF token.
func (b *browser) postFile(path string, fields map[string]string, name string, data []byte) (int, string) {
	b.tb.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", b.csrf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	part, _ := w.CreateFormFile("file", name)
	part.Write(data)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, text := b.do(req)
	return resp.StatusCode, text
}

func TestConsoleProgrammePages(t *testing.T) {
	s := mustAdminSvc(t, true)
	ksUser := "ks-page-" + randomSuffix()
	s.createUser(s.admin, ksUser, "county", "kunshan")
	off := newBrowser(t, s.handler)
	off.login("admin", leadsAdminPass)

	// Institutions: add one, a specialist, and a bind code.
	off.mustPage("/console/institutions")
	if code, loc, _ := off.post("/console/institutions", url.Values{"name": {"页面测试银行"}, "kind": {"bank"}}); code != http.StatusSeeOther {
		t.Fatalf("create institution: %d %s", code, loc)
	}
	page := off.mustPage("/console/institutions")
	id := regexp.MustCompile(`id="institution-(\d+)"`).FindStringSubmatch(page)
	if id == nil {
		t.Fatal("institution not listed")
	}
	if code, _, body := off.post("/console/institutions/"+id[1]+"/specialists", url.Values{"name": {"王专员"}, "phone": {"12345"}}); code != http.StatusBadRequest || !strings.Contains(body, "电话应为") {
		t.Errorf("bad phone: %d", code)
	}
	off.post("/console/institutions/"+id[1]+"/specialists", url.Values{"name": {"王专员"}, "phone": {"13900001234"}, "products": {"苏质贷"}})
	page = off.mustPage("/console/institutions")
	sid := regexp.MustCompile(`/specialists/(\d+)/bind-code`).FindStringSubmatch(page)
	if sid == nil || !strings.Contains(page, "王专员") {
		t.Fatal("specialist not listed")
	}
	_, _, page = off.post("/console/institutions/"+id[1]+"/specialists/"+sid[1]+"/bind-code", nil)
	bind := regexp.MustCompile(`发送“绑定 ([A-Z0-9]{12})”`).FindStringSubmatch(page)
	if bind == nil {
		t.Fatalf("no bind code shown")
	}
	if got := s.say("o-page-sp", "绑定 "+bind[1]); !strings.Contains(got, "页面测试银行") {
		t.Fatalf("bind: %q", got)
	}

	// Roster: preview, then import; the page lists the entry.
	off.mustPage("/console/roster")
	code1 := creditCodeIn(t, "320583", "MA1PAGE01")
	file := rosterCSV("页面甲公司,"+code1+",Ⅱ类,江苏精品,昆山市,2026-02-01", "页面乙公司,123,Ⅱ类,江苏精品,昆山市,2026-02-01")
	code, body := off.postFile("/console/roster/import", map[string]string{"mode": "preview"}, "r.csv", file)
	if code != http.StatusOK || !strings.Contains(body, "预览（尚未导入）") || !strings.Contains(body, "新增 1 家") || !strings.Contains(body, "统一社会信用代码应为18位") {
		t.Fatalf("preview: %d", code)
	}
	if strings.Contains(off.mustPage("/console/roster"), "页面甲公司") {
		t.Fatal("a preview imported")
	}
	code, body = off.postFile("/console/roster/import", map[string]string{"mode": "import"}, "r.csv", file)
	if code != http.StatusOK || !strings.Contains(body, "已导入") || !strings.Contains(body, "页面甲公司") {
		t.Fatalf("import: %d", code)
	}

	// The county refers a need from its lead page; the specialist records the deal.
	num := s.fileNeed("o-page-ent", "320583", "MA1PAGE02")
	lead := s.leadByNumber(s.admin, num)
	ks := newBrowser(t, s.handler)
	ks.login(ksUser, "password-"+ksUser)
	page = ks.mustPage(fmt.Sprintf("/console/leads/%d", lead.ID))
	if !strings.Contains(page, `id="referral-form"`) || !strings.Contains(page, "页面测试银行") {
		t.Fatal("no referral form for the county")
	}
	if code, loc, _ := ks.post(fmt.Sprintf("/console/leads/%d/referrals", lead.ID), url.Values{"institution": {id[1]}}); code != http.StatusSeeOther {
		t.Fatalf("refer: %d %s", code, loc)
	}
	instID, _ := strconv.ParseUint(id[1], 10, 64)
	spUser := "sp-page-" + randomSuffix()
	if code := s.status(http.MethodPost, "/api/v1/users", s.admin, map[string]any{"username": spUser, "password": "password-" + spUser, "role": "institution", "institution": instID}); code != http.StatusCreated {
		t.Fatalf("institution account: %d", code)
	}
	sp := newBrowser(t, s.handler)
	sp.login(spUser, "password-"+spUser)
	leads := sp.mustPage("/console/leads")
	if !strings.Contains(leads, num) || strings.Contains(leads, `href="/console/reports"`) {
		t.Errorf("specialist's list or navigation is wrong")
	}
	page = sp.mustPage(fmt.Sprintf("/console/leads/%d", lead.ID))
	if !strings.Contains(page, `id="deal-form"`) || strings.Contains(page, `id="referral-form"`) || strings.Contains(page, `value="approved"`) {
		t.Fatal("specialist's lead page")
	}
	if code, _, body := sp.post(fmt.Sprintf("/console/leads/%d/deals", lead.ID), url.Values{"product": {"苏质贷"}, "amount_wan": {"abc"},
		"rate_pct": {"3.1"}, "term_months": {"12"}, "disbursed_on": {"2026-01-05"}}); code != http.StatusBadRequest || !strings.Contains(body, "放款金额应为万元数") {
		t.Errorf("bad amount: %d", code)
	}
	today := s.clock.Now().In(domain.Shanghai).Format("2006-01-02")
	deal := url.Values{"product": {"苏质贷"}, "amount_wan": {"600"}, "rate_pct": {"3.1"}, "term_months": {"12"}, "disbursed_on": {today}}
	// One tap shows what will be recorded; nothing is recorded yet.
	if code, _, body := sp.post(fmt.Sprintf("/console/leads/%d/deals", lead.ID), deal); code != http.StatusOK || !strings.Contains(body, `id="deal-confirm"`) {
		t.Fatalf("deal confirmation: %d", code)
	}
	if page := ks.mustPage(fmt.Sprintf("/console/leads/%d", lead.ID)); strings.Contains(page, "页面测试银行放款600万元") {
		t.Fatal("a deal recorded before its confirmation")
	}
	deal.Set("confirm", "1")
	if code, loc, _ := sp.post(fmt.Sprintf("/console/leads/%d/deals", lead.ID), deal); code != http.StatusSeeOther {
		t.Fatalf("deal: %d %s", code, loc)
	}
	if page := ks.mustPage(fmt.Sprintf("/console/leads/%d", lead.ID)); !strings.Contains(page, "已放款") || !strings.Contains(page, "页面测试银行放款600万元") {
		t.Error("the county does not see the disbursement")
	}
	other := s.leadByNumber(s.admin, s.fileNeed("o-page-ent2", "320583", "MA1PAGE03"))
	if code, _, _ := sp.get(fmt.Sprintf("/console/leads/%d", other.ID)); code != http.StatusNotFound {
		t.Errorf("specialist opens an unreferred lead: %d", code)
	}

	// The league table ranks Kunshan first with its deal.
	page = off.mustPage("/console/league")
	if !regexp.MustCompile(`<td class="num">1</td><td>昆山市</td>`).MatchString(page) {
		t.Errorf("league: kunshan not first")
	}
	resp, err := off.c.Get(off.base + "/console/league/download")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("league xlsx: %v", err)
	}
	resp.Body.Close()
}

func TestLeagueTable(t *testing.T) {
	s := mustAdminSvc(t, true)
	r := s.mustRoles()
	instID, _ := s.mustInstitution("通报测试银行", "o-lg-sp")
	today := s.clock.Now().In(domain.Shanghai).Format("2006-01-02")
	// Taicang: one need, contacted at once, with a deal; Kunshan: two needs, none handled.
	tc := s.leadByNumber(s.admin, s.fileNeed("o-lg-1", "320585", "MA1LEAGU1"))
	s.fileNeed("o-lg-2", "320583", "MA1LEAGU2")
	s.fileNeed("o-lg-3", "320583", "MA1LEAGU3")
	if code := s.status(http.MethodPatch, fmt.Sprintf("/api/v1/leads/%d", tc.ID), s.admin, map[string]string{"status": "contacted"}); code != http.StatusOK {
		t.Fatalf("contact: %d", code)
	}
	if code := s.status(http.MethodPost, fmt.Sprintf("/api/v1/leads/%d/deals", tc.ID), s.admin, map[string]any{"institution": instID,
		"product": "苏质贷", "amount_wan": 250, "rate_pct": 3.0, "term_months": 12, "disbursed_on": today}); code != http.StatusCreated {
		t.Fatalf("deal: %d", code)
	}
	var lt admin.LeagueTable
	if code := s.api(http.MethodGet, "/api/v1/reports/league", r.viewer, nil, &lt); code != http.StatusOK {
		t.Fatalf("league: %d", code)
	}
	if len(lt.Rows) != 11 || lt.Rows[0].County != "taicang" || lt.Rows[1].County != "kunshan" {
		t.Fatalf("ranking: %+v", lt.Rows[:2])
	}
	top, ks := lt.Rows[0], lt.Rows[1]
	if top.Rank != 1 || top.YTD.Deals != 1 || top.YTD.DealWan != 250 || top.YTD.Leads != 1 || top.YTD.InSLA != 1 || top.YTD.SLASharePct != 100 {
		t.Errorf("taicang: %+v", top.YTD)
	}
	if ks.YTD.Leads != 2 || ks.YTD.InSLA != 0 || ks.YTD.Deals != 0 {
		t.Errorf("kunshan: %+v", ks.YTD)
	}
	month := s.clock.Now().In(domain.Shanghai).Format("2006-01")
	lastM := top.Monthly[len(top.Monthly)-1]
	if lastM.Month != month || lastM.DealWan != 250 || len(lt.Months) != len(top.Monthly) {
		t.Errorf("this month: %+v of %v", lastM, lt.Months)
	}
	if code := s.status(http.MethodGet, "/api/v1/reports/league", r.county, nil); code != http.StatusForbidden {
		t.Errorf("league for a county: %d", code)
	}
	rec := s.raw(http.MethodGet, "/api/v1/reports/league?format=xlsx", s.admin, nil)
	x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows(admin.LeagueSheet)
	if len(rows) != 14 || rows[3][1] != "太仓市" || rows[3][8] != "250" {
		t.Errorf("league sheet: %q", rows[:4])
	}
}

func TestSpecialistRecordsAStepDirectly(t *testing.T) {
	s := mustAdminSvc(t, true)
	instID, bank := s.mustInstitution("直接登记测试银行", "o-direct-sp")
	lead := s.leadByNumber(s.admin, s.fileNeed("o-direct", "320583", "MA1D1REC1"))
	path := fmt.Sprintf("/api/v1/leads/%d", lead.ID)
	if code := s.status(http.MethodPost, path+"/referrals", s.admin, map[string]any{"institution": instID}); code != http.StatusCreated {
		t.Fatalf("refer: %d", code)
	}
	var lv leadView
	if code := s.api(http.MethodPatch, path, bank, map[string]string{"status": "contracted", "note": "已签订借款合同"}, &lv); code != http.StatusOK || lv.Status != "contracted" {
		t.Fatalf("contract directly: %d %+v", code, lv)
	}
	var steps []string
	for _, e := range lv.Events {
		steps = append(steps, e.Status)
	}
	if strings.Join(steps, ",") != "submitted,contacted,reviewing,pre_approved,contracted" {
		t.Fatalf("steps %v", steps)
	}
	rows, _ := s.db.OutboxRows(context.Background(), fmt.Sprintf("lead:%d:event:", lead.ID))
	if len(rows) != 1 {
		t.Errorf("enterprise told %d times, want once", len(rows))
	}
	if code := s.status(http.MethodPatch, path, bank, map[string]string{"status": "pre_approved"}); code != http.StatusConflict {
		t.Errorf("going back: %d", code)
	}
	// In the chat, 进度 shows the specialist the applications referred to its institution.
	if got := s.say("o-direct-sp", "进度"); !strings.Contains(got, "推荐给直接登记测试银行") || !strings.Contains(got, lead.Number) {
		t.Errorf("specialist's 进度: %q", got)
	}
	if got := s.say("o-nobody-direct", "进度"); strings.Contains(got, "推荐给") {
		t.Errorf("a stranger's 进度: %q", got)
	}
}

// A specialist opens a referral's notification inside WeChat and is signed
// in, by WeChat web authorisation, to their institution's applications
// only.
func TestSpecialistSignsInFromWeChat(t *testing.T) {
	s := mustAdminSvc(t, false)
	r := s.mustRoles()
	instID, _ := s.mustInstitution("苏州测试银行", "o-specialist-li")
	id := s.mustLead(domain.LeadNeed, "kunshan", "szd", "MA1N2PT01", s.clock.Now())
	other := s.mustLead(domain.LeadNeed, "kunshan", "szd", "MA1N2PT02", s.clock.Now())
	path := fmt.Sprintf("/api/v1/leads/%d", id)
	if code := s.status(http.MethodPost, path+"/referrals", r.county, map[string]any{"institution": instID}); code != http.StatusCreated {
		t.Fatalf("referral: %d", code)
	}
	b := newBrowser(t, s.handler)
	page := fmt.Sprintf("/console/leads/%d", id)
	_, loc, _ := b.getAs("/console/wx/start?next="+url.QueryEscape(page), weChatUA)
	u, _ := url.Parse(loc)
	s.fake.OAuthCode("CODE-SP", "o-specialist-li")
	code, loc, _ := b.getAs("/console/wx/callback?code=CODE-SP&state="+u.Query().Get("state"), weChatUA)
	if code != http.StatusSeeOther || loc != page {
		t.Fatalf("specialist callback: %d %s", code, loc)
	}
	if body := b.mustPage(page); !strings.Contains(body, "李专员") {
		t.Error("the header does not name the specialist")
	}
	if code, _, _ := b.get(fmt.Sprintf("/console/leads/%d", other)); code != http.StatusNotFound {
		t.Errorf("an application not referred to the institution: %d", code)
	}
}
