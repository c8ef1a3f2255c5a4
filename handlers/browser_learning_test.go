package handlers_test

import (
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// An officer answers an unplaced message in the browser, and the bot then
// answers it.
func TestBrowserTeachesTheBot(t *testing.T) {
	ctx := mustChromium(t)
	s := mustLeadsSvc(t)
	s.say("o-browser-learn", "你们周末上班吗？")
	s.say("o-browser-learn1", "你们周末上班吗") // the most frequent comes first
	s.say("o-browser-learn2", "可以开增值税发票吗")
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)

	run := steps(ctx, t)
	run("login",
		chromedp.Navigate(srv.URL+"/console/unplaced"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), leadsAdminPass),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#unplaced-table")),
	)
	table, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#unplaced-table")))
	if err != nil || !strings.Contains(table, "你们周末上班吗") || !strings.Contains(table, "增值税发票") {
		t.Fatalf("table %q %v", table, err)
	}
	row := `#unplaced-table tbody tr:first-child `
	run("answer",
		chromedp.Click(chromedp.CSS(row+"details summary")),
		chromedp.WaitVisible(chromedp.CSS(row+`textarea[name="answer"]`)),
		chromedp.SendKeys(chromedp.CSS(row+`textarea[name="answer"]`), "线上申请不分工作日，市场监管局在工作日处理。"),
		chromedp.SetValue(chromedp.CSS(row+`select[name="clause"]`), "四（二）"),
	)
	if dir := os.Getenv("SCREENSHOTS_EXTRA"); dir != "" {
		capture(t, ctx, dir, "unplaced.png")
	}
	run("save",
		chromedp.Click(chromedp.CSS(row+`button.primary`)),
		chromedp.WaitVisible(chromedp.CSS("#faq-taught-1")),
	)
	if got := s.say("o-browser-learn3", "你们周末上班吗"); !strings.Contains(got, "线上申请不分工作日") {
		t.Fatalf("the taught answer is not used: %s", got)
	}
}
