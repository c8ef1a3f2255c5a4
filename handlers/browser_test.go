package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
)

// Browser tests drive the console and the simulator in a real headless
// Chromium (Debian's package, /usr/bin/chromium) against the whole service
// on an httptest server. Without Chromium they are skipped, so that
// `go test ./...` passes on a machine with only Go.
//
// SCREENSHOTS=docs also writes docs/console-leads.png,
// docs/console-dashboard.png and docs/simulator.png at 1280×800.

const chromiumPath = "/usr/bin/chromium"

// chromium is the headless Chromium the package's browser tests share:
// started by the first of them, closed by TestMain. Starting one per test
// cost about a second each.
var chromium struct {
	once  sync.Once
	ctx   context.Context
	err   error
	close func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chromium.close != nil {
		chromium.close()
	}
	os.Exit(code)
}

// sharedChromium starts the shared Chromium once.
func sharedChromium() (context.Context, error) {
	chromium.once.Do(func() {
		profile, err := os.MkdirTemp("", "szr-chromium-")
		if err != nil {
			chromium.err = err
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(chromiumPath),
			chromedp.Flag("headless", true),
			chromedp.Flag("no-sandbox", true),
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("lang", "zh-CN"), // date and month inputs as office users see them
			chromedp.UserDataDir(profile),
			chromedp.WindowSize(1280, 800),
		}
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelBrowser := chromedp.NewContext(actx)
		chromium.ctx, chromium.err = bctx, chromedp.Do(bctx)
		chromium.close = func() {
			cancelBrowser()
			cancelAlloc()
			os.RemoveAll(profile)
		}
	})
	return chromium.ctx, chromium.err
}

// mustChromium opens a tab of the shared headless Chromium in a browser
// context of its own (its own cookies and storage, as a fresh profile
// has) and returns it, closed at cleanup.
func mustChromium(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser test needs Chromium at %s (Debian package chromium; fonts-noto-cjk for Chinese glyphs): %v", chromiumPath, err)
	}
	bctx, err := sharedChromium()
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelCtx := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// steps returns a test's runner of named browser steps in ctx's tab: a
// step that fails ends the test with its name.
func steps(ctx context.Context, t *testing.T) func(step string, actions ...chromedp.Action[chromedp.Void]) {
	return func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
}

// texts returns a test's reader of an element's text in ctx's tab, named
// by the step that reads it.
func texts(ctx context.Context, t *testing.T) func(step, sel string) string {
	return func(step, sel string) string {
		t.Helper()
		out, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return out
	}
}

// fileNeedAs files a 融资需求 through the webhook with the enterprise's
// name, and returns its number.
func (s *leadsSvc) fileNeedAs(openID, name, div, serial, product, amount string) string {
	s.tb.Helper()
	for _, m := range []string{"融资需求", name, creditCodeIn(s.tb, div, serial), "1", "王经理",
		"13912345678", product, amount, "12", "采购原材料", "1"} {
		s.say(openID, m)
	}
	n := leadNumber.FindString(s.say(openID, "确认"))
	if n == "" {
		s.tb.Fatalf("lead of %s not filed", name)
	}
	return n
}

