package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
	"github.com/suzhou-amr/suzhirong/templates"
)

// What one instance is taught, another picks up at its next refresh (the
// 30 s RefreshEvery of main.go), without a restart.
func TestTeachingReachesEveryInstance(t *testing.T) {
	e := mustLeadsEnv(t)
	ctx := context.Background()
	replies, err := templates.Replies()
	if err != nil {
		t.Fatal(err)
	}
	other, err := bot.New(ctx, bot.Config{Log: storetest.Log, DB: e.db, Replies: replies, Policy: e.policy, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	const q = "可以开增值税发票吗"
	if got := e.say("o-teach", q); !strings.Contains(got, "无法准确回答") {
		t.Fatalf("before: %s", got)
	}
	open, err := e.db.UnplacedMessages(ctx, store.UnplacedOpen, 10)
	if err != nil || len(open) != 1 {
		t.Fatalf("unplaced %+v %v", open, err)
	}
	officer := domain.Account{Username: "officer1", Role: domain.RoleOfficer}
	county := domain.Account{Username: "ks", Role: domain.RoleCounty, County: "kunshan"}
	f := bot.FAQInput{ID: "invoice", Question: "可以开发票吗？", Answer: "发票由合作金融机构按规定开具。", Clause: "五（一）"}
	if _, err := e.bot.AnswerUnplaced(ctx, county, open[0].ID, f); err == nil {
		t.Fatal("a county account taught the bot")
	}
	bad := f
	bad.ID = "发票"
	if _, err := e.bot.AnswerUnplaced(ctx, officer, open[0].ID, bad); domain.Message(err) == "" {
		t.Fatalf("bad id: %v", err)
	}
	if _, err := e.bot.AnswerUnplaced(ctx, officer, open[0].ID, f); err != nil {
		t.Fatal(err)
	}
	// The instance that was taught answers at once; the other after its refresh.
	if u := e.bot.Policy().Understand(q); u.Intent != dialog.TaughtFAQIntent("invoice") || u.Verdict != dialog.Confident {
		t.Fatalf("taught instance: %+v", u)
	}
	if u := other.Policy().Understand(q); u.Intent == dialog.TaughtFAQIntent("invoice") {
		t.Fatal("the other instance knew before its refresh; the test proves nothing")
	}
	if err := other.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if u := other.Policy().Understand(q); u.Intent != dialog.TaughtFAQIntent("invoice") || u.Verdict != dialog.Confident {
		t.Fatalf("other instance after refresh: %+v", u)
	}
	if got := e.say("o-teach2", q); !strings.Contains(got, "发票由合作金融机构") || !strings.Contains(got, "五（一）") {
		t.Fatalf("answer: %s", got)
	}
}
