package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// Phone-first console: every page at 390×844 (a phone, with touch and the
// meta viewport honoured) and at 1366×900 fits the window — no horizontal
// scrolling — for an officer, a county contact and a viewer.

// viewport is a browser window size; mobile emulates a phone.
type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

var viewports = []viewport{{"phone", 390, 844, true}, {"desktop", 1366, 900, false}}

func setViewport(t *testing.T, ctx context.Context, v viewport) {
	t.Helper()
	var opts []chromedp.EmulateViewportOption
	if v.mobile {
		opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(v.width, v.height, opts...)); err != nil {
		t.Fatalf("viewport %s: %v", v.name, err)
	}
}

// signIn clears the cookies and logs in through the form.
func signIn(t *testing.T, ctx context.Context, base, user, pass string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
			return err
		}),
		chromedp.Navigate(base+"/console/login"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), pass),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitReady(chromedp.CSS("#nav")),
	)
	if err != nil {
		t.Fatalf("sign in %s: %v", user, err)
	}
}

// overflow returns the document's scroll width and the window's width.
func overflow(t *testing.T, ctx context.Context) (int, int) {
	t.Helper()
	w, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if err != nil || len(w) != 2 {
		t.Fatalf("measure: %v %v", w, err)
	}
	return w[0], w[1]
}

func TestBrowserEveryConsolePageFitsPhoneAndDesktop(t *testing.T) {
	ctx := mustChromium(t)
	s := mustLeadsSvc(t)
	numbers := demoData(t, s)
	consoleUsers(s)
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	base := srv.URL
	lead, err := s.db.LeadByNumber(context.Background(), numbers["ks1"])
	if err != nil {
		t.Fatal(err)
	}
	// A question of Kunshan's enterprise handed to a person (ticket 1).
	s.say(lead.OpenID, "转人工，我们的苏质贷申请什么时候有人联系？")
	s.say(lead.OpenID, "联系人张经理，电话可以打公司座机")
	pages := []string{
		"/console/tickets", "/console/tickets/1",
		"/console/", "/console/leads", fmt.Sprintf("/console/leads/%d", lead.ID), "/console/dashboard",
		"/console/counties", "/console/counties/kunshan", "/console/broadcasts", "/console/reports",
		"/console/settings", "/console/sandbox", "/console/audit", "/console/password", "/simulator",
		"/console/leads/999999", "/console/accounts", "/console/unplaced", "/console/understanding", "/console/understanding?intent=loan",
		"/console/roster", "/console/institutions",
		"/console/league",
	}
	roles := []struct{ user, pass string }{{"admin", leadsAdminPass}, {"ks", "password-ks"}, {"view", "password-view"}}
	for _, v := range viewports {
		setViewport(t, ctx, v)
		for _, r := range roles {
			signIn(t, ctx, base, r.user, r.pass)
			for _, p := range pages {
				if err := chromedp.Do(ctx, chromedp.Navigate(base+p), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
					t.Fatalf("%s %s %s: %v", v.name, r.user, p, err)
				}
				sw, iw := overflow(t, ctx)
				if os.Getenv("FIT_LOG") != "" {
					t.Logf("%s %s %s: %d/%d", v.name, r.user, p, sw, iw)
				}
				// A phone widens its layout viewport to the content, so
				// the window must also still be the screen's width.
				if p == "/console/dashboard" {
					// Charts stay readable: their texts at least 10 px high as drawn.
					least, err := chromedp.Run(ctx, chromedp.Evaluate[float64](
						`Math.min(...[...document.querySelectorAll("svg.chart text")].filter(e => e.getClientRects().length).map(e => e.getBoundingClientRect().height))`))
					if err != nil || least < 10 {
						t.Errorf("%s as %s: chart text %.1f px high (%v)", v.name, r.user, least, err)
					}
				}
				if dir := os.Getenv("SCREENSHOTS_EXTRA"); dir != "" && r.user != "view" {
					name := strings.NewReplacer("/", "_").Replace(strings.Trim(p, "/"))
					capture(t, ctx, dir, fmt.Sprintf("%s-%s-%s.png", v.name, r.user, name))
				}
				if sw > iw || int64(iw) != v.width {
					wide, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(
						`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > %d).slice(0, 5).map(e => e.tagName + "." + e.className + "#" + e.id).join(" ")`, v.width)))
					t.Errorf("%s as %s: %s is %d px wide in a %d px window: %s", v.name, r.user, p, sw, iw, wide)
				}
			}
			if v.mobile {
				// The menu is folded away; one tap opens it.
				hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector("#nav")).display === "none"`))
				if err != nil || !hidden {
					t.Errorf("phone as %s: the menu is not folded (%v)", r.user, err)
				}
				if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#nav-btn")), chromedp.WaitVisible(chromedp.CSS(`#nav a[href="/console/leads"]`))); err != nil {
					t.Errorf("phone as %s: menu does not open: %v", r.user, err)
				}
				if dir := os.Getenv("SCREENSHOTS_EXTRA"); dir != "" {
					capture(t, ctx, dir, "phone-menu-"+r.user+".png")
				}
				small, err := chromedp.Run(ctx, chromedp.Evaluate[int](
					`[...document.querySelectorAll("#nav a, .btn, button")].filter(e => e.offsetParent && e.getBoundingClientRect().height < 44).length`))
				if err != nil || small > 0 {
					t.Errorf("phone as %s: %d touch targets lower than 44 px (%v)", r.user, small, err)
				}
			}
			links, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#nav a")].map(a => a.textContent).join(",")`))
			if err != nil {
				t.Fatal(err)
			}
			if r.user == "ks" && (strings.Contains(links, "模拟器") || strings.Contains(links, "沙箱")) {
				t.Errorf("a county contact's menu has developer tools: %s", links)
			}
			if r.user == "admin" && !strings.Contains(links, "模拟器") {
				t.Errorf("the officer's menu lacks the simulator: %s", links)
			}
		}
	}
	// Logged out, the login page fits too.
	for _, v := range viewports {
		setViewport(t, ctx, v)
		if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
			return err
		}), chromedp.Navigate(base+"/console/login"), chromedp.WaitVisible(chromedp.CSS("#username"))); err != nil {
			t.Fatal(err)
		}
		if sw, iw := overflow(t, ctx); sw > iw {
			t.Errorf("%s: the login page is %d px wide in a %d px window", v.name, sw, iw)
		}
	}
}

