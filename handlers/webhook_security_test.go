package handlers_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/util"

	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// encryptedPush seals a plaintext push as WeChat does in safe mode and
// returns the query and body to post.
func encryptedPush(t *testing.T, plain string, now time.Time, nonce string) (string, string) {
	t.Helper()
	enc, err := util.EncryptMsg([]byte("fedcba9876543210"), []byte(plain), testAppID, testAESKey)
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	q := "timestamp=" + ts + "&nonce=" + nonce + "&encrypt_type=aes&msg_signature=" + wechat.Sign(testToken, ts, nonce, string(enc)) +
		"&signature=" + wechat.Sign(testToken, ts, nonce)
	return q, "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[" + string(enc) + "]]></Encrypt></xml>"
}

func plainQuery(now time.Time, nonce string) string {
	ts := strconv.FormatInt(now.Unix(), 10)
	return "signature=" + wechat.Sign(testToken, ts, nonce) + "&timestamp=" + ts + "&nonce=" + nonce
}

// In safe mode the plain signature, which does not cover the body, is not
// enough: a plaintext push is refused even when correctly signed.
func TestSafeModeRefusesPlaintextPushes(t *testing.T) {
	e := mustEnv(t, withAES())
	openID := randomOpenID()
	now := time.Now()
	rec := e.post(plainQuery(now, "31"), textXML(openID, "进度", 31, now))
	if rec.Code != http.StatusForbidden {
		t.Fatalf("plaintext push in safe mode: %d %s", rec.Code, rec.Body)
	}
	if n := e.stateKeys(t); n != 0 {
		t.Fatalf("refused push left %d keys", n)
	}
	q, body := encryptedPush(t, textXML(openID, "菜单", 32, now), now, "32")
	if rec := e.post(q, body); rec.Code != http.StatusOK {
		t.Fatalf("encrypted push in safe mode: %d %s", rec.Code, rec.Body)
	}
}

// Plain mode has no key to check an encrypted push with.
func TestPlainModeRefusesEncryptedPushes(t *testing.T) {
	e := mustEnv(t, withAES(), withMode(wechat.ModePlain))
	now := time.Now()
	q, body := encryptedPush(t, textXML(randomOpenID(), "菜单", 33, now), now, "33")
	if rec := e.post(q, body); rec.Code != http.StatusForbidden {
		t.Fatalf("encrypted push in plain mode: %d %s", rec.Code, rec.Body)
	}
}

func TestOpenIDParameterMustNameTheSender(t *testing.T) {
	e := mustEnv(t)
	openID := randomOpenID()
	now := time.Now()
	body := textXML(openID, "菜单", 41, now)
	if rec := e.post(plainQuery(now, "41")+"&openid="+randomOpenID(), body); rec.Code != http.StatusForbidden {
		t.Fatalf("openid of someone else: %d %s", rec.Code, rec.Body)
	}
	if rec := e.post(plainQuery(now, "42")+"&openid="+openID, body); rec.Code != http.StatusOK {
		t.Fatalf("matching openid: %d %s", rec.Code, rec.Body)
	}
}

// A captured plaintext URL cannot carry another body: (timestamp, nonce)
// is bound to the first body signed under it; the same body again is a
// retry and gets the first reply.
func TestPlaintextSignatureCannotBeReusedWithAnotherBody(t *testing.T) {
	e := mustEnv(t)
	victim, attacker := randomOpenID(), randomOpenID()
	now := time.Now()
	q := plainQuery(now, "4711")
	body := textXML(victim, "菜单", 4711, now)
	first := e.post(q, body)
	if first.Code != http.StatusOK {
		t.Fatalf("first delivery: %d", first.Code)
	}
	retry := e.post(q, body)
	if retry.Code != http.StatusOK || retry.Body.String() != first.Body.String() {
		t.Fatalf("retry: %d, same reply %v", retry.Code, retry.Body.String() == first.Body.String())
	}
	forged := e.post(q, textXML(attacker, "进度", 4712, now))
	if forged.Code != http.StatusForbidden {
		t.Fatalf("same signature, other body: %d %s", forged.Code, forged.Body)
	}
	forged = e.post(q, textXML(victim, "进度", 4711, now))
	if forged.Code != http.StatusForbidden {
		t.Fatalf("same signature and MsgId, other content: %d %s", forged.Code, forged.Body)
	}
}

// The dedupe record of a push outlives the window in which its timestamp
// is accepted, so a captured encrypted push replayed minutes later is
// answered from the record, not handled again.
func TestDedupeOutlivesTheTimestampWindow(t *testing.T) {
	e := mustEnv(t, withAES())
	openID := randomOpenID()
	now := time.Now()
	q, body := encryptedPush(t, textXML(openID, "菜单", 51, now), now, "51")
	if rec := e.post(q, body); rec.Code != http.StatusOK {
		t.Fatalf("push: %d", rec.Code)
	}
	keys, err := e.redis.Keys(context.Background(), e.prefix+"dedupe:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("dedupe keys %v %v", keys, err)
	}
	ttl, err := e.redis.PTTL(context.Background(), keys[0]).Result()
	if err != nil {
		t.Fatal(err)
	}
	if window := 2 * wechat.MaxClockSkew; ttl <= window {
		t.Fatalf("dedupe record kept %v, the timestamp window spans %v", ttl, window)
	}
	if store.DedupeTTL <= 2*wechat.MaxClockSkew || store.NonceTTL <= 2*wechat.MaxClockSkew {
		t.Fatalf("TTLs %v/%v shorter than the timestamp window", store.DedupeTTL, store.NonceTTL)
	}
	if m := e.redis.Embedded(); m != nil {
		// On the embedded server, live through the window for real: the
		// follower moves on, and the replayed 菜单 must not reset them.
		q2, body2 := encryptedPush(t, textXML(openID, "自检", 52, now), now, "52")
		if rec := e.post(q2, body2); rec.Code != http.StatusOK {
			t.Fatalf("second push: %d", rec.Code)
		}
		sessions := store.NewSessions(e.redis, e.prefix)
		before, err := sessions.Load(context.Background(), openID)
		if err != nil || before.Flow == "" {
			t.Fatalf("state after 自检: %+v %v", before, err)
		}
		m.FastForward(4 * time.Minute)
		again := e.post(q, body)
		if again.Code != http.StatusOK || !strings.Contains(again.Body.String(), "<Encrypt>") {
			t.Fatalf("replay: %d %s", again.Code, again.Body)
		}
		after, err := sessions.Load(context.Background(), openID)
		if err != nil || after.Flow != before.Flow || after.Step != before.Step {
			t.Fatalf("replayed push was handled again: %+v -> %+v (%v)", before, after, err)
		}
	}
}

