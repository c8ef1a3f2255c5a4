package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/domain"
)

// TestEnterpriseHistoryInItsWords: a need accepted by the county,
// referred to a bank and disbursed by the bank's deal record (which fills
// in 审核, 预授信 and 签约 with “随放款登记补记”) reads, in the enterprise's
// 进度 编号, as one plain line per event: 提交, 受理, 转介给 the bank, the
// bank's disbursement with the amount, 办结 — with no back-office note.
// The county contact's view keeps the full record.
func TestEnterpriseHistoryInItsWords(t *testing.T) {
	s := mustAdminSvc(t, true)
	r := s.mustRoles()
	instID, bank := s.mustInstitution("测试银行昆山支行", "o-hist-specialist")
	const ent = "o-hist-ent"
	num := s.fileNeed(ent, "320583", "MA1D3AH01")
	lead := s.leadByNumber(s.admin, num)
	path := fmt.Sprintf("/api/v1/leads/%d", lead.ID)
	if code := s.status(http.MethodPatch, path, r.county, map[string]any{"status": "contacted", "note": "已电话联系企业"}); code != http.StatusOK {
		t.Fatalf("受理: %d", code)
	}
	if code := s.status(http.MethodPost, path+"/referrals", r.county, map[string]any{"institution": instID}); code != http.StatusCreated {
		t.Fatalf("referral: %d", code)
	}
	today := s.clock.Now().In(domain.Shanghai).Format("2006-01-02")
	if code := s.status(http.MethodPost, path+"/deals", bank, map[string]any{"institution": instID, "product": "苏质贷",
		"amount_wan": 500, "rate_pct": 3.6, "term_months": 12, "disbursed_on": today}); code != http.StatusCreated {
		t.Fatalf("deal: %d", code)
	}
	if lv := s.leadByNumber(s.admin, num); lv.Status != "disbursed" || !strings.Contains(fmt.Sprint(lv.Events), "随放款登记补记") {
		t.Fatalf("the back office's record lacks its notes: %+v", lv)
	}

	got := s.say(ent, "进度 "+num)
	for _, want := range []string{"提交融资需求", "昆山市市场监督管理局已受理：已电话联系企业", "转介给测试银行昆山支行",
		"测试银行昆山支行放款500万元。已办结"} {
		if !strings.Contains(got, want) {
			t.Errorf("history lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"补记", "进入审核", "预授信", "签约", "撤回"} {
		if strings.Contains(got, not) {
			t.Errorf("history shows %q:\n%s", not, got)
		}
	}
	if i, j := strings.Index(got, "转介给"), strings.Index(got, "放款500万元"); i > j {
		t.Errorf("the referral after the disbursement:\n%s", got)
	}
	if n := strings.Count(got, "\n· "); n != 4 {
		t.Errorf("%d lines, want 4:\n%s", n, got)
	}
	if strings.Contains(got, "李专员") {
		t.Errorf("the specialist shown without consent:\n%s", got)
	}
	// Once the institution agreed, the referral names its specialist.
	officer := newBrowser(t, s.handler)
	officer.login("admin", leadsAdminPass)
	officer.mustPage("/console/institutions")
	var in struct {
		Specialists []struct{ ID uint64 }
	}
	s.api(http.MethodGet, fmt.Sprintf("/api/v1/institutions/%d", instID), s.admin, nil, &in)
	if code, _, _ := officer.post(fmt.Sprintf("/console/institutions/%d/specialists/%d/consent", instID, in.Specialists[0].ID), url.Values{"consent": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("consent: %d", code)
	}
	if got := s.say(ent, "进度 "+num); !strings.Contains(got, "转介给测试银行昆山支行，服务专员李专员（电话13800001111）将与您联系") {
		t.Errorf("referral after consent:\n%s", got)
	}
	// An open application offers 撤回 to its enterprise.
	open := s.fileNeed("o-hist-ent2", "320583", "MA1D3AH02")
	if got := s.say("o-hist-ent2", "进度 "+open); !strings.Contains(got, "撤回 "+open) {
		t.Errorf("open history: %s", got)
	}
}

// A note that ends with its own full stop is not followed by a second
// one, and the enterprise's reason for a withdrawal is named as its
// reason: 未通过：材料不全。已办结, 您已撤回，原因：资金已到位。已办结.
func TestEnterpriseHistoryNotesEndOnce(t *testing.T) {
	s := mustLeadsSvc(t)
	admin := s.login("admin", leadsAdminPass)
	rejected := s.fileNeed("o-hist-rej", "320583", "MA1D3AH02")
	if code := s.api(http.MethodPatch, "/api/v1/leads/"+rejected, admin, map[string]string{"status": "rejected", "note": "材料不全。"}, nil); code != http.StatusOK {
		t.Fatalf("reject: %d", code)
	}
	got := s.say("o-hist-rej", "进度 "+rejected)
	if !strings.Contains(got, "未通过：材料不全。已办结") || strings.Contains(got, "。。") {
		t.Errorf("rejected history:\n%s", got)
	}
	withdrawn := s.fileNeed("o-hist-wd", "320583", "MA1D3AH03")
	s.say("o-hist-wd", "撤回 "+withdrawn+" 资金已到位。")
	if got := s.say("o-hist-wd", "确认"); !strings.Contains(got, "已撤回") {
		t.Fatalf("withdrawal: %s", got)
	}
	got = s.say("o-hist-wd", "进度 "+withdrawn)
	if !strings.Contains(got, "您已撤回，原因：资金已到位。已办结") || strings.Contains(got, "。。") {
		t.Errorf("withdrawn history:\n%s", got)
	}
}
