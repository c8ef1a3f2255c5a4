package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
)

// The operations log records acts, not page views: confirmation screens
// and GETs write nothing; a send is one entry; a note carries its text; a
// scheduled LPR is a new schedule entry; a refusal says why.
func TestOperationsLogRecordsActs(t *testing.T) {
	s := mustAdminSvc(t, true)
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	count := func() int { return len(s.oplog("")) }
	start := count()

	// Viewing every console page writes nothing.
	for _, p := range []string{"/console/", "/console/leads", "/console/dashboard", "/console/counties", "/console/counties/kunshan",
		"/console/broadcasts", "/console/reports", "/console/settings", "/console/audit", "/console/accounts", "/console/institutions",
		"/console/roster", "/console/league", "/console/unplaced", "/console/understanding", "/console/sandbox"} {
		b.mustPage(p)
	}
	if got := count(); got != start {
		t.Fatalf("page views wrote %d log entries: %+v", got-start, s.oplog("")[:got-start])
	}

	// The 准予入库 confirmation screen is no status change.
	num := s.fileNeed("o-ent-log", "320583", "MA1L0G001")
	lead := s.leadByNumber(s.admin, num)
	page := fmt.Sprintf("/console/leads/%d", lead.ID)
	b.mustPage(page)
	if code, _, body := b.post(page+"/status", url.Values{"status": {"rejected"}}); code != http.StatusOK || !strings.Contains(body, "确认") {
		t.Fatalf("confirmation screen: %d", code)
	}
	if got := s.oplogAfter("object="+num, 1); len(got) != 0 {
		t.Fatalf("confirmation screen logged: %+v", got)
	}
	// Confirmed without a reason: one refusal, with the reason.
	if code, _, _ := b.post(page+"/status", url.Values{"status": {"rejected"}, "confirm": {"1"}}); code != http.StatusUnprocessableEntity {
		t.Fatalf("confirmed without a reason: %d", code)
	}
	got := s.oplogAfter("object="+num, 1)
	if len(got) != 1 || got[0].Status < 400 || !strings.Contains(got[0].Summary, "未成功：请选择或填写不予通过的原因") {
		t.Fatalf("refusal entry: %+v", got)
	}

	// A follow-up note is logged with its text.
	if code, _, _ := b.post(page+"/notes", url.Values{"kind": {"phone"}, "text": {"已电话联系，企业下周补材料"}}); code != http.StatusSeeOther {
		t.Fatalf("note: %d", code)
	}
	notes := s.oplogAfter("action="+url.QueryEscape("添加跟进记录"), 1)
	if len(notes) != 1 || notes[0].Object != num || notes[0].Summary != "跟进情况：电话：已电话联系，企业下周补材料" {
		t.Fatalf("note entry: %+v", notes)
	}

	// A scheduled LPR is a new schedule entry, not an edit of the rate in force.
	later := s.clock.Now().In(domain.Shanghai).AddDate(0, 0, 20).Format("2006-01-02")
	b.mustPage("/console/settings")
	if code, _, _ := b.post("/console/settings/lpr", url.Values{"lpr": {"2.95"}, "date": {later}}); code != http.StatusSeeOther {
		t.Fatalf("schedule lpr: %d", code)
	}
	lpr := s.oplogAfter("action="+url.QueryEscape("安排LPR"), 1)
	if len(lpr) != 1 || lpr[0].Summary != "LPR：2.95；LPR生效日期："+later {
		t.Fatalf("scheduled LPR entry: %+v", lpr)
	}

	// A broadcast: the confirmation screen logs nothing, the send once.
	s.subscribe("o-follower-log")
	var bc struct{ ID uint64 }
	if code := s.api(http.MethodPost, "/api/v1/broadcasts", s.admin, map[string]any{"title": "政策解读", "kind": "text",
		"content": "苏质融政策解读", "audience": map[string]string{"type": "all"}}, &bc); code != http.StatusCreated {
		t.Fatalf("create broadcast: %d", code)
	}
	b.mustPage("/console/broadcasts")
	send := fmt.Sprintf("/console/broadcasts/%d/send", bc.ID)
	for range 2 {
		if code, _, _ := b.post(send, url.Values{}); code != http.StatusOK {
			t.Fatalf("send confirmation: %d", code)
		}
	}
	if code, _, _ := b.post(send, url.Values{"confirm": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("send: %d", code)
	}
	sends := s.oplogAfter("action="+url.QueryEscape("群发"), 2)
	if len(sends) != 1 || sends[0].Object != "《政策解读》" || sends[0].Status >= 400 {
		t.Fatalf("send entries: %+v", sends)
	}
}

// oplogAfter reads the log until it holds n entries for query: a console
// post's entry is written once its answer has gone out.
func (s *adminSvc) oplogAfter(query string, n int) []opEntry {
	s.tb.Helper()
	var got []opEntry
	for range 50 {
		if got = s.oplog(query); len(got) >= n {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return got
}
