package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
)

// TestMonthlyReportNumbers seeds leads across counties, statuses and
// products and checks the report's counts and sums in JSON, CSV and XLSX.
func TestMonthlyReportNumbers(t *testing.T) {
	s := mustAdminSvc(t, false)
	r := s.mustRoles()
	now := s.clock.Now()
	from, _, _ := domain.ParseMonth("", now)
	month := from.Format("2006-01")
	need, apply := domain.LeadNeed, domain.LeadApply

	// kunshan: two disbursed (苏质贷 300, 融资租赁 120.5), one admitted, one waiting,
	// and one filed last month but contacted this month.
	l1 := s.mustLead(need, "kunshan", "szd", "MA1N2P301", now)
	s.move(l1, "contacted", "reviewing", "pre_approved", "contracted")
	s.disburse(l1, 300)
	l2 := s.mustLead(need, "kunshan", "leasing", "MA1N2P302", now)
	s.move(l2, "contacted", "reviewing", "pre_approved", "contracted")
	s.disburse(l2, 120.5)
	l3 := s.mustLead(apply, "kunshan", "", "MA1N2P303", now)
	s.move(l3, "contacted", "approved")
	s.mustLead(need, "kunshan", "szd", "MA1N2P304", now)
	l9 := s.mustLead(need, "kunshan", "szd", "MA1N2P309", from.Add(-time.Hour))
	s.move(l9, "contacted")
	// sip: one disbursed 苏质贷 1000, one rejected application, one pre-approved 担保.
	l5 := s.mustLead(need, "sip", "szd", "MA1N2P305", now)
	s.move(l5, "contacted", "reviewing", "pre_approved", "contracted")
	s.disburse(l5, 1000)
	l6 := s.mustLead(apply, "sip", "", "MA1N2P306", now)
	s.move(l6, "contacted", "rejected")
	l7 := s.mustLead(need, "sip", "guarantee", "MA1N2P307", now)
	s.move(l7, "contacted", "reviewing", "pre_approved")
	// wuzhong: one application, waiting.
	s.mustLead(apply, "wuzhong", "", "MA1N2P308", now)
	// Correcting an amount replaces it.
	s.disburse(l2, 120.5)

	type row struct {
		County        string
		Received      int64
		ReceivedNeeds int64 `json:"received_needs"`
		ReceivedApply int64 `json:"received_apply"`
		Contacted     int64
		PreApproved   int64 `json:"pre_approved"`
		Contracted    int64
		Disbursed     int64
		DisbursedWan  float64 `json:"disbursed_wan"`
		ByProduct     map[string]struct {
			Count int64
			Wan   float64
		} `json:"by_product"`
		Approved  int64
		Confirmed bool
	}
	var rep struct {
		Month    string
		Counties []row
		Total    *row
	}
	if code := s.api("GET", "/api/v1/reports/monthly?month="+month, s.admin, nil, &rep); code != 200 {
		t.Fatalf("report: %d", code)
	}
	byCounty := map[string]row{}
	for _, c := range rep.Counties {
		byCounty[c.County] = c
	}
	check := func(name string, got row, received, needs, applies, contacted, pre, contracted, disbursed int64, wan float64, products map[string]float64, approved int64) {
		t.Helper()
		if got.Received != received || got.ReceivedNeeds != needs || got.ReceivedApply != applies || got.Contacted != contacted ||
			got.PreApproved != pre || got.Contracted != contracted || got.Disbursed != disbursed || got.DisbursedWan != wan || got.Approved != approved {
			t.Errorf("%s: %+v", name, got)
		}
		for p, w := range products {
			if got.ByProduct[p].Wan != w {
				t.Errorf("%s %s: %v, want %v", name, p, got.ByProduct[p].Wan, w)
			}
		}
	}
	check("kunshan", byCounty["kunshan"], 4, 3, 1, 4, 2, 2, 2, 420.5, map[string]float64{"szd": 300, "leasing": 120.5}, 1)
	check("sip", byCounty["sip"], 3, 2, 1, 3, 2, 1, 1, 1000, map[string]float64{"szd": 1000, "guarantee": 0}, 0)
	check("wuzhong", byCounty["wuzhong"], 1, 0, 1, 0, 0, 0, 0, 0, nil, 0)
	check("gusu", byCounty["gusu"], 0, 0, 0, 0, 0, 0, 0, 0, nil, 0)
	if rep.Total == nil || len(rep.Counties) != 11 {
		t.Fatalf("officer report: %d counties, total %v", len(rep.Counties), rep.Total)
	}
	check("total", *rep.Total, 8, 5, 3, 7, 4, 3, 3, 1420.5, map[string]float64{"szd": 1300, "leasing": 120.5}, 1)

	// Last month holds only the lead filed then.
	prev := from.AddDate(0, -1, 0).Format("2006-01")
	s.api("GET", "/api/v1/reports/monthly?month="+prev, s.admin, nil, &rep)
	if rep.Total.Received != 1 || rep.Total.Contacted != 0 {
		t.Errorf("last month total %+v", rep.Total)
	}
	if code := s.status("GET", "/api/v1/reports/monthly?month=2026-13", s.admin, nil); code != 400 {
		t.Errorf("bad month: %d", code)
	}
	if code := s.status("GET", "/api/v1/reports/monthly?format=pdf", s.admin, nil); code != 400 {
		t.Errorf("bad format: %d", code)
	}

	// A county account sees and confirms its own; officers see who confirmed.
	rep.Total = nil
	s.api("GET", "/api/v1/reports/monthly?month="+month, r.county, nil, &rep)
	if len(rep.Counties) != 1 || rep.Counties[0].County != "kunshan" || rep.Total != nil {
		t.Fatalf("county report %+v", rep)
	}
	check("kunshan (own)", rep.Counties[0], 4, 3, 1, 4, 2, 2, 2, 420.5, nil, 1)
	// Only a finished month can be confirmed.
	if code := s.status("POST", "/api/v1/reports/monthly/confirm", r.county, map[string]string{"month": month}); code != 400 {
		t.Fatalf("confirm this month: %d", code)
	}
	if code := s.status("POST", "/api/v1/reports/monthly/confirm", r.county, map[string]string{"month": prev}); code != 200 {
		t.Fatalf("confirm: %d", code)
	}
	for _, bad := range []map[string]string{{}, {"month": "2026/11"}, {"month": from.AddDate(0, 2, 0).Format("2006-01")}} {
		if code := s.status("POST", "/api/v1/reports/monthly/confirm", r.county, bad); code != 400 {
			t.Errorf("confirm %v: %d", bad, code)
		}
	}
	s.api("GET", "/api/v1/reports/monthly?month="+prev, s.admin, nil, &rep)
	for _, c := range rep.Counties {
		if c.Confirmed != (c.County == "kunshan") {
			t.Errorf("%s confirmed %v", c.County, c.Confirmed)
		}
	}

	// CSV: BOM, Chinese headers, a row per county and the city total.
	rec := s.raw("GET", "/api/v1/reports/monthly?format=csv&month="+month, s.admin, nil)
	body := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(body, "\uFEFF") || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %q", rec.Code, clipBody(body))
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatalf("csv parse: %v", err)
	}
	if len(recs) != 13 || recs[0][0] != "县级市（区）" || recs[12][0] != "全市合计" {
		t.Fatalf("csv rows %d: %v / %v", len(recs), recs[0], recs[len(recs)-1])
	}
	col := func(name string) int {
		for i, h := range recs[0] {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s in %v", name, recs[0])
		return -1
	}
	for _, rec := range recs[1:] {
		switch rec[0] {
		case "昆山市":
			if rec[col("已放款（笔）")] != "2" || rec[col("放款金额合计（万元）")] != "420.5" || rec[col("苏质贷放款（万元）")] != "300" || rec[col("确认状态")] != "未确认" { // this month cannot be confirmed yet
				t.Errorf("csv kunshan %v", rec)
			}
		case "全市合计":
			if rec[col("收到需求/申请（件）")] != "8" || rec[col("放款金额合计（万元）")] != "1420.5" || rec[col("入库企业（家）")] != "1" {
				t.Errorf("csv total %v", rec)
			}
		}
	}

	// XLSX: 汇总, 融资成交明细, a sheet per county and 服务评价.
	rec = s.raw("GET", "/api/v1/reports/monthly?format=xlsx&month="+month, s.admin, nil)
	if rec.Code != 200 {
		t.Fatalf("xlsx: %d", rec.Code)
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("xlsx open: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 14 || sheets[0] != admin.SummarySheet || sheets[1] != admin.DealSheet || sheets[13] != admin.RatingSheet {
		t.Fatalf("sheets %v", sheets)
	}
	rows, err := f.GetRows(admin.SummarySheet)
	if err != nil || len(rows) != 13 || rows[0][0] != "县级市（区）" || rows[12][0] != "全市合计" {
		t.Fatalf("summary rows %v %v", rows, err)
	}
	ks, err := f.GetRows("昆山市")
	if err != nil {
		t.Fatal(err)
	}
	kv := map[string]string{}
	for _, r := range ks {
		if len(r) == 2 {
			kv[r[0]] = r[1]
		}
	}
	if kv["放款金额合计（万元）"] != "420.5" || kv["融资租赁放款（万元）"] != "120.5" || kv["已受理"] != "4" {
		t.Errorf("kunshan sheet %v", kv)
	}
	// A county account's workbook holds only its county.
	rec = s.raw("GET", "/api/v1/reports/monthly?format=xlsx&month="+month, r.county, nil)
	f2, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	if got := f2.GetSheetList(); len(got) != 4 || got[1] != admin.DealSheet || got[2] != "昆山市" || got[3] != admin.RatingSheet {
		t.Errorf("county workbook sheets %v", got)
	}
}

// TestDashboardCounts checks leads per status, the SLA and self-checks.
func TestDashboardCounts(t *testing.T) {
	s := mustAdminSvc(t, false)
	now := s.clock.Now()
	old := s.mustLead(domain.LeadNeed, "kunshan", "szd", "MA1N2P311", now.Add(-10*24*time.Hour))
	s.mustLead(domain.LeadNeed, "kunshan", "szd", "MA1N2P312", now)
	l := s.mustLead(domain.LeadApply, "sip", "", "MA1N2P313", now)
	s.move(l, "contacted")
	ctx := context.Background()
	for i, tier := range []domain.Tier{1, 2, 2, 0} {
		id := fmt.Sprintf("o-check-%d", i)
		s.db.Follow(ctx, id, "", "", now)
		s.db.SetFollowerCounty(ctx, id, []string{"kunshan", "sip", "kunshan", "gusu"}[i])
		if err := s.db.SaveCheck(ctx, id, tier, nil, now); err != nil {
			t.Fatal(err)
		}
	}
	var d struct {
		Counties []struct {
			County     string
			Received   int64
			ByStatus   map[string]int64 `json:"by_status"`
			OverSLA    int64            `json:"over_sla"`
			SelfChecks int64            `json:"self_checks"`
		}
		SelfChecks int64 `json:"self_checks"`
		Tiers      map[string]int64
		OverSLA    []struct{ ID uint64 } `json:"over_sla"`
	}
	if code := s.api("GET", "/api/v1/dashboard", s.admin, nil, &d); code != 200 {
		t.Fatal(code)
	}
	if d.SelfChecks != 4 || d.Tiers["2"] != 2 || d.Tiers["1"] != 1 || d.Tiers["0"] != 1 {
		t.Errorf("self checks %d %v", d.SelfChecks, d.Tiers)
	}
	if len(d.OverSLA) != 1 || d.OverSLA[0].ID != old {
		t.Errorf("over sla %+v", d.OverSLA)
	}
	for _, c := range d.Counties {
		switch c.County {
		case "kunshan":
			// The 10-day-old lead is over the SLA whichever month it was filed in.
			if c.OverSLA != 1 || c.SelfChecks != 2 || c.ByStatus["submitted"] < 1 {
				t.Errorf("kunshan %+v", c)
			}
		case "sip":
			if c.Received != 1 || c.ByStatus["contacted"] != 1 || c.OverSLA != 0 || c.SelfChecks != 1 {
				t.Errorf("sip %+v", c)
			}
		}
	}
	if code := s.status("GET", "/api/v1/dashboard?month=bogus", s.admin, nil); code != 400 {
		t.Errorf("bad month: %d", code)
	}
}

// A future LPR is not quoted until its day; the history is kept and shown.
func TestFutureLPRWaitsForItsDay(t *testing.T) {
	s := mustAdminSvc(t, false)
	ctx := context.Background()
	now := s.clock.Now()
	tomorrow := now.In(domain.Shanghai).AddDate(0, 0, 1).Format("2006-01-02")
	before := s.bot.Policy().LPR
	var st struct {
		LPR      float64 `json:"lpr"`
		LPRDate  string  `json:"lpr_date"`
		Schedule []struct {
			Rate        float64 `json:"rate"`
			EffectiveOn string  `json:"effective_on"`
			State       string  `json:"state"`
		} `json:"lpr_schedule"`
	}
	if code := s.api("PUT", "/api/v1/settings", s.admin, map[string]any{"lpr": 2.75, "lpr_date": tomorrow}, &st); code != http.StatusOK {
		t.Fatalf("schedule: %d", code)
	}
	if st.LPR != before || s.bot.Policy().LPR != before {
		t.Fatalf("tomorrow's LPR applied today: settings %v, policy %v, want %v", st.LPR, s.bot.Policy().LPR, before)
	}
	if len(st.Schedule) != 1 || st.Schedule[0].State != "upcoming" || st.Schedule[0].EffectiveOn != tomorrow {
		t.Fatalf("schedule %+v", st.Schedule)
	}
	openID := randomOpenID()
	if got := s.say(openID, "利率"); strings.Contains(got, "2.75%") || strings.Contains(got, tomorrow) {
		t.Fatalf("the bot quotes tomorrow's LPR today: %s", got)
	}
	// The day comes: the periodic refresh puts it in force.
	s.clock.Add(24 * time.Hour)
	if err := s.bot.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if p := s.bot.Policy(); p.LPR != 2.75 || p.LPRDate != tomorrow {
		t.Fatalf("on its day: %v %s", p.LPR, p.LPRDate)
	}
	s.api("GET", "/api/v1/settings", s.admin, nil, &st)
	if len(st.Schedule) != 1 || st.Schedule[0].State != "in_force" {
		t.Fatalf("schedule on its day %+v", st.Schedule)
	}
	// The console shows the schedule and the history.
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	page := b.mustPage("/console/settings")
	for _, want := range []string{"2.75", tomorrow, "执行中"} {
		if !strings.Contains(page, want) {
			t.Errorf("settings page lacks %q", want)
		}
	}
}
