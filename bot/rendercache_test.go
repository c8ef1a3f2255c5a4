package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/seeds"
	"github.com/suzhou-amr/suzhirong/store/storetest"
	"github.com/suzhou-amr/suzhirong/templates"
)

// TestMenuRenderCache renders the main menu for every tier and profiles
// that differ in everything else, through the Bot (cached after the first
// of a tier) and straight from the template: the texts must be equal, so
// the cache's key (the tier) is all the menu depends on.
func TestMenuRenderCache(t *testing.T) {
	ctx := context.Background()
	policy, err := seeds.Load()
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.MustOpenDB(t)
	if err := db.SeedPolicy(ctx, policy, false); err != nil {
		t.Fatal(err)
	}
	replies, err := templates.Replies()
	if err != nil {
		t.Fatal(err)
	}
	bt, err := bot.New(ctx, bot.Config{Log: storetest.Log, DB: db, Replies: replies, Policy: policy})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	profiles := []dialog.Profile{
		{},
		{County: "kunshan"},
		{Criteria: []string{"t1-credit-aaa"}, CheckedAt: at, County: "wujiang"},
		{Criteria: []string{"x", "y"}, CheckedAt: at.Add(-time.Hour)},
	}
	seen := map[string]bool{}
	for _, tier := range []dialog.Tier{0, dialog.Tier1, dialog.Tier2, dialog.Tier3, dialog.Tier4} {
		for _, prof := range profiles {
			prof.Tier = tier
			_, rs, _ := dialog.Step(bt.Policy(), dialog.State{Profile: prof}, dialog.Inbound{OpenID: "o", Kind: dialog.KindText, Text: "菜单", At: at})
			var menu *dialog.Reply
			for i := range rs {
				if rs[i].Name == "menu" {
					menu = &rs[i]
				}
			}
			if menu == nil {
				t.Fatalf("tier %v: no menu in %+v", tier, rs)
			}
			for range 2 { // the second render comes from the cache
				got, err := bt.Render([]dialog.Reply{*menu})
				if err != nil {
					t.Fatal(err)
				}
				var want strings.Builder
				if err := replies.ExecuteTemplate(&want, "menu", menu.Data); err != nil {
					t.Fatal(err)
				}
				if got != strings.TrimSpace(want.String()) {
					t.Fatalf("tier %v, profile %+v:\ncached %q\nfresh  %q", tier, prof, got, want.String())
				}
				seen[got] = true
			}
		}
	}
	if len(seen) < 2 {
		t.Errorf("the menu rendered the same for every tier (%d texts): the test does not exercise the key", len(seen))
	}
}
