package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
)

// Each role sees its own lead page: the specialist its steps first and no
// county controls; referrals name the person; one control changes the
// status; 放款 only on a need referred or under review; a follow-up note
// can be sent to the enterprise and is marked as sent.
func TestLeadPageByRole(t *testing.T) {
	s := mustAdminSvc(t, false)
	instID, _ := s.mustInstitution("角色测试银行", "o-role-sp")
	// A county account with the person's name.
	user := "ks-" + randomSuffix()
	if code := s.api(http.MethodPost, "/api/v1/users", s.admin, map[string]any{"username": user, "password": "password-" + user,
		"role": "county", "county": "kunshan", "name": "张琳"}, nil); code != http.StatusCreated {
		t.Fatalf("county account: %d", code)
	}
	ks := newBrowser(t, s.handler)
	ks.login(user, "password-"+user)

	num := s.fileNeed("o-role-ent", "320583", "MA1R0LEA1")
	lead := s.leadByNumber(s.admin, num)
	page := fmt.Sprintf("/console/leads/%d", lead.ID)

	// Not yet referred nor reviewed: no 放款, one status control.
	body := ks.mustPage(page)
	if strings.Contains(body, `id="deal-form"`) || strings.Contains(body, `id="act-disbursed"`) {
		t.Error("放款 offered on a need nobody has reviewed or referred")
	}
	if strings.Contains(body, `id="status-select"`) || strings.Count(body, `action="/console/leads/`+fmt.Sprint(lead.ID)+`/status"`) != 1 {
		t.Error("more than one control changes the status")
	}
	if code, _, _ := ks.post(page+"/referrals", url.Values{"institution": {fmt.Sprint(instID)}}); code != http.StatusSeeOther {
		t.Fatalf("referral: %d", code)
	}
	off := newBrowser(t, s.handler)
	off.login("admin", leadsAdminPass)
	if body := off.mustPage(page); !strings.Contains(body, "张琳（昆山市局）") || strings.Contains(body, user) {
		t.Error("the referral does not name the person")
	}

	// The specialist's own page: their steps at the top, no county controls.
	sp := newBrowser(t, s.handler)
	_, loc, _ := sp.getAs("/console/wx/start?next="+url.QueryEscape(page), weChatUA)
	u, _ := url.Parse(loc)
	s.fake.OAuthCode("CODE-ROLE", "o-role-sp")
	if code, loc, _ := sp.getAs("/console/wx/callback?code=CODE-ROLE&state="+u.Query().Get("state"), weChatUA); code != http.StatusSeeOther || loc != page {
		t.Fatalf("specialist sign-in: %d %s", code, loc)
	}
	body = sp.mustPage(page)
	steps, deal, due := strings.Index(body, `id="act-pre_approved"`), strings.Index(body, `id="deal-form"`), strings.Index(body, "基本信息")
	if steps < 0 || deal < 0 || steps > due || deal > due {
		t.Errorf("specialist's steps not first: steps %d deal %d details %d", steps, deal, due)
	}
	for _, county := range []string{"受理时限", `id="act-withdrawn"`, `id="lead-due"`, `id="note-form"`} {
		if strings.Contains(body, county) {
			t.Errorf("specialist's page shows the county's %s", county)
		}
	}
	// The specialist's 不予通过 is confirmed with a reason, as the county's.
	if code, _, body := sp.post(page+"/status", url.Values{"status": {"rejected"}}); code != http.StatusOK || !strings.Contains(body, `id="reasons"`) {
		t.Errorf("specialist's refusal not confirmed with a reason: %d", code)
	}
	if got := s.leadByNumber(s.admin, num); got.Status != "submitted" {
		t.Fatalf("the refusal was recorded unconfirmed: %s", got.Status)
	}

	// A note sent to the enterprise reaches it and is marked as sent.
	if code, _, _ := ks.post(page+"/notes", url.Values{"kind": {"phone"}, "text": {"请补充近三年纳税证明"}, "send": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("note: %d", code)
	}
	rows, _ := s.db.OutboxRows(context.Background(), fmt.Sprintf("lead:%d:event:", lead.ID))
	found := false
	for _, r := range rows {
		found = found || strings.Contains(r.Payload, "请补充近三年纳税证明")
	}
	if !found {
		t.Fatalf("note not sent to the enterprise: %+v", rows)
	}
	if body := ks.mustPage(page); !strings.Contains(body, "已发企业") {
		t.Error("the sent note is not marked")
	}
	if code, _, _ := ks.post(page+"/notes", url.Values{"kind": {"visit"}, "text": {"内部备注"}}); code != http.StatusSeeOther {
		t.Fatalf("internal note: %d", code)
	}
	rows, _ = s.db.OutboxRows(context.Background(), fmt.Sprintf("lead:%d:event:", lead.ID))
	for _, r := range rows {
		if strings.Contains(r.Payload, "内部备注") {
			t.Fatal("an internal note reached the enterprise")
		}
	}
}

// The login page states the sign-in throttle as it is.
func TestLoginPageStatesTheRealRule(t *testing.T) {
	s := mustAdminSvc(t, true)
	b := newBrowser(t, s.handler)
	_, _, page := b.get("/console/login")
	want := fmt.Sprintf("1小时内从同一网络连续输错%d次密码后", store.PairFreeFailures)
	if store.ThrottleWindow != time.Hour || !strings.Contains(page, want) || !strings.Contains(page, fmt.Sprintf("最长%d分钟", int(store.MaxThrottle.Minutes()))) ||
		strings.Contains(page, "锁定15分钟") {
		t.Errorf("login page's rule: %q", page[strings.Index(page, `id="login-rule"`):][:300])
	}
}

// The dashboard flags an LPR more than 12 months old.
func TestDashboardFlagsAnOldLPR(t *testing.T) {
	s := mustAdminSvc(t, true)
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	now := s.clock.Now().In(domain.Shanghai)
	old := now.AddDate(-1, -1, 0).Format("2006-01-02")
	for _, st := range []struct {
		date  string
		stale bool
	}{{old, true}, {now.Format("2006-01-02"), false}} {
		if code := s.status(http.MethodPut, "/api/v1/settings", s.admin, map[string]any{"lpr": 3.0, "lpr_date": st.date}); code != http.StatusOK {
			t.Fatalf("set lpr %s: %d", st.date, code)
		}
		page := b.mustPage("/console/dashboard")
		if got := strings.Contains(page, `id="lpr-stale"`); got != st.stale {
			t.Errorf("LPR of %s flagged: %v", st.date, got)
		}
		if st.stale && !strings.Contains(page, old+"起") {
			t.Errorf("the flag does not give the LPR's date")
		}
	}
}
