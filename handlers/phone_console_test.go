package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// weChatUA is the User-Agent of WeChat's in-app browser on a phone.
const weChatUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323d) NetType/WIFI Language/zh_CN"

// bindContact binds openID as a contact of county through the chat, and
// answers the name question with profile ("" skips it).
func bindContact(t *testing.T, s *leadsSvc, openID, county, profile string) {
	t.Helper()
	bc, err := s.db.CreateBindCode(context.Background(), county, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := s.say(openID, "绑定 "+bc.Code)
	if !strings.Contains(got, "绑定成功") || !strings.Contains(got, "姓名和手机号") {
		t.Fatalf("bind: %s", got)
	}
	if profile == "" {
		return
	}
	if got := s.say(openID, profile); !strings.Contains(got, "已登记") {
		t.Fatalf("profile: %s", got)
	}
}

// getAs reads path with the given User-Agent.
func (b *browser) getAs(path, ua string) (int, string, string) {
	b.tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	req.Header.Set("User-Agent", ua)
	resp, body := b.do(req)
	return resp.StatusCode, resp.Header.Get("Location"), body
}

func TestBindingRecordsNameAndActionsShowIt(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)
	ctx := context.Background()
	bindContact(t, s, "o-zhanglin", "kunshan", "张琳 13912345678")
	recs, err := s.db.ContactsByOpenID(ctx, "o-zhanglin")
	if err != nil || len(recs) != 1 || recs[0].Name != "张琳" || recs[0].Mobile != "13912345678" {
		t.Fatalf("contact record: %+v %v", recs, err)
	}
	// A wrong answer is asked again; 登记 corrects it later.
	bindContact(t, s, "o-wangfang", "kunshan", "")
	if got := s.say("o-wangfang", "王芳"); !strings.Contains(got, "手机号") {
		t.Fatalf("name without mobile: %s", got)
	}
	if got := s.say("o-wangfang", "登记 王芳 13800001111"); !strings.Contains(got, "已登记：王芳") {
		t.Fatalf("登记: %s", got)
	}
	if got := s.say("o-nobody", "登记 李四 13700001111"); !strings.Contains(got, "还没有绑定") {
		t.Fatalf("登记 by a stranger: %s", got)
	}
	number := s.fileNeed("o-name-ent", "320583", "MA1N2PN01")
	if got := s.say("o-zhanglin", "受理 "+number+" 已电话联系"); !strings.Contains(got, number) {
		t.Fatalf("受理 from the chat: %s", got)
	}
	lead, _ := s.db.LeadByNumber(ctx, number)
	b := newBrowser(t, s.handler)
	b.login("ks", "password-ks")
	page := b.mustPage(fmt.Sprintf("/console/leads/%d", lead.ID))
	if !strings.Contains(page, "张琳（昆山市局）") || strings.Contains(page, "o-zhanglin") {
		t.Errorf("the history names the contact by openid, not by name")
	}
	county := b.mustPage("/console/counties/kunshan")
	if !strings.Contains(county, "张琳") || !strings.Contains(county, `href="tel:13912345678"`) || !strings.Contains(county, "王芳") {
		t.Errorf("the county page lacks the contacts' names and phones")
	}
}

