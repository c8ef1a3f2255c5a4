package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/store"
)

// bindContact binds openID as a contact of county.
func (s *leadsSvc) bindContact(admin, county, openID string) {
	s.tb.Helper()
	var bc struct{ Code string }
	if code := s.api(http.MethodPost, "/api/v1/counties/"+county+"/bind-codes", admin, nil, &bc); code != http.StatusCreated {
		s.tb.Fatalf("bind code: %d", code)
	}
	if got := s.say(openID, "绑定 "+bc.Code); !strings.Contains(got, "绑定成功") {
		s.tb.Fatalf("bind: %s", got)
	}
}

type ticketJSON struct {
	ID       uint64
	Question string
	County   string
	Status   string
	Messages []struct {
		From, Text, Via, Author string
	}
}

// An enterprise asks for a person; its county's contact is notified with a
// link, reads the ticket (another county cannot), answers through the
// same use case as the phone page, and the enterprise receives the answer
// as a 客服 message, or as the status template once its 48-hour window is
// closed, and reads it with 我的问题.
func TestTicketFromHandoffToAnswer(t *testing.T) {
	s := mustLeadsSvc(t)
	ctx := context.Background()
	admin := s.login("admin", leadsAdminPass)
	const ent, contact = "o-tk-enterprise", "o-tk-contact"
	s.bindContact(admin, "kunshan", contact)
	s.fileNeed(ent, "320583", "MA1TK0001")
	s.outbox.Drain(ctx)
	s.fake.Reset()

	got := s.say(ent, "人工")
	if !strings.Contains(got, "昆山市市场监管局苏质融联络员") || !strings.Contains(got, "说明您要咨询的问题") {
		t.Fatalf("handoff: %s", got)
	}
	// What the enterprise says next goes to the ticket; the bot still answers.
	s.say(ent, "材料交了三天了还没人联系我，放款要多久")
	if got := s.say(ent, "人工"); !strings.Contains(got, "已在人工处理中") {
		t.Fatalf("second 人工: %s", got)
	}

	// The contact is notified with a link to the ticket.
	if _, err := s.outbox.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	var link string
	for _, c := range s.fake.Calls("/cgi-bin/message/template/send") {
		if c.Body["touser"] == contact && strings.Contains(c.Raw, "人工咨询") {
			link, _ = c.Body["url"].(string)
		}
	}
	if !strings.HasPrefix(link, testPublicURL+"/console/tickets/") {
		t.Fatalf("contact's notification link %q; calls: %v", link, s.fake.Calls(""))
	}

	ks := s.createUser(admin, "tk-ks", "county", "kunshan")
	// The ticket waits on the county's 待办 home.
	b := newBrowser(t, s.handler)
	b.login("tk-ks", "password-tk-ks")
	if home := b.mustPage("/console/"); !strings.Contains(home, "企业咨询待回复") || !strings.Contains(home, "放款要多久") {
		t.Fatalf("待办 home lacks the waiting ticket: %s", home)
	}
	wj := s.createUser(admin, "tk-wj", "county", "wujiang")
	var list struct{ Tickets []ticketJSON }
	if code := s.api(http.MethodGet, "/api/v1/tickets", ks, nil, &list); code != http.StatusOK || len(list.Tickets) != 1 {
		t.Fatalf("kunshan's tickets: %d %+v", code, list)
	}
	tk := list.Tickets[0]
	if tk.County != "kunshan" || tk.Status != "open" || len(tk.Messages) != 2 || !strings.Contains(tk.Messages[1].Text, "放款要多久") ||
		!strings.Contains(tk.Question, "放款要多久") {
		t.Fatalf("ticket: %+v", tk)
	}
	if !strings.HasSuffix(link, fmt.Sprint(tk.ID)) {
		t.Errorf("link %s is not ticket %d", link, tk.ID)
	}
	var other struct{ Tickets []ticketJSON }
	if s.api(http.MethodGet, "/api/v1/tickets", wj, nil, &other); len(other.Tickets) != 0 {
		t.Fatalf("wujiang sees kunshan's ticket: %+v", other)
	}
	replyURL := fmt.Sprintf("/api/v1/tickets/%d/reply", tk.ID)
	if code := s.api(http.MethodPost, replyURL, wj, map[string]string{"text": "x"}, nil); code != http.StatusNotFound {
		t.Fatalf("wujiang answers kunshan's ticket: %d", code)
	}
	if rec := s.raw(http.MethodPost, replyURL, ks, map[string]string{"text": strings.Repeat("长", 601)}); rec.Code != http.StatusBadRequest ||
		!strings.Contains(rec.Body.String(), "不能超过600字") {
		t.Fatalf("601 characters: %d %s", rec.Code, rec.Body)
	}

	// Within 48 hours: a 客服 message.
	answer := "您好，昆山市局已联系承办银行，明天上午会有客户经理联系您。"
	var sent struct{ Via string }
	if code := s.api(http.MethodPost, replyURL, ks, map[string]string{"text": answer}, &sent); code != http.StatusOK || sent.Via != "text" {
		t.Fatalf("answer: %d %+v", code, sent)
	}
	s.outbox.Drain(ctx)
	var heard bool
	for _, c := range s.fake.Calls("/cgi-bin/message/custom/send") {
		heard = heard || c.Body["touser"] == ent && strings.Contains(c.Raw, "明天上午会有客户经理联系您") && strings.Contains(c.Raw, "昆山市市场监管局")
	}
	if !heard {
		t.Fatalf("the enterprise did not receive the answer: %v", s.fake.Calls(""))
	}
	if got := s.say(ent, "我的问题"); !strings.Contains(got, "已回复") || !strings.Contains(got, "明天上午") {
		t.Fatalf("我的问题: %s", got)
	}

	// Outside the 48-hour window (no state: the follower has not written):
	// the status template.
	if err := s.rdb.Del(ctx, s.prefix+"state:{"+ent+"}").Err(); err != nil {
		t.Fatal(err)
	}
	s.fake.Reset()
	if code := s.api(http.MethodPost, replyURL, ks, map[string]string{"text": "补充：请带上营业执照复印件。"}, &sent); code != http.StatusOK || sent.Via != "template" {
		t.Fatalf("late answer: %d %+v", code, sent)
	}
	s.outbox.Drain(ctx)
	var reminded bool
	for _, c := range s.fake.Calls("/cgi-bin/message/template/send") {
		reminded = reminded || c.Body["touser"] == ent && c.Body["template_id"] == leadsTplStatus && strings.Contains(c.Raw, "我的问题")
	}
	if !reminded {
		t.Fatalf("no template after 48 hours: %v", s.fake.Calls(""))
	}

	// Each answer is one entry of the operations log, with who and what.
	var entries []store.AuditLog
	s.db.Where("action = ?", "回复企业咨询").Find(&entries)
	if len(entries) != 2 || !strings.Contains(entries[0].Who, "昆山市") {
		t.Fatalf("operations log: %+v", entries)
	}
}

// With no contact bound in its county the question goes to the city
// officers, and the enterprise is told so.
func TestTicketWithoutCountyGoesToTheCity(t *testing.T) {
	s := mustLeadsSvc(t)
	got := s.say("o-tk-nobody", "我要找真人问问")
	if !strings.Contains(got, "苏州市市场监管局苏质融工作人员") {
		t.Fatalf("handoff: %s", got)
	}
	admin := s.login("admin", leadsAdminPass)
	var list struct{ Tickets []ticketJSON }
	if s.api(http.MethodGet, "/api/v1/tickets?status=open", admin, nil, &list); len(list.Tickets) != 1 || list.Tickets[0].County != "" {
		t.Fatalf("officer's tickets: %+v", list)
	}
}
