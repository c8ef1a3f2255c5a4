package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

func TestMigrationsAreRecordedAndIdempotent(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	var n int64
	if err := db.Table("schema_migrations").Count(&n).Error; err != nil || n == 0 {
		t.Fatalf("schema_migrations: %d %v", n, err)
	}
	// Opening the same database again applies nothing new.
	if err := db.Exec("SELECT 1").Error; err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"followers", "counties", "settings", "leads", "lead_events", "outboxes", "county_contacts", "bind_codes", "sandbox_messages"} {
		if !db.Migrator().HasTable(table) {
			t.Errorf("table %s missing on %s", table, db.Dialect())
		}
	}
}

func TestFollowers(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	if p, err := db.Profile(ctx, "o-unknown"); err != nil || p.Tier != 0 {
		t.Fatalf("unknown follower: %+v %v", p, err)
	}
	if err := db.Follow(ctx, "o-1", "1004", "kunshan", at); err != nil {
		t.Fatal(err)
	}
	if err := db.Follow(ctx, "o-1", "1001", "zhangjiagang", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	f, err := db.Follower(ctx, "o-1")
	if err != nil {
		t.Fatal(err)
	}
	if f.Scene != "1004" || f.County != "kunshan" || !f.Subscribed {
		t.Fatalf("first source must be kept: %+v", f)
	}
	if err := db.SaveCheck(ctx, "o-1", domain.Tier2, []string{"t2-ccc", "t2-aa"}, at); err != nil {
		t.Fatal(err)
	}
	p, err := db.Profile(ctx, "o-1")
	if err != nil || p.Tier != domain.Tier2 || len(p.Criteria) != 2 || p.County != "kunshan" || !p.CheckedAt.Equal(at) {
		t.Fatalf("profile %+v %v", p, err)
	}
	if err := db.Unfollow(ctx, "o-1", at); err != nil {
		t.Fatal(err)
	}
	if f, _ := db.Follower(ctx, "o-1"); f.Subscribed || f.Tier != 2 {
		t.Fatalf("unfollow keeps the record: %+v", f)
	}
	// A self-check before any subscribe event (menu pushed before the
	// service existed) still saves.
	if err := db.SaveCheck(ctx, "o-2", domain.Tier4, nil, at); err != nil {
		t.Fatal(err)
	}
	// Its later subscribe through a county's poster still records the
	// source and the county, and keeps the result.
	if err := db.Follow(ctx, "o-2", "1004", "kunshan", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if f, err := db.Follower(ctx, "o-2"); err != nil || f.Scene != "1004" || f.County != "kunshan" || f.Tier != 4 ||
		f.CheckedAt == nil || !f.CheckedAt.Equal(at) || !f.CreatedAt.Equal(at) {
		t.Fatalf("self-check, then subscribe: %+v %v", f, err)
	}
	if _, err := db.Follower(ctx, "o-missing"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("missing follower: %v", err)
	}
}

// A profile says whether the follower has filed anything, also when the
// follower has no record of its own yet.
func TestProfileKnowsApplications(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	if p, err := db.Profile(ctx, "o-new"); err != nil || p.Applied != dialog.AppliedNone || p.Tier != 0 || p.County != "" {
		t.Fatalf("new follower: %+v %v", p, err)
	}
	if _, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(21), "kunshan"), "o-filed", at, nil); err != nil {
		t.Fatal(err)
	}
	if p, err := db.Profile(ctx, "o-filed"); err != nil || p.Applied != dialog.AppliedSome {
		t.Fatalf("filed without a follower record: %+v %v", p, err)
	}
	if err := db.SaveCheck(ctx, "o-filed", domain.Tier3, []string{"t3-a"}, at); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveCheck(ctx, "o-checked", domain.Tier2, []string{"t2-a", "t2-b"}, at); err != nil {
		t.Fatal(err)
	}
	p, err := db.Profile(ctx, "o-filed")
	if err != nil || p.Applied != dialog.AppliedSome || p.Tier != domain.Tier3 || !p.CheckedAt.Equal(at) || len(p.Criteria) != 1 {
		t.Fatalf("filed and checked: %+v %v", p, err)
	}
	p, err = db.Profile(ctx, "o-checked")
	if err != nil || p.Applied != dialog.AppliedNone || p.Tier != domain.Tier2 || len(p.Criteria) != 2 {
		t.Fatalf("checked only: %+v %v", p, err)
	}
}

