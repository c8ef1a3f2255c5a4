package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

// The previous release's scripts and state record (commit 7282e57), to
// check that both releases share one Redis during a rolling deploy: the
// same dedupe, turn and state keys, each reading what the other wrote.
var (
	prevClaim = redis.NewScript(`
local d = redis.call('GET', KEYS[1])
if d then return {0, d} end
if not redis.call('SET', KEYS[3], ARGV[3], 'NX', 'PX', ARGV[4]) then return {2, false} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {1, redis.call('GET', KEYS[2]) or false, redis.call('GET', KEYS[4]) or '0'}
`)
	prevFinish = redis.NewScript(`
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local saved = 1
if ARGV[4] ~= '' then
  if (redis.call('GET', KEYS[4]) or '0') == ARGV[6] then
    redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[5])
    redis.call('INCR', KEYS[4])
    redis.call('PEXPIRE', KEYS[4], ARGV[5])
  else
    saved = 0
  end
end
if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
return saved
`)
)

type prevRecord struct {
	V       int               `json:"v"`
	Flow    string            `json:"flow,omitempty"`
	Step    string            `json:"step,omitempty"`
	History []string          `json:"hist,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"`
	Tier    int               `json:"tier,omitempty"`
	Updated int64             `json:"at"`
}

type prevRelease struct {
	rdb    redis.UniversalClient
	prefix string
}

func (p prevRelease) keys(key, openID string) []string {
	return []string{p.prefix + "dedupe:{" + openID + "}:" + key, p.prefix + "state:{" + openID + "}",
		p.prefix + "turn:{" + openID + "}", p.prefix + "rev:{" + openID + "}"}
}

// turn runs one turn the way the previous release does; it returns the
// claim status, the state or reply it read, and finishes with next when
// given.
func (p prevRelease) turn(t *testing.T, key, openID string, next *prevRecord, reply string) (int64, string) {
	t.Helper()
	ctx := context.Background()
	keys := p.keys(key, openID)
	res, err := prevClaim.Run(ctx, p.rdb, keys, store.Pending, 120000, "prev-token-"+key, 5000).Slice()
	if err != nil {
		t.Fatalf("previous release's claim: %v", err)
	}
	status := res[0].(int64)
	val, _ := res[1].(string)
	if status != 1 || next == nil {
		return status, val
	}
	rev, _ := res[2].(string)
	raw, _ := json.Marshal(next)
	saved, err := prevFinish.Run(ctx, p.rdb, keys, reply, 120000, "prev-token-"+key, raw, 48*3600*1000, rev).Int()
	if err != nil || saved != 1 {
		t.Fatalf("previous release's finish: %d %v", saved, err)
	}
	return status, val
}