// backdate moves a lead's filing time, as if it had been filed then.
func backdate(t *testing.T, s *leadsSvc, number string, at time.Time) {
	t.Helper()
	if err := s.db.Model(&store.Lead{}).Where("number = ?", number).Update("created_at", at.UTC()).Error; err != nil {
		t.Fatal(err)
	}
}

// dueSoonTime returns a filing time whose contact deadline falls on the
// last working day that contains now, per the SLA calendar.
func dueSoonTime(t *testing.T, now time.Time) time.Time {
	t.Helper()
	days, _ := leads.NewWorkdays("")
	for h := 1; h < 24*21; h++ {
		at := now.Add(-time.Duration(h) * time.Hour)
		if !now.Before(days.Deadline(at, leads.RemindAfter-1)) && now.Before(days.Deadline(at, leads.RemindAfter)) {
			return at
		}
	}
	t.Fatal("no filing time is due soon")
	return time.Time{}
}

func TestBrowserTodoOrder(t *testing.T) {
	ctx := mustChromium(t)
	s := mustLeadsSvc(t)
	consoleUsers(s)
	now := time.Now()
	newOne := s.fileNeedAs("o-todo-new", "昆山新申请精密有限公司", "320583", "MA1N2PT01", "苏质贷", "300")
	soon := s.fileNeedAs("o-todo-soon", "昆山即将到期电子有限公司", "320583", "MA1N2PT02", "苏质贷", "400")
	over := s.fileNeedAs("o-todo-over", "昆山已超时机械有限公司", "320583", "MA1N2PT03", "苏质贷", "500")
	working := s.fileNeedAs("o-todo-work", "昆山办理中科技有限公司", "320583", "MA1N2PT04", "苏质贷", "600")
	other := s.fileNeedAs("o-todo-tc", "太仓别县机械有限公司", "320585", "MA1N2PT05", "苏质贷", "700")
	backdate(t, s, soon, dueSoonTime(t, now))
	backdate(t, s, over, now.AddDate(0, 0, -30))
	backdate(t, s, working, now.AddDate(0, 0, -20))
	// The overdue enterprise had done the self-check: Ⅱ类 by an honour.
	var honour dialog.Criterion
	for _, c := range s.policy.Criteria {
		if c.Tier == domain.Tier2 {
			honour = c
			break
		}
	}
	if err := s.db.SaveCheck(context.Background(), "o-todo-over", domain.Tier2, []string{honour.ID}, now); err != nil {
		t.Fatal(err)
	}
	admin := s.login("admin", leadsAdminPass)
	if code := s.api("PATCH", "/api/v1/leads/"+working, admin, map[string]string{"status": "contacted"}, nil); code != 200 {
		t.Fatalf("contact: %d", code)
	}
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	setViewport(t, ctx, viewports[0])
	signIn(t, ctx, srv.URL, "ks", "password-ks")
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("#todo-counts"))); err != nil {
		t.Fatal(err)
	}
	order, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".lead-card")].map(a => a.dataset.number)`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{over, newOne, soon, working}; strings.Join(order, ",") != strings.Join(want, ",") {
		t.Fatalf("待办 order %v, want overdue, new, due soon, in work %v", order, want)
	}
	for _, n := range order {
		if n == other {
			t.Fatal("another county's application on a county contact's 待办")
		}
	}
	overText, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#g-overdue .lead-card .due`)))
	if !strings.HasPrefix(overText, "已超时") || !strings.Contains(overText, "已超4个工作日") {
		t.Errorf("overdue card: %q", overText)
	}
	color, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#g-overdue .lead-card .due")).color`))
	if color != "rgb(192, 57, 43)" {
		t.Errorf("overdue is not red: %s", color)
	}
	soonText, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#g-soon .lead-card .due`)))
	if !strings.Contains(soonText, "剩余") {
		t.Errorf("due-soon card: %q", soonText)
	}
	counts, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#todo-counts`)))
	for _, c := range []string{"1\n已超时", "1\n待受理", "1\n即将到期", "1\n办理中"} {
		if !strings.Contains(counts, c) {
			t.Errorf("counts %q lack %q", counts, c)
		}
	}
	if sw, iw := overflow(t, ctx); sw > iw {
		t.Errorf("待办 is %d px wide in %d", sw, iw)
	}
	if dir := os.Getenv("SCREENSHOTS"); dir == "docs" {
		capture(t, ctx, filepath.Join("..", "docs"), "phone-todo.png")
	}
	// One tap from the card to the application, which offers its moves.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#g-overdue .lead-card`)), chromedp.WaitVisible(chromedp.CSS("#act-contacted"))); err != nil {
		t.Fatal(err)
	}
	due, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#lead-due")))
	if !strings.Contains(due, "已超时") {
		t.Errorf("the application's deadline: %q", due)
	}
	badge, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#tier-badge")))
	if !strings.Contains(badge, "质量信誉Ⅱ类") || !strings.Contains(badge, honour.Name) {
		t.Errorf("self-check badge: %q", badge)
	}
	if dir := os.Getenv("SCREENSHOTS"); dir == "docs" {
		capture(t, ctx, filepath.Join("..", "docs"), "phone-application.png")
	}
	// A follow-up call, without a status change, goes into the history.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#note-text"), "已电话联系，约定周三走访"),
		chromedp.Click(chromedp.CSS("#note-submit")),
		chromedp.WaitVisible(chromedp.CSS(".notice.ok")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if ev, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#events"))); !strings.Contains(ev, "跟进·电话") || !strings.Contains(ev, "约定周三走访") {
		t.Errorf("history after the note: %q", ev)
	}
}

