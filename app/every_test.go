package app

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/store/storetest"
)

// Every runs the job at once, again on each tick, keeps going after a
// failure and stops when its context ends.
func TestEveryRunsUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var runs atomic.Int32
	done := make(chan struct{})
	go func() {
		Every(ctx, storetest.Log, "test job", 5*time.Millisecond, func(context.Context) error {
			if runs.Add(1) == 1 {
				return errors.New("first run fails")
			}
			return nil
		})
		close(done)
	}()
	deadline := time.After(5 * time.Second)
	for runs.Load() < 3 {
		select {
		case <-deadline:
			t.Fatalf("ran %d times", runs.Load())
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Every did not stop with its context")
	}
}