func TestSeedNeverOverwritesOfficerEdits(t *testing.T) {
	t.Parallel()
	db, base := mustSeededPolicy(t)
	ctx := context.Background()
	if err := db.Model(&store.CountyRecord{}).Where("id = ?", "kunshan").
		Updates(map[string]any{"contact": "李四", "phone": "0512-11112222", "updated_by": "officer"}).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.SetLPR(ctx, 2.9, "2026-12-22", "officer"); err != nil {
		t.Fatal(err)
	}
	if err := db.SeedPolicy(ctx, base, false); err != nil { // a restart
		t.Fatal(err)
	}
	p, err := db.Policy(ctx, base, time.Date(2026, 12, 22, 1, 0, 0, 0, time.UTC)) // 09:00 in Suzhou on its day
	if err != nil {
		t.Fatal(err)
	}
	ks, _ := p.County("kunshan")
	if ks.Contact != "李四" || ks.Phone != "0512-11112222" || p.LPR != 2.9 || p.LPRDate != "2026-12-22" {
		t.Fatalf("restart overwrote edits: %+v lpr %v %s", ks, p.LPR, p.LPRDate)
	}
	if pct, _, _ := p.RateCap(domain.Tier1); pct != 3.2 {
		t.Fatalf("rate cap at the new LPR: %v", pct)
	}
	if base.LPR != 3.0 {
		t.Fatal("Policy modified the seeded base")
	}
	if err := db.SeedPolicy(ctx, base, true); err != nil { // go run . seed
		t.Fatal(err)
	}
	p, _ = db.Policy(ctx, base, time.Date(2026, 12, 22, 1, 0, 0, 0, time.UTC))
	ks, _ = p.County("kunshan")
	if ks.Contact != "张琳" || p.LPR != base.LPR {
		t.Fatalf("seed reload did not restore: %+v %v", ks, p.LPR)
	}
	if len(p.Counties) != 11 || p.Counties[0].ID != base.Counties[0].ID {
		t.Fatalf("counties keep seed order: %d", len(p.Counties))
	}
	if err := db.SetLPR(ctx, 0, "2026-12-22", "officer"); err == nil {
		t.Fatal("an LPR of 0 was accepted")
	}
	if err := db.SetLPR(ctx, 3.1, "22/12/2026", "officer"); err == nil {
		t.Fatal("a malformed date was accepted")
	}
	id, err := db.CountyByScene(ctx, "1004")
	if err != nil || id != base.Counties[3].ID {
		t.Fatalf("scene 1004: %q %v", id, err)
	}
	if id, _ := db.CountyByScene(ctx, "poster-x"); id != "" {
		t.Fatalf("non-numeric scene matched %q", id)
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	rdb, prefix := storetest.MustOpenRedis(t)
	s := store.NewSessions(rdb, prefix)
	ctx := context.Background()
	if _, err := s.Load(ctx, "o-1"); !errors.Is(err, dialog.ErrNoState) {
		t.Fatalf("empty load: %v", err)
	}
	st := dialog.State{
		Flow: "need", Step: "phone", History: []string{"name", "code"}, Fields: map[string]string{"name": "苏州精密"},
		Profile:   dialog.Profile{Tier: domain.Tier3, Criteria: []string{"t3-a"}, County: "wujiang", CheckedAt: time.Unix(1_700_000_000, 0).UTC()},
		UpdatedAt: time.UnixMilli(1_700_000_123_456).UTC(),
	}
	c, err := s.Begin(ctx, "m1", "o-1")
	if err != nil || !c.First || c.HasState {
		t.Fatalf("first claim: %+v %v", c, err)
	}
	// Another message of the same follower waits for this one's turn.
	if _, err := s.Begin(ctx, "m9", "o-1"); !errors.Is(err, store.ErrBusyTurn) {
		t.Fatalf("second message during a turn: %v", err)
	}
	if other, err := s.Begin(ctx, "m9", "o-other"); err != nil || !other.First {
		t.Fatalf("another follower is not held up: %+v %v", other, err)
	} else if err := s.Release(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(ctx, c, &st, []byte("<xml>reply</xml>")); err != nil {
		t.Fatal(err)
	}
	again, err := s.Begin(ctx, "m1", "o-1")
	if err != nil || again.First || string(again.Reply) != "<xml>reply</xml>" {
		t.Fatalf("repeat claim: %+v %v", again, err)
	}
	next, err := s.Begin(ctx, "m2", "o-1")
	if err != nil || !next.First || !next.HasState {
		t.Fatalf("next message: %+v %v", next, err)
	}
	got := next.State
	if got.Flow != st.Flow || got.Step != st.Step || len(got.History) != 2 || got.Fields["name"] != "苏州精密" ||
		got.Profile.Tier != domain.Tier3 || got.Profile.County != "wujiang" || !got.Profile.CheckedAt.Equal(st.Profile.CheckedAt) ||
		!got.UpdatedAt.Equal(st.UpdatedAt) {
		t.Fatalf("state round trip:\n%+v\n%+v", got, st)
	}
	// A claim in progress reads as pending; a released one can be taken again.
	if r, err := s.Reply(ctx, "m2", "o-1"); err != nil || string(r) != store.Pending {
		t.Fatalf("pending: %q %v", r, err)
	}
	if err := s.Release(ctx, next); err != nil {
		t.Fatal(err)
	}
	retry, err := s.Begin(ctx, "m2", "o-1")
	if err != nil || !retry.First {
		t.Fatalf("after release: %+v %v", retry, err)
	}
	// A turn whose holder died ends with its lease.
	if _, err := s.Begin(ctx, "m3", "o-1"); !errors.Is(err, store.ErrBusyTurn) {
		t.Fatalf("turn held: %v", err)
	}
	outliveTurnLease(rdb)
	if c, err := s.Begin(ctx, "m3", "o-1"); err != nil || !c.First {
		t.Fatalf("after the lease: %+v %v", c, err)
	}
	// Keys carry the openid as a hash tag, so the script works on a cluster.
	ttl, err := rdb.TTL(ctx, prefix+"state:{o-1}").Result()
	if err != nil || ttl <= 47*time.Hour {
		t.Fatalf("state TTL %v %v", ttl, err)
	}
	if seen, err := s.LastSeen(ctx, "o-1"); err != nil || !seen.Equal(st.UpdatedAt) {
		t.Fatalf("last seen %v %v", seen, err)
	}
	// A record of another shape version is dropped, not misread.
	if err := rdb.Set(ctx, prefix+"state:{o-3}", `{"v":99,"flow":"x"}`, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "o-3"); !errors.Is(err, dialog.ErrNoState) {
		t.Fatalf("old version: %v", err)
	}
}

// outliveTurnLease lets a turn's lease run out: on the embedded Redis by
// moving its clock, on a real one by waiting.
func outliveTurnLease(rdb *store.Redis) {
	if mr := rdb.Embedded(); mr != nil {
		mr.FastForward(store.TurnLease + time.Millisecond)
	} else {
		time.Sleep(store.TurnLease + 100*time.Millisecond)
	}
}

// leaseOverrun begins a turn of openID (m1), lets its lease run out and
// begins the next (m2): the slow turn and the one that took over.
func leaseOverrun(t *testing.T, s *store.Sessions, rdb *store.Redis, openID string) (slow, next store.Claim) {
	t.Helper()
	ctx := context.Background()
	slow, err := s.Begin(ctx, "m1", openID)
	if err != nil || !slow.First {
		t.Fatalf("first turn: %+v %v", slow, err)
	}
	outliveTurnLease(rdb)
	next, err = s.Begin(ctx, "m2", openID)
	if err != nil || !next.First {
		t.Fatalf("second turn after the lease: %+v %v", next, err)
	}
	return slow, next
}

// A turn that outlived its lease cannot overwrite the state a later turn saved.
func TestSlowTurnDoesNotOverwriteNewerState(t *testing.T) {
	t.Parallel()
	rdb, prefix := storetest.MustOpenRedis(t)
	s := store.NewSessions(rdb, prefix)
	ctx := context.Background()
	slow, fast := leaseOverrun(t, s, rdb, "o-slow")
	if err := s.Finish(ctx, fast, &dialog.State{Flow: "need", Step: "phone"}, []byte("r2")); err != nil {
		t.Fatal(err)
	}
	err := s.Finish(ctx, slow, &dialog.State{Flow: "selfcheck", Step: "c1"}, []byte("r1"))
	if !errors.Is(err, store.ErrStaleTurn) {
		t.Fatalf("slow finish: %v", err)
	}
	st, err := s.Load(ctx, "o-slow")
	if err != nil || st.Flow != "need" || st.Step != "phone" {
		t.Fatalf("state %+v %v: the newer turn's state must stay", st, err)
	}
	// The slow turn's reply is still kept for WeChat's retries.
	if r, err := s.Reply(ctx, "m1", "o-slow"); err != nil || string(r) != "r1" {
		t.Fatalf("slow reply %q %v", r, err)
	}
	// And the next turn reads and saves normally.
	next, err := s.Begin(ctx, "m3", "o-slow")
	if err != nil || !next.First || next.State.Flow != "need" {
		t.Fatalf("next turn: %+v %v", next, err)
	}
	if err := s.Finish(ctx, next, &dialog.State{Flow: "need", Step: "product"}, []byte("r3")); err != nil {
		t.Fatal(err)
	}
}

// A turn that outlived its lease while the next turn still runs leaves
// that turn's lock and state alone.
func TestSlowTurnLeavesTheRunningTurnsLock(t *testing.T) {
	t.Parallel()
	rdb, prefix := storetest.MustOpenRedis(t)
	s := store.NewSessions(rdb, prefix)
	ctx := context.Background()
	slow, running := leaseOverrun(t, s, rdb, "o-lock")
	if err := s.Finish(ctx, slow, &dialog.State{Flow: "selfcheck", Step: "c1"}, []byte("r1")); !errors.Is(err, store.ErrStaleTurn) {
		t.Fatalf("slow finish while the next turn runs: %v", err)
	}
	if _, err := s.Begin(ctx, "m3", "o-lock"); !errors.Is(err, store.ErrBusyTurn) {
		t.Fatalf("a third message while the second runs: %v", err)
	}
	if _, err := s.Load(ctx, "o-lock"); !errors.Is(err, dialog.ErrNoState) {
		t.Fatalf("the slow turn saved a state: %v", err)
	}
	if err := s.Finish(ctx, running, &dialog.State{Flow: "need", Step: "phone"}, []byte("r2")); err != nil {
		t.Fatalf("the running turn's finish: %v", err)
	}
	next, err := s.Begin(ctx, "m3", "o-lock")
	if err != nil || !next.First || next.State.Flow != "need" {
		t.Fatalf("next turn: %+v %v", next, err)
	}
}

// A scheduled LPR waits for its day (China time); the history stays.
func TestLPRSchedule(t *testing.T) {
	t.Parallel()
	db, base := mustSeededPolicy(t)
	ctx := context.Background()
	for _, r := range []struct {
		rate float64
		date string
	}{{2.9, "2026-10-20"}, {2.8, "2099-01-01"}, {2.85, "2026-10-20"}} {
		if err := db.SetLPR(ctx, r.rate, r.date, "officer"); err != nil {
			t.Fatal(err)
		}
	}
	for at, want := range map[time.Time]float64{
		time.Date(2026, 10, 19, 15, 59, 0, 0, time.UTC): base.LPR, // 23:59 on the 19th in Suzhou
		time.Date(2026, 10, 19, 16, 0, 0, 0, time.UTC):  2.85,     // midnight of the 20th: the day's correction wins
		time.Date(2098, 12, 31, 12, 0, 0, 0, time.UTC):  2.85,
		time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC):     2.8,
	} {
		p, err := db.Policy(ctx, base, at)
		if err != nil || p.LPR != want {
			t.Errorf("at %v: LPR %v (%v), want %v", at, p.LPR, err, want)
		}
	}
	rows, err := db.LPRSchedule(ctx)
	if err != nil || len(rows) != 3 || rows[0].EffectiveOn != "2099-01-01" {
		t.Fatalf("schedule %+v %v", rows, err)
	}
}

// The pipeline's interfaces are what the stores implement.
var (
	_ bot.Sessions = (*store.Sessions)(nil)
	_ bot.Records  = (*store.DB)(nil)
)
