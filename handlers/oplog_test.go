package handlers_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/suzhou-amr/suzhirong/domain"
)

type opEntry struct {
	Actor, Who, Action, Object, Summary, Route string
	Status                                     int
	Before, After                              map[string]any
	RemoteIP                                   string `json:"remote_ip"`
}

func (s *adminSvc) oplog(query string) []opEntry {
	s.tb.Helper()
	var res struct{ Items []opEntry }
	if code := s.api("GET", "/api/v1/audit?limit=200&"+query, s.admin, nil, &res); code != http.StatusOK {
		s.tb.Fatalf("audit: %d", code)
	}
	return res.Items
}

// The operations log reads as people speak: who (name and unit), what, on
// which object, and what changed — for console, API and chat alike.
func TestOperationsLogInChinese(t *testing.T) {
	s := mustAdminSvc(t, false)
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	b.mustPage("/console/counties/taicang")
	if code, _, _ := b.post("/console/counties/taicang/contact", url.Values{"contact": {"王五"}, "post": {"科长"}, "phone": {"0512-53512345"}, "robot_url": {""}}); code != http.StatusSeeOther {
		t.Fatalf("first edit: %d", code)
	}
	b.mustPage("/console/counties/taicang")
	if code, _, _ := b.post("/console/counties/taicang/contact", url.Values{"contact": {"王五"}, "post": {"副科长"}, "phone": {"0512-53512345"}, "robot_url": {""}}); code != http.StatusSeeOther {
		t.Fatalf("second edit: %d", code)
	}
	entries := s.oplog("action=" + url.QueryEscape("修改联系人"))
	if len(entries) != 2 {
		t.Fatalf("%d contact edits logged", len(entries))
	}
	e := entries[0]
	if e.Who != "admin（市局）" || e.Object != "太仓市" || e.Summary != "职务 科长→副科长" {
		t.Errorf("contact edit entry: who %q object %q summary %q", e.Who, e.Object, e.Summary)
	}
	if e.Before["post"] != "科长" || e.After["post"] != "副科长" {
		t.Errorf("contact edit before/after: %v → %v", e.Before["post"], e.After["post"])
	}

	// A status change from the chat is logged with its reason.
	lead := s.mustLead(domain.LeadNeed, "kunshan", "szd", "MA1N2P3Q5", s.clock.Now())
	l, _ := s.db.Lead(t.Context(), lead)
	s.mustContact("kunshan", "o-contact-ks")
	if got := s.say("o-contact-ks", "驳回 "+l.Number+" 资料不全"); !strings.Contains(got, "未通过") {
		t.Fatalf("reject from chat: %s", got)
	}
	chat := s.oplog("object=" + l.Number)
	if len(chat) == 0 || chat[0].Action != "驳回" || !strings.Contains(chat[0].Summary, "原因：资料不全") || chat[0].Who != "微信联系人（昆山市局）" {
		t.Fatalf("chat reject entry %+v", chat)
	}

	// A status change through the API carries both statuses.
	moved := s.mustLead(domain.LeadNeed, "kunshan", "szd", "MA1N2P3Q6", s.clock.Now())
	ml, _ := s.db.Lead(t.Context(), moved)
	if code := s.status("PATCH", fmt.Sprintf("/api/v1/leads/%d", moved), s.admin, map[string]string{"status": "contacted"}); code != http.StatusOK {
		t.Fatalf("patch: %d", code)
	}
	if got := s.oplog("object=" + ml.Number); len(got) == 0 || got[0].Summary != "状态 已提交→已受理" {
		t.Fatalf("status change entry %+v", got)
	}

	// Sign-ins and failed sign-ins are logged, the failed username masked.
	s.status("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "not-the-password"})
	fails := s.oplog("action=" + url.QueryEscape("登录失败"))
	if len(fails) == 0 || fails[0].Actor != "a***n" || fails[0].Summary != "用户名或密码错误" {
		t.Fatalf("failed sign-in entry %+v", fails)
	}
	if ok := s.oplog("person=admin&action=" + url.QueryEscape("登录")); len(ok) == 0 || ok[0].Who != "admin（市局）" {
		t.Fatalf("sign-in entries %+v", ok)
	}

	// Filters: by person and by date.
	if got := s.oplog("person=" + url.QueryEscape("微信联系人")); len(got) != 1 {
		t.Errorf("person filter: %d entries", len(got))
	}
	tomorrow := s.clock.Now().In(domain.Shanghai).AddDate(0, 0, 1).Format("2006-01-02")
	if got := s.oplog("from=" + tomorrow); len(got) != 0 {
		t.Errorf("from tomorrow: %d entries", len(got))
	}

	// The page shows no routes, HTTP codes or methods, and exports xlsx.
	page := b.mustPage("/console/audit?action=" + url.QueryEscape("修改联系人"))
	for _, bad := range []string{"/console/counties/:county/contact", "county=taicang", "303", "POST"} {
		if strings.Contains(page, bad) {
			t.Errorf("operations log page shows %q", bad)
		}
	}
	if !strings.Contains(page, "职务 科长→副科长") {
		t.Error("operations log page lacks the change")
	}
	req, _ := http.NewRequest(http.MethodGet, b.base+"/console/audit/export?object="+url.QueryEscape(l.Number), nil)
	resp, body := b.do(req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("操作日志")
	if len(rows) != 2 || rows[0][3] != "操作" || rows[1][3] != "驳回" || rows[1][4] != l.Number {
		t.Fatalf("export rows %v", rows)
	}
}
