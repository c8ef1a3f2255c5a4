package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/seeds"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

// mustSeededDB returns a fresh database with the seeded counties.
func mustSeededDB(tb testing.TB) *store.DB {
	db, _ := mustSeededPolicy(tb)
	return db
}

// mustSeededPolicy opens a database seeded with the policy, and returns
// both.
func mustSeededPolicy(tb testing.TB) (*store.DB, *dialog.Policy) {
	tb.Helper()
	db := storetest.MustOpenDB(tb)
	p, err := seeds.Load()
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.SeedPolicy(context.Background(), p, false); err != nil {
		tb.Fatal(err)
	}
	return db, p
}

func sampleLead(kind, code, county string) dialog.SubmitLead {
	return dialog.SubmitLead{
		Kind: kind, EnterpriseName: "苏州测试精密机械有限公司", CreditCode: code, County: county,
		Contact: "张三", Phone: "13912345678", Product: "szd", AmountWan: 500, TermMonths: 12,
		Purpose: "采购原材料", ConsentAt: time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC), PolicyVersion: "v",
	}
}

func code(i int) string { return fmt.Sprintf("91320583MA1N2P%04d", i) }

func notifyOne(l domain.Lead, ev domain.LeadEvent) ([]store.Message, error) {
	return []store.Message{{Channel: "template", Recipient: "o-contact",
		DedupeKey: fmt.Sprintf("lead:%d:new:o-contact", l.ID), Payload: "{}"}}, nil
}

func count(tb testing.TB, db *store.DB, table string) int64 {
	tb.Helper()
	var n int64
	if err := db.Table(table).Count(&n).Error; err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestCreateLeadNumbersPerShanghaiDay(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	// 2026-11-27 15:59 UTC is 23:59 in Shanghai; 16:00 UTC is the next day there.
	late := time.Date(2026, 11, 27, 15, 59, 0, 0, time.UTC)
	var got []string
	for i, at := range []time.Time{late.Add(-time.Hour), late, late.Add(time.Minute), late.Add(2 * time.Minute)} {
		l, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(i), "kunshan"), "o-ent", at, notifyOne)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, l.Number)
		if l.Status != domain.StatusSubmitted || len(l.Events) != 1 || l.Events[0].Status != domain.StatusSubmitted {
			t.Errorf("lead %+v", l)
		}
	}
	want := []string{"SZR-20261127-0001", "SZR-20261127-0002", "SZR-20261128-0001", "SZR-20261128-0002"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("numbers %v, want %v", got, want)
	}
	if n := count(t, db, "outboxes"); n != 4 {
		t.Errorf("outbox rows %d, want 4", n)
	}
}

func TestCreateLeadConcurrentNumbersAreUnique(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	numbers := make([]string, 8)
	errs := make([]error, 8)
	for i := range numbers {
		wg.Go(func() {
			l, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(100+i), "sip"), "o-ent", at, nil)
			numbers[i], errs[i] = l.Number, err
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, n := range numbers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if seen[n] {
			t.Errorf("number %s handed out twice", n)
		}
		seen[n] = true
	}
	if !seen["SZR-20261127-0008"] {
		t.Errorf("numbers %v, want 0001–0008", numbers)
	}
}

func TestCreateLeadDuplicate(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	first, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(1), "kunshan"), "o-ent", at, notifyOne)
	if err != nil {
		t.Fatal(err)
	}
	// Same kind and credit code while open: the open lead is returned.
	dup, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(1), "kunshan"), "o-other", at.Add(time.Hour), notifyOne)
	if !errors.Is(err, domain.ErrDuplicate) || dup.Number != first.Number {
		t.Fatalf("duplicate: %+v %v", dup, err)
	}
	// Another kind is not a duplicate.
	if _, err := db.CreateLead(ctx, sampleLead(domain.LeadApply, code(1), "kunshan"), "o-ent", at, notifyOne); err != nil {
		t.Fatalf("apply after need: %v", err)
	}
	if n := count(t, db, "leads"); n != 2 {
		t.Errorf("leads %d, want 2", n)
	}
	// Once the first is closed, a new one may be filed.
	if _, err := moveLead(db, ctx, first.ID, domain.StatusWithdrawn, "officer", "企业撤回", at, nil); err != nil {
		t.Fatal(err)
	}
	again, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(1), "kunshan"), "o-ent", at.Add(2*time.Hour), notifyOne)
	if err != nil || again.Number == first.Number {
		t.Fatalf("after withdrawal: %+v %v", again, err)
	}
	// Concurrent duplicates: exactly one is stored.
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored, dups := 0, 0
	for range 6 {
		wg.Go(func() {
			_, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(9), "kunshan"), "o-ent", at, notifyOne)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				stored++
			case errors.Is(err, domain.ErrDuplicate):
				dups++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if stored != 1 || dups != 5 {
		t.Errorf("concurrent: stored %d, duplicates %d", stored, dups)
	}
}

