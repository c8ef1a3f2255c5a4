package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
)

func TestLeadNotesAndCorrection(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	l, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(700), "kunshan"), "o-ent", at, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddLeadNote(ctx, l.ID, "phone", "已电话联系", "account:ks", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	notes, err := db.LeadNotes(ctx, l.ID)
	if err != nil || len(notes) != 1 || notes[0].Kind != "phone" || notes[0].Actor != "account:ks" {
		t.Fatalf("notes %+v %v", notes, err)
	}
	// Wrongly rejected, then corrected back to work: open again, with an event.
	if _, err := moveLead(db, ctx, l.ID, domain.StatusRejected, "account:ks", "误操作", at.Add(2*time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	// The lead use cases decide the stamps of a correction (leads.TestCorrectionStampsContact).
	got, err := correctLead(db, ctx, domain.LeadMove{LeadID: l.ID, From: domain.StatusRejected, Steps: []domain.LeadStep{{Status: domain.StatusContacted, Note: "状态更正"}},
		Actor: "account:admin", At: at.Add(3 * time.Hour), Contacted: true})
	if err != nil {
		t.Fatal(err)
	}
	last, _ := got.Last()
	if got.Status != domain.StatusContacted || got.ContactedAt.IsZero() || len(got.Events) != 3 || last.Actor != "account:admin" {
		t.Fatalf("after correction %+v", got)
	}
	// Open again: a second open lead of the same kind and code is a duplicate.
	if _, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(700), "kunshan"), "o-ent", at.Add(4*time.Hour), nil); !errors.Is(err, domain.ErrDuplicate) {
		t.Errorf("a second open lead after the correction: %v", err)
	}
	// Back to submitted: waiting for contact again.
	got, err = correctLead(db, ctx, domain.LeadMove{LeadID: l.ID, From: domain.StatusContacted, Steps: []domain.LeadStep{{Status: domain.StatusSubmitted, Note: "退回待受理"}},
		Actor: "account:admin", At: at.Add(5 * time.Hour), Uncontacted: true})
	if err != nil || got.Status != domain.StatusSubmitted || !got.ContactedAt.IsZero() {
		t.Fatalf("back to submitted: %+v %v", got, err)
	}
	if _, err := correctLead(db, ctx, domain.LeadMove{LeadID: 999999, From: domain.StatusSubmitted}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown lead: %v", err)
	}
}

// correctLead writes a correction as the lead use cases decided it.
func correctLead(db *store.DB, ctx context.Context, m domain.LeadMove) (domain.Lead, error) {
	mv, err := db.RecordMove(ctx, m, nil)
	return mv.Lead, err
}

func TestContactProfileAndSessions(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	if err := db.SetContactProfile(ctx, "o-zl", "张琳", "13912345678"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("profile of no contact: %v", err)
	}
	bc, _ := db.CreateBindCode(ctx, "kunshan", "admin", at)
	if _, err := db.UseBindCode(ctx, bc.Code, "o-zl", at); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the same values twice: MySQL reports no row changed
		if err := db.SetContactProfile(ctx, "o-zl", "张琳", "13912345678"); err != nil {
			t.Fatal(err)
		}
	}
	cs, err := db.ContactsByOpenID(ctx, "o-zl")
	if err != nil || len(cs) != 1 || cs[0].Name != "张琳" || cs[0].Mobile != "13912345678" {
		t.Fatalf("contacts %+v %v", cs, err)
	}
	token, acc, err := db.ContactSession(ctx, cs[0], at)
	if err != nil || acc.Role != domain.RoleCounty || acc.County != "kunshan" || acc.OpenID != "o-zl" {
		t.Fatalf("session %+v %v", acc, err)
	}
	if got, err := db.Authenticate(ctx, token, at.Add(time.Minute)); err != nil || got.ID != acc.ID {
		t.Fatalf("token %+v %v", got, err)
	}
	// The next sign-in is the same account.
	if _, again, err := db.ContactSession(ctx, cs[0], at.Add(time.Hour)); err != nil || again.ID != acc.ID {
		t.Fatalf("second session %+v %v", again, err)
	}
	// That it cannot be entered with a password is admin's rule, tested
	// there (TestContactAccountTakesNoPassword).
	if _, _, err := db.OpenIDSession(ctx, "o-nobody", at); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("openid of no account: %v", err)
	}
	if _, err := db.CreateAccount(ctx, domain.NewAccount{Username: "boss", Password: "Sz-pass-2026", Role: "officer", OpenID: "o-boss"}, "admin"); err != nil {
		t.Fatal(err)
	}
	if _, a, err := db.OpenIDSession(ctx, "o-boss", at); err != nil || a.Username != "boss" {
		t.Errorf("officer by openid: %+v %v", a, err)
	}
}
