package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
)

// monthReturn reads the month's return of the caller's counties.
func (s *adminSvc) monthDeals(token string) (n int, wan float64) {
	s.tb.Helper()
	var rep struct {
		Counties []struct {
			Deals   []admin.DealLine `json:"deals"`
			DealWan float64          `json:"deal_wan"`
		} `json:"counties"`
	}
	if code := s.api(http.MethodGet, "/api/v1/reports/monthly", token, nil, &rep); code != http.StatusOK {
		s.tb.Fatalf("monthly: %d", code)
	}
	for _, c := range rep.Counties {
		n += len(c.Deals)
		wan += c.DealWan
	}
	return n, wan
}

// Deals are checked against the notice (三（一）, 三（二）2): a 苏质贷 deal
// above the tier's rate cap, above 3000万 per enterprise or longer than a
// year is refused with 422 and the rule named; a deal can be corrected or
// withdrawn with a reason, and the monthly return follows.
func TestDealsCheckedAgainstTheNotice(t *testing.T) {
	s := mustAdminSvc(t, true)
	r := s.mustRoles()
	instID, bank := s.mustInstitution("测试银行昆山支行", "o-specialist")
	num := s.fileNeed("o-ent-notice", "320583", "MA1D3AL07")
	lead := s.leadByNumber(s.admin, num)
	path := fmt.Sprintf("/api/v1/leads/%d", lead.ID)
	if code := s.status(http.MethodPost, path+"/referrals", r.county, map[string]any{"institution": instID}); code != http.StatusCreated {
		t.Fatalf("referral: %d", code)
	}
	today := s.clock.Now().In(domain.Shanghai).Format("2006-01-02")
	deal := func(product string, wan, rate float64, term int) (int, string) {
		var res struct {
			Error string
			ID    uint64
		}
		code := s.api(http.MethodPost, path+"/deals", bank, map[string]any{"institution": instID, "product": product,
			"amount_wan": wan, "rate_pct": rate, "term_months": term, "disbursed_on": today}, &res)
		return code, res.Error
	}
	// The case: no tier on file, 4.5% for 1500万.
	for _, c := range []struct {
		wan, rate float64
		term      int
		want      []string
	}{
		{1500, 4.5, 12, []string{"LPR+80个基点", "三（一）", "3.8%", "按Ⅲ类"}},
		{3500, 3.5, 12, []string{"不超过3000万元", "三（一）"}},
		{500, 3.5, 24, []string{"一年期", "12个月"}},
	} {
		code, msg := deal("苏质贷", c.wan, c.rate, c.term)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("%v万 at %v%% for %d months: %d %q, want 422", c.wan, c.rate, c.term, code, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("refusal %q does not say %q", msg, w)
			}
		}
	}
	if n, _ := s.monthDeals(s.admin); n != 0 {
		t.Fatalf("refused deals in the return: %d", n)
	}
	if got := s.leadByNumber(s.admin, num); got.Status != domain.StatusSubmitted {
		t.Fatalf("a refused deal moved the lead to %s", got.Status)
	}

	// Within the cap it is recorded; the enterprise's 苏质贷 deals together
	// stay within 3000万.
	if code, msg := deal("苏质贷", 2000, 3.8, 12); code != http.StatusCreated {
		t.Fatalf("deal within the notice: %d %q", code, msg)
	}
	if code, msg := deal("苏质贷", 1500, 3.5, 12); code != http.StatusUnprocessableEntity || !strings.Contains(msg, "另有未到期的“苏质贷”2000万元") {
		t.Fatalf("second deal over the enterprise's cap: %d %q", code, msg)
	}
	// The same amount under another product is not a 苏质贷.
	if code, msg := deal("融资租赁", 1500, 5.5, 36); code != http.StatusCreated {
		t.Fatalf("leasing deal: %d %q", code, msg)
	}
	if n, wan := s.monthDeals(s.admin); n != 2 || wan != 3500 {
		t.Fatalf("return: %d deals, %v万", n, wan)
	}

	var deals struct{ Items []admin.DealLine }
	s.api(http.MethodGet, path+"/deals", bank, nil, &deals)
	if len(deals.Items) != 2 {
		t.Fatalf("deals: %+v", deals.Items)
	}
	szd := deals.Items[0]
	dpath := fmt.Sprintf("%s/deals/%d", path, szd.ID)
	// A correction needs a reason and is checked like a new deal; another
	// account than its recorder (but an officer) may not change it.
	if code := s.status(http.MethodPatch, dpath, bank, map[string]any{"product": "苏质贷", "amount_wan": 1800, "rate_pct": 3.8,
		"term_months": 12, "disbursed_on": today}); code != http.StatusBadRequest {
		t.Errorf("correction without reason: %d", code)
	}
	if code := s.status(http.MethodPatch, dpath, bank, map[string]any{"product": "苏质贷", "amount_wan": 1800, "rate_pct": 4.2,
		"term_months": 12, "disbursed_on": today, "reason": "利率填错"}); code != http.StatusUnprocessableEntity {
		t.Errorf("correction above the cap: %d", code)
	}
	if code := s.status(http.MethodPatch, dpath, r.county, map[string]any{"product": "苏质贷", "amount_wan": 1800, "rate_pct": 3.6,
		"term_months": 12, "disbursed_on": today, "reason": "金额填错"}); code != http.StatusForbidden {
		t.Errorf("correction by the county (not its recorder): %d", code)
	}
	if code := s.status(http.MethodPatch, dpath, bank, map[string]any{"product": "苏质贷", "amount_wan": 1800, "rate_pct": 3.6,
		"term_months": 12, "disbursed_on": today, "reason": "金额填错，应为1800万元"}); code != http.StatusOK {
		t.Fatalf("correction: %d", code)
	}
	if n, wan := s.monthDeals(s.admin); n != 2 || wan != 3300 {
		t.Fatalf("return after the correction: %d deals, %v万", n, wan)
	}
	// Withdrawn by an officer with a reason: it leaves the return.
	if code := s.status(http.MethodPost, dpath+"/withdraw", s.admin, map[string]any{"reason": ""}); code != http.StatusBadRequest {
		t.Errorf("withdrawal without reason: %d", code)
	}
	if code := s.status(http.MethodPost, dpath+"/withdraw", s.admin, map[string]any{"reason": "银行误登记，实际未放款"}); code != http.StatusNoContent {
		t.Fatalf("withdrawal: %d", code)
	}
	if n, wan := s.monthDeals(s.admin); n != 1 || wan != 1500 {
		t.Fatalf("return after the withdrawal: %d deals, %v万", n, wan)
	}
	if code := s.status(http.MethodPost, dpath+"/withdraw", s.admin, map[string]any{"reason": "再撤一次"}); code != http.StatusNotFound {
		t.Errorf("second withdrawal: %d", code)
	}
	// Both are in the operations log with what changed and why.
	for a, want := range map[string]string{"更正融资成交": "金额（万元） 2000→1800；年利率（%） 3.8→3.6；原因：金额填错",
		"撤销融资成交": "已撤销：是；原因：银行误登记"} {
		var done []opEntry
		for _, e := range s.oplog("action=" + a) {
			if e.Status < 300 {
				done = append(done, e)
			}
		}
		if len(done) != 1 || done[0].Object != num || !strings.Contains(done[0].Summary, want) {
			t.Errorf("%s in the log: %+v", a, done)
		}
	}
}