// demoData fills the service with leads in several counties and statuses,
// self-checks and poster followers, as a month of use would.
func demoData(t *testing.T, s *leadsSvc) map[string]string {
	t.Helper()
	ctx := context.Background()
	admin := s.login("admin", leadsAdminPass)
	leads := []struct{ key, name, div, status string }{
		{"ks1", "昆山华辰精密机械有限公司", "320583", ""},
		{"ks2", "昆山市永固新材料科技有限公司", "320583", "contacted"},
		{"ks3", "昆山瑞达电子有限公司", "320583", "reviewing"},
		{"tc1", "太仓港力液压设备有限公司", "320585", ""},
		{"tc2", "太仓市华星纺织有限公司", "320585", "contacted"},
		{"cs1", "常熟市恒通汽车零部件有限公司", "320581", "pre_approved"},
		{"zjg1", "张家港市沙洲冶金机械有限公司", "320582", ""},
		{"sip1", "苏州工业园区芯联微电子有限公司", "320594", "contracted"},
		{"sip2", "苏州工业园区博远生物医药有限公司", "320594", "contacted"},
		{"wz1", "苏州吴中智造装备有限公司", "320506", "rejected"},
		{"wj1", "苏州市吴江区盛泽丝绸有限公司", "320509", ""},
	}
	paths := map[string][]string{
		"contacted":    {"contacted"},
		"reviewing":    {"contacted", "reviewing"},
		"pre_approved": {"contacted", "reviewing", "pre_approved"},
		"contracted":   {"contacted", "reviewing", "pre_approved", "contracted"},
		"rejected":     {"rejected"},
	}
	numbers := map[string]string{}
	for i, l := range leads {
		n := s.fileNeedAs(fmt.Sprintf("o-demo-%02d", i), l.name, l.div, fmt.Sprintf("MA1N2P%03d", i), "苏质贷", fmt.Sprint(300+100*i))
		numbers[l.key] = n
		for _, st := range paths[l.status] {
			if code := s.api(http.MethodPatch, "/api/v1/leads/"+n, admin, map[string]string{"status": st, "note": "演示数据"}, nil); code != http.StatusOK {
				t.Fatalf("move %s to %s: %d", n, st, code)
			}
		}
	}
	now := time.Now()
	scenes := []struct {
		scene string
		n     int
	}{{"1004", 9}, {"1003", 5}, {"1009", 7}, {"1002", 4}, {"1001", 3}, {"1006", 2}}
	i := 0
	for _, sc := range scenes {
		county, _ := s.db.CountyByScene(ctx, sc.scene)
		for range sc.n {
			id := fmt.Sprintf("o-demo-follower-%03d", i)
			if err := s.db.Follow(ctx, id, sc.scene, county, now.AddDate(0, 0, -i%20)); err != nil {
				t.Fatal(err)
			}
			tier := domain.Tier(i % 5) // 0: none met
			if err := s.db.SaveCheck(ctx, id, tier, nil, now); err != nil {
				t.Fatal(err)
			}
			i++
		}
	}
	return numbers
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := filepath.Join("..", "docs")
	if os.Getenv("SCREENSHOTS") != "docs" {
		return
	}
	capture(t, ctx, dir, name)
}