// A forged body under a captured plaintext signature, naming the victim
// and a MsgId of its own, is refused and changes nothing of the victim's:
// the claim that travelled with the bind is undone (no dedupe record, the
// turn free), the state is as it was, and the victim's next message is
// answered as if nothing had come.
func TestRefusedPlaintextPushLeavesTheFollowerAsItWas(t *testing.T) {
	e := mustEnv(t)
	victim := randomOpenID()
	e.say(victim, "自检")
	sessions := store.NewSessions(e.redis, e.prefix)
	before, err := sessions.Load(context.Background(), victim)
	if err != nil || before.Flow != "selfcheck" {
		t.Fatalf("state before: %+v %v", before, err)
	}
	ctx := context.Background()
	keysBefore, err := e.redis.Keys(ctx, e.prefix+"*{"+victim+"}*").Result()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	q := plainQuery(now, "5150")
	if rec := e.post(q, textXML(victim, "是", 5150, now)); rec.Code != http.StatusOK {
		t.Fatalf("first delivery: %d", rec.Code)
	}
	mid, err := sessions.Load(ctx, victim)
	if err != nil || len(mid.History) != 1 {
		t.Fatalf("state after the answer: %+v %v", mid, err)
	}
	keysMid, _ := e.redis.Keys(ctx, e.prefix+"*{"+victim+"}*").Result()
	if len(keysMid) != len(keysBefore)+1 {
		t.Fatalf("keys %v -> %v: want the one dedupe record more", keysBefore, keysMid)
	}
	for i, content := range []string{"菜单", "取消", "是"} {
		forged := e.post(q, textXML(victim, content, int64(5151+i), now))
		if forged.Code != http.StatusForbidden {
			t.Fatalf("forged %q: %d %s", content, forged.Code, forged.Body)
		}
	}
	after, err := sessions.Load(ctx, victim)
	if err != nil || after.Flow != mid.Flow || after.Step != mid.Step || len(after.History) != 1 || !after.UpdatedAt.Equal(mid.UpdatedAt) {
		t.Fatalf("forged pushes changed the state: %+v -> %+v (%v)", mid, after, err)
	}
	keysAfter, _ := e.redis.Keys(ctx, e.prefix+"*{"+victim+"}*").Result()
	if len(keysAfter) != len(keysMid) {
		t.Fatalf("forged pushes left keys: %v -> %v", keysMid, keysAfter)
	}
	start := time.Now()
	if got := e.say(victim, "是"); !strings.Contains(got, "题") {
		t.Fatalf("next message: %q", got)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("next message waited %v: a forged push held the turn", d)
	}
}

// redisTrips counts round trips to Redis: pipelines and single commands.
type redisTrips struct{ n atomic.Int64 }

func (r *redisTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (r *redisTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { r.n.Add(1); return next(ctx, cmd) }
}
func (r *redisTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { r.n.Add(1); return next(ctx, cmds) }
}

// A plaintext push costs two Redis round trips, its replay guard included
// (the bind goes with the claim), as an encrypted one does.
func TestPushesMakeTwoRedisRoundTrips(t *testing.T) {
	r, err := store.OpenRedis(context.Background(), storetest.Log, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	trips := &redisTrips{}
	r.AddHook(trips)
	e := mustEnv(t, withRedis(r), withAES(), withMode(wechat.ModeCompat))
	openID := randomOpenID()
	e.say(openID, "菜单") // loads the scripts, reads the new follower's profile
	now := time.Now()
	for i, text := range []string{"1", "是", "否"} {
		trips.n.Store(0)
		rec := e.post(plainQuery(now, "77"+strconv.Itoa(i)), textXML(openID, text, int64(7700+i), now))
		if rec.Code != http.StatusOK {
			t.Fatalf("plaintext %q: %d", text, rec.Code)
		}
		if n := trips.n.Load(); n != 2 {
			t.Fatalf("plaintext push %q: %d Redis round trips, want 2", text, n)
		}
	}
	trips.n.Store(0)
	q, body := encryptedPush(t, textXML(openID, "菜单", 7800, now), now, "78")
	if rec := e.post(q, body); rec.Code != http.StatusOK {
		t.Fatalf("encrypted push: %d", rec.Code)
	}
	if n := trips.n.Load(); n != 2 {
		t.Fatalf("encrypted push: %d Redis round trips, want 2", n)
	}
}
