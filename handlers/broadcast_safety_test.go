package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// 群发 cannot misfire: drafts are edited and deleted, the audience's size
// is shown, a send needs a confirmation naming audience, size and quota,
// and the preview goes to the officer's own WeChat, bound with a one-time
// code through the chat.
func TestBroadcastsCannotMisfire(t *testing.T) {
	s := mustAdminSvc(t, false)
	for _, id := range []string{"o-f1", "o-f2", "o-f3"} {
		s.subscribe(id)
	}
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)

	// The officer binds their own WeChat: the code survives a reload.
	b.mustPage("/console/accounts")
	if code, loc, _ := b.post("/console/accounts/me/bind-code", nil); code != http.StatusSeeOther || loc != "/console/accounts?ok=bindcode" {
		t.Fatalf("bind code: %d %s", code, loc)
	}
	page := b.mustPage("/console/accounts")
	m := regexp.MustCompile(`id="own-code">([A-Z0-9]+)<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no own bind code shown")
	}
	if again := b.mustPage("/console/accounts"); !strings.Contains(again, m[1]) {
		t.Fatal("a reload shows another code")
	}
	s.subscribe("o-officer-self")
	if got := s.say("o-officer-self", "绑定 "+m[1]); !strings.Contains(got, "admin 已绑定本微信") {
		t.Fatalf("bind reply: %s", got)
	}

	page = b.mustPage("/console/broadcasts")
	if code, _, _ := b.post("/console/broadcasts", url.Values{"title": {"通知"}, "kind": {"text"}, "content": {"苏质贷新政"}, "audience": {"all"}}); code != http.StatusSeeOther {
		t.Fatalf("create: %d", code)
	}
	page = b.mustPage("/console/broadcasts")
	id := regexp.MustCompile(`action="/console/broadcasts/(\d+)/send"`).FindStringSubmatch(page)[1]
	if !strings.Contains(page, "约 <b>4</b> 人") {
		t.Errorf("audience size not shown (4 followers)")
	}
	// Edit the draft: the new content is listed.
	if code, _, _ := b.post("/console/broadcasts/"+id+"/edit", url.Values{"title": {"通知"}, "kind": {"text"}, "content": {"苏质贷利率下调"}, "audience": {"all"}}); code != http.StatusSeeOther {
		t.Fatalf("edit: %d", code)
	}
	if page = b.mustPage("/console/broadcasts"); !strings.Contains(page, "苏质贷利率下调") {
		t.Fatal("edit not saved")
	}
	// Preview: to the officer's own WeChat.
	if code, _, _ := b.post("/console/broadcasts/"+id+"/preview", nil); code != http.StatusSeeOther {
		t.Fatalf("preview: %d", code)
	}
	if pv := s.fake.Calls("/cgi-bin/message/mass/preview"); len(pv) != 1 || pv[0].Body["touser"] != "o-officer-self" {
		t.Fatalf("preview calls %+v", pv)
	}
	// One click shows the confirmation and sends nothing.
	code, _, body := b.post("/console/broadcasts/"+id+"/send", nil)
	if code != http.StatusOK || !strings.Contains(body, `id="send-confirm"`) || !strings.Contains(body, "全部关注者") ||
		!strings.Contains(body, `id="confirm-size">4<`) || !strings.Contains(body, "本月剩余群发额度 <b>4</b> 次") {
		t.Fatalf("send without confirmation: %d", code)
	}
	if n := len(s.fake.Calls("/cgi-bin/message/mass/sendall")); n != 0 {
		t.Fatalf("a send without the confirmation reached WeChat %d times", n)
	}
	if code, _, _ := b.post("/console/broadcasts/"+id+"/send", url.Values{"confirm": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("confirmed send: %d", code)
	}
	if n := len(s.fake.Calls("/cgi-bin/message/mass/sendall")); n != 1 {
		t.Fatalf("%d sends", n)
	}
	// What went out can be neither edited nor deleted.
	b.mustPage("/console/broadcasts")
	if code, _, _ := b.post("/console/broadcasts/"+id+"/delete", url.Values{"confirm": {"1"}}); code != http.StatusConflict {
		t.Errorf("delete a sent broadcast: %d", code)
	}
	// A draft is deleted only with its box ticked.
	b.post("/console/broadcasts", url.Values{"title": {"草稿"}, "kind": {"text"}, "content": {"待定"}, "audience": {"all"}})
	page = b.mustPage("/console/broadcasts")
	draft := regexp.MustCompile(`action="/console/broadcasts/(\d+)/delete"`).FindStringSubmatch(page)[1]
	if code, _, _ := b.post("/console/broadcasts/"+draft+"/delete", nil); code != http.StatusBadRequest {
		t.Errorf("delete without the box: %d", code)
	}
	if code, _, _ := b.post("/console/broadcasts/"+draft+"/delete", url.Values{"confirm": {"1"}}); code != http.StatusSeeOther {
		t.Errorf("delete: %d", code)
	}
	if page = b.mustPage("/console/broadcasts"); strings.Contains(page, "待定") {
		t.Error("the deleted draft is still listed")
	}
}
