package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

// The in-process Redis expires keys as a real one does, so development
// and the simulator do not keep dialogue state and half-filled forms with
// personal data for ever.
func TestEmbeddedRedisExpiresKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, err := store.OpenRedis(ctx, storetest.Log, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Set(ctx, "szr:state:{o-x}", "姓名和手机", 300*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for r.Exists(ctx, "szr:state:{o-x}").Val() == 1 {
		if time.Now().After(deadline) {
			t.Fatal("a key with a 300 ms TTL outlived 5 s on the embedded server")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := r.Set(ctx, "szr:keep", "x", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(600 * time.Millisecond)
	if r.Exists(ctx, "szr:keep").Val() != 1 {
		t.Fatal("a key with an hour to live expired at once")
	}
}
