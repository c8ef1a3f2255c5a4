package handlers_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/store"
)

// 未识别问题 keeps who asked: once an officer teaches an answer, the page
// offers to send it to those who asked within WeChat's 48-hour window (an
// older asker is not counted), the answer reaches them as a 客服 message,
// the act is in the operations log, and the askers are then forgotten.
// Openids are never shown.
func TestTaughtAnswerReachesThoseWhoAsked(t *testing.T) {
	s := mustLeadsSvc(t)
	ctx := context.Background()
	s.say("o-ask-1", "你们周末上班吗？")
	s.say("o-ask-2", "嗯 你们周末上班吗")
	officer := newBrowser(t, s.handler)
	officer.login("admin", leadsAdminPass)
	page := officer.mustPage("/console/unplaced")
	m := regexp.MustCompile(`id="unplaced-(\d+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no unplaced message:\n%s", page)
	}
	id := m[1]
	var n int64
	s.db.Model(&store.UnplacedAsker{}).Count(&n)
	if n != 2 {
		t.Fatalf("%d askers recorded, want 2", n)
	}
	// One who asked three days ago is beyond the window.
	var unplacedID uint64
	s.db.Model(&store.UnplacedMessage{}).Select("id").Where("status = ?", store.UnplacedOpen).Take(&unplacedID)
	s.db.Create(&store.UnplacedAsker{UnplacedID: unplacedID, OpenID: "o-ask-old", AskedAt: time.Now().Add(-72 * time.Hour)})

	form := url.Values{"question": {"周末可以办理吗？"}, "answer": {"线上申请不分工作日，市场监管局在工作日处理。"}, "clause": {""}}
	code, loc, _ := officer.post("/console/unplaced/"+id+"/answer", form)
	if code != http.StatusSeeOther || !strings.Contains(loc, "offer="+id) {
		t.Fatalf("answer: %d %s", code, loc)
	}
	page = html.UnescapeString(officer.mustPage(loc))
	if !strings.Contains(page, `id="askers-offer"`) || !strings.Contains(page, "2位企业在48小时内问过") || strings.Contains(page, "o-ask-") {
		t.Fatalf("offer:\n%s", page)
	}
	s.fake.Reset()
	if code, loc, _ := officer.post("/console/unplaced/"+id+"/send", nil); code != http.StatusSeeOther || !strings.Contains(loc, "ok=sent") {
		t.Fatalf("send: %d %s", code, loc)
	}
	if _, err := s.outbox.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, c := range s.fake.Calls("/cgi-bin/message/custom/send") {
		if strings.Contains(c.Raw, "线上申请不分工作日") {
			got[c.Body["touser"].(string)] = true
		}
	}
	if !got["o-ask-1"] || !got["o-ask-2"] || got["o-ask-old"] || len(got) != 2 {
		t.Fatalf("sent to %v; calls %v", got, s.fake.Calls(""))
	}
	// Forgotten once sent: nothing to send again.
	if code, _, body := officer.post("/console/unplaced/"+id+"/send", nil); code != http.StatusBadRequest || !strings.Contains(body, "48小时内没有企业问过") {
		t.Fatalf("second send: %d", code)
	}
	var entries []store.AuditLog
	s.db.Where("route = ?", "/console/unplaced/:id/send").Order("id").Find(&entries)
	if len(entries) != 2 || entries[0].Action != "向提问企业发送答复" || entries[0].Status != http.StatusSeeOther || strings.Contains(entries[0].Summary, "o-ask") {
		t.Fatalf("operations log: %+v", entries)
	}
}