func TestNotificationOpensApplicationThroughWeChatSignIn(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)
	ctx := context.Background()
	bindContact(t, s, "o-zhanglin", "kunshan", "张琳 13912345678")
	number := s.fileNeed("o-link-ent", "320583", "MA1N2PL01")
	lead, _ := s.db.LeadByNumber(ctx, number)
	leadPath := fmt.Sprintf("/console/leads/%d", lead.ID)

	// The template message to the contact carries the application's page.
	rows, err := s.db.OutboxRows(ctx, fmt.Sprintf("lead:%d:new:o-zhanglin", lead.ID))
	if err != nil || len(rows) != 1 || !strings.Contains(rows[0].Payload, `"url":"`+testPublicURL+leadPath+`"`) {
		t.Fatalf("new-application notification: %+v %v", rows, err)
	}

	// Outside WeChat: the login page.
	b := newBrowser(t, s.handler)
	if code, loc, _ := b.get(leadPath); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/login?next=") {
		t.Fatalf("outside WeChat: %d %s", code, loc)
	}
	// Inside WeChat: WeChat's authorisation, snsapi_base, back to the callback.
	code, loc, _ := b.getAs(leadPath, weChatUA)
	if code != http.StatusSeeOther || loc != "/console/wx/start?next="+url.QueryEscape(leadPath) {
		t.Fatalf("inside WeChat: %d %s", code, loc)
	}
	code, loc, _ = b.getAs(loc, weChatUA)
	u, _ := url.Parse(loc)
	if code != http.StatusFound || u.Host != "open.weixin.qq.com" || u.Query().Get("scope") != "snsapi_base" ||
		u.Query().Get("redirect_uri") != testPublicURL+"/console/wx/callback" || u.Query().Get("state") == "" {
		t.Fatalf("authorisation redirect: %d %s", code, loc)
	}
	state := u.Query().Get("state")
	s.fake.OAuthCode("CODE-ZL", "o-zhanglin")
	code, loc, _ = b.getAs("/console/wx/callback?code=CODE-ZL&state="+state, weChatUA)
	if code != http.StatusSeeOther || loc != leadPath {
		t.Fatalf("callback: %d %s", code, loc)
	}
	if calls := s.fake.Calls("/sns/oauth2/access_token"); len(calls) != 1 || calls[0].Body["code"] != "CODE-ZL" {
		t.Fatalf("code exchange: %+v", calls)
	}
	page := b.mustPage(leadPath)
	if !strings.Contains(page, `<span class="user">张琳</span>`) {
		t.Error("the header does not name the contact")
	}
	if !strings.Contains(page, number) || !strings.Contains(page, `id="act-contacted"`) || !strings.Contains(page, "退出登录") {
		t.Fatal("the application page after the sign-in")
	}
	// The contact moves it; the history shows their name.
	if code, loc, _ := b.post(leadPath+"/status", url.Values{"status": {"contacted"}}); code != http.StatusSeeOther || !strings.HasSuffix(loc, "?ok=status") {
		t.Fatalf("move: %d %s", code, loc)
	}
	if page := b.mustPage(leadPath); !strings.Contains(page, "张琳（昆山市局）") {
		t.Error("the move is not shown under the contact's name")
	}
	// The session is the county's: another county's application is unknown.
	other := s.fileNeed("o-link-tc", "320585", "MA1N2PL02")
	otherLead, _ := s.db.LeadByNumber(ctx, other)
	if code, _, _ := b.get(fmt.Sprintf("/console/leads/%d", otherLead.ID)); code != http.StatusNotFound {
		t.Errorf("another county's application: %d", code)
	}

	// A used code, a stranger and a forged state are refused in words.
	start := func() (*browser, string) {
		nb := newBrowser(t, s.handler)
		_, loc, _ := nb.getAs("/console/wx/start?next="+url.QueryEscape(leadPath), weChatUA)
		u, _ := url.Parse(loc)
		return nb, u.Query().Get("state")
	}
	nb, st := start()
	if code, _, body := nb.getAs("/console/wx/callback?code=CODE-ZL&state="+st, weChatUA); code != http.StatusUnauthorized || !strings.Contains(body, "未能通过微信确认") {
		t.Errorf("used code: %d", code)
	}
	s.fake.OAuthCode("CODE-X", "o-stranger")
	nb, st = start()
	if code, _, body := nb.getAs("/console/wx/callback?code=CODE-X&state="+st, weChatUA); code != http.StatusForbidden || !strings.Contains(body, "尚未绑定") || strings.Contains(body, "o-stranger") {
		t.Errorf("unbound reader: %d", code)
	}
	// An officer whose account carries the openid (escalations) gets that account.
	admin := s.login("admin", leadsAdminPass)
	if c := s.api(http.MethodPost, "/api/v1/users", admin, map[string]string{"username": "city2", "password": "password-city2-x",
		"role": "officer", "openid": "o-officer-phone"}, nil); c != http.StatusCreated {
		t.Fatalf("officer with openid: %d", c)
	}
	s.fake.OAuthCode("CODE-O", "o-officer-phone")
	nb, st = start()
	if code, loc, _ := nb.getAs("/console/wx/callback?code=CODE-O&state="+st, weChatUA); code != http.StatusSeeOther || loc != leadPath {
		t.Errorf("officer from WeChat: %d %s", code, loc)
	} else if page := nb.mustPage("/console/"); !strings.Contains(page, "city2") || !strings.Contains(page, "市局管理员") {
		t.Error("the officer is not signed in to their account")
	}
	s.fake.OAuthCode("CODE-Y", "o-zhanglin")
	nb, _ = start()
	if code, _, _ := nb.getAs("/console/wx/callback?code=CODE-Y&state=forged", weChatUA); code != http.StatusBadRequest {
		t.Errorf("forged state: %d", code)
	}
	// The simulated authorisation exists only in sandbox mode.
	if code, _, _ := nb.get(wechat.SandboxAuthorizePath + "?state=x"); code != http.StatusNotFound {
		t.Errorf("simulated authorisation with an app id: %d", code)
	}
}

