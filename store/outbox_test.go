package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/store"
)

func TestOutboxEnqueueIsIdempotent(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	m := store.Message{Channel: "template", Recipient: "o-1", DedupeKey: "lead:1:new:o-1", Payload: "{}"}
	for range 3 {
		if err := db.Enqueue(ctx, at, m); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, db, "outboxes"); n != 1 {
		t.Errorf("rows %d, want 1", n)
	}
}

func TestOutboxClaimLifecycle(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	db.Enqueue(ctx, at, store.Message{Channel: "text", Recipient: "o-1", DedupeKey: "a"})
	db.Enqueue(ctx, at.Add(time.Hour), store.Message{Channel: "text", Recipient: "o-1", DedupeKey: "later"})

	rows, err := db.ClaimOutbox(ctx, "w1", at, time.Minute, 10)
	if err != nil || len(rows) != 1 || rows[0].DedupeKey != "a" || rows[0].Attempts != 1 {
		t.Fatalf("claim: %+v %v", rows, err)
	}
	// Locked: another worker gets nothing.
	if rows, _ := db.ClaimOutbox(ctx, "w2", at.Add(30*time.Second), time.Minute, 10); len(rows) != 0 {
		t.Fatalf("locked row claimed again: %+v", rows)
	}
	// The first worker died; its lock expires and the row is due again.
	rows, _ = db.ClaimOutbox(ctx, "w2", at.Add(2*time.Minute), time.Minute, 10)
	if len(rows) != 1 || rows[0].Attempts != 2 {
		t.Fatalf("expired lock not reclaimed: %+v", rows)
	}
	// The dead worker's late MarkSent does not count: it no longer holds it.
	if held, err := db.MarkSent(ctx, rows[0].ID, "w1", at); err != nil || held {
		t.Errorf("stale owner marked sent: %v %v", held, err)
	}
	if err := db.MarkRetry(ctx, rows[0].ID, "w2", "errcode=-1", at.Add(10*time.Minute), at.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if rows, _ := db.ClaimOutbox(ctx, "w3", at.Add(5*time.Minute), time.Minute, 10); len(rows) != 0 {
		t.Fatalf("claimed before its retry time: %+v", rows)
	}
	rows, _ = db.ClaimOutbox(ctx, "w3", at.Add(61*time.Minute), time.Minute, 10)
	if len(rows) != 2 {
		t.Fatalf("due rows %+v", rows)
	}
	for _, r := range rows {
		if held, err := db.MarkSent(ctx, r.ID, "w3", at.Add(61*time.Minute)); err != nil || !held {
			t.Fatalf("mark sent %v %v", held, err)
		}
	}
	if rows, _ := db.ClaimOutbox(ctx, "w4", at.Add(10*time.Hour), time.Minute, 10); len(rows) != 0 {
		t.Errorf("sent rows claimed: %+v", rows)
	}
	// A permanent failure is given up.
	db.Enqueue(ctx, at, store.Message{Channel: "text", Recipient: "o-1", DedupeKey: "dead"})
	rows, _ = db.ClaimOutbox(ctx, "w5", at.Add(10*time.Hour), time.Minute, 10)
	db.MarkRetry(ctx, rows[0].ID, "w5", "errcode=43004", time.Time{}, at)
	all, _ := db.OutboxRows(ctx, "dead")
	if len(all) != 1 || all[0].Status != store.OutboxFailed || all[0].LastError != "errcode=43004" {
		t.Errorf("given up row %+v", all)
	}
}

func TestOutboxConcurrentClaimsAreExclusive(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	const n = 60
	for i := range n {
		db.Enqueue(ctx, at, store.Message{Channel: "text", Recipient: "o", DedupeKey: fmt.Sprintf("k%d", i)})
	}
	var mu sync.Mutex
	claimed := map[uint64]string{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				owner := fmt.Sprintf("w%d-%d", w, i)
				rows, err := db.ClaimOutbox(ctx, owner, at, time.Hour, 5)
				if err != nil {
					t.Error(err)
					return
				}
				if len(rows) == 0 {
					return
				}
				mu.Lock()
				for _, r := range rows {
					if prev, ok := claimed[r.ID]; ok {
						t.Errorf("row %d claimed by %s and %s", r.ID, prev, owner)
					}
					claimed[r.ID] = owner
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != n {
		t.Errorf("claimed %d rows, want %d", len(claimed), n)
	}
}
