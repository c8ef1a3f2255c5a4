package admin_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

// What one instance is taught, another picks up at its next refresh (the
// 30 s policy refresh of app.Workers), without a restart.
func TestTeachingReachesEveryInstance(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	other, err := bot.NewPolicies(ctx, storetest.Log, e.DB, e.Policy, e.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	const q = "可以开增值税发票吗"
	if got := e.Say("o-teach", q); !strings.Contains(got, "无法准确回答") {
		t.Fatalf("before: %s", got)
	}
	open, err := e.DB.UnplacedMessages(ctx, store.UnplacedOpen, 10)
	if err != nil || len(open) != 1 {
		t.Fatalf("unplaced %+v %v", open, err)
	}
	officer := domain.Account{Username: "officer1", Role: domain.RoleOfficer}
	county := domain.Account{Username: "ks", Role: domain.RoleCounty, County: "kunshan"}
	f := admin.FAQInput{ID: "invoice", Question: "可以开发票吗？", Answer: "发票由合作金融机构按规定开具。", Clause: "五（一）"}
	if _, err := e.Admin.AnswerUnplaced(ctx, county, open[0].ID, f); err == nil {
		t.Fatal("a county account taught the bot")
	}
	bad := f
	bad.ID = "发票"
	if _, err := e.Admin.AnswerUnplaced(ctx, officer, open[0].ID, bad); domain.Message(err) == "" {
		t.Fatalf("bad id: %v", err)
	}
	if _, err := e.Admin.AnswerUnplaced(ctx, officer, open[0].ID, f); err != nil {
		t.Fatal(err)
	}
	// The instance that was taught answers at once; the other after its refresh.
	if u := e.Bot.Policy().Understand(q); u.Intent != dialog.TaughtFAQIntent("invoice") || u.Verdict != dialog.Confident {
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
	if got := e.Say("o-teach2", q); !strings.Contains(got, "发票由合作金融机构") || !strings.Contains(got, "五（一）") {
		t.Fatalf("answer: %s", got)
	}
}

// An officer's edit of a seeded FAQ entry and of a seeded paraphrase is a
// new version, used at once by the instance that made it and by another
// after its refresh; counties cannot edit, and an intent keeps five
// paraphrases in use.
func TestSeedEditsReachEveryInstance(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	other, err := bot.NewPolicies(ctx, storetest.Log, e.DB, e.Policy, e.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	officer := domain.Account{Username: "officer1", Role: domain.RoleOfficer}
	county := domain.Account{Username: "ks", Role: domain.RoleCounty, County: "kunshan"}
	answerOf := func(p *dialog.Policy, id string) dialog.FAQ {
		for _, f := range p.FAQs {
			if f.ID == id {
				return f
			}
		}
		t.Fatalf("no faq %s", id)
		return dialog.FAQ{}
	}
	seed := answerOf(e.Policy, "what")
	if _, err := e.Admin.EditSeedFAQ(ctx, county, "what", "改过的答复", "一"); err == nil {
		t.Fatal("a county account edited a seeded answer")
	}
	if _, err := e.Admin.EditSeedFAQ(ctx, officer, "what", seed.Answer, seed.Clause); domain.Message(err) == "" {
		t.Fatalf("an unchanged entry was saved: %v", err)
	}
	for v, answer := range []string{"“苏质融”是质量融资服务（第一次修改）。", "“苏质融”是质量融资服务（第二次修改）。"} {
		ch, err := e.Admin.EditSeedFAQ(ctx, officer, "what", answer, "一")
		if err != nil {
			t.Fatal(err)
		}
		if ch.Before.Version != v || ch.After.Version != v+1 || (v == 0 && ch.Before.Answer != seed.Answer) {
			t.Fatalf("edit %d: %+v", v+1, ch)
		}
	}
	if got := answerOf(e.Bot.Policy(), "what").Answer; !strings.Contains(got, "第二次修改") {
		t.Fatalf("editing instance: %s", got)
	}
	if got := answerOf(other.Policy(), "what").Answer; got != seed.Answer {
		t.Fatalf("the other instance changed before its refresh: %s", got)
	}
	// A computed entry keeps computing its answer; its clause changes.
	if _, err := e.Admin.EditSeedFAQ(ctx, officer, "rates", "利率一律3%", "三（一）优惠条件"); err != nil {
		t.Fatal(err)
	}
	if f := answerOf(e.Bot.Policy(), "rates"); f.Answer != "" || f.Topic != "rates" || f.Clause != "三（一）优惠条件" {
		t.Fatalf("computed entry: %+v", f)
	}

	// A seeded paraphrase disabled leaves the index; enabled, it is back.
	const intent, para = "platform", "是哪个平台"
	paras := func(p *dialog.Policy) []string {
		in, _ := p.Intent(intent)
		return in.Paraphrases
	}
	if _, err := e.Admin.SetSeedParaphrase(ctx, officer, intent, "不存在的说法", true); domain.Message(err) == "" {
		t.Fatalf("unknown paraphrase: %v", err)
	}
	v, err := e.Admin.SetSeedParaphrase(ctx, officer, intent, para, true)
	if err != nil || v.Version != 1 || !v.Disabled {
		t.Fatalf("disable: %+v %v", v, err)
	}
	if _, err := e.Admin.SetSeedParaphrase(ctx, officer, intent, para, true); domain.Message(err) == "" {
		t.Fatalf("disabled twice: %v", err)
	}
	if slices.Contains(paras(e.Bot.Policy()), para) || !slices.Contains(paras(other.Policy()), para) {
		t.Fatal("the disabled paraphrase is not out of the editing instance only")
	}
	if err := other.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(paras(other.Policy()), para) || !strings.Contains(answerOf(other.Policy(), "what").Answer, "第二次修改") {
		t.Fatal("the other instance did not pick the edits up at its refresh")
	}
	d, err := e.Admin.SeedEditing(ctx, officer, intent)
	if err != nil {
		t.Fatal(err)
	}
	if d.Intent.Disabled != 1 || len(d.Paraphrases) != d.Intent.Total {
		t.Fatalf("editing page: %+v", d.Intent)
	}
	for _, f := range d.FAQs {
		if f.ID == "what" && (f.Version != 2 || len(f.History) != 2 || f.SeedAnswer != seed.Answer) {
			t.Fatalf("history: %+v", f)
		}
	}
	if v, err = e.Admin.SetSeedParaphrase(ctx, officer, intent, para, false); err != nil || v.Version != 2 {
		t.Fatalf("enable: %+v %v", v, err)
	}
	if !slices.Contains(paras(e.Bot.Policy()), para) {
		t.Fatal("the enabled paraphrase is not back")
	}
	// Down to five in use, no more can be disabled.
	all := paras(e.Policy)
	var err5 error
	for _, p := range all {
		if _, err5 = e.Admin.SetSeedParaphrase(ctx, officer, intent, p, true); err5 != nil {
			break
		}
	}
	if !errors.Is(err5, domain.ErrTransition) || len(paras(e.Bot.Policy())) != 5 {
		t.Fatalf("the floor of five: %v, %d in use", err5, len(paras(e.Bot.Policy())))
	}
}