func TestCreateLeadIsTransactional(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	failures := map[string]store.NotifyFunc{
		"notify fails": func(domain.Lead, domain.LeadEvent) ([]store.Message, error) {
			return nil, errors.New("boom")
		},
		"outbox insert fails": func(l domain.Lead, _ domain.LeadEvent) ([]store.Message, error) {
			// A channel longer than its column fails on MySQL in strict
			// mode; on SQLite a trigger refuses the row (below).
			return []store.Message{{Channel: strings.Repeat("x", 5000), Recipient: "o", DedupeKey: "k"}}, nil
		},
	}
	for name, notify := range failures {
		t.Run(name, func(t *testing.T) {
			db := mustSeededDB(t)
			if name == "outbox insert fails" && db.Dialect() == "sqlite" {
				// SQLite does not enforce column sizes.
				if err := db.Exec("CREATE TRIGGER outbox_refuse BEFORE INSERT ON outboxes WHEN NEW.dedupe_key = 'k' BEGIN SELECT RAISE(ABORT, 'refused'); END").Error; err != nil {
					t.Fatal(err)
				}
			}
			before := count(t, db, "outboxes")
			_, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(1), "kunshan"), "o-ent", at, notify)
			if err == nil {
				t.Fatal("no error")
			}
			if n := count(t, db, "leads"); n != 0 {
				t.Errorf("leads %d after a failed submit", n)
			}
			if n := count(t, db, "lead_events"); n != 0 {
				t.Errorf("lead events %d after a failed submit", n)
			}
			if n := count(t, db, "outboxes"); n != before {
				t.Errorf("outbox rows %d after a failed submit, want %d", n, before)
			}
			// The number was not used up either: the next lead gets 0001.
			l, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(1), "kunshan"), "o-ent", at, nil)
			if err != nil || l.Number != "SZR-20261127-0001" {
				t.Errorf("next lead %q %v", l.Number, err)
			}
		})
	}
}

func TestMoveLead(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	l, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(1), "kunshan"), "o-ent", at, nil)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct{ to, note string }{
		{"contacted", "已电话联系"}, {"reviewing", ""}, {"pre_approved", "授信500万"}, {"contracted", ""}, {"disbursed", "已放款"},
	}
	for i, s := range steps {
		var notified []domain.LeadEvent
		got, err := moveLead(db, ctx, l.ID, s.to, "account:admin", s.note, at.Add(time.Duration(i+1)*time.Hour),
			func(l domain.Lead, ev domain.LeadEvent) ([]store.Message, error) {
				notified = append(notified, ev)
				return []store.Message{{Channel: "text", Recipient: l.OpenID, DedupeKey: fmt.Sprintf("lead:%d:event:%d", l.ID, ev.ID)}}, nil
			})
		if err != nil {
			t.Fatalf("→%s: %v", s.to, err)
		}
		if got.Status != s.to || len(got.Events) != i+2 || len(notified) != 1 || notified[0].Note != s.note ||
			notified[0].Actor != "account:admin" {
			t.Fatalf("→%s: %+v %+v", s.to, got, notified)
		}
		if s.to == "contacted" && got.ContactedAt.IsZero() {
			t.Error("contacted_at not set")
		}
	}
	if _, err := moveLead(db, ctx, 999999, domain.StatusContacted, "x", "", at, nil); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown lead: %v", err)
	}
	got, err := db.LeadByNumber(ctx, l.Number)
	if err != nil || len(got.Events) != 6 || got.Status != "disbursed" {
		t.Fatalf("history %+v %v", got, err)
	}
	if n := count(t, db, "outboxes"); n != 5 {
		t.Errorf("outbox rows %d, want one per change", n)
	}
}

func TestLeadsFilterAndLastEvent(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	a, _ := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(1), "kunshan"), "o-1", at, nil)
	db.CreateLead(ctx, sampleLead(domain.LeadApply, code(2), "sip"), "o-2", at.Add(time.Minute), nil)
	if _, err := moveLead(db, ctx, a.ID, "contacted", "x", "已联系", at.Add(time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		f    domain.LeadFilter
		want int
	}{
		{domain.LeadFilter{}, 2}, {domain.LeadFilter{County: "kunshan"}, 1}, {domain.LeadFilter{Kind: "apply"}, 1},
		{domain.LeadFilter{Status: "contacted"}, 1}, {domain.LeadFilter{OpenID: "o-2"}, 1}, {domain.LeadFilter{County: "gusu"}, 0},
	}
	for _, tt := range tests {
		got, err := db.Leads(ctx, tt.f)
		if err != nil || len(got) != tt.want {
			t.Errorf("%+v: %d %v, want %d", tt.f, len(got), err, tt.want)
		}
	}
	got, _ := db.Leads(ctx, domain.LeadFilter{OpenID: "o-1"})
	if last, ok := got[0].Last(); !ok || last.Status != "contacted" || last.Note != "已联系" {
		t.Errorf("last event %+v", got[0].Events)
	}
}

func TestMarkLeadOnce(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	l, _ := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(1), "kunshan"), "o-1", at, nil)
	msg := store.Message{Channel: "template", Recipient: "o-c", DedupeKey: "lead:x:remind:o-c"}
	set, err := db.MarkLead(ctx, l.ID, store.MarkReminded, at, []store.Message{msg})
	if err != nil || !set {
		t.Fatalf("first mark: %v %v", set, err)
	}
	set, err = db.MarkLead(ctx, l.ID, store.MarkReminded, at, []store.Message{msg})
	if err != nil || set {
		t.Fatalf("second mark: %v %v", set, err)
	}
	if n := count(t, db, "outboxes"); n != 1 {
		t.Errorf("outbox %d", n)
	}
	overdue, err := db.OverdueLeads(ctx, at.Add(time.Hour))
	if err != nil || len(overdue) != 1 || overdue[0].RemindedAt.IsZero() {
		t.Fatalf("overdue %+v %v", overdue, err)
	}
	db.MarkLead(ctx, l.ID, store.MarkEscalated, at, nil)
	if overdue, _ := db.OverdueLeads(ctx, at.Add(time.Hour)); len(overdue) != 0 {
		t.Errorf("reminded and escalated lead still listed")
	}
}
