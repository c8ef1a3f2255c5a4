package handlers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/suzhou-amr/suzhirong/domain"
)

// TestBrowserRosterAndDeal drives the roster import preview and the
// deal form of an application at a phone's width in Chromium.
// SCREENSHOTS=docs also writes docs/console-roster.png and
// docs/console-lead-deal.png.
func TestBrowserRosterAndDeal(t *testing.T) {
	ctx := mustChromium(t)
	s := mustAdminSvc(t, true)
	instID, _ := s.mustInstitution("苏州测试农商银行昆山支行", "o-br-sp")
	num := s.fileNeed("o-br-ent", "320583", "MA1BR0WN1")
	lead := s.leadByNumber(s.admin, num)
	if code := s.status(http.MethodPost, fmt.Sprintf("/api/v1/leads/%d/referrals", lead.ID), s.admin, map[string]any{"institution": instID}); code != http.StatusCreated {
		t.Fatalf("refer: %d", code)
	}
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	base := srv.URL
	run := steps(ctx, t)
	text := texts(ctx, t)
	run("login",
		chromedp.Navigate(base+"/console/roster"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), leadsAdminPass),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#roster-import")),
	)

	// Preview a roster file: two good rows, a bad credit code, a duplicate.
	good := []string{creditCodeIn(t, "320583", "MA1BR0WN2"), creditCodeIn(t, "320594", "MA1BR0WN3"), creditCodeIn(t, "320506", "MA1BR0WN4")}
	bad := good[0][:9] + "O" + good[0][10:]
	csvFile := filepath.Join(t.TempDir(), "名录.csv")
	os.WriteFile(csvFile, rosterCSV(
		"昆山精工机械有限公司,"+good[0]+",Ⅰ类,中国质量奖,昆山市,2026-03-15",
		"苏州园区微电子有限公司,"+good[1]+",Ⅱ类,江苏精品认证,苏州工业园区,2026-04-02",
		"吴中精密模具有限公司,"+good[2]+",Ⅲ类,江苏质量信用A级,吴中区,2026-06-18",
		"某某贸易有限公司,"+bad+",Ⅲ类,ISO9001,昆山市,2026-05-01",
		"昆山精工机械有限公司,"+good[0]+",Ⅰ类,中国质量奖,昆山市,2026-03-15",
	), 0o644)
	run("preview",
		chromedp.SetUploadFiles(chromedp.CSS("#roster-file"), []string{csvFile}),
		chromedp.Click(chromedp.CSS("#roster-preview")),
		chromedp.WaitVisible(chromedp.CSS("#import-report")),
	)
	if got := text("report", "#import-report"); !strings.Contains(got, "新增 3 家") || !strings.Contains(got, "有误 2 行") {
		t.Fatalf("preview report: %q", got)
	}
	if got := text("rejected", "#import-rejected"); !strings.Contains(got, "第10位“O”") || !strings.Contains(got, "与第2行") {
		t.Fatalf("rejected rows: %q", got)
	}
	run("import",
		chromedp.SetUploadFiles(chromedp.CSS("#roster-file"), []string{csvFile}),
		chromedp.Click(chromedp.CSS("#roster-submit")),
		chromedp.WaitVisible(chromedp.Search(`//div[@id="import-report" and contains(., "已导入")]`)),
	)
	if got := text("table", "#roster-table"); !strings.Contains(got, "苏州园区微电子有限公司") {
		t.Fatalf("roster table: %q", got)
	}
	screenshot(t, ctx, "console-roster.png")

	// The application at a phone's width: record the disbursement.
	run("phone", chromedp.EmulateViewport(390, 844))
	run("lead",
		chromedp.Navigate(fmt.Sprintf("%s/console/leads/%d", base, lead.ID)),
		chromedp.WaitVisible(chromedp.CSS("#deal-form")),
	)
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if err != nil || width > 0 {
		wide, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("*")).filter(e => e.getBoundingClientRect().right > 400).slice(0, 8).map(e => e.tagName + "#" + e.id + "." + e.className + ":" + Math.round(e.getBoundingClientRect().right)).join(" ")`))
		t.Errorf("lead page is %d px too wide at 390 (%v): %s", width, err, wide)
	}
	run("deal",
		chromedp.SendKeys(chromedp.CSS("#deal-amount"), "800"),
		chromedp.SendKeys(chromedp.CSS("#deal-rate"), "3.25"),
		chromedp.SendKeys(chromedp.CSS("#deal-term"), "12"),
		chromedp.Click(chromedp.CSS("#deal-submit")),
		chromedp.WaitVisible(chromedp.CSS("#deal-confirm")),
	)
	if got := text("confirm", "#deal-confirm"); !strings.Contains(got, "800万元") || !strings.Contains(got, "年利率3.25%") {
		t.Fatalf("deal confirmation: %q", got)
	}
	run("confirm deal",
		chromedp.Click(chromedp.CSS("#deal-confirm-submit")),
		chromedp.WaitVisible(chromedp.CSS("table#deals")),
	)
	if got := text("status", "#lead-status"); got != domain.StatusLabel(domain.StatusDisbursed) {
		t.Errorf("status after the deal: %q", got)
	}
	run("scroll", chromedp.Evaluate[chromedp.Void](`document.getElementById("programme").scrollIntoView()`))
	if os.Getenv("SCREENSHOTS") == "docs" {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join("..", "docs", "console-lead-deal.png"), png, 0o644)
	}
}
