package store_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

// pipelineCounter counts what a client sends: pipelines and single
// commands, each one round trip.
type pipelineCounter struct{ trips, cmds int }

func (p *pipelineCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (p *pipelineCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		p.trips++
		p.cmds++
		return next(ctx, cmd)
	}
}
func (p *pipelineCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		p.trips++
		p.cmds += len(cmds)
		return next(ctx, cmds)
	}
}

// The nonce bind travels with the claim: one round trip for both. The same
// body again (WeChat's retry) passes and gets the first reply; another body
// under the same (timestamp, nonce) is refused, and the refused claim
// leaves nothing behind: no dedupe record, no turn held, the state as it
// was.
func TestBeginBoundChecksTheNonceInTheClaimsRoundTrip(t *testing.T) {
	t.Parallel()
	rdb, prefix := storetest.MustOpenRedis(t)
	count := &pipelineCounter{}
	rdb.AddHook(count)
	s := store.NewSessions(rdb, prefix)
	n := store.NewNonces(rdb, prefix)
	ctx := context.Background()
	// Load the script and open the connection first: count the hot path.
	warm, err := s.Begin(ctx, "m0", "o-warm")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Release(ctx, warm); err != nil {
		t.Fatal(err)
	}
	*count = pipelineCounter{}
	bind := n.Binding("1700000000", "42", sha256.Sum256([]byte("body one")))
	forged := n.Binding("1700000000", "42", sha256.Sum256([]byte("body two")))

	c, err := s.BeginBound(ctx, "m1", "o-victim", bind)
	if err != nil || !c.First {
		t.Fatalf("first delivery: %+v %v", c, err)
	}
	if count.trips != 1 || count.cmds != 2 {
		t.Fatalf("bind and claim took %d round trips, %d commands; want 1 and 2", count.trips, count.cmds)
	}
	st := dialog.State{Flow: "selfcheck", Step: "c1"}
	if err := s.Finish(ctx, c, &st, []byte("reply one")); err != nil {
		t.Fatal(err)
	}
	retry, err := s.BeginBound(ctx, "m1", "o-victim", bind)
	if err != nil || retry.First || string(retry.Reply) != "reply one" {
		t.Fatalf("retry: %+v %v", retry, err)
	}

	// Another body under the captured signature: the same MsgId must not
	// get the first reply, a new MsgId must not be claimed.
	if c, err := s.BeginBound(ctx, "m1", "o-victim", forged); !errors.Is(err, store.ErrReplayed) || c.Reply != nil {
		t.Fatalf("forged repeat: %+v %v", c, err)
	}
	if _, err := s.BeginBound(ctx, "m2", "o-victim", forged); !errors.Is(err, store.ErrReplayed) {
		t.Fatalf("forged new message: %v", err)
	}
	if _, err := s.Reply(ctx, "m2", "o-victim"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("the refused claim left its dedupe record: %v", err)
	}
	if n, err := rdb.Exists(ctx, prefix+"turn:{o-victim}").Result(); err != nil || n != 0 {
		t.Fatalf("the refused claim left the turn held: %d %v", n, err)
	}
	got, err := s.Load(ctx, "o-victim")
	if err != nil || got.Flow != "selfcheck" || got.Step != "c1" {
		t.Fatalf("state after the refused push: %+v %v", got, err)
	}
	// The follower's next message (its own signature) is handled at once.
	next, err := s.BeginBound(ctx, "m2", "o-victim", n.Binding("1700000001", "43", sha256.Sum256([]byte("next"))))
	if err != nil || !next.First || next.State.Step != "c1" {
		t.Fatalf("next message: %+v %v", next, err)
	}

	// While another message of the follower holds the turn, a forged push
	// is still refused (not told to wait), and a real one waits.
	if _, err := s.BeginBound(ctx, "m3", "o-victim", forged); !errors.Is(err, store.ErrReplayed) {
		t.Fatalf("forged push during a turn: %v", err)
	}
	if _, err := s.BeginBound(ctx, "m3", "o-victim", n.Binding("1700000002", "44", sha256.Sum256([]byte("m3")))); !errors.Is(err, store.ErrBusyTurn) {
		t.Fatalf("real push during a turn: %v", err)
	}
	if err := s.Release(ctx, next); err != nil {
		t.Fatal(err)
	}

	// A push that makes no claim is bound alone.
	if err := s.Bind(ctx, n.Binding("1700000003", "45", sha256.Sum256([]byte("event")))); err != nil {
		t.Fatal(err)
	}
	if err := s.Bind(ctx, n.Binding("1700000003", "45", sha256.Sum256([]byte("event")))); err != nil {
		t.Fatalf("the same body again: %v", err)
	}
	if err := s.Bind(ctx, n.Binding("1700000003", "45", sha256.Sum256([]byte("other")))); !errors.Is(err, store.ErrReplayed) {
		t.Fatalf("another body: %v", err)
	}
	ttl, err := rdb.PTTL(ctx, prefix+"nonce:1700000000:42").Result()
	if err != nil || ttl <= store.NonceTTL-time.Minute || ttl > store.NonceTTL {
		t.Fatalf("nonce TTL %v %v", ttl, err)
	}
}

// prevBind is the previous release's nonce bind (commit 1d50c5d): a script
// of its own, in a round trip of its own, on the same key with the same
// value. During a rolling deploy each release sees the other's binds.
var prevBind = redis.NewScript(`return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'GET', 'PX', ARGV[2])`)

func TestNonceBindsAreSharedWithThePreviousRelease(t *testing.T) {
	t.Parallel()
	rdb, prefix := storetest.MustOpenRedis(t)
	s := store.NewSessions(rdb, prefix)
	n := store.NewNonces(rdb, prefix)
	ctx := context.Background()
	prev := func(ts, nonce string, sum [32]byte) (same bool) {
		t.Helper()
		got, err := prevBind.Run(ctx, rdb, []string{prefix + "nonce:" + ts + ":" + nonce}, sum[:], store.NonceTTL.Milliseconds()).Text()
		if errors.Is(err, redis.Nil) {
			return true
		}
		if err != nil {
			t.Fatal(err)
		}
		return got == string(sum[:])
	}
	a, b := sha256.Sum256([]byte("a")), sha256.Sum256([]byte("b"))

	// Bound by the previous release, delivered again to this one.
	if !prev("1700000000", "1", a) {
		t.Fatal("previous release refused its first bind")
	}
	if c, err := s.BeginBound(ctx, "m1", "o-roll", n.Binding("1700000000", "1", a)); err != nil || !c.First {
		t.Fatalf("retry on this release: %+v %v", c, err)
	} else if err := s.Release(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginBound(ctx, "m2", "o-roll", n.Binding("1700000000", "1", b)); !errors.Is(err, store.ErrReplayed) {
		t.Fatalf("another body on this release: %v", err)
	}
	// Bound by this release, delivered again to the previous one.
	if c, err := s.BeginBound(ctx, "m3", "o-roll", n.Binding("1700000000", "2", a)); err != nil || !c.First {
		t.Fatalf("first bind on this release: %+v %v", c, err)
	} else if err := s.Release(ctx, c); err != nil {
		t.Fatal(err)
	}
	if !prev("1700000000", "2", a) {
		t.Fatal("previous release refused the same body")
	}
	if prev("1700000000", "2", b) {
		t.Fatal("previous release accepted another body")
	}
}
