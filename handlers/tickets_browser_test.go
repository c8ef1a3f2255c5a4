package handlers_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A county contact answers an enterprise's question on a phone in three
// taps from the notification: the link opens the ticket, a tap in the box
// to type the answer, a tap on 发送答复. The page fits 390 px.
func TestBrowserContactAnswersATicketOnAPhone(t *testing.T) {
	ctx := mustChromium(t)
	s := mustLeadsSvc(t)
	admin := s.login("admin", leadsAdminPass)
	s.bindContact(admin, "kunshan", "o-tkb-contact")
	s.fileNeed("o-tkb-ent", "320583", "MA1TKB001")
	s.say("o-tkb-ent", "转人工，我们的申请交了三天，什么时候有人联系？")
	s.createUser(admin, "tkb-ks", "county", "kunshan")
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)

	setViewport(t, ctx, viewports[0])
	signIn(t, ctx, srv.URL, "tkb-ks", "password-tkb-ks")
	answer := "您好，已转承办银行，明天上午客户经理会与您联系。"
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/console/tickets/1"), // 1: the notification's link
		chromedp.WaitVisible(chromedp.CSS("#ticket-text")),
		chromedp.Click(chromedp.CSS("#ticket-text")), // 2
		chromedp.SendKeys(chromedp.CSS("#ticket-text"), answer),
		chromedp.Click(chromedp.CSS("#ticket-send")), // 3
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	if err != nil {
		t.Fatal(err)
	}
	text := func(sel string) string {
		t.Helper()
		out, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return out
	}
	notice, conversation := text(".notice"), text("#ticket-conversation")
	if !strings.Contains(notice, "答复已加入发送队列") || !strings.Contains(conversation, answer) || !strings.Contains(conversation, "客服消息") {
		t.Fatalf("after sending: notice %q, conversation %q", notice, conversation)
	}
	if sw, iw := overflow(t, ctx); sw > iw {
		t.Fatalf("the ticket page is %d px wide on a %d px phone", sw, iw)
	}
	screenshot(t, ctx, "console-ticket-phone.png")
	// The list shows it answered.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/console/tickets"), chromedp.WaitReady(chromedp.CSS("#ticket-list"))); err != nil {
		t.Fatal(err)
	}
	list := text("#ticket-list")
	if !strings.Contains(list, "已回复") {
		t.Fatalf("list: %q", list)
	}
}

// An officer's pages of this issue fit a phone and a desktop: a raised
// ticket with its teach-back form open, the 未识别问题 offer to send a
// taught answer, and the month's ticket figures.
func TestBrowserOfficerTeachesFromATicket(t *testing.T) {
	ctx := mustChromium(t)
	s := mustLeadsSvc(t)
	admin := s.login("admin", leadsAdminPass)
	s.say("o-tkt-ent", "转人工，公司更名了申请怎么改一下名称和联系人信息")
	s.say("o-tkt-ent", "催一下")
	if code := s.api("POST", "/api/v1/tickets/1/reply", admin, map[string]string{"text": "您好，请撤回原申请后按新名称重新提交，材料可沿用。"}, nil); code != 200 {
		t.Fatalf("reply: %d", code)
	}
	s.say("o-tkt-ask", "你们周末上班吗？")
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	for _, v := range viewports {
		setViewport(t, ctx, v)
		signIn(t, ctx, srv.URL, "admin", leadsAdminPass)
		err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/console/tickets/1"),
			chromedp.WaitVisible(chromedp.CSS("#ticket-raised")),
			chromedp.Click(chromedp.CSS("#ticket-teach summary")),
			chromedp.WaitVisible(chromedp.CSS("#teach-faq-save")),
		)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if sw, iw := overflow(t, ctx); sw > iw {
			t.Fatalf("%s: the ticket page with teach-back is %d px wide in %d px", v.name, sw, iw)
		}
		for _, path := range []string{"/console/reports", "/console/unplaced"} {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
				t.Fatal(err)
			}
			if sw, iw := overflow(t, ctx); sw > iw {
				t.Fatalf("%s: %s is %d px wide in %d px", v.name, path, sw, iw)
			}
		}
	}
}
