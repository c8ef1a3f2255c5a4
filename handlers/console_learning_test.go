package handlers_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The learning loop through the webhook and the console: an unplaced
// message is recorded masked and counted, an officer answers or attaches
// it, and the bot then answers it.
func TestConsoleTeachesTheBot(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)
	if got := s.say("o-learn-1", "你们周末上班吗？"); !strings.Contains(got, "无法准确回答") {
		t.Fatalf("first reply: %s", got)
	}
	s.say("o-learn-2", "嗯 你们周末上班吗")
	s.say("o-learn-3", "发票开给谁呀？我电话13912345678")

	admin := newBrowser(t, s.handler)
	admin.login("admin", leadsAdminPass)
	page := html.UnescapeString(admin.mustPage("/console/unplaced"))
	if !strings.Contains(page, "你们周末上班吗") || !strings.Contains(page, "〔号码〕") || strings.Contains(page, "13912345678") {
		t.Fatalf("unplaced page:\n%s", page)
	}
	ids := regexp.MustCompile(`id="unplaced-(\d+)"`).FindAllStringSubmatch(page, -1)
	if len(ids) != 2 {
		t.Fatalf("unplaced rows %v", ids)
	}
	weekend, invoice := ids[0][1], ids[1][1] // most frequent first
	if !regexp.MustCompile(`id="unplaced-` + weekend + `">\s*<td class="msg">你们周末上班吗[^<]*</td><td>2</td>`).MatchString(page) {
		t.Fatalf("the weekend question is not counted twice first:\n%s", page)
	}

	// A new FAQ entry needs its clause; nothing is saved without it.
	form := url.Values{"faq_id": {"weekend"}, "question": {"周末可以办理吗？"}, "answer": {"线上申请不分工作日，市场监管局在工作日处理。"}}
	if code, _, body := admin.post("/console/unplaced/"+weekend+"/answer", form); code != http.StatusBadRequest || !strings.Contains(body, "条款") {
		t.Fatalf("answer without clause: %d", code)
	}
	form.Set("clause", "四（二）")
	if code, loc, _ := admin.post("/console/unplaced/"+weekend+"/answer", form); code != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", code, loc)
	}
	if got := s.say("o-learn-4", "你们周末上班吗"); !strings.Contains(got, "线上申请不分工作日") || !strings.Contains(got, "四（二）") {
		t.Fatalf("taught answer not used: %s", got)
	}
	// Attached to an existing intent, the message gets that intent's answer.
	if code, _, _ := admin.post("/console/unplaced/"+invoice+"/attach", url.Values{"intent": {"nowhere"}}); code != http.StatusBadRequest {
		t.Fatalf("unknown intent: %d", code)
	}
	if code, _, _ := admin.post("/console/unplaced/"+invoice+"/attach", url.Values{"intent": {"banks"}}); code != http.StatusSeeOther {
		t.Fatalf("attach: %d", code)
	}
	if got := s.say("o-learn-5", "发票开给谁呀？我电话13900000000"); !strings.Contains(got, "合作金融机构") {
		t.Fatalf("attached message not answered: %s", got)
	}
	if code, _, _ := admin.post("/console/unplaced/"+invoice+"/attach", url.Values{"intent": {"banks"}}); code != http.StatusConflict {
		t.Fatalf("attach twice: %d", code)
	}
	// The entry is editable, versioned and audited.
	form = url.Values{"question": {"周末可以办理吗？"}, "answer": {"可以在线提交，工作日内处理。"}, "clause": {"四（二）"}}
	if code, _, _ := admin.post("/console/taught/faqs/weekend", form); code != http.StatusSeeOther {
		t.Fatalf("edit: %d", code)
	}
	page = html.UnescapeString(admin.mustPage("/console/unplaced"))
	if !strings.Contains(page, "第2版") || !strings.Contains(page, "可以在线提交") {
		t.Fatalf("edited entry:\n%s", page)
	}
	if got := s.say("o-learn-6", "你们周末上班吗"); !strings.Contains(got, "可以在线提交") {
		t.Fatalf("edited answer not used: %s", got)
	}
	audit := html.UnescapeString(admin.mustPage("/console/audit"))
	for _, action := range []string{"新增问答", "归入已有问答", "修改问答"} {
		if !strings.Contains(audit, `data-label="操作">`+action) {
			t.Errorf("the operations log lacks %s", action)
		}
	}
	// Deleted, the entry is gone and the question is unplaced again.
	if code, _, _ := admin.post("/console/taught/faqs/weekend/delete", nil); code != http.StatusSeeOther {
		t.Fatalf("delete: %d", code)
	}
	if got := s.say("o-learn-7", "你们周末上班吗"); !strings.Contains(got, "无法准确回答") {
		t.Fatalf("after delete: %s", got)
	}

	// Only officers teach.
	for _, user := range [][2]string{{"ks", "password-ks"}, {"view", "password-view"}} {
		b := newBrowser(t, s.handler)
		b.login(user[0], user[1])
		if code, _, _ := b.get("/console/unplaced"); code != http.StatusForbidden {
			t.Errorf("%s sees the page: %d", user[0], code)
		}
		if strings.Contains(b.mustPage("/console/leads"), "/console/unplaced") {
			t.Errorf("%s has the menu link", user[0])
		}
	}
}
