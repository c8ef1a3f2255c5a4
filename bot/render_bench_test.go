package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/seeds"
	"github.com/suzhou-amr/suzhirong/store/storetest"
	"github.com/suzhou-amr/suzhirong/templates"
)

// mustBenchBot builds a Bot on an embedded store, for rendering.
func mustBenchBot(b *testing.B) (*bot.Bot, *dialog.Policy) {
	b.Helper()
	ctx := context.Background()
	policy, err := seeds.Load()
	if err != nil {
		b.Fatal(err)
	}
	db := storetest.MustOpenDB(b)
	if err := db.SeedPolicy(ctx, policy, false); err != nil {
		b.Fatal(err)
	}
	replies, err := templates.Replies()
	if err != nil {
		b.Fatal(err)
	}
	policies, err := bot.NewPolicies(ctx, storetest.Log, db, policy, nil)
	if err != nil {
		b.Fatal(err)
	}
	bt, err := bot.New(ctx, bot.Config{Log: storetest.Log, DB: db, Replies: bot.NewReplies(replies), Policies: policies})
	if err != nil {
		b.Fatal(err)
	}
	return bt, bt.Policy()
}

// BenchmarkRender renders the replies of the walk's turns (templates joined
// into one text), as each push does before TextReply.
func BenchmarkRender(b *testing.B) {
	bt, p := mustBenchBot(b)
	walk := []string{"菜单", "3", "1", "500", "产品", "1", "1", "联系", "菜单", "1", "是", "是", "是", "没有", "都没有", "都没有", "都没有"}
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var turns [][]dialog.Reply
	var s dialog.State
	for _, text := range walk {
		at = at.Add(time.Minute)
		var rs []dialog.Reply
		s, rs, _ = dialog.Step(p, s, dialog.Inbound{OpenID: "o-bench", Kind: dialog.KindText, Text: text, At: at})
		turns = append(turns, rs)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if text, err := bt.Render(turns[i]); err != nil || text == "" {
			b.Fatalf("turn %d: %q, %v", i, text, err)
		}
		i = (i + 1) % len(turns)
	}
}
