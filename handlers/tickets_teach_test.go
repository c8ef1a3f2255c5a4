package handlers_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/store"
)

// Teach-back through the webhook and the console: an enterprise's question
// reaches a person, the answer goes back, an officer turns it into an FAQ
// answer from the ticket page, and the next enterprise asking the same gets
// the taught answer from the bot. Attaching the question to an existing
// intent works the same way.
func TestTicketTeachBack(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)
	ctx := context.Background()
	const question = "公司名称变更了，已经提交的申请怎么改名字"
	if got := s.say("o-tb-other", question); strings.Contains(got, "更名后") {
		t.Fatalf("answered before it was taught: %s", got)
	}
	if got := s.say("o-tb-ent", "转人工，"+question); !strings.Contains(got, "已为您转人工") {
		t.Fatalf("handoff: %s", got)
	}
	officer := newBrowser(t, s.handler)
	officer.login("admin", leadsAdminPass)
	var list struct{ Tickets []ticketJSON }
	token := s.login("admin", leadsAdminPass)
	if s.api(http.MethodGet, "/api/v1/tickets", token, nil, &list); len(list.Tickets) != 1 {
		t.Fatalf("tickets: %+v", list)
	}
	path := fmt.Sprintf("/console/tickets/%d", list.Tickets[0].ID)
	if page := officer.mustPage(path); strings.Contains(page, `id="ticket-teach"`) {
		t.Fatal("teach-back offered before anyone answered")
	}
	answer := "更名后请在“进度”中撤回原申请，按新名称重新提交，原材料可沿用。"
	if code, _, _ := officer.post(path+"/reply", url.Values{"text": {answer}}); code != http.StatusSeeOther {
		t.Fatalf("reply: %d", code)
	}
	page := html.UnescapeString(officer.mustPage(path))
	if !strings.Contains(page, `id="ticket-teach"`) || !strings.Contains(page, answer) || !strings.Contains(page, `value="公司名称变更了`) {
		t.Fatalf("teach-back form:\n%s", page)
	}
	// Only officers teach: a county account cannot.
	ks := newBrowser(t, s.handler)
	ks.login("ks", "password-ks")

	form := url.Values{"how": {"faq"}, "question": {question}, "answer": {answer}, "clause": {""}}
	if code, _, _ := ks.post(path+"/teach", form); code != http.StatusForbidden && code != http.StatusNotFound {
		t.Fatalf("county teaches: %d", code)
	}
	form.Del("csrf") // the county's
	form.Set("answer", "")
	if code, _, body := officer.post(path+"/teach", form); code != http.StatusBadRequest || !strings.Contains(body, "答复不能为空") {
		t.Fatalf("empty answer: %d %s", code, body)
	}
	form.Set("answer", answer)
	if code, loc, _ := officer.post(path+"/teach", form); code != http.StatusSeeOther || !strings.Contains(loc, "ok=answered") {
		t.Fatalf("teach: %d %s", code, loc)
	}
	if got := s.say("o-tb-next", question); !strings.Contains(got, "更名后请在") {
		t.Fatalf("the next enterprise does not get the taught answer: %s", got)
	}

	// Attached to an existing intent, the question gets that intent's answer.
	const para = "今年市里那个盘子还剩多少没放完"
	form = url.Values{"how": {"intent"}, "question": {para}, "intent": {"nowhere"}}
	if code, _, _ := officer.post(path+"/teach", form); code != http.StatusBadRequest {
		t.Fatalf("unknown intent: %d", code)
	}
	form.Set("intent", "quota")
	if code, loc, _ := officer.post(path+"/teach", form); code != http.StatusSeeOther || !strings.Contains(loc, "ok=attached") {
		t.Fatalf("attach: %d %s", code, loc)
	}
	if got := s.say("o-tb-next2", para); !strings.Contains(got, "额度") {
		t.Fatalf("attached question: %s", got)
	}

	var entries []store.AuditLog
	s.db.WithContext(ctx).Where("route = ?", "/console/tickets/:id/teach").Order("id").Find(&entries)
	if len(entries) != 4 || entries[1].Action != "由咨询新增问答" || entries[1].Status != http.StatusSeeOther || entries[3].Action != "由咨询归入已有问答" || entries[3].Status != http.StatusSeeOther {
		for _, e := range entries {
			t.Logf("%s %s %d %s", e.Action, e.Route, e.Status, e.Summary)
		}
		t.Fatalf("operations log: %d entries", len(entries))
	}
}
