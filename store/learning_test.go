package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

func TestUnplacedMessagesAreCountedAndTaught(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	for i, text := range []string{"你们周末上班吗", "你们周末上班吗？", "嗯 你们周末上班吗"} {
		if err := db.RecordUnplaced(ctx, "你们周末上班吗", text, at.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.RecordUnplaced(ctx, "可以开发票吗", "可以开发票吗", at); err != nil {
		t.Fatal(err)
	}
	open, err := db.UnplacedMessages(ctx, store.UnplacedOpen, 10)
	if err != nil || len(open) != 2 {
		t.Fatalf("open %+v %v", open, err)
	}
	m := open[0]
	if m.Folded != "你们周末上班吗" || m.SeenCount != 3 || m.Text != "你们周末上班吗" ||
		!m.FirstSeen.Equal(at) || !m.LastSeen.Equal(at.Add(2*time.Minute)) {
		t.Fatalf("most frequent %+v", m)
	}

	// Attached to an intent: a paraphrase, and no longer open.
	tp, err := db.AttachUnplaced(ctx, m.ID, "contacts", "officer1", at)
	if err != nil || tp.Intent != "contacts" || tp.Text != m.Text {
		t.Fatalf("attach %+v %v", tp, err)
	}
	if _, err := db.AttachUnplaced(ctx, m.ID, "rates", "officer1", at); !errors.Is(err, domain.ErrTransition) {
		t.Fatalf("attach twice: %v", err)
	}
	// Answered with a new FAQ entry.
	other := open[1]
	f := domain.TaughtFAQ{ID: "invoice", Question: "可以开发票吗？", Answer: "请咨询合作金融机构。", Clause: "五（一）", UpdatedBy: "officer1"}
	if err := db.AnswerUnplaced(ctx, other.ID, f, at); err != nil {
		t.Fatal(err)
	}
	paras, faqs, err := db.Taught(ctx)
	if err != nil || len(paras) != 2 || len(faqs) != 1 || faqs[0].ID != "invoice" || paras[1].Intent != dialog.TaughtFAQIntent("invoice") {
		t.Fatalf("taught %+v %+v %v", paras, faqs, err)
	}
	// The same id again is refused, and nothing is half done.
	if err := db.RecordUnplaced(ctx, "周末", "周末", at); err != nil {
		t.Fatal(err)
	}
	third, _ := db.UnplacedMessages(ctx, store.UnplacedOpen, 10)
	if err := db.AnswerUnplaced(ctx, third[0].ID, f, at); !errors.Is(err, domain.ErrDuplicate) {
		t.Fatalf("duplicate id: %v", err)
	}
	if still, _ := db.UnplacedMessages(ctx, store.UnplacedOpen, 10); len(still) != 1 {
		t.Fatalf("a refused answer resolved the message: %+v", still)
	}
	// Edited: one version up.
	before, after, err := db.UpdateTaughtFAQ(ctx, domain.TaughtFAQ{ID: "invoice", Question: "能开发票吗？", Answer: "由合作金融机构开具。", Clause: "五（一）", UpdatedBy: "officer2"}, at.Add(time.Hour))
	if err != nil || before.Version != 1 || after.Version != 2 || after.Question != "能开发票吗？" || after.UpdatedBy != "officer2" {
		t.Fatalf("update %+v → %+v %v", before, after, err)
	}
	// Dismissed; seen again, it is open again.
	if err := db.DismissUnplaced(ctx, third[0].ID, "officer1", at); err != nil {
		t.Fatal(err)
	}
	if dismissed, _ := db.UnplacedMessages(ctx, store.UnplacedDismissed, 10); len(dismissed) != 1 {
		t.Fatalf("dismissed %+v", dismissed)
	}
	if err := db.RecordUnplaced(ctx, "周末", "周末", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if again, _ := db.UnplacedMessages(ctx, store.UnplacedOpen, 10); len(again) != 1 || again[0].SeenCount != 2 {
		t.Fatalf("seen again %+v", again)
	}
	// Deleting the FAQ entry takes its paraphrases along.
	if _, err := db.DeleteTaughtFAQ(ctx, "invoice"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteTaughtParaphrase(ctx, tp.ID); err != nil {
		t.Fatal(err)
	}
	if paras, faqs, _ := db.Taught(ctx); len(paras) != 0 || len(faqs) != 0 {
		t.Fatalf("left %+v %+v", paras, faqs)
	}
	if _, err := db.DeleteTaughtFAQ(ctx, "invoice"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
}
