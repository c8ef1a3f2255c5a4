package bot_test

import (
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/dialog"
)

// mustBenchBot builds the service on fresh stores, for its Bot.
func mustBenchBot(b *testing.B) (*bot.Bot, *dialog.Policy) {
	b.Helper()
	bt := apptest.New(b).Bot
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
