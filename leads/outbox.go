package leads

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// Outbox delivers the notifications written to the outbox table. Any number
// of workers, in one process or many, may drain the same table: each claims
// rows with a conditional UPDATE, so no row is sent by two of them, and a
// row whose worker died mid-send is claimed again when its lock expires.
type Outbox struct {
	log    *slog.Logger
	db     OutboxRepo
	client *wechat.Client
	now    func() time.Time
	name   string
	seq    atomic.Int64

	Lease       time.Duration // how long a claim holds a row; longer than any send
	Batch       int           // rows claimed at once
	MaxAttempts int           // attempts before a transient failure is given up
	BaseDelay   time.Duration // first retry delay, doubled per attempt
	MaxDelay    time.Duration // cap of the retry delay
}

// NewOutbox returns a worker; now is its clock (time.Now when nil).
func NewOutbox(log *slog.Logger, db OutboxRepo, client *wechat.Client, now func() time.Time) *Outbox {
	if now == nil {
		now = utcNow
	}
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return &Outbox{
		log: log, db: db, client: client, now: now,
		name:  fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b)),
		Lease: 2 * time.Minute, Batch: 20, MaxAttempts: 10, BaseDelay: 30 * time.Second, MaxDelay: 2 * time.Hour,
	}
}

// Drain sends every message due now, batch by batch, and returns how many
// were sent. Failed sends are rescheduled, not returned as errors.
func (o *Outbox) Drain(ctx context.Context) (int, error) {
	sent := 0
	for ctx.Err() == nil {
		owner := o.name + "-" + strconv.FormatInt(o.seq.Add(1), 10)
		rows, err := o.db.ClaimOutbox(ctx, owner, o.now(), o.Lease, o.Batch)
		if err != nil {
			return sent, err
		}
		if len(rows) == 0 {
			return sent, nil
		}
		for _, r := range rows {
			ok, err := o.deliver(ctx, owner, r)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
	}
	return sent, ctx.Err()
}

// deliver sends one claimed row and records the outcome.
func (o *Outbox) deliver(ctx context.Context, owner string, r domain.Claimed) (bool, error) {
	sendCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	err := o.send(sendCtx, r)
	cancel()
	now := o.now()
	if err == nil {
		held, merr := o.db.MarkSent(ctx, r.ID, owner, now)
		if merr != nil {
			return false, merr
		}
		if !held {
			o.log.Warn("outbox lock lost before the send was recorded", slog.Uint64("id", r.ID))
		}
		return true, nil
	}
	var next time.Time
	if wechat.Transient(err) && r.Attempts < o.MaxAttempts {
		next = now.Add(o.backoff(r.Attempts))
	}
	level := slog.LevelWarn
	if next.IsZero() {
		level = slog.LevelError
	}
	o.log.Log(ctx, level, "outbox send failed", slog.Uint64("id", r.ID),
		slog.String("channel", r.Channel), slog.Int("attempts", r.Attempts), slog.Bool("given_up", next.IsZero()),
		slog.String("error", wechat.Mask(err.Error())))
	return false, o.db.MarkRetry(ctx, r.ID, owner, wechat.Mask(err.Error()), next, now)
}

// backoff is the delay after the given number of attempts: BaseDelay
// doubled per attempt, capped at MaxDelay.
func (o *Outbox) backoff(attempts int) time.Duration {
	d := o.BaseDelay
	for i := 1; i < attempts && d < o.MaxDelay; i++ {
		d *= 2
	}
	return min(d, o.MaxDelay)
}

func (o *Outbox) send(ctx context.Context, r domain.Claimed) error {
	switch r.Channel {
	case ChannelTemplate:
		var m wechat.TemplateMessage
		if err := json.Unmarshal([]byte(r.Payload), &m); err != nil {
			return wechat.Permanent(fmt.Errorf("decode payload %d: %w", r.ID, err))
		}
		_, err := o.client.SendTemplate(ctx, m)
		return err
	case ChannelText:
		var m textPayload
		if err := json.Unmarshal([]byte(r.Payload), &m); err != nil {
			return wechat.Permanent(fmt.Errorf("decode payload %d: %w", r.ID, err))
		}
		err := o.client.SendText(ctx, r.Recipient, m.Content)
		if m.Fallback != nil && wechat.ErrCode(err) == wechat.ErrCodeOutsideWindow {
			// The follower's 48 h window closed while the message waited:
			// a template message reaches them any time.
			_, err = o.client.SendTemplate(ctx, *m.Fallback)
		}
		return err
	case ChannelRobot:
		var m struct {
			Markdown string `json:"markdown"`
		}
		if err := json.Unmarshal([]byte(r.Payload), &m); err != nil {
			return wechat.Permanent(fmt.Errorf("decode payload %d: %w", r.ID, err))
		}
		return o.client.PostRobot(ctx, r.Recipient, m.Markdown)
	}
	return wechat.Permanent(fmt.Errorf("outbox %d: unknown channel %q", r.ID, r.Channel))
}

// textPayload is a 客服 text in the outbox, with the template message to send
// instead if the 48 h window has closed by the time it goes out.
type textPayload struct {
	Content  string                  `json:"content"`
	Fallback *wechat.TemplateMessage `json:"fallback,omitempty"`
}

// KFTextMessage is a 客服 text message to openID through the outbox, for a
// follower who wrote within WeChat's 48-hour window.
func KFTextMessage(openID, content, key string) (domain.Notification, error) {
	payload, err := json.Marshal(textPayload{Content: content})
	if err != nil {
		return domain.Notification{}, err
	}
	return domain.Notification{Channel: ChannelText, Recipient: openID, DedupeKey: key, Payload: string(payload)}, nil
}
