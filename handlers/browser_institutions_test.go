package handlers_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserInstitutionScopeAndConsent drives the institutions page at a
// phone's width in Chromium: an officer limits an institution to one
// county; the institution's own account agrees to show its specialist's
// name and phone. The page fits 390 px for both.
func TestBrowserInstitutionScopeAndConsent(t *testing.T) {
	ctx := mustChromium(t)
	s := mustAdminSvc(t, true)
	inst, sp, user, pass := s.institutionWithSpecialist("测试银行吴江支行", "王专员", "13800002222")
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	base := srv.URL
	run := steps(ctx, t)
	text := texts(ctx, t)
	fits := func(who string) {
		t.Helper()
		width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
		if err != nil || width > 0 {
			wide, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("*")).filter(e => e.getBoundingClientRect().right > 400).slice(0, 8).map(e => e.tagName + "#" + e.id + "." + e.className + ":" + Math.round(e.getBoundingClientRect().right)).join(" ")`))
			t.Errorf("%s: institutions page is %d px too wide at 390 (%v): %s", who, width, err, wide)
		}
	}
	login := func(user, pass string) {
		t.Helper()
		signIn(t, ctx, base, user, pass) // clears the last account's cookies
		run("institutions "+user,
			chromedp.Navigate(base+"/console/institutions"),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#institution-%d", inst))),
		)
	}
	run("phone", chromedp.EmulateViewport(390, 844))
	login("admin", leadsAdminPass)
	fits("officer")
	if got := text("scope", fmt.Sprintf("#institution-%d-counties", inst)); !strings.Contains(got, "苏州全市") {
		t.Fatalf("default scope: %q", got)
	}
	run("set scope",
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#institution-%d-scope summary", inst))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#counties-form-%d input[value="wujiang"]`, inst))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#counties-submit-%d", inst))),
		chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//p[@id="institution-%d-counties" and contains(., "吴江区")]`, inst))),
	)
	if got := text("scope", fmt.Sprintf("#institution-%d-counties", inst)); strings.Contains(got, "苏州全市") || strings.Contains(got, "昆山市") {
		t.Errorf("scope after saving: %q", got)
	}
	fits("officer, scope open")

	login(user, pass)
	fits("institution")
	// The consent and its button are on the screen, not in a column
	// scrolled out of the card.
	onScreen, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(
		`[document.querySelector("#consent-%d"), document.querySelector("#specialist-%d .consent")].every(e => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right <= innerWidth)`, sp, sp)))
	if err != nil || !onScreen {
		t.Errorf("institution at 390: the consent is off the screen (%v)", err)
	}
	if got := text("consent", fmt.Sprintf("#specialist-%d .consent", sp)); got != "不公开" {
		t.Fatalf("consent before: %q", got)
	}
	run("agree",
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#consent-%d", sp))),
		chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//tr[@id="specialist-%d"]//span[contains(., "公开姓名电话")]`, sp))),
	)
	if got := text("button", fmt.Sprintf("#consent-%d", sp)); got != "停止公开" {
		t.Errorf("button after agreeing: %q", got)
	}
	fits("institution, agreed")
	screenshot(t, ctx, "console-institutions-consent.png")
}
