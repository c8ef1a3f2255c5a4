package store

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
)

var hotEcho = hotScript("zz_echo", `
if ARGV[1] == 'boom' then return redis.call('INCR', KEYS[1]) end
return {ARGV[1], KEYS[1]}
`)

// batchOf runs calls (args[i] on key keys[i]) so that all but the first
// go in one pipeline, and returns each call's result and error.
func batchOf(t *testing.T, b *scriptBatcher, keys, args []string) ([]any, []error) {
	t.Helper()
	b.maxInFlight = 1
	b.maxQueueWait = time.Minute
	sizes := holdFirst(t, b, len(args)-1)
	vals := make([]any, len(args))
	errs := make([]error, len(args))
	var wg sync.WaitGroup
	run := func(i int) {
		defer wg.Done()
		vals[i], errs[i] = b.Run(context.Background(), hotEcho, []string{keys[i]}, args[i]).Result()
	}
	wg.Add(1)
	go run(0)
	for len(sizes()) == 0 {
		time.Sleep(time.Millisecond)
	}
	for i := 1; i < len(args); i++ {
		wg.Add(1)
		go run(i)
	}
	wg.Wait()
	if s := sizes(); len(s) != 2 || s[1] != len(args)-1 {
		t.Fatalf("pipelines %v", s)
	}
	return vals, errs
}

// TestCombinedScriptKeepsResultsApart checks that the hot scripts of one
// pipeline, sent as one combined call, each get their own result, and a
// failing one its own error only.
func TestCombinedScriptKeepsResultsApart(t *testing.T) {
	b, m := mustBatcher(t)
	if !b.combine {
		t.Fatal("combining is off on a single Redis")
	}
	m.Lpush("list", "x")
	keys := []string{"k0", "k1", "list", "k3", "k4"}
	args := []string{"a", "b", "boom", "d", ""}
	vals, errs := batchOf(t, b, keys, args)
	for i := range args {
		if args[i] == "boom" {
			var se scriptError
			if !errors.As(errs[i], &se) || !strings.Contains(strings.ToUpper(se.Error()), "WRONG") {
				t.Errorf("call %d: error %v (%T), want the WRONGTYPE of its own script, from the combined call", i, errs[i], errs[i])
			}
			continue
		}
		got, _ := vals[i].([]any)
		if errs[i] != nil || len(got) != 2 || got[0] != args[i] || got[1] != keys[i] {
			t.Errorf("call %d: %v %v", i, vals[i], errs[i])
		}
	}
}

// TestCombinedScriptReloads checks NOSCRIPT handling of the combined script.
func TestCombinedScriptReloads(t *testing.T) {
	b, _ := mustBatcher(t)
	keys := []string{"a", "b", "c"}
	if _, errs := batchOf(t, b, keys, []string{"1", "2", "3"}); errs[1] != nil || errs[2] != nil {
		t.Fatal(errs)
	}
	if err := b.rdb.ScriptFlush(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	b2 := newScriptBatcher(b.rdb)
	if vals, errs := batchOf(t, b2, keys, []string{"4", "5", "6"}); errs[1] != nil || errs[2] != nil || vals[2].([]any)[0] != "6" {
		t.Fatalf("after SCRIPT FLUSH: %v %v", vals, errs)
	}
}

// TestSessionsUnderConcurrency runs many followers' turns at once through
// one Sessions (combined calls of claims and finishes): every state and
// reply is each follower's own.
func TestSessionsUnderConcurrency(t *testing.T) {
	_, m := mustBatcher(t)
	rdb, err := OpenRedis(context.Background(), slog.New(slog.DiscardHandler), m.Addr(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	s := NewSessions(rdb, "t:")
	var batched sync.Map
	s.batch.onSend = func(n int) {
		if n > 1 {
			batched.Store("yes", true)
		}
	}
	var wg sync.WaitGroup
	for f := 0; f < 40; f++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who := "o-" + strconv.Itoa(f)
			for i := 0; i < 10; i++ {
				key := "m" + strconv.Itoa(f*100+i)
				c, err := s.Begin(context.Background(), key, who)
				if err != nil || !c.First {
					t.Errorf("%s %s: %+v %v", who, key, c, err)
					return
				}
				if i > 0 && c.State.Step != strconv.Itoa(i-1) {
					t.Errorf("%s read step %q, want %d", who, c.State.Step, i-1)
				}
				if err := s.Finish(context.Background(), c, &dialog.State{Flow: who, Step: strconv.Itoa(i)}, []byte(who+key)); err != nil {
					t.Error(err)
				}
				if r, err := s.Reply(context.Background(), key, who); err != nil || string(r) != who+key {
					t.Errorf("reply %q %v", r, err)
				}
			}
		}()
	}
	wg.Wait()
	if _, ok := batched.Load("yes"); !ok {
		t.Log("no pipeline carried more than one call (the box was too slow to overlap them)")
	}
}
