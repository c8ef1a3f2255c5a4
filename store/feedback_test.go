package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

func TestUnhelpfulAnswersJoinTheLearningQueue(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	// Asked and not placed first; then answered (taught) and judged 没用.
	if err := db.RecordUnplaced(ctx, "苏质贷利率多少", "苏质贷利率多少", at); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := db.RecordUnhelpful(ctx, "苏质贷利率多少", "苏质贷利率多少？", "rates", "利率上限 LPR+30个基点", at.Add(time.Duration(i+1)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	open, err := db.UnplacedMessages(ctx, store.UnplacedOpen, 10)
	if err != nil || len(open) != 1 {
		t.Fatalf("open %+v %v", open, err)
	}
	m := open[0]
	if m.SeenCount != 3 || m.Unhelpful != 2 || m.Answer != "利率上限 LPR+30个基点" || m.FAQ != "rates" || !m.LastSeen.Equal(at.Add(2*time.Minute)) {
		t.Fatalf("unhelpful %+v", m)
	}
	for _, useful := range []bool{true, true, false} {
		if err := db.RecordAnswerFeedback(ctx, "rates", useful, at); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.RecordAnswerFeedback(ctx, "tiers", true, at.AddDate(0, 0, -100)); err != nil {
		t.Fatal(err)
	}
	counts, err := db.AnswerFeedbackCounts(ctx, at.AddDate(0, 0, -90))
	if err != nil || len(counts) != 1 || counts[0] != (domain.FeedbackCount{FAQ: "rates", Useful: 2, Unhelpful: 1}) {
		t.Fatalf("counts %+v %v", counts, err)
	}
}

func TestALeadIsRatedOnce(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	asked := at
	lead := domain.Lead{ID: 7, Number: "SZR-20261203-0007", Kind: domain.LeadNeed, County: "kunshan", OpenID: "o-rate", Status: domain.StatusDisbursed}
	if err := db.OpenRating(ctx, lead, &asked, at); err != nil {
		t.Fatal(err)
	}
	if err := db.OpenRating(ctx, lead, nil, at.Add(time.Hour)); err != nil { // a second close changes nothing
		t.Fatal(err)
	}
	due, err := db.RatingDue(ctx, "o-rate", at.Add(-domain.RatingWindow))
	if err != nil || due.Lead != lead.Number || due.Rated || !due.AskedAt.Equal(asked) || due.Kind != domain.LeadNeed {
		t.Fatalf("due %+v %v", due, err)
	}
	if due, _ := db.RatingDue(ctx, "o-rate", at.Add(time.Minute)); due.Lead != "" {
		t.Fatalf("due outside the window: %+v", due)
	}
	if _, err := db.RateLead(ctx, lead.Number, "o-other", 2, "", at); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("another follower rated: %v", err)
	}
	r, err := db.RateLead(ctx, lead.Number, "o-rate", domain.RatingDissatisfied, "太慢", at.Add(time.Minute))
	if err != nil || r.Level != domain.RatingDissatisfied || r.Comment != "太慢" || r.County != "kunshan" {
		t.Fatalf("rate %+v %v", r, err)
	}
	if _, err := db.RateLead(ctx, lead.Number, "o-rate", domain.RatingVerySatisfied, "", at.Add(2*time.Minute)); !errors.Is(err, store.ErrRated) {
		t.Fatalf("rated twice: %v", err)
	}
	if due, _ := db.RatingDue(ctx, "o-rate", at.Add(-domain.RatingWindow)); !due.Rated {
		t.Fatalf("due after rating %+v", due)
	}
	// Another county's ratings, and one outside the month.
	for i, c := range []struct {
		county string
		level  int
		at     time.Time
	}{{"kunshan", 1, at}, {"wujiang", 2, at}, {"wujiang", 3, at}, {"kunshan", 5, at.AddDate(0, 1, 0)}} {
		l := domain.Lead{ID: uint64(100 + i), Number: "SZR-X-" + string(rune('a'+i)), Kind: domain.LeadApply, County: c.county, OpenID: "o-r", Status: domain.StatusApproved}
		if err := db.OpenRating(ctx, l, nil, c.at); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RateLead(ctx, l.Number, "o-r", c.level, "", c.at); err != nil {
			t.Fatal(err)
		}
	}
	counts, err := db.RatingCounts(ctx, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(counts) != 2 {
		t.Fatalf("counts %+v %v", counts, err)
	}
	ks, wj := counts[0], counts[1]
	if ks.County != "kunshan" || ks.ByLevel[1] != 1 || ks.ByLevel[4] != 1 || ks.Rated() != 2 || ks.SatisfiedPct() != 50 {
		t.Fatalf("kunshan %+v", ks)
	}
	if wj.County != "wujiang" || wj.Rated() != 2 || wj.SatisfiedPct() != 100 {
		t.Fatalf("wujiang %+v", wj)
	}
	// Erasing the follower's data keeps the count, not who or what was said.
	if _, err := db.ErasePersonalData(ctx, "o-rate", at); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.RatingDue(ctx, "o-rate", at.Add(-domain.RatingWindow)); due.Lead != "" {
		t.Fatalf("erased follower still has a rating due: %+v", due)
	}
	if counts, _ := db.RatingCounts(ctx, at.AddDate(0, 0, -2), at.AddDate(0, 0, 28)); len(counts) == 0 || counts[0].ByLevel[4] != 1 {
		t.Fatalf("erasure lost the count: %+v", counts)
	}
}