func TestSandboxOAuthCodes(t *testing.T) {
	now := time.Now()
	code := wechat.SandboxOAuthCode("o-sim", now)
	c := wechat.NewClient(nil, nil, nil, "", "")
	if got, err := c.OAuthOpenID(context.Background(), code); err != nil || got != "o-sim" {
		t.Fatalf("sandbox code: %q %v", got, err)
	}
	// Single-use, like WeChat's.
	if got, err := c.OAuthOpenID(context.Background(), code); !wechat.IsOAuthCodeError(err) {
		t.Errorf("a sandbox code used twice: %q %v", got, err)
	}
	for _, bad := range []string{"", "x.y", code + "0", wechat.SandboxOAuthCode("o-sim", now.Add(-time.Hour))} {
		if _, err := c.OAuthOpenID(context.Background(), bad); !wechat.IsOAuthCodeError(err) {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
}

func TestConsoleFinalMovesAreConfirmedAndRejectionNeedsReason(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)
	ctx := context.Background()
	number := s.fileNeed("o-rej-ent", "320583", "MA1N2PR01")
	lead, _ := s.db.LeadByNumber(ctx, number)
	path := fmt.Sprintf("/console/leads/%d", lead.ID)
	b := newBrowser(t, s.handler)
	b.login("ks", "password-ks")
	page := b.mustPage(path)
	for _, id := range []string{`id="act-contacted"`, `id="act-rejected"`, `id="lead-due"`, `href="tel:13912345678"`} {
		if !strings.Contains(page, id) {
			t.Errorf("application page lacks %s", id)
		}
	}
	// 未通过 first shows what will happen, and changes nothing.
	code, _, body := b.post(path+"/status", url.Values{"status": {"rejected"}})
	if code != http.StatusOK || !strings.Contains(body, `id="confirm-form"`) || !strings.Contains(body, "不可撤销") || !strings.Contains(body, leads.RejectReasons[0]) {
		t.Fatalf("confirmation: %d", code)
	}
	if l, _ := s.db.Lead(ctx, lead.ID); l.Status != "submitted" {
		t.Fatalf("changed before confirmation: %s", l.Status)
	}
	// Confirmed without a reason: refused, in words.
	code, _, body = b.post(path+"/status", url.Values{"status": {"rejected"}, "confirm": {"1"}, "reason": {"随便写的原因"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "请选择或填写不予通过的原因") || !strings.Contains(body, `id="confirm-form"`) {
		t.Fatalf("no reason: %d", code)
	}
	// With a common reason and a note: the enterprise reads them.
	reason := leads.RejectReasons[1]
	code, loc, _ := b.post(path+"/status", url.Values{"status": {"rejected"}, "confirm": {"1"}, "reason": {reason}, "reason_text": {"2025年有环保处罚"}})
	if code != http.StatusSeeOther || !strings.HasSuffix(loc, "?ok=status") {
		t.Fatalf("confirmed: %d %s", code, loc)
	}
	l, _ := s.db.Lead(ctx, lead.ID)
	last, _ := l.Last()
	if l.Status != "rejected" || last.Note != reason+"；2025年有环保处罚" {
		t.Fatalf("after rejection: %s %q", l.Status, last.Note)
	}
	rows, _ := s.db.OutboxRows(ctx, fmt.Sprintf("lead:%d:event:%d:enterprise", lead.ID, last.ID))
	if len(rows) != 1 || !strings.Contains(rows[0].Payload, leads.Truncate(reason, leads.MaxFieldRunes)) {
		t.Fatalf("the enterprise's notification: %+v", rows)
	}
	if got := s.say("o-rej-ent", "进度 "+number); !strings.Contains(got, "近三年有安全生产") {
		t.Errorf("the enterprise's 进度 does not show the reason: %s", got)
	}

	// 放款 is confirmed with its amount.
	need := s.fileNeed("o-dis-ent", "320583", "MA1N2PR02")
	admin := s.login("admin", leadsAdminPass)
	for _, st := range []string{"contacted", "reviewing", "pre_approved", "contracted"} {
		if c := s.api(http.MethodPatch, "/api/v1/leads/"+need, admin, map[string]string{"status": st}, nil); c != http.StatusOK {
			t.Fatalf("move to %s: %d", st, c)
		}
	}
	nl, _ := s.db.LeadByNumber(ctx, need)
	npath := fmt.Sprintf("/console/leads/%d", nl.ID)
	b.mustPage(npath)
	code, _, body = b.post(npath+"/status", url.Values{"status": {"disbursed"}})
	if code != http.StatusOK || !strings.Contains(body, `id="confirm-amount"`) {
		t.Fatalf("disbursement confirmation: %d", code)
	}
	code, _, body = b.post(npath+"/status", url.Values{"status": {"disbursed"}, "confirm": {"1"}, "note": {"首笔放款"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写放款金额") || !strings.Contains(body, "首笔放款") {
		t.Fatalf("no amount: %d", code)
	}
	if code, _, _ = b.post(npath+"/status", url.Values{"status": {"disbursed"}, "confirm": {"1"}, "disbursed_wan": {"300"}}); code != http.StatusSeeOther {
		t.Fatalf("disbursed: %d", code)
	}
	if l, _ := s.db.Lead(ctx, nl.ID); l.Status != "disbursed" {
		t.Fatalf("after disbursement: %s", l.Status)
	}
}

func TestConsoleFollowUpNotesAndOfficerCorrection(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)
	ctx := context.Background()
	number := s.fileNeed("o-note-ent", "320583", "MA1N2PF01")
	lead, _ := s.db.LeadByNumber(ctx, number)
	path := fmt.Sprintf("/console/leads/%d", lead.ID)
	ks := newBrowser(t, s.handler)
	ks.login("ks", "password-ks")
	ks.mustPage(path)
	code, loc, _ := ks.post(path+"/notes", url.Values{"kind": {"phone"}, "text": {"已电话联系，企业下周补材料"}})
	if code != http.StatusSeeOther || !strings.HasSuffix(loc, "?ok=note") {
		t.Fatalf("note: %d %s", code, loc)
	}
	page := ks.mustPage(loc)
	if !strings.Contains(page, "跟进·电话") || !strings.Contains(page, "已电话联系，企业下周补材料") || !strings.Contains(page, "ks（昆山市局）") {
		t.Error("the note is not in the history")
	}
	if l, _ := s.db.Lead(ctx, lead.ID); l.Status != "submitted" || len(l.Events) != 1 {
		t.Errorf("a note changed the status: %s, %d events", l.Status, len(l.Events))
	}
	// An empty note is refused; the choice made stays.
	code, _, body := ks.post(path+"/notes", url.Values{"kind": {"visit"}, "text": {"  "}})
	if code != http.StatusBadRequest || !strings.Contains(body, "请填写跟进情况") || !regexp.MustCompile(`value="visit"\s+checked`).MatchString(body) {
		t.Errorf("empty note: %d", code)
	}
	view := newBrowser(t, s.handler)
	view.login("view", "password-view")
	view.mustPage(path)
	if code, _, _ := view.post(path+"/notes", url.Values{"kind": {"phone"}, "text": {"x"}}); code != http.StatusForbidden {
		t.Errorf("a viewer's note: %d", code)
	}
	// Only officers correct a status.
	if code, _, _ := ks.post(path+"/correct", url.Values{"status": {"contacted"}, "reason": {"误操作"}}); code != http.StatusForbidden {
		t.Errorf("a county's correction: %d", code)
	}
	admin := s.login("admin", leadsAdminPass)
	if c := s.api(http.MethodPatch, "/api/v1/leads/"+number, admin, map[string]string{"status": "rejected", "note": "材料不全"}, nil); c != http.StatusOK {
		t.Fatalf("reject: %d", c)
	}
	off := newBrowser(t, s.handler)
	off.login("admin", leadsAdminPass)
	if page := off.mustPage(path); !strings.Contains(page, `id="correct-form"`) {
		t.Fatal("no correction form for the officer")
	}
	code, _, body = off.post(path+"/correct", url.Values{"status": {"rejected"}, "reason": {"核对一下"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "无需更正") || !strings.Contains(body, "核对一下") {
		t.Errorf("correction to the same status: %d", code)
	}
	code, loc, _ = off.post(path+"/correct", url.Values{"status": {"contacted"}, "reason": {"误点了未通过，企业材料已补齐"}})
	if code != http.StatusSeeOther || !strings.HasSuffix(loc, "?ok=correct") {
		t.Fatalf("correction: %d %s", code, loc)
	}
	l, _ := s.db.Lead(ctx, lead.ID)
	last, _ := l.Last()
	if l.Status != "contacted" || last.Actor != "account:admin" || last.Note != "状态更正（原为“未通过”）：误点了未通过，企业材料已补齐" {
		t.Fatalf("after the correction: %s %+v", l.Status, last)
	}
	// The application is open again and can be worked on.
	if c := s.api(http.MethodPatch, "/api/v1/leads/"+number, admin, map[string]string{"status": "reviewing"}, nil); c != http.StatusOK {
		t.Errorf("move after the correction: %d", c)
	}
	if page := off.mustPage(path); !strings.Contains(page, "更正为") {
		t.Error("the correction is not marked in the history")
	}
	logs, _ := s.db.AuditLogs(ctx, 20)
	var audited bool
	for _, a := range logs {
		audited = audited || a.Route == "/console/leads/:id/correct" && a.Actor == "admin" && a.Status == http.StatusSeeOther
	}
	if !audited {
		t.Error("the correction is not audited")
	}
}

func TestConsoleTodoScopesAndCounts(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)
	ks := s.fileNeed("o-todo-ks", "320583", "MA1N2PD01")
	tc := s.fileNeed("o-todo-tc", "320585", "MA1N2PD02")
	done := s.fileNeed("o-todo-done", "320583", "MA1N2PD03")
	admin := s.login("admin", leadsAdminPass)
	if c := s.api(http.MethodPatch, "/api/v1/leads/"+done, admin, map[string]string{"status": "rejected", "note": "x"}, nil); c != http.StatusOK {
		t.Fatal(c)
	}
	if err := s.db.Model(&store.Lead{}).Where("number = ?", ks).Update("created_at", time.Now().AddDate(0, 0, -30).UTC()).Error; err != nil {
		t.Fatal(err)
	}
	for user, want := range map[string][]string{"ks": {ks}, "view": {ks, tc}, "admin": {ks, tc}} {
		b := newBrowser(t, s.handler)
		pass := "password-" + user
		if user == "admin" {
			pass = leadsAdminPass
		}
		b.login(user, pass)
		page := b.mustPage("/console/")
		for _, n := range want {
			if !strings.Contains(page, `data-number="`+n+`"`) {
				t.Errorf("%s: %s missing from 待办", user, n)
			}
		}
		if strings.Contains(page, done) || (user == "ks" && strings.Contains(page, tc)) {
			t.Errorf("%s: 待办 shows what it should not", user)
		}
		if !strings.Contains(page, `id="g-overdue"`) || !strings.Contains(page, "已超时 ") {
			t.Errorf("%s: the overdue application is not marked", user)
		}
		list := b.mustPage("/console/leads")
		if !strings.Contains(list, "已超时") || !strings.Contains(list, "受理时限") {
			t.Errorf("%s: the list does not show deadlines", user)
		}
	}
}
