package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/store"
)

// The store is what the lead use cases declare they need.
var (
	_ leads.Repo         = (*store.DB)(nil)
	_ leads.OutboxRepo   = (*store.DB)(nil)
	_ leads.SessionStore = (*store.Sessions)(nil)
)

// moveLead writes a one-step move of lead id from the status it is in, as
// the lead use cases would once they allowed it: the store checks no
// transition; reaching 已受理 stamps the first contact.
func moveLead(db *store.DB, ctx context.Context, id uint64, to, actor, note string, at time.Time, notify domain.NotifyFunc) (domain.Lead, error) {
	l, err := db.Lead(ctx, id)
	if err != nil {
		return domain.Lead{}, err
	}
	m := domain.LeadMove{LeadID: id, From: l.Status, Steps: []domain.LeadStep{{Status: to, Note: note}}, Actor: actor, At: at,
		Contacted: to == domain.StatusContacted}
	var fn domain.MoveNotifyFunc
	if notify != nil {
		fn = func(mv domain.Moved) ([]domain.Notification, error) { return notify(mv.Lead, mv.Event) }
	}
	mv, err := db.RecordMove(ctx, m, fn)
	return mv.Lead, err
}

// A move decided on a status the lead has left is refused whole: of two
// concurrent moves one wins.
func TestRecordMoveRefusesStaleStatus(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	l, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(1), "kunshan"), "o-ent", at, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := domain.LeadMove{LeadID: l.ID, From: domain.StatusSubmitted, Steps: []domain.LeadStep{{Status: domain.StatusContacted}},
		Actor: "account:ks", At: at, Contacted: true}
	if _, err := db.RecordMove(ctx, m, nil); err != nil {
		t.Fatal(err)
	}
	m.Steps[0].Status = domain.StatusRejected
	if _, err := db.RecordMove(ctx, m, nil); !errors.Is(err, domain.ErrTransition) {
		t.Fatalf("stale move: %v", err)
	}
	got, err := db.Lead(ctx, l.ID)
	if err != nil || got.Status != domain.StatusContacted || len(got.Events) != 2 || got.ContactedAt.IsZero() {
		t.Fatalf("after the stale move: %+v %v", got, err)
	}
	if _, err := db.RecordMove(ctx, domain.LeadMove{LeadID: 999999, From: domain.StatusSubmitted}, nil); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown lead: %v", err)
	}
}
