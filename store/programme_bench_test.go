package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// BenchmarkUpsertRoster imports a roster of 2000 enterprises, then the same
// file again (nothing changes).
func BenchmarkUpsertRoster(b *testing.B) {
	db := mustSeededDB(b)
	ctx := context.Background()
	entries := make([]dialog.RosterEntry, 2000)
	for i := range entries {
		entries[i] = rosterEntry(fmt.Sprintf("91320583MA%08d", i), fmt.Sprintf("企业%d", i), domain.Tier3)
	}
	at := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := db.UpsertRoster(ctx, entries, "bench", at, false); err != nil {
			b.Fatal(err)
		}
	}
}
