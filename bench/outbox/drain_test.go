//go:build bench

// Package outbox_test drains 10,000 pending notifications through the outbox
// workers against a fake WeChat API on loopback that fails 10% of calls
// transiently, and checks that each is delivered exactly once.
//
//	MYSQL_DSN='root@tcp(127.0.0.1:3306)/test' go test -tags bench -run TestDrain -v ./bench/outbox
package outbox_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
	"github.com/suzhou-amr/suzhirong/wechat"
	"github.com/suzhou-amr/suzhirong/wechat/wechattest"
)

const (
	total    = 10_000
	workers  = 4 // as four instances, each with its own worker
	failRate = 0.10
)

func TestDrain(t *testing.T) {
	if storetest.Backend() != "mysql" {
		t.Skip("needs MYSQL_DSN: the drain rate is measured on MariaDB")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	db := storetest.MustOpenDB(t)
	rdb, _ := storetest.MustOpenRedis(t)
	fake := wechattest.New(t)
	wechat.SetAPIBase(fake.URL)
	t.Cleanup(func() { wechat.SetAPIBase("") })

	start := time.Now()
	msgs := make([]store.Message, 0, 500)
	for i := range total {
		msgs = append(msgs, store.Message{
			Channel: leads.ChannelText, Recipient: fmt.Sprintf("o-drain-%05d", i%997),
			DedupeKey: "drain:" + strconv.Itoa(i), Payload: fmt.Sprintf(`{"content":"n=%d"}`, i),
		})
		if len(msgs) == cap(msgs) {
			if err := db.Enqueue(ctx, start, msgs...); err != nil {
				t.Fatal(err)
			}
			msgs = msgs[:0]
		}
	}
	t.Logf("enqueued %d in %v", total, time.Since(start).Round(time.Millisecond))

	fake.FailRate(failRate)
	client := wechat.NewClient(storetest.Log, db, rdb, "wx2c2769f8efd9abc2", "secret")
	client.AllowLoopbackRobot = true // the fake API stands in for WeCom
	begin := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	sent := 0
	for range workers {
		o := leads.NewOutbox(storetest.Log, db, client, nil)
		o.BaseDelay, o.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n, err := o.Drain(ctx)
				if err != nil && ctx.Err() == nil {
					t.Error(err)
					return
				}
				mu.Lock()
				sent += n
				done := sent >= total
				mu.Unlock()
				if done {
					return
				}
				if n == 0 {
					time.Sleep(10 * time.Millisecond) // only retries not yet due
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)

	// Exactly once: every number reached the fake once, and every row is sent.
	calls := fake.Calls("/cgi-bin/message/custom/send")
	seen := make(map[string]int, total)
	for _, c := range calls {
		text, _ := c.Body["text"].(map[string]any)
		content, _ := text["content"].(string)
		seen[content]++
	}
	dup, missing := 0, 0
	for i := range total {
		switch seen["n="+strconv.Itoa(i)] {
		case 0:
			missing++
		case 1:
		default:
			dup++
		}
	}
	rows, err := db.OutboxRows(ctx, "drain:")
	if err != nil {
		t.Fatal(err)
	}
	attempts, notSent := 0, 0
	for _, r := range rows {
		attempts += r.Attempts
		if r.Status != store.OutboxSent {
			notSent++
		}
	}
	t.Logf("drained %d notifications in %v with %d workers: %.0f/s; %d attempts (%.1f%% retried), %d successful API calls",
		total, elapsed.Round(time.Millisecond), workers, float64(total)/elapsed.Seconds(), attempts,
		float64(attempts-total)/total*100, len(calls))
	if sent != total || len(calls) != total || dup != 0 || missing != 0 || notSent != 0 || len(rows) != total {
		t.Fatalf("sent %d, calls %d, duplicates %d, missing %d, rows %d not sent of %d", sent, len(calls), dup, missing, notSent, len(rows))
	}
}
