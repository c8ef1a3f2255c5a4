package bot_test

import (
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/templates"
)

func mustRenderBot(t *testing.T) (*bot.Bot, *template.Template) {
	t.Helper()
	replies, err := templates.Replies()
	if err != nil {
		t.Fatal(err)
	}
	return apptest.New(t).Bot, replies
}

// checkCached renders r through the Bot twice (the second time from the
// render cache) and straight from its template: all three must be equal.
func checkCached(t *testing.T, bt *bot.Bot, replies *template.Template, r dialog.Reply, context string) string {
	t.Helper()
	var want strings.Builder
	if err := replies.ExecuteTemplate(&want, r.Name, r.Data); err != nil {
		t.Fatal(err)
	}
	var got string
	for range 2 {
		var err error
		if got, err = bt.Render([]dialog.Reply{r}); err != nil {
			t.Fatal(err)
		}
		if got != strings.TrimSpace(want.String()) {
			t.Fatalf("%s → %s:\ncached %q\nfresh  %q", context, r.Name, got, want.String())
		}
	}
	return got
}

// TestRenderCacheMatchesTemplates walks conversations through every menu
// entry from three profiles and checks every reply's cached render.
func TestRenderCacheMatchesTemplates(t *testing.T) {
	t.Parallel()
	bt, replies := mustRenderBot(t)
	texts := []string{
		"菜单", "3", "1", "500", "1000.5", "产品", "1", "1", "2", "联系", "菜单", "1", "是", "是", "是", "没有", "都没有", "都没有", "都没有",
		"菜单", "1", "1", "是", "是", "是", "江苏质量信用AAA级", "菜单", "2", "利率是多少", "企业库是什么", "菜单", "4", "菜单", "5",
		"苏州精密机械有限公司", "91320500MA1MXXXX1X", "张三", "13800000000", "500", "取消", "菜单", "6", "菜单", "7", "8", "帮助", "你好",
		"菜单", "产品", "3", "产品", "2", "1", "联系",
	}
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	n := 0
	for _, start := range []dialog.Profile{{}, {Tier: domain.Tier2, County: "kunshan"}, {Tier: domain.Tier4, CheckedAt: at}} {
		s := dialog.State{Profile: start}
		for _, text := range texts {
			at = at.Add(time.Minute)
			var rs []dialog.Reply
			s, rs, _ = dialog.Step(bt.Policy(), s, dialog.Inbound{OpenID: "o", Kind: dialog.KindText, Text: text, At: at})
			for _, r := range rs {
				if !r.Transfer {
					checkCached(t, bt, replies, r, text)
					n++
				}
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d replies compared", n)
	}
}

// TestMenuRenderCache renders the main menu for every tier and profiles
// that differ in everything else: the cached text must always be the
// template's, and differ between tiers.
func TestMenuRenderCache(t *testing.T) {
	bt, replies := mustRenderBot(t)
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	profiles := []dialog.Profile{
		{},
		{County: "kunshan"},
		{Criteria: []string{"t1-credit-aaa"}, CheckedAt: at, County: "wujiang"},
		{Criteria: []string{"x", "y"}, CheckedAt: at.Add(-time.Hour)},
	}
	seen := map[string]bool{}
	for _, tier := range []domain.Tier{0, domain.Tier1, domain.Tier2, domain.Tier3, domain.Tier4} {
		for _, prof := range profiles {
			prof.Tier = tier
			_, rs, _ := dialog.Step(bt.Policy(), dialog.State{Profile: prof}, dialog.Inbound{OpenID: "o", Kind: dialog.KindText, Text: "菜单", At: at})
			for _, r := range rs {
				if r.Name == "menu" {
					seen[checkCached(t, bt, replies, r, "菜单")] = true
				}
			}
		}
	}
	if len(seen) < 2 {
		t.Errorf("the menu rendered the same for every tier (%d texts)", len(seen))
	}
	// A cached render allocates almost nothing; executing the template
	// allocates per option.
	_, rs, _ := dialog.Step(bt.Policy(), dialog.State{}, dialog.Inbound{OpenID: "o", Kind: dialog.KindText, Text: "菜单", At: at})
	if allocs := testing.AllocsPerRun(50, func() { bt.Render(rs) }); allocs > 4 {
		t.Errorf("a cached menu render made %v allocations", allocs)
	}
}