// TestRollingDeploy interleaves the turns of one follower between this
// release and the previous one on one Redis: no turn fails or reads
// garbage, each release reads the state the other saved, retries get the
// first reply across releases, and the turn lock holds across them.
func TestRollingDeploy(t *testing.T) {
	t.Parallel()
	rdb, prefix := storetest.MustOpenRedis(t)
	s := store.NewSessions(rdb, prefix)
	prev := prevRelease{rdb, prefix}
	ctx := context.Background()
	const who = "o-roll"

	c, err := s.Begin(ctx, "m1", who)
	if err != nil || !c.First {
		t.Fatalf("new m1: %+v %v", c, err)
	}
	// With a key the previous release does not know ("app").
	first := &dialog.State{Flow: "selfcheck", Step: "c1", History: []string{"a"}, Profile: dialog.Profile{Applied: dialog.AppliedSome}}
	if err := s.Finish(ctx, c, first, []byte("reply-1")); err != nil {
		t.Fatal(err)
	}

	// The previous release reads the new record and saves its own.
	status, raw := prev.turn(t, "m2", who, &prevRecord{V: 1, Flow: "selfcheck", Step: "c2", History: []string{"a", "b"}, Updated: 1}, "reply-2")
	var got prevRecord
	if err := json.Unmarshal([]byte(raw), &got); status != 1 || err != nil || got.V != 1 || got.Flow != "selfcheck" || got.Step != "c1" {
		t.Fatalf("previous release read %d %q (%v)", status, raw, err)
	}

	// This release reads the previous one's record and saves over it.
	c, err = s.Begin(ctx, "m3", who)
	if err != nil || !c.First || !c.HasState || c.State.Step != "c2" || len(c.State.History) != 2 {
		t.Fatalf("new m3: %+v %v", c, err)
	}
	if err := s.Finish(ctx, c, &dialog.State{Flow: "selfcheck", Step: "c3"}, []byte("reply-3")); err != nil {
		t.Fatalf("new finish after the previous release's turn: %v", err)
	}
	if _, raw := prev.turn(t, "m4", who, &prevRecord{V: 1, Flow: "need", Step: "name"}, "reply-4"); !json.Valid([]byte(raw)) {
		t.Fatalf("previous release read %q", raw)
	}

	// Retries find the first delivery's reply whichever release has it.
	if status, reply := prev.turn(t, "m3", who, nil, ""); status != 0 || reply != "reply-3" {
		t.Fatalf("previous release's retry of m3: %d %q", status, reply)
	}
	if c, err := s.Begin(ctx, "m2", who); err != nil || c.First || string(c.Reply) != "reply-2" {
		t.Fatalf("new retry of m2: %+v %v", c, err)
	}

	// One turn at a time across releases.
	c, err = s.Begin(ctx, "m5", who)
	if err != nil || !c.First || c.State.Flow != "need" {
		t.Fatalf("new m5: %+v %v", c, err)
	}
	if status, _ := prev.turn(t, "m6", who, nil, ""); status != 2 {
		t.Fatalf("previous release's claim during a new turn: status %d, want busy", status)
	}
	if err := s.Finish(ctx, c, &dialog.State{Flow: "need", Step: "code"}, []byte("reply-5")); err != nil {
		t.Fatal(err)
	}
	// The busy claim was undone: m6 is handled when it comes again.
	if status, _ := prev.turn(t, "m6", who, &prevRecord{V: 1, Flow: "need", Step: "phone"}, "reply-6"); status != 1 {
		t.Fatalf("m6 after the turn: status %d", status)
	}
	st, err := s.Load(ctx, who)
	if err != nil || st.Step != "phone" {
		t.Fatalf("final state %+v %v", st, err)
	}
}

// TestBusyClaimIsUndone checks that a message refused because another of
// the follower's messages holds the turn is handled afresh later.
func TestBusyClaimIsUndone(t *testing.T) {
	t.Parallel()
	rdb, prefix := storetest.MustOpenRedis(t)
	s := store.NewSessions(rdb, prefix)
	ctx := context.Background()
	c, err := s.Begin(ctx, "m1", "o-b")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Begin(ctx, "m2", "o-b"); err != store.ErrBusyTurn {
		t.Fatalf("m2 during m1: %v", err)
	}
	if err := s.Finish(ctx, c, &dialog.State{Flow: "x"}, []byte("r1")); err != nil {
		t.Fatal(err)
	}
	if c2, err := s.Begin(ctx, "m2", "o-b"); err != nil || !c2.First || c2.State.Flow != "x" {
		t.Fatalf("m2 after m1: %+v %v", c2, err)
	}
}

// TestSlowTurnPaths covers the finish of a turn that outlived its lease:
// it saves when no turn came in between, and not while a newer turn holds
// the follower's turn.
func TestSlowTurnPaths(t *testing.T) {
	t.Parallel()
	rdb, prefix := storetest.MustOpenRedis(t)
	s := store.NewSessions(rdb, prefix)
	ctx := context.Background()
	expire := func() { outliveTurnLease(rdb) }
	slow, _ := s.Begin(ctx, "m1", "o-s")
	expire()
	if err := s.Finish(ctx, slow, &dialog.State{Flow: "a"}, []byte("r1")); err != nil {
		t.Fatalf("slow turn alone: %v", err)
	}
	slow, _ = s.Begin(ctx, "m2", "o-s")
	expire()
	newer, err := s.Begin(ctx, "m3", "o-s")
	if err != nil || !newer.First {
		t.Fatalf("newer: %+v %v", newer, err)
	}
	if err := s.Finish(ctx, slow, &dialog.State{Flow: "stale"}, []byte("r2")); !errors.Is(err, store.ErrStaleTurn) {
		t.Fatalf("slow turn while a newer one runs: %v", err)
	}
	if err := s.Finish(ctx, newer, &dialog.State{Flow: "b"}, []byte("r3")); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Load(ctx, "o-s"); err != nil || st.Flow != "b" {
		t.Fatalf("state %+v %v", st, err)
	}
}
