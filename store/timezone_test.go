package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

// A month's bounds are Shanghai instants; rows are stored in UTC. A row of
// 1 December 01:00 in Shanghai (30 November 17:00 UTC) belongs to December
// on both backends, whatever zone the bounds are written in.
func TestMonthBoundsInShanghaiMatchRowsStoredInUTC(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)
	if err := db.Create(&store.Broadcast{Title: "月初", Kind: "text", AudienceType: "all", Status: "draft", CreatedAt: at, UpdatedAt: at}).Error; err != nil {
		t.Fatal(err)
	}
	for month, want := range map[string]int{"2026-11": 0, "2026-12": 1} {
		from, to, err := domain.ParseMonth(month, at)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Broadcasts(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Errorf("%s (%s to %s): %d broadcasts, want %d", month, from, to, len(got), want)
		}
	}
}
