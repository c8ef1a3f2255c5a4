package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

// A claim dies with its turn: once the lease of a turn that never finished
// has run out, WeChat's retry is a first delivery again.
func TestClaimOfADeadTurnEndsWithItsLease(t *testing.T) {
	t.Parallel()
	rdb, prefix := storetest.MustOpenRedis(t)
	s := store.NewSessions(rdb, prefix)
	ctx := context.Background()
	dead, err := s.Begin(ctx, "m1", "o-dead")
	if err != nil || !dead.First {
		t.Fatalf("first claim: %+v %v", dead, err)
	}
	if ttl := rdb.PTTL(ctx, prefix+"dedupe:{o-dead}:m1").Val(); ttl > store.TurnLease || ttl <= 0 {
		t.Fatalf("a pending claim lasts the turn's lease (%v), not %v", store.TurnLease, ttl)
	}
	// While the turn may still be running, a retry waits for its reply.
	if c, err := s.Begin(ctx, "m1", "o-dead"); err != nil || c.First || string(c.Reply) != store.Pending {
		t.Fatalf("retry during the turn: %+v %v", c, err)
	}
	outliveTurnLease(rdb)
	retry, err := s.Begin(ctx, "m1", "o-dead")
	if err != nil || !retry.First {
		t.Fatalf("retry after the dead turn's lease: %+v %v", retry, err)
	}
	if err := s.Finish(ctx, retry, &dialog.State{Flow: "need"}, []byte("reply")); err != nil {
		t.Fatal(err)
	}
	// Only a finished reply keeps the long dedupe TTL.
	if ttl := rdb.PTTL(ctx, prefix+"dedupe:{o-dead}:m1").Val(); ttl < store.DedupeTTL-time.Minute {
		t.Fatalf("finished reply TTL %v, want about %v", ttl, store.DedupeTTL)
	}
}

// A pending mark whose follower has no turn running belongs to a turn that
// died (here: its lock is gone, as after a Redis failover that kept the
// mark): two retries racing for it, one takes it over.
func TestRacingRetriesTakeOverADeadClaimOnce(t *testing.T) {
	t.Parallel()
	rdb, prefix := storetest.MustOpenRedis(t)
	s := store.NewSessions(rdb, prefix)
	ctx := context.Background()
	if c, err := s.Begin(ctx, "m1", "o-race"); err != nil || !c.First {
		t.Fatalf("first claim: %+v %v", c, err)
	}
	if err := rdb.Del(ctx, prefix+"turn:{o-race}").Err(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var took, waited int
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.Begin(ctx, "m1", "o-race")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("retry: %v", err)
			case c.First && c.TakeOver:
				took++
			case !c.First && string(c.Reply) == store.Pending:
				waited++
			default:
				t.Errorf("retry: %+v", c)
			}
		}()
	}
	wg.Wait()
	if took != 1 || waited != 7 {
		t.Fatalf("%d retries took the delivery over and %d waited; want 1 and 7", took, waited)
	}
}

// A turn that runs longer than its lease keeps its claim while its
// instance lives: Hold renews the lease and the pending mark.
func TestHeldTurnKeepsItsClaimPastTheLease(t *testing.T) {
	t.Parallel()
	rdb, prefix := storetest.MustOpenRedis(t)
	s := store.NewSessions(rdb, prefix)
	ctx := context.Background()
	c, err := s.Begin(ctx, "m1", "o-long")
	if err != nil || !c.First {
		t.Fatalf("first claim: %+v %v", c, err)
	}
	stop := s.Hold(ctx, c)
	time.Sleep(store.TurnLease + time.Second)
	if retry, err := s.Begin(ctx, "m1", "o-long"); err != nil || retry.First || string(retry.Reply) != store.Pending {
		t.Fatalf("retry of a long turn still running: %+v %v", retry, err)
	}
	stop()
	if err := s.Finish(ctx, c, nil, []byte("late reply")); err != nil {
		t.Fatal(err)
	}
	if retry, err := s.Begin(ctx, "m1", "o-long"); err != nil || retry.First || string(retry.Reply) != "late reply" {
		t.Fatalf("retry after the long turn: %+v %v", retry, err)
	}
}
