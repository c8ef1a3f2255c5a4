package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// claimAndDie claims a text push as an instance would that then died
// mid-turn: the claim is taken and never finished.
func (e *env) claimAndDie(openID string, msgID int64) {
	e.tb.Helper()
	s := store.NewSessions(e.redis, e.prefix)
	key := wechat.Message{MsgType: "text", MsgID: msgID}.DedupeKey()
	if c, err := s.Begin(context.Background(), key, openID); err != nil || !c.First {
		e.tb.Fatalf("the dying instance's claim: %+v %v", c, err)
	}
}

// customMessage waits for a 客服 message to openID containing want.
func (e *env) customMessage(openID, want string, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		for _, c := range e.fake.Calls("/cgi-bin/message/custom/send") {
			if c.Body["touser"] == openID && strings.Contains(c.Raw, want) {
				return true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// WeChat's retry of a push whose instance died mid-turn is handled as a
// first delivery once the dead turn's lease has run out, instead of being
// answered "success" for the dedupe TTL.
func TestRetryOfAPushWhoseTurnDiedIsAnswered(t *testing.T) {
	e := mustEnv(t)
	openID := randomOpenID()
	const msgID = 77001
	e.claimAndDie(openID, msgID)
	outliveLease(e.redis)
	rec := e.post(e.signedQuery(time.Now()), textXML(openID, "菜单", msgID, time.Now()))
	got, ok := wechat.ReplyText(rec.Body.Bytes())
	if !ok || !strings.Contains(got, "请回复数字") {
		t.Fatalf("retry after the dead turn: %q", rec.Body)
	}
	// The next retry gets the same reply, not a second handling.
	rec = e.post(e.signedQuery(time.Now()), textXML(openID, "菜单", msgID, time.Now()))
	if again, _ := wechat.ReplyText(rec.Body.Bytes()); again != got {
		t.Fatalf("second retry: %q, want %q", again, got)
	}
}

// A retry that arrives while the dead turn's lease still runs waits for
// it, takes the delivery over when it ends and answers: in the retry, or
// as a 客服 message when the wait used the budget up.
func TestRetryDuringADeadTurnsLeaseTakesItOver(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a turn lease in real time")
	}
	e := mustEnv(t, withAppID())
	openID := randomOpenID()
	const msgID = 77002
	e.claimAndDie(openID, msgID)
	time.Sleep(store.TurnLease - 2*time.Second)
	start := time.Now()
	rec := e.post(e.signedQuery(time.Now()), textXML(openID, "联系", msgID, time.Now()))
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the retry took %v; WeChat waits 5 s", d)
	}
	if got, ok := wechat.ReplyText(rec.Body.Bytes()); ok && strings.Contains(got, "0512") {
		return
	}
	if rec.Body.String() != "success" || !e.customMessage(openID, "0512", 10*time.Second) {
		t.Fatalf("the retry was neither answered (%q) nor followed by a 客服 message", rec.Body)
	}
}

// outliveLease lets a turn's lease run out: on the embedded Redis by
// moving its clock, on a real one by waiting.
func outliveLease(rdb *store.Redis) {
	if mr := rdb.Embedded(); mr != nil {
		mr.FastForward(store.TurnLease + time.Millisecond)
	} else {
		time.Sleep(store.TurnLease + 100*time.Millisecond)
	}
}
