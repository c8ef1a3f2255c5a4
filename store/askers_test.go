package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/store/storetest"
)

// Who asked an unplaced message is kept for WeChat's 48-hour window only,
// and erased with the follower's data.
func TestUnplacedAskersAreKeptNoLongerThanNeeded(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	record := func(openID string, when time.Time) {
		t.Helper()
		if err := db.RecordUnplaced(ctx, "周末", "周末", when); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordUnplacedAsker(ctx, "周末", openID, when); err != nil {
			t.Fatal(err)
		}
	}
	record("o-a", at)
	record("o-b", at.Add(time.Hour))
	record("o-b", at.Add(2*time.Hour))
	id, err := db.UnplacedIDByFolded(ctx, "周末")
	if err != nil {
		t.Fatal(err)
	}
	askers, err := db.UnplacedAskers(ctx, id, at.Add(-time.Hour))
	if err != nil || len(askers) != 2 {
		t.Fatalf("askers %v %v", askers, err)
	}
	// Three days later the first askers are dropped as another one asks.
	record("o-c", at.Add(72*time.Hour))
	if askers, _ := db.UnplacedAskers(ctx, id, time.Time{}); len(askers) != 1 || askers[0] != "o-c" {
		t.Fatalf("after the window: %v", askers)
	}
	if _, err := db.ErasePersonalData(ctx, "o-c", at.Add(73*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if askers, _ := db.UnplacedAskers(ctx, id, time.Time{}); len(askers) != 0 {
		t.Fatalf("after erasure: %v", askers)
	}
}