// userAgent sets the browser's User-Agent, e.g. WeChat's in-app browser.
func userAgent(ua string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua})
		return err
	})
}

// mustSandboxSvc is the service without an app id (sandbox mode), served
// on a test server that is also its PUBLIC_URL.
func mustSandboxSvc(t *testing.T) (*leadsSvc, *httptest.Server) {
	t.Helper()
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	db, rdb, prefix, fake := mustStores(t, nil, nil)
	in := mustWire(t, db, rdb, prefix, fake, wiring{token: leadsToken, publicURL: srv.URL})
	h = in.handler
	return &leadsSvc{tb: t, handler: in.handler, db: db, fake: fake, outbox: in.outbox, policy: in.policy}, srv
}

func TestBrowserNotificationLinkSignsContactInAndMovesApplication(t *testing.T) {
	ctx := mustChromium(t)
	s, srv := mustSandboxSvc(t)
	bindContact(t, s, "o-sim-zhanglin", "kunshan", "张琳 13912345678")
	number := s.fileNeedAs("o-sim-ent", "昆山华辰精密机械有限公司", "320583", "MA1N2PW01", "苏质贷", "500")
	lead, _ := s.db.LeadByNumber(context.Background(), number)
	rows, err := s.db.OutboxRows(context.Background(), fmt.Sprintf("lead:%d:new:o-sim-zhanglin", lead.ID))
	if err != nil || len(rows) != 1 {
		t.Fatalf("notification: %v %v", rows, err)
	}
	var msg wechat.TemplateMessage
	if err := json.Unmarshal([]byte(rows[0].Payload), &msg); err != nil || msg.URL != fmt.Sprintf("%s/console/leads/%d", srv.URL, lead.ID) {
		t.Fatalf("notification link: %q %v", msg.URL, err)
	}
	setViewport(t, ctx, viewports[0])
	// Tapped inside WeChat: the (simulated) authorisation, then the application.
	err = chromedp.Do(ctx,
		userAgent(weChatUA),
		chromedp.Navigate(msg.URL),
		chromedp.WaitVisible(chromedp.CSS("#wxauth-form")),
		chromedp.Click(chromedp.Search(`//button[contains(@class,"wx-contact") and contains(text(),"张琳（昆山市局）")]`)),
		chromedp.WaitVisible(chromedp.CSS("#act-contacted")),
	)
	if err != nil {
		t.Fatalf("sign-in from the notification: %v", err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != msg.URL {
		t.Errorf("landed on %s", loc)
	}
	if sw, iw := overflow(t, ctx); sw > iw || iw != 390 {
		t.Errorf("application page: %d in %d", sw, iw)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#act-contacted")),
		chromedp.WaitVisible(chromedp.CSS(".notice.ok")),
	)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#lead-status")))
	ev, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#events")))
	if st != "已受理" || !strings.Contains(ev, "张琳（昆山市局）") || strings.Contains(ev, "o-sim-zhanglin") {
		t.Fatalf("after 受理: %q %q", st, ev)
	}
	// 不予通过: confirmed, with a reason the enterprise will read.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#act-rejected")),
		chromedp.WaitVisible(chromedp.CSS("#confirm-form")),
		chromedp.Click(chromedp.CSS("#confirm-submit")),
		chromedp.WaitVisible(chromedp.CSS(".notice.err")),
		chromedp.Click(chromedp.Search(`//label[contains(., "多次联系不上企业")]`)),
		chromedp.SendKeys(chromedp.CSS("#reason-text"), "三次电话未接通"),
		chromedp.Click(chromedp.CSS("#confirm-submit")),
		chromedp.WaitVisible(chromedp.CSS(".notice.ok")),
	)
	if err != nil {
		t.Fatalf("rejection: %v", err)
	}
	if st, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#lead-status"))); st != "未通过" {
		t.Fatalf("after 不予通过: %q", st)
	}
	got, _ := s.db.Lead(context.Background(), lead.ID)
	last, _ := got.Last()
	if last.Note != "多次联系不上企业；三次电话未接通" {
		t.Errorf("reason recorded: %q", last.Note)
	}
}
