package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/wechat/wechattest"
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

// 图文 are chosen from the account's library, and an article not in it is
// refused before it is saved and before a send can spend the quota.
func TestNewsBroadcastsComeFromTheLibrary(t *testing.T) {
	s := mustAdminSvc(t, false)
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	page := b.mustPage("/console/broadcasts")
	if !strings.Contains(page, `<option value="MEDIA-LPR-2026"`) || !strings.Contains(page, "LPR调整与苏质贷利率上限") {
		t.Fatal("the library's articles are not offered")
	}
	if code, _, _ := b.post("/console/broadcasts", url.Values{"title": {"图文"}, "kind": {"news"}, "media_id": {"MEDIA-LPR-2026"}, "audience": {"all"}}); code != http.StatusSeeOther {
		t.Fatalf("news from the library: %d", code)
	}
	var res struct{ Error string }
	if code := s.api("POST", "/api/v1/broadcasts", s.admin, map[string]any{"title": "x", "kind": "news", "content": "MEDIA-MADE-UP",
		"audience": map[string]string{"type": "all"}}, &res); code != http.StatusBadRequest || !strings.Contains(res.Error, "素材库中没有") {
		t.Fatalf("a made-up media_id: %d %q", code, res.Error)
	}
	// An article deleted from the library after the draft was saved is
	// refused at the send, and the quota is untouched.
	var draft struct{ ID uint64 }
	s.api("POST", "/api/v1/broadcasts", s.admin, map[string]any{"title": "y", "kind": "news", "content": "MEDIA-GUIDE",
		"audience": map[string]string{"type": "all"}}, &draft)
	title := wechattest.Materials["MEDIA-GUIDE"]
	delete(wechattest.Materials, "MEDIA-GUIDE")
	t.Cleanup(func() { wechattest.Materials["MEDIA-GUIDE"] = title })
	if code := s.status("POST", fmt.Sprintf("/api/v1/broadcasts/%d/send", draft.ID), s.admin, nil); code != http.StatusBadRequest {
		t.Fatalf("send of a vanished article: %d", code)
	}
	if n := len(s.fake.Calls("/cgi-bin/message/mass/sendall")); n != 0 {
		t.Fatalf("%d sends reached WeChat", n)
	}
}
