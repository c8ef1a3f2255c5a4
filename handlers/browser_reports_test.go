package handlers_test

import (
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserRatingTableOnAPhone: the 服务评价 table of the monthly
// return reads on a 390 px phone as one short card per county, its
// column names on one line each (非常不满意 did not fit a fixed-width
// label and eleven counties made a page of 3,500 px).
func TestBrowserRatingTableOnAPhone(t *testing.T) {
	ctx := mustChromium(t)
	s := mustLeadsSvc(t)
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	setViewport(t, ctx, viewports[0])
	signIn(t, ctx, srv.URL, "admin", leadsAdminPass)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/console/reports"), chromedp.WaitVisible(chromedp.CSS("#ratings-kunshan"))); err != nil {
		t.Fatal(err)
	}
	// Each label is one line: no cell is taller than two lines of its text.
	tallest, err := chromedp.Run(ctx, chromedp.Evaluate[float64](
		`Math.max(...[...document.querySelectorAll("#ratings-kunshan td[data-label]")].map(e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight || 20)))`))
	if err != nil {
		t.Fatal(err)
	}
	card, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("#ratings-kunshan").getBoundingClientRect().height`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("county card %.0f px, tallest cell %.1f lines", card, tallest)
	if tallest >= 1.6 || card > 200 {
		t.Errorf("服务评价 on a phone: a county's card is %.0f px high, its tallest cell %.1f lines", card, tallest)
	}
}