// capture writes a 1280×800 screenshot of the page to dir/name.
func capture(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.scrollTo(0, 0), 0`)); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", filepath.Join(dir, name))
}

func TestBrowserConsoleAndSimulator(t *testing.T) {
	ctx := mustChromium(t)
	s := mustLeadsSvc(t)
	numbers := demoData(t, s)
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	base := srv.URL

	run := steps(ctx, t)
	text := texts(ctx, t)

	// Log in.
	run("login",
		chromedp.Navigate(base+"/console/leads"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), leadsAdminPass),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#leads-table")),
	)
	if got := text("leads", "#leads-table"); !strings.Contains(got, numbers["ks1"]) || !strings.Contains(got, numbers["tc1"]) {
		t.Fatalf("leads table: %s", got)
	}
	screenshot(t, ctx, "console-leads.png")

	// Filter by county and status.
	run("filter",
		chromedp.SetValue(chromedp.CSS("#f-county"), "kunshan"),
		chromedp.SetValue(chromedp.CSS("#f-status"), "submitted"),
		chromedp.Click(chromedp.CSS("#f-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#leads-table`)),
		chromedp.WaitReady(chromedp.CSS(`select#f-county option[value="kunshan"][selected]`)),
	)
	got := text("filtered", "#leads-table tbody")
	if !strings.Contains(got, numbers["ks1"]) || strings.Contains(got, numbers["ks2"]) || strings.Contains(got, numbers["tc1"]) {
		t.Fatalf("filtered table: %s", got)
	}

	// Open the lead and accept it.
	run("open lead",
		chromedp.Click(chromedp.Search(`//a[text()="`+numbers["ks1"]+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#status-form")),
		chromedp.SendKeys(chromedp.CSS("#status-note"), "已电话联系，约定下周走访"),
		chromedp.Click(chromedp.CSS("#act-contacted")),
		chromedp.WaitVisible(chromedp.CSS(".notice.ok")),
	)
	if st := text("status", "#lead-status"); st != "已受理" {
		t.Fatalf("status after the change: %q", st)
	}
	if ev := text("events", "#events"); !strings.Contains(ev, "约定下周走访") || !strings.Contains(ev, "admin（市局）") || strings.Contains(ev, "account:") {
		t.Fatalf("events: %s", ev)
	}
	lead, err := s.db.LeadByNumber(context.Background(), numbers["ks1"])
	if err != nil || lead.Status != "contacted" || len(lead.Events) != 2 {
		t.Fatalf("lead in the database: %+v %v", lead, err)
	}

	// The dashboard draws its charts.
	run("dashboard", chromedp.Navigate(base+"/console/dashboard"), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart rect").length`))
	if err != nil {
		t.Fatal(err)
	}
	if charts < 10 {
		t.Errorf("dashboard charts have %d bars", charts)
	}
	screenshot(t, ctx, "console-dashboard.png")

	// A broadcast: compose, then preview on the officer's own WeChat.
	if err := s.db.Model(&store.Account{}).Where("username = ?", "admin").Update("open_id", "o-officer-phone").Error; err != nil {
		t.Fatal(err)
	}
	run("broadcast",
		chromedp.Navigate(base+"/console/broadcasts"),
		chromedp.WaitVisible(chromedp.CSS("#broadcast-form")),
		chromedp.SendKeys(chromedp.CSS("#bc-title"), "LPR 调整通知"),
		chromedp.SendKeys(chromedp.CSS("#bc-content"), "自本月起，苏质贷利率上限随1年期LPR调整。"),
		chromedp.Click(chromedp.CSS("#bc-create")),
		chromedp.WaitVisible(chromedp.CSS(".preview-form button")),
		chromedp.Click(chromedp.CSS(".preview-form button")),
		// The page before had a notice too (广播已创建): wait for this one.
		chromedp.WaitVisible(chromedp.Search(`//div[contains(@class,"notice") and contains(text(),"预览已发送")]`)),
	)
	if n := text("preview notice", ".notice.ok"); !strings.Contains(n, "预览已发送") {
		t.Fatalf("preview: %s", n)
	}
	calls := s.fake.Calls("/cgi-bin/message/mass/preview")
	if len(calls) != 1 || calls[0].Body["touser"] != "o-officer-phone" {
		t.Fatalf("preview calls: %+v", calls)
	}

	// The monthly report downloads as CSV.
	dl := t.TempDir()
	run("report",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			// Downloads are set per browser context: this tab's own.
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dl,
				BrowserContextID: chromedp.FromContext(ctx).BrowserContextID,
			})
			return err
		}),
		chromedp.Navigate(base+"/console/reports"),
		chromedp.WaitVisible(chromedp.CSS("#report-table")),
		chromedp.Click(chromedp.CSS("#dl-csv")),
	)
	var csv string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && csv == ""; time.Sleep(100 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(dl, "*.csv"))
		if len(files) == 1 {
			b, _ := os.ReadFile(files[0])
			csv = string(b)
		}
	}
	if !strings.Contains(csv, "昆山市") || !strings.Contains(csv, "全市合计") {
		t.Fatalf("downloaded report: %q", csv)
	}

	// The simulator: type 菜单, then use the custom menu.
	run("simulator",
		chromedp.Navigate(base+"/simulator"),
		chromedp.WaitVisible(chromedp.CSS("#sim-input")),
		chromedp.SendKeys(chromedp.CSS("#sim-input"), "菜单"),
		chromedp.Click(chromedp.CSS("#sim-send")),
		chromedp.WaitVisible(chromedp.CSS(`.msg-row.bot:not(.typing) .bubble`)),
	)
	if reply := text("menu reply", `.msg-row.bot:not(.typing) .bubble`); !strings.Contains(reply, "请回复数字选择服务") {
		t.Fatalf("菜单 reply: %s", reply)
	}
	run("menu click",
		chromedp.Click(chromedp.CSS("#toggle-menu")),
		chromedp.Click(chromedp.Search(`//button[@class="menu-top" and text()="我的进度"]`)),
		chromedp.Click(chromedp.Search(`//button[@data-key="CONTACTS"]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[contains(@class,"bubble") and contains(text(),"0512")]`)),
		chromedp.Click(chromedp.CSS("#toggle-menu")),
		chromedp.SendKeys(chromedp.CSS("#sim-input"), "自检"),
		chromedp.Click(chromedp.CSS("#sim-send")),
		chromedp.WaitVisible(chromedp.Search(`//div[contains(@class,"bubble") and contains(text(),"开始质量信誉自检")]`)),
	)
	screenshot(t, ctx, "simulator.png")

	// SCREENSHOTS_EXTRA=<dir> also captures the other pages, for review.
	if dir := os.Getenv("SCREENSHOTS_EXTRA"); dir != "" {
		lead, _ := s.db.LeadByNumber(context.Background(), numbers["ks1"])
		for name, path := range map[string]string{
			"lead.png": fmt.Sprintf("/console/leads/%d", lead.ID), "counties.png": "/console/counties",
			"county.png": "/console/counties/kunshan", "broadcasts.png": "/console/broadcasts", "reports.png": "/console/reports",
			"settings.png": "/console/settings", "sandbox.png": "/console/sandbox", "error.png": "/console/leads/999999",
		} {
			run(name, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main")))
			capture(t, ctx, dir, name)
		}
		run("logout", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#username")))
		capture(t, ctx, dir, "login.png")
	}
}