// A tier on file sets the cap: Ⅰ类 LPR+30bp; futures OTC credit by tier.
func TestDealCapFollowsTheRosterTier(t *testing.T) {
	s := mustAdminSvc(t, true)
	r := s.mustRoles()
	instID, bank := s.mustInstitution("测试银行昆山支行", "o-specialist")
	code := creditCodeIn(t, "320583", "MA1D3AL08")
	var res importResult
	if c := s.upload("/api/v1/roster/import", s.admin, "r.csv", rosterCSV("苏州测试精密机械有限公司,"+code+",Ⅰ类,市长质量奖,昆山市,2026-03-15"), &res); c != http.StatusOK || res.Inserted != 1 {
		t.Fatalf("roster: %d %+v", c, res)
	}
	num := s.fileNeed("o-ent-tier1", "320583", "MA1D3AL08")
	lead := s.leadByNumber(s.admin, num)
	path := fmt.Sprintf("/api/v1/leads/%d", lead.ID)
	if c := s.status(http.MethodPost, path+"/referrals", r.county, map[string]any{"institution": instID}); c != http.StatusCreated {
		t.Fatalf("referral: %d", c)
	}
	today := s.clock.Now().In(domain.Shanghai).Format("2006-01-02")
	post := func(product string, wan, rate float64) (int, string) {
		var out struct{ Error string }
		c := s.api(http.MethodPost, path+"/deals", bank, map[string]any{"institution": instID, "product": product,
			"amount_wan": wan, "rate_pct": rate, "term_months": 12, "disbursed_on": today}, &out)
		return c, out.Error
	}
	if c, msg := post("苏质贷", 500, 3.5); c != http.StatusUnprocessableEntity || !strings.Contains(msg, "质量信誉Ⅰ类企业") || !strings.Contains(msg, "LPR+30个基点") {
		t.Fatalf("Ⅰ类 at 3.5%%: %d %q", c, msg)
	}
	if c, msg := post("期货套期保值", 350, 1); c != http.StatusUnprocessableEntity || !strings.Contains(msg, "不超过300万元") {
		t.Fatalf("futures credit over Ⅰ类's: %d %q", c, msg)
	}
	if c, msg := post("苏质贷", 500, 3.3); c != http.StatusCreated {
		t.Fatalf("Ⅰ类 at the cap: %d %q", c, msg)
	}
}

// A disbursement entered with its amount alone is a deal of the lead's
// product too: 苏质贷 above 3000万 is refused.
func TestAmountOnlyDisbursementFitsTheNotice(t *testing.T) {
	s := mustAdminSvc(t, true)
	now := s.clock.Now()
	id := s.mustLead(domain.LeadNeed, "kunshan", "szd", "MA1N2P3Q8", now)
	path := fmt.Sprintf("/api/v1/leads/%d", id)
	for _, st := range []string{"contacted", "reviewing", "pre_approved", "contracted"} {
		if code := s.status(http.MethodPatch, path, s.admin, map[string]string{"status": st}); code != http.StatusOK {
			t.Fatalf("move to %s: %d", st, code)
		}
	}
	var res struct{ Error string }
	if code := s.api(http.MethodPost, path+"/disburse", s.admin, map[string]any{"disbursed_wan": 3500}, &res); code != http.StatusUnprocessableEntity || !strings.Contains(res.Error, "3000万元") {
		t.Fatalf("3500万 of 苏质贷: %d %q", code, res.Error)
	}
	if code := s.status(http.MethodPost, path+"/disburse", s.admin, map[string]any{"disbursed_wan": 800}); code != http.StatusOK {
		t.Fatalf("800万: %d", code)
	}
}
