package leads_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
	"github.com/suzhou-amr/suzhirong/wechat"
)

func templateRow(openID, key string) store.Message {
	return store.Message{Channel: leads.ChannelTemplate, Recipient: openID, DedupeKey: key,
		Payload: fmt.Sprintf(`{"touser":%q,"template_id":"T","data":{"thing2":"x"}}`, openID)}
}

func TestOutboxRetriesAndSendsEachRowOnceWithTwoWorkers(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	const n = 40
	var msgs []store.Message
	for i := range n {
		msgs = append(msgs, templateRow(fmt.Sprintf("o-%02d", i), fmt.Sprintf("lead:%d:new:o-%02d", i, i)))
	}
	if err := e.DB.Enqueue(ctx, e.Clock.Now(), msgs...); err != nil {
		t.Fatal(err)
	}
	e.Fake.FailRate(0.4)
	// Two workers (as on two instances) drain the same table together;
	// between rounds the clock moves past every backoff.
	workers := []*leads.Outbox{e.Outbox, leads.NewOutbox(storetest.Log, e.DB, e.Bot.Client(), e.Clock.Now)}
	sent := 0
	for round := 0; round < 30 && sent < n; round++ {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for _, w := range workers {
			wg.Go(func() {
				k, err := w.Drain(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				sent += k
				mu.Unlock()
			})
		}
		wg.Wait()
		e.Clock.Add(3 * time.Hour)
	}
	if sent != n {
		t.Fatalf("sent %d of %d", sent, n)
	}
	calls := e.Fake.Calls("/cgi-bin/message/template/send")
	if len(calls) != n {
		t.Errorf("fake accepted %d sends, want %d", len(calls), n)
	}
	seen := map[any]int{}
	for _, c := range calls {
		seen[c.Body["touser"]]++
	}
	for who, k := range seen {
		if k != 1 {
			t.Errorf("%v received %d times", who, k)
		}
	}
	rows, _ := e.DB.OutboxRows(ctx, "")
	retried := 0
	for _, r := range rows {
		if r.Status != store.OutboxSent || r.SentAt == nil {
			t.Errorf("row %d: %s", r.ID, r.Status)
		}
		if r.Attempts > 1 {
			retried++
		}
	}
	if retried == 0 {
		t.Error("no row was retried: FailRate had no effect")
	}
}

func TestOutboxBackoffAndGivingUp(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	// A WeCom robot that answers a permanent error, and one that is busy.
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("key") == "bad" {
			fmt.Fprint(w, `{"errcode":93000,"errmsg":"invalid webhook url"}`)
			return
		}
		fmt.Fprint(w, `{"errcode":-1,"errmsg":"system busy"}`)
	}))
	t.Cleanup(robot.Close)
	start := e.Clock.Now()
	e.DB.Enqueue(ctx, start,
		store.Message{Channel: leads.ChannelRobot, Recipient: robot.URL + "/cgi-bin/webhook/send?key=bad", DedupeKey: "bad", Payload: `{"markdown":"x"}`},
		store.Message{Channel: leads.ChannelRobot, Recipient: robot.URL + "/cgi-bin/webhook/send?key=busy", DedupeKey: "busy", Payload: `{"markdown":"x"}`},
		store.Message{Channel: "pigeon", Recipient: "o", DedupeKey: "unknown", Payload: `{}`},
	)
	e.Outbox.BaseDelay, e.Outbox.MaxDelay, e.Outbox.MaxAttempts = time.Minute, 8*time.Minute, 5
	e.Drain()
	rows := map[string]store.Outbox{}
	load := func() {
		all, _ := e.DB.OutboxRows(ctx, "")
		for _, r := range all {
			rows[r.DedupeKey] = r
		}
	}
	load()
	if rows["bad"].Status != store.OutboxFailed || rows["unknown"].Status != store.OutboxFailed {
		t.Fatalf("permanent failures not given up: %+v %+v", rows["bad"], rows["unknown"])
	}
	busy := rows["busy"]
	if busy.Status != store.OutboxPending || !busy.NextAt.Equal(start.Add(time.Minute)) {
		t.Fatalf("busy row %+v", busy)
	}
	// Delays double: 1, 2, 4, 8 minutes, then it is given up after 5 attempts.
	wantDelays := []time.Duration{2 * time.Minute, 4 * time.Minute, 8 * time.Minute}
	for _, d := range wantDelays {
		e.Clock.Set(busy.NextAt)
		e.Drain()
		load()
		if got := rows["busy"].NextAt.Sub(busy.NextAt); got != d {
			t.Errorf("after attempt %d: delay %v, want %v", rows["busy"].Attempts, got, d)
		}
		busy = rows["busy"]
	}
	e.Clock.Set(busy.NextAt)
	e.Drain()
	load()
	if rows["busy"].Status != store.OutboxFailed || rows["busy"].Attempts != 5 {
		t.Errorf("not given up after 5 attempts: %+v", rows["busy"])
	}
}

func TestOutboxRefreshesAnExpiredToken(t *testing.T) {
	e := apptest.New(t)
	e.DB.Enqueue(context.Background(), e.Clock.Now(), templateRow("o-1", "k1"))
	e.Drain() // fetches a token
	e.Fake.ExpireToken()
	e.DB.Enqueue(context.Background(), e.Clock.Now(), templateRow("o-2", "k2"))
	if n := e.Drain(); n != 1 {
		t.Fatalf("sent %d after the token expired", n)
	}
}

func TestTransient(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&wechat.APIError{Code: -1}, true},
		{&wechat.APIError{Code: 45009}, true},
		{&wechat.APIError{Code: 43004}, false}, // the user unsubscribed
		{fmt.Errorf("send: %w", &util.CommonError{ErrCode: 40003}), false},
		{errors.New("template msg send error : errcode=-1 , errmsg=system error"), true},
		{errors.New("customer msg send error : errcode=45015 , errmsg=response out of time limit"), false},
		{errors.New("dial tcp: connection refused"), true},
	}
	for _, tt := range tests {
		if got := wechat.Transient(tt.err); got != tt.want {
			t.Errorf("%v: transient %v, want %v", tt.err, got, tt.want)
		}
	}
}
