package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

// Concurrent sends of six drafts and of one draft twice: the quota of four
// holds and no broadcast is claimed twice.
func TestClaimBroadcastQuotaUnderConcurrency(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	now := time.Now()
	from, to, _ := domain.ParseMonth("", now)
	var ids []uint64
	for range 6 {
		b, err := db.CreateBroadcast(ctx, domain.Broadcast{Title: "t", Kind: "text", Content: "c", AudienceType: "all"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, b.ID)
	}
	ids = append(ids, ids[0])
	var (
		wg               sync.WaitGroup
		mu               sync.Mutex
		ok, quota, dupes int
	)
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.ClaimBroadcast(ctx, id, "admin", now, from, to, domain.MassSendsPerMonth)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, domain.ErrQuota):
				quota++
			case errors.Is(err, domain.ErrTransition):
				dupes++
			default:
				t.Errorf("claim %d: %v", id, err)
			}
		}()
	}
	wg.Wait()
	if ok != 4 || quota+dupes != 3 {
		t.Errorf("claimed %d, quota %d, dupes %d", ok, quota, dupes)
	}
	if n, err := db.MassSendsIn(ctx, from, to); err != nil || n != 4 {
		t.Errorf("mass sends %d %v", n, err)
	}
}

func TestFinishBroadcastIsIdempotent(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	now := time.Now()
	from, to, _ := domain.ParseMonth("", now)
	b, err := db.CreateBroadcast(ctx, domain.Broadcast{Title: "t", Kind: "text", Content: "c", AudienceType: "all"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimBroadcast(ctx, b.ID, "admin", now, from, to, 4); err != nil {
		t.Fatal(err)
	}
	if err := db.BroadcastSent(ctx, b.ID, 1000001, 2000001); err != nil {
		t.Fatal(err)
	}
	r := store.MassResult{MsgID: 1000001, Status: "send success", TotalCount: 10, FilterCount: 9, SentCount: 8, ErrorCount: 1, At: now}
	for i := range 3 {
		found, err := db.FinishBroadcast(ctx, r)
		if err != nil || !found {
			t.Fatalf("finish %d: %v %v", i, found, err)
		}
	}
	got, err := db.Broadcast(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.BroadcastFinished || got.SentCount != 8 || got.FilterCount != 9 || got.FinishedAt == nil {
		t.Errorf("finished %+v", got)
	}
	if found, err := db.FinishBroadcast(ctx, store.MassResult{MsgID: 42, At: now}); err != nil || found {
		t.Errorf("unknown job: %v %v", found, err)
	}
}

// A broadcast left "sending" by a dead instance can be sent again once the
// claim is stale, and only by one of two concurrent retries; a fresh claim
// cannot be taken over.
func TestStaleSendingBroadcastCanBeReclaimed(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	from, to, _ := domain.ParseMonth("", now)
	b, err := db.CreateBroadcast(ctx, domain.Broadcast{Title: "t", Kind: "text", Content: "c", AudienceType: "all"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimBroadcast(ctx, b.ID, "admin", now, from, to, domain.MassSendsPerMonth); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimBroadcast(ctx, b.ID, "admin", now.Add(time.Minute), from, to, domain.MassSendsPerMonth); !errors.Is(err, domain.ErrTransition) {
		t.Fatalf("a fresh claim was taken over: %v", err)
	}
	later := now.Add(store.StaleSending + time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.ClaimBroadcast(ctx, b.ID, "admin", later, from, to, domain.MassSendsPerMonth)
			if err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			} else if !errors.Is(err, domain.ErrTransition) {
				t.Errorf("reclaim: %v", err)
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d retries reclaimed the stale send, want 1", won)
	}
	if n, err := db.MassSendsIn(ctx, from, to); err != nil || n != 1 {
		t.Fatalf("the reclaimed send counts once against the quota: %d %v", n, err)
	}
}
